// What the administration pages share: a refusal shown where the edit was made, with the
// API's reasons (a 409 of the rota names each conflict), and forms read as plain objects.
import { h } from "/static/service/dom.js";
import { lang } from "/static/service/i18n.js";

/** The API's refusal in the form's error area (role=alert, read aloud), or clears it. */
export function showError(area, error) {
  if (!error) {
    area.hidden = true;
    area.replaceChildren();
    return;
  }
  const reasons = (error.body?.conflicts || []).map((c) => h("li", {}, lang === "en" ? c.message_en : c.message));
  area.replaceChildren(h("span", {}, error.message), reasons.length ? h("ul", {}, reasons) : null);
  area.hidden = false;
}

/** Runs an edit with its button disabled; a refusal goes to `area`. True when it succeeded. */
export async function attempt(area, button, action) {
  if (button) button.disabled = true;
  try {
    await action();
    showError(area, null);
    return true;
  } catch (error) {
    showError(area, error);
    return false;
  } finally {
    if (button) button.disabled = false;
  }
}

/** Fills a region select from the country select (data-subdivisions on the region select). */
export function linkRegions(form, current = null) {
  const country = form.elements.country;
  const region = form.elements.subdivision;
  const all = JSON.parse(region.dataset.subdivisions);
  const none = region.options[0];
  const fill = () => {
    region.replaceChildren(none, ...(all[country.value] || []).map((code) => h("option", { value: code }, code)));
    region.value = "";
  };
  country.addEventListener("change", fill);
  fill();
  if (current) region.value = current;
}

/** "Centre de Lyon 3e" → "centre-de-lyon-3e": what the address of the centre's pages uses. */
export function slugOf(name) {
  return name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
}

export const text = (value) => (value ?? "").trim();
