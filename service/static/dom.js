// Small DOM helpers. Patient labels are typed by staff: always set as text, never as HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "className") el.className = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function pageConfig() {
  return JSON.parse(document.getElementById("page-config").textContent);
}

let flashTimer = null;
/** A short message in the page's status area; errors stay longer. */
export function flash(text, kind = "info") {
  const area = document.getElementById("flash");
  area.textContent = text;
  area.className = `flash ${kind}`;
  area.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { area.hidden = true; }, kind === "error" ? 9000 : 4000);
}

/** Is the keyboard busy with a text field (shortcuts must then stay out of the way)? */
export function typingInField(event) {
  const target = event.target;
  return target instanceof HTMLElement
    && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}
