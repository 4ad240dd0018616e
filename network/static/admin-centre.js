// A centre's settings: every part saved through the rota's API, refusals shown in place.
import { api } from "/static/service/api.js";
import { $, flash, h, pageConfig } from "/static/service/dom.js";
import { t } from "/static/service/i18n.js";
import { attempt, linkRegions, showError, text } from "./admin-kit.js";

const config = pageConfig();
const base = `/api/rota/centres/${encodeURIComponent(config.centre)}`;
const DAYS = [1, 2, 3, 4, 5, 6, 7];
const DAY_TYPES = ["weekday", "weekend", "public_holiday"];
let centre = null;

const saved = () => flash(t("manage_saved"));
const errorOf = (form) => form.querySelector(".form-error");

// --- general ---------------------------------------------------------------------------

const general = $("#general");
function fillGeneral() {
  const f = general.elements;
  f.name.value = centre.name;
  f.address.value = centre.address;
  f.city.value = centre.city;
  f.timezone.value = centre.timezone;
  f.country.value = centre.country;
  linkRegions(general, centre.subdivision);
  f.whit_monday_is_holiday.checked = centre.whit_monday_is_holiday;
  f.wait_alert_minutes.value = centre.wait_alert_minutes;
}

general.addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = general.elements;
  const minutes = Number(f.wait_alert_minutes.value);
  const body = {
    name: text(f.name.value), address: text(f.address.value), city: text(f.city.value),
    timezone: text(f.timezone.value), country: f.country.value, subdivision: f.subdivision.value || null,
    whit_monday_is_holiday: f.whit_monday_is_holiday.checked,
    wait_alert_minutes: Number.isInteger(minutes) ? minutes : f.wait_alert_minutes.value,
  };
  if (await attempt(errorOf(general), general.querySelector("button"), async () => {
    centre = (await api("PATCH", base, body)).data;
  })) saved();
});

// --- weekly and public-holiday hours -----------------------------------------------------

const hours = $("#hours");
function fillHours() {
  const f = hours.elements;
  for (const day of DAYS) {
    const spans = centre.opening_hours[String(day)] || [];
    f[`open-${day}`].checked = spans.length > 0;
    f[`from-${day}`].value = spans[0]?.[0] || "";
    f[`to-${day}`].value = spans[0]?.[1] || "";
    f[`from2-${day}`].value = spans[1]?.[0] || "";
    f[`to2-${day}`].value = spans[1]?.[1] || "";
  }
  const holiday = centre.public_holiday_hours;
  f.holiday.value = holiday === null ? "usual" : holiday.length ? "hours" : "closed";
  f["holiday-from"].value = holiday?.[0]?.[0] || "";
  f["holiday-to"].value = holiday?.[0]?.[1] || "";
}

function spansOf(pairs) {
  // An empty field is left out; a half-filled pair goes to the API, which says what is wrong.
  return pairs.filter(([a, b]) => a || b).map(([a, b]) => [a, b]);
}

hours.addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = hours.elements;
  const opening = {};
  for (const day of DAYS) {
    if (!f[`open-${day}`].checked) continue;
    opening[String(day)] = spansOf([[f[`from-${day}`].value, f[`to-${day}`].value],
      [f[`from2-${day}`].value, f[`to2-${day}`].value]]);
  }
  const kind = f.holiday.value;
  const holiday = kind === "usual" ? null : kind === "closed" ? [] : spansOf([[f["holiday-from"].value, f["holiday-to"].value]]);
  if (await attempt(errorOf(hours), hours.querySelector("button[type=submit]"), async () => {
    centre = (await api("PATCH", base, { opening_hours: opening, public_holiday_hours: holiday })).data;
  })) {
    fillHours();
    saved();
  }
});

// --- rooms -------------------------------------------------------------------------------

