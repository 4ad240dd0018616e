// How times, waits and estimates read on the pages.
import { serverNow } from "./api.js";
import { lang, t } from "./i18n.js";

export function minutesSince(iso) {
  return Math.max(0, Math.floor((serverNow() - Date.parse(iso)) / 60000));
}

/** "14:05" in the centre's time zone, whatever the device's zone. */
export function clockTime(iso, timeZone) {
  return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "fr-FR", {
    hour: "2-digit", minute: "2-digit", timeZone,
  }).format(new Date(iso));
}

/** The estimate the queue API may attach to a ticket; null when there is none yet. */
export function estimateText(estimate) {
  if (!estimate || typeof estimate.estimated_wait_min !== "number") return null;
  const main = t("estimate", { n: Math.round(estimate.estimated_wait_min) });
  if (typeof estimate.low_min === "number" && typeof estimate.high_min === "number") {
    return `${main} (${t("estimate_range", {
      low: Math.round(estimate.low_min), high: Math.round(estimate.high_min),
    })})`;
  }
  return main;
}

export function statusText(status) {
  return t(`status_${status}`);
}
