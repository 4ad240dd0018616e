// How times, numbers, waits and estimates read on the pages, in the page's language.
import { serverNow } from "./api.js";
import { lang, t } from "./i18n.js";

export const locale = lang === "en" ? "en-GB" : "fr-FR";

export function minutesSince(iso) {
  return Math.max(0, Math.floor((serverNow() - Date.parse(iso)) / 60000));
}

/** "14:05" in the centre's time zone, whatever the device's zone. */
export function clockTime(iso, timeZone) {
  return clockFormat(timeZone).format(new Date(iso));
}

const clockFormats = new Map();
/** One formatter per zone: pages format the time every second for weeks. */
export function clockFormat(timeZone) {
  if (!clockFormats.has(timeZone)) {
    clockFormats.set(timeZone, new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", timeZone }));
  }
  return clockFormats.get(timeZone);
}

const numberFormat = new Intl.NumberFormat(locale);
/** 1 234 in French, 1,234 in English. */
export function formatNumber(value) {
  return numberFormat.format(value);
}

/**
 * The estimate the queue API attaches to a waiting ticket ({wait_min, low_min, high_min,
 * after_closing}; wait_min is null when nobody is expected to call today). Null when absent.
 */
export function estimateText(estimate) {
  if (!estimate) return null;
  if (typeof estimate.wait_min !== "number") return t("estimate_none");
  // A patient the centre will not see before closing is told so, not a number of minutes.
  if (estimate.after_closing) return t("estimate_after_closing");
  const main = t("estimate", { n: estimate.wait_min });
  if (typeof estimate.low_min === "number" && typeof estimate.high_min === "number") {
    return `${main} (${estimate.low_min}–${estimate.high_min})`;
  }
  return main;
}

export function statusText(status) {
  return t(`status_${status}`);
}

/** A day and time in the visitor's zone ("01/12/2026 14:05"), for lists of past events. */
export function dateTime(iso) {
  return new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" }).format(new Date(iso));
}

const dayFormat = new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" });

/** A local day "2026-12-07" as the page's language writes it (07/12/2026), never ISO. */
export function dayText(isoDay) {
  return dayFormat.format(new Date(`${isoDay}T00:00:00Z`));
}
