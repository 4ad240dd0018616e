// The managers' home: every visible centre's row, kept live. The page polls a cheap change
// mark (the sum of the centres' event sequences) and re-reads the rows when it moves, and
// every 30 s anyway since waits grow while nothing happens. One feed per centre would not
// do: 26 centres are more feeds than one staff session may hold (WALKIN_FEEDS_PER_STAFF_SESSION).
import { api, NetworkError } from "/static/service/api.js";
import { $, flash, h, pageConfig } from "/static/service/dom.js";
import { formatNumber } from "/static/service/format.js";
import { t } from "/static/service/i18n.js";

const MARK_EVERY_MS = 3000;
const ROWS_EVERY_MS = 30000;
const config = pageConfig();
const form = $("#home-filters");
let mark = null;
let lastRows = 0;
let busy = false;

// Filters live in the address, so a reload or a shared link shows the same view.
const params = new URLSearchParams(location.search);
$("#home-sort").value = params.get("sort") || "alerts";
$("#home-city").value = params.get("city") || "";
$("#home-alerts").checked = params.get("alerts") === "true";

function query() {
  const q = new URLSearchParams({ sort: $("#home-sort").value });
  if ($("#home-city").value) q.set("city", $("#home-city").value);
  if ($("#home-alerts").checked) q.set("alerts", "true");
  return q;
}

function status(state) {
  const pill = $("#conn");
  if (pill.dataset.state !== state) {
    pill.dataset.state = state;
    pill.textContent = t(state === "live" ? "home_live" : "conn_offline");
  }
  $("#offline-banner").hidden = state !== "offline";
  if (state === "offline") $("#offline-banner").textContent = t("home_offline");
}

function waitText(wait) {
  if (!wait) return "—";
  if (wait.high <= 5) return t("home_wait_under5");
  return t("home_wait_range", { low: wait.low, high: wait.high });
}

function figure(label, value, extra = {}) {
  return h("div", { className: `figure ${extra.className || ""}` },
    h("span", { className: "figure-value" }, value),
    h("span", { className: "figure-label" }, label));
}

function card(row) {
  const doctors = `${row.doctors_in_room} / ${row.doctors_on_rota} / ${row.doctors_needed}`;
  const longest = row.longest_wait_minutes === null ? "—" : t("home_minutes", { n: row.longest_wait_minutes });
  const late = row.longest_wait_minutes !== null && row.longest_wait_minutes > row.wait_alert_minutes;
  return h("li", { className: `home-card${row.alerts.length ? " has-alerts" : ""}${row.open_now ? "" : " closed"}`,
    "data-slug": row.slug, "data-alerts": row.alerts.join(" ") },
    h("div", { className: "home-card-head" },
      h("h2", {}, row.name),
      h("span", { className: "muted" }, row.city || ""),
      h("span", { className: `state ${row.open_now ? (row.checkin_open ? "open" : "stopped") : "shut"}` },
        t(row.open_now ? (row.checkin_open ? "home_checkin_open" : "home_checkin_closed") : "home_closed_now"))),
    row.alerts.length
      ? h("ul", { className: "alerts", "aria-label": t("home_alerts") },
        row.alerts.map((alert) => h("li", { className: `alert-item ${alert}` },
          t(`home_alert_${alert}`, { n: row.wait_alert_minutes }))))
      : null,
    h("div", { className: "figures" },
      figure(t("home_waiting"), formatNumber(row.waiting), { className: "waiting" }),
      figure(t("home_longest"), longest, { className: late ? "late longest" : "longest" }),
      figure(t("home_estimate"), waitText(row.newcomer_wait), { className: "estimate" }),
      figure(t("home_doctors"), doctors, { className: "doctors" }),
      figure(t("home_screens"), `${row.screens_online} / ${row.screens_total}`, { className: "screens" })),
    h("p", { className: "home-links row" },
      h("a", { href: `/reception/${row.slug}` }, t("centres_reception")),
      h("a", { href: `/admin/centres/${row.slug}` }, t("home_settings")),
      h("a", { href: `/admin/centres/${row.slug}/screens` }, t("home_screens_link"))));
}

function render(data) {
  $("#home-rows").replaceChildren(...data.rows.map(card));
  $("#home-empty").hidden = data.rows.length > 0;
  const alerting = data.rows.filter((row) => row.alerts.length).length;
  $("#home-summary").textContent = t("home_summary", { shown: data.rows.length, total: data.centres, alerts: alerting });
}

async function refreshRows() {
  const { data } = await api("GET", `/api/network/home?${query()}`);
  mark = data.mark;
  lastRows = Date.now();
  render(data);
}

async function tick(force = false) {
  if (busy) return;
  busy = true;
  try {
    if (force || Date.now() - lastRows > ROWS_EVERY_MS) await refreshRows();
    else {
      const { data } = await api("GET", "/api/network/mark");
      if (data.mark !== mark) await refreshRows();
    }
    status("live");
  } catch (error) {
    if (error instanceof NetworkError) status("offline");
    else flash(error.message, "error");
  } finally {
    busy = false;
  }
}

form.addEventListener("change", () => {
  const q = query();
  history.replaceState(null, "", `${location.pathname}?${q}`);
  tick(true);
});
form.addEventListener("submit", (event) => event.preventDefault());
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") tick(true); });
window.addEventListener("online", () => tick(true));

const first = config.first;
mark = first.mark;
lastRows = Date.now();
if ([...params.keys()].some((k) => ["sort", "city", "alerts"].includes(k))) tick(true);
else render(first);
status("live");
setInterval(() => tick(), MARK_EVERY_MS);
