// The consulting-room page: call the next patient to this room and follow the consultation.
import { api, NetworkError } from "/static/service/api.js";
import { $, flash, h, pageConfig, typingInField } from "/static/service/dom.js";
import { clockTime, statusText } from "/static/service/format.js";
import { applyStrings, t } from "/static/service/i18n.js";
import { startStaffLive } from "/static/service/live.js";

const config = pageConfig();
const base = `/api/centres/${encodeURIComponent(config.centre)}`;
const ROOM_KEY = `walkin.room.${config.centre}`;
// Pause stops this page from calling and is told to the server with the room this page
// shows: reception, the screens and the wait estimates see who is in which room.
const PAUSE_KEY = `walkin.paused.${config.centre}`;

const roomCodes = config.rooms.map((r) => r.code);
let room = roomCodes.includes(localStorage.getItem(ROOM_KEY)) ? localStorage.getItem(ROOM_KEY) : "";
let paused = localStorage.getItem(PAUSE_KEY) === "1";
let queue = null;
let myDay = null;
let busy = false;

const BUTTONS = [
  // [element id, label key, shortcut key]
  ["btn-next", "btn_next", "key_next"],
  ["btn-recall", "btn_recall", "key_recall"],
  ["btn-start", "btn_start", "key_start"],
  ["btn-finish", "btn_finish", "key_finish"],
  ["btn-no-show", "btn_no_show", "key_no_show"],
  ["pause", null, "key_pause"],
];

applyStrings();
for (const [id, label, key] of BUTTONS) {
  const button = document.getElementById(id);
  button.setAttribute("aria-keyshortcuts", t(key));
  if (label) button.replaceChildren(t(label), " ", h("kbd", {}, t(key)));
}
$("#shortcut-list").replaceChildren(...BUTTONS.flatMap(([, label, key]) => [
  h("dt", {}, h("kbd", {}, t(key))), h("dd", {}, t(label ?? "btn_pause")),
]));

// --- data -------------------------------------------------------------------------------

let onDuty = [];

async function refresh() {
  const [current, day, duty] = await Promise.all([
    api("GET", `${base}/queue`), api("GET", `${base}/my-day`), api("GET", `${base}/on-duty`),
  ]);
  queue = current.data;
  myDay = day.data;
  onDuty = duty.data;
  render();
  return queue.seq;
}

const live = startStaffLive(config, refresh);

function patientInRoom() {
  if (!queue || !room) return null;
  const here = queue.tickets.filter((ticket) => ticket.room === room
    && (ticket.status === "called" || ticket.status === "in_consultation"));
  here.sort((a, b) => Date.parse(b.called_at ?? 0) - Date.parse(a.called_at ?? 0));
  return here[0] ?? null;
}

// --- rendering --------------------------------------------------------------------------

function render() {
  $("#room-picker").hidden = Boolean(room);
  $("#current-panel").hidden = !room;
  $("#leave-room").hidden = !room;
  $("#room-select").value = room;
  $("#room-name").textContent = config.rooms.find((r) => r.code === room)?.name ?? "";
  const pause = $("#pause");
  pause.replaceChildren(t(paused ? "btn_resume" : "btn_pause"), " ", h("kbd", {}, t("key_pause")));
  pause.setAttribute("aria-pressed", String(paused));
  pause.classList.toggle("warn", paused);
  $("#paused-banner").hidden = !paused;
  renderCurrent();
  renderMyDay();
  renderOnDuty();
}

// Who the rota says works here now, with their room: colleagues to hand over to.
function renderOnDuty() {
  $("#on-duty").hidden = onDuty.length === 0;
  $("#on-duty-list").replaceChildren(...onDuty.map((doctor) => h("li", {},
    doctor.doctor,
    doctor.room ? ` · ${config.rooms.find((r) => r.code === doctor.room)?.name ?? doctor.room}` : "",
    ` · ${clockTime(doctor.start, config.timezone)}–${clockTime(doctor.end, config.timezone)}`)));
}

function renderCurrent() {
  const ticket = patientInRoom();
  $("#current-none").hidden = Boolean(ticket);
  $("#current-number").hidden = !ticket;
  $("#current-number").textContent = ticket?.number ?? "";
  const detail = [];
  if (ticket) {
    if (ticket.label) detail.push(h("strong", {}, ticket.label));
    if (ticket.priority === "urgent") detail.push(h("span", { className: "badge urgent" }, t("priority_urgent")));
    // Status in words only when no time below says it already.
    if (!ticket.called_at || (ticket.status === "in_consultation" && !ticket.started_at)) {
      detail.push(h("span", {}, statusText(ticket.status)));
    }
    if (ticket.status === "called" && ticket.called_at) {
      detail.push(h("span", {}, t("called_at", { time: clockTime(ticket.called_at, config.timezone) })));
      if (ticket.call_count > 1) detail.push(h("span", {}, t("call_count", { n: ticket.call_count })));
    }
    if (ticket.started_at) {
      detail.push(h("span", {}, t("started_at", { time: clockTime(ticket.started_at, config.timezone) })));
    }
  }
  $("#current-detail").replaceChildren(...detail.flatMap((el, i) => (i ? [" · ", el] : [el])));
  const called = ticket?.status === "called";
  $("#btn-recall").disabled = busy || !called;
  $("#btn-start").disabled = busy || !called;
  $("#btn-no-show").disabled = busy || !called;
  $("#btn-finish").disabled = busy || !ticket;

  const waiting = queue ? queue.tickets.filter((t_) => t_.status === "waiting") : [];
  $("#btn-next").disabled = busy || paused || !queue || called || waiting.length === 0;
  $("#next-hint").textContent = called ? t("next_blocked_called")
    : ticket?.status === "in_consultation" && waiting.length ? t("next_ends_current") : "";
  $("#waiting-info").textContent = !queue ? ""
    : waiting.length === 0 ? t("nobody_waiting")
      : `${t("waiting_count", { n: waiting.length })} · ${t("next_up", { number: waiting[0].number })}`;
}

