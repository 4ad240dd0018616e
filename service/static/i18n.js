// The page's strings, from the one catalogue (service/i18n/*.json) that the server writes into
// every page as a JSON data block (#i18n): the server and the scripts say the same words.
// Elements carry data-t="key" (text) or data-t-placeholder / data-t-title / data-t-aria-label.
export const lang = document.documentElement.lang === "en" ? "en" : "fr";

const block = document.getElementById("i18n");
const STRINGS = block ? JSON.parse(block.textContent) : {};

export function t(key, vars = {}) {
  const text = STRINGS[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** A count's words: French takes the singular for 0 and 1, English for 1 only. */
export function tn(key, n, vars = {}) {
  const one = lang === "fr" ? n === 0 || n === 1 : n === 1;
  return t(`${key}_${one ? "one" : "many"}`, { n, ...vars });
}

export function applyStrings(root = document) {
  for (const el of root.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const attr of ["placeholder", "title", "aria-label"]) {
    const data = `t${attr.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())}`;
    for (const el of root.querySelectorAll(`[data-t-${attr}]`)) el.setAttribute(attr, t(el.dataset[data]));
  }
}