const roomsError = $("#rooms-error");
function renderRooms() {
  const rooms = centre.rooms;
  $("#room-list").replaceChildren(...rooms.map((room, index) => {
    const name = h("input", { value: room.name, maxlength: "200", "aria-label": t("manage_room_name") + " " + room.code });
    const rename = async () => {
      if (text(name.value) === room.name) return;
      if (await attempt(roomsError, null, () => api("PATCH", `${base}/rooms/${encodeURIComponent(room.code)}`, { name: text(name.value) }))) {
        await reload();
        saved();
      }
    };
    name.addEventListener("change", rename);
    const move = (delta) => async () => {
      const codes = rooms.map((r) => r.code);
      const [moved] = codes.splice(index, 1);
      codes.splice(index + delta, 0, moved);
      if (await attempt(roomsError, null, () => api("PUT", `${base}/rooms/order`, { codes }))) await reload();
    };
    const retire = async () => {
      if (await attempt(roomsError, null, () => api("PATCH", `${base}/rooms/${encodeURIComponent(room.code)}`, { retired: !room.retired }))) await reload();
    };
    return h("li", { className: `room-item${room.retired ? " retired" : ""}`, "data-code": room.code },
      h("span", { className: "room-code" }, room.code),
      name,
      room.retired ? h("span", { className: "badge" }, t("manage_room_retired")) : null,
      h("button", { type: "button", className: "secondary", onclick: move(-1), disabled: index === 0, "aria-label": t("manage_room_up") + " " + room.code }, "↑"),
      h("button", { type: "button", className: "secondary", onclick: move(1), disabled: index === rooms.length - 1, "aria-label": t("manage_room_down") + " " + room.code }, "↓"),
      h("button", { type: "button", className: room.retired ? "secondary" : "danger", onclick: retire },
        t(room.retired ? "manage_room_restore" : "manage_room_retire")));
  }));
}

$("#new-room").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = { code: text(form.elements.code.value), name: text(form.elements.name.value), position: centre.rooms.length + 1 };
  if (await attempt(roomsError, form.querySelector("button"), () => api("POST", `${base}/rooms`, body))) {
    form.reset();
    await reload();
    saved();
  }
});

// --- exceptional days --------------------------------------------------------------------

const daysError = $("#days-error");
async function loadDays() {
  const { data } = await api("GET", `${base}/exceptional-days`);
  $("#day-list").replaceChildren(...data.map((day) => h("li", { className: "row" },
    h("strong", {}, day.day),
    h("span", {}, day.hours.length ? day.hours.map(([a, b]) => `${a}–${b}`).join(", ") : t("manage_day_closed")),
    h("span", { className: "muted grow" }, day.reason),
    h("button", { type: "button", className: "danger", onclick: async () => {
      if (await attempt(daysError, null, () => api("DELETE", `${base}/exceptional-days/${day.day}`))) await loadDays();
    } }, t("manage_remove")))));
}

$("#new-day").addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = event.target.elements;
  if (!f.day.value) {
    showError(daysError, new Error(t("manage_date_needed")));
    return;
  }
  const body = { hours: f.closed.checked ? [] : spansOf([[f.from.value, f.to.value]]), reason: text(f.reason.value) };
  if (await attempt(daysError, event.target.querySelector("button"), () => api("PUT", `${base}/exceptional-days/${f.day.value}`, body))) {
    event.target.reset();
    await loadDays();
    saved();
  }
});

// --- cover needs -------------------------------------------------------------------------

const needs = $("#needs");
function needRow(need = { day_type: "weekday", start: "08:00", end: "20:00", doctors: 1 }) {
  const type = h("select", { name: "day_type", "aria-label": t("manage_day_type") },
    DAY_TYPES.map((kind) => h("option", { value: kind, selected: kind === need.day_type }, t(`manage_day_type_${kind}`))));
  const row = h("tr", { className: "need-row" },
    h("td", {}, type),
    h("td", {}, h("input", { type: "time", name: "start", value: need.start, "aria-label": t("manage_from") })),
    h("td", {}, h("input", { type: "time", name: "end", value: need.end, "aria-label": t("manage_to") })),
    h("td", {}, h("input", { type: "number", name: "doctors", min: "0", max: "50", value: String(need.doctors), inputmode: "numeric", "aria-label": t("manage_doctors_needed") })),
    h("td", {}, h("button", { type: "button", className: "danger", onclick: () => row.remove() }, t("manage_remove"))));
  return row;
}

async function loadNeeds() {
  const { data } = await api("GET", `${base}/cover-needs`);
  $("#need-rows").replaceChildren(...data.map(needRow));
}

$("#need-add").addEventListener("click", () => $("#need-rows").append(needRow()));
needs.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = [...needs.querySelectorAll(".need-row")].map((row) => ({
    day_type: row.querySelector("[name=day_type]").value,
    start: row.querySelector("[name=start]").value,
    end: row.querySelector("[name=end]").value,
    doctors: Number(row.querySelector("[name=doctors]").value),
  }));
  if (await attempt(errorOf(needs), needs.querySelector("button[type=submit]"), () => api("PUT", `${base}/cover-needs`, body))) {
    await loadNeeds();
    saved();
  }
});

// --- loading -----------------------------------------------------------------------------

async function reload() {
  centre = (await api("GET", base)).data;
  renderRooms();
}

async function start() {
  await reload();
  fillGeneral();
  fillHours();
  await Promise.all([loadDays(), loadNeeds()]);
  document.body.dataset.ready = "true"; // for tests and screenshots: everything is shown
}

start().catch((error) => flash(error.message, "error"));