function renderMyDay() {
  if (!myDay) return;
  $("#my-day-count").textContent = myDay.tickets.length
    ? t("my_day_count", { seen: myDay.seen, called: myDay.tickets.length })
    : t("my_day_empty");
  // Latest first: the doctor looks for the patient just seen.
  const rows = [...myDay.tickets].reverse().map((ticket) => {
    const minutes = ticket.started_at && ticket.ended_at
      ? Math.round((Date.parse(ticket.ended_at) - Date.parse(ticket.started_at)) / 60000) : null;
    return h("li", { "data-ticket": ticket.number },
      h("span", { className: "time" }, ticket.called_at ? clockTime(ticket.called_at, config.timezone) : ""),
      h("strong", {}, ticket.number),
      h("span", { className: "grow" }, ticket.label ?? ""),
      h("span", { className: "muted" }, statusText(ticket.status), minutes !== null ? ` · ${t("minutes", { n: minutes })}` : ""));
  });
  $("#my-day").replaceChildren(...rows);
}

// --- actions ----------------------------------------------------------------------------

async function send(path, body) {
  if (busy) return;
  busy = true;
  renderCurrent();
  try {
    await api("POST", `${base}${path}`, body);
  } catch (error) {
    flash(error instanceof NetworkError ? t("conn_offline") : error.message, "error");
  } finally {
    busy = false;
  }
  await live.refreshNow();
  renderCurrent();
}

$("#btn-next").addEventListener("click", () => send("/call-next", { room }));
for (const button of document.querySelectorAll(".room-actions [data-action]")) {
  button.addEventListener("click", () => {
    const ticket = patientInRoom();
    if (ticket) send(`/tickets/${ticket.id}/${button.dataset.action}`);
  });
}

// --- presence ---------------------------------------------------------------------------
// The page beats while it shows a room (every beat_s seconds the server asks for, and when it
// becomes visible again); the server stops counting a doctor whose page has gone quiet.
let beatTimer = null;
let beatEveryMs = 30000;
let presenceRefused = false; // not a doctor's session: the server keeps no presence for it

async function beat() {
  clearTimeout(beatTimer);
  if (!room || presenceRefused) return;
  try {
    const answer = await api("POST", `${base}/presence`, { room, state: paused ? "paused" : "present" });
    beatEveryMs = (answer.data.beat_s || 30) * 1000;
  } catch (error) {
    if (error.status === 403) presenceRefused = true;
    // Otherwise the next beat tries again; the connection banner tells if the server is away.
  }
  if (!presenceRefused) beatTimer = setTimeout(beat, beatEveryMs);
}

function leaveRoom({ closing = false } = {}) {
  clearTimeout(beatTimer);
  if (presenceRefused) return Promise.resolve();
  if (closing) {
    // The page is going away: keepalive lets the request outlive it.
    fetch(`${base}/presence/leave`, { method: "POST", credentials: "same-origin", keepalive: true });
    return Promise.resolve();
  }
  return api("POST", `${base}/presence/leave`).catch(() => {});
}

window.addEventListener("pagehide", () => { if (room) leaveRoom({ closing: true }); });
window.addEventListener("pageshow", (event) => { if (event.persisted) beat(); });
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") beat();
});

async function chooseRoom(code) {
  const before = room;
  room = roomCodes.includes(code) ? code : "";
  if (room) localStorage.setItem(ROOM_KEY, room);
  else localStorage.removeItem(ROOM_KEY);
  render();
  if (room) await beat();
  else if (before) await leaveRoom();
}
$("#leave-room").addEventListener("click", () => chooseRoom(""));
$("#room-select").addEventListener("change", (event) => chooseRoom(event.target.value));
for (const button of document.querySelectorAll("[data-room]")) {
  button.addEventListener("click", () => chooseRoom(button.dataset.room));
}

$("#pause").addEventListener("click", () => {
  paused = !paused;
  localStorage.setItem(PAUSE_KEY, paused ? "1" : "0");
  render();
  beat();
});

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typingInField(event)) return;
  const match = BUTTONS.find(([, , key]) => t(key).toLowerCase() === event.key.toLowerCase());
  const button = match && document.getElementById(match[0]);
  if (button && !button.disabled && !button.closest("[hidden]")) {
    event.preventDefault();
    button.click();
  }
});

render();
beat();
// Times move on even when nothing happens.
setInterval(renderCurrent, 20000);
