// The waiting-room screen: one WebSocket, a snapshot then events, for weeks unattended.
// Bounded state (a few tickets), DOM rebuilt in place, a reload each night at 03:xx.
import { openFeed } from "/static/service/live.js";
import { clockFormat, formatNumber } from "/static/service/format.js";
import { lang, t } from "/static/service/i18n.js";

const root = document.getElementById("app");
const slug = root.dataset.slug;
const timezone = root.dataset.timezone;
const $ = (id) => document.getElementById(id);
const MAX_CALLED = 4;
const MAX_RECENT = 6;
const MAX_DOCTORS = 8; // more names would not fit: "and 3 more"
// A ticket whose consultation has started stays on top this long after its call: the patient
// who looked away still finds where to go.
const HOLD_AFTER_START_MS = 2 * 60 * 1000;
const CLIENT_PING_MS = 25000;
const SILENCE_LIMIT_MS = 70000; // nothing heard (the server pings every 20 s): reconnect
const STARTED = Date.now();

// A token given in the address is now the display cookie (set by the page's answer): only
// the address bar still shows it. The feed authenticates by the cookie, never by the URL.
const params = new URLSearchParams(location.search);
if (params.has("token")) {
  params.delete("token");
  const rest = params.toString();
  history.replaceState(null, "", location.pathname + (rest ? "?" + rest : ""));
}
window.localStorage.removeItem("walkin_display_token"); // the copy older versions kept

let state = { called: [], recent: [], waiting: {}, newcomer_wait: null, doctors_on_duty: [],
  checkin_open: true, open_now: true, live: true };
let seq = null;
let lastHeard = Date.now();
let clockOffsetMs = 0;
let announced = new Map(); // ticket id -> call_count already announced (bounded below)
let primed = false; // the first picture after loading is shown, not announced again

// --- connection -----------------------------------------------------------------------

const feed = openFeed({
  centre: slug,
  onOpen() { lastHeard = Date.now(); },
  onMessage(message) {
    lastHeard = Date.now();
    handle(message);
  },
  onClose() { $("offline").hidden = false; },
});
const send = (message) => feed.send(message);

function handle(message) {
  switch (message.type) {
    case "snapshot":
      seq = message.seq;
      $("offline").hidden = true;
      applyView(message);
      break;
    case "waits":
      applyView(message);
      break;
    case "pong":
      break;
    case "error":
      if (message.status === 401 || message.status === 403) $("offline").textContent = t("screen_refused");
      break;
    default:
      if (typeof message.seq === "number") applyEvent(message);
  }
}

function applyEvent(event) {
  if (seq !== null && event.seq <= seq) return; // already in the snapshot
  if (seq === null || event.seq !== seq + 1) { // a gap: ask for the whole picture
    send({ type: "resync" });
    return;
  }
  seq = event.seq;
  const ticket = event.ticket;
  if (!ticket) return;
  const others = (list) => list.filter((t) => t.id !== ticket.id);
  state.called = others(state.called);
  if (ticket.status === "called") {
    state.called.unshift(ticket);
    state.recent = [ticket, ...others(state.recent)].slice(0, MAX_RECENT);
  }
  state.called = state.called.slice(0, 10);
  render();
}

function applyView(view) {
  for (const key of ["called", "recent", "waiting", "newcomer_wait", "doctors_on_duty",
    "checkin_open", "open_now", "live"]) {
    if (key in view) state[key] = view[key];
  }
  if (view.server_time) clockOffsetMs = Date.parse(view.server_time) - Date.now();
  render();
}

// --- rendering ------------------------------------------------------------------------

function item(tag, text, roomText) {
  const li = document.createElement(tag);
  li.appendChild(document.createTextNode(text));
  if (roomText) {
    const room = document.createElement("span");
    room.className = "room";
    room.textContent = " " + roomText;
    li.appendChild(room);
  }
  return li;
}

function waitText(wait) {
  if (!wait) return t("screen_wait_unknown");
  if (wait.after_closing) return t("screen_after_closing");
  if (wait.high <= 5) return "< 5 " + t("screen_minutes");
  if (wait.high - wait.low >= 15) return wait.low + "–" + wait.high + " " + t("screen_minutes");
  return "≈ " + wait.minutes + " " + t("screen_minutes");
}

/** The calls to show: those waiting for their patient, then the ones just gone in. */
function shownCalls() {
  const now = Date.now() + clockOffsetMs;
  const ids = new Set(state.called.map((t) => t.id));
  const held = state.recent.filter((t) => t.status === "in_consultation" && !ids.has(t.id)
    && t.called_at && now - Date.parse(t.called_at) < HOLD_AFTER_START_MS);
  return [...state.called, ...held.map((t) => ({ ...t, started: true }))]
    .sort((a, b) => Date.parse(b.called_at || 0) - Date.parse(a.called_at || 0));
}

function render() {
  const called = shownCalls().slice(0, MAX_CALLED);
  const calledEl = $("called");
  const fresh = [];
  calledEl.replaceChildren(...called.map((ticket) => {
    const li = item("li", ticket.number, ticket.room_name || "");
    if (ticket.started) li.classList.add("started");
    else if ((announced.get(ticket.id) || 0) < ticket.call_count) {
      li.classList.add("flash");
      fresh.push(ticket);
    }
    return li;
  }));
  $("no-call").hidden = called.length > 0;
  const calledIds = new Set(called.map((t) => t.id));
  $("recent").replaceChildren(...state.recent.filter((t) => !calledIds.has(t.id))
    .slice(0, MAX_RECENT).map((t) => item("li", t.number, t.room_name || "")));
  const waiting = state.waiting || {};
  $("waiting-total").textContent = formatNumber((waiting.urgent || 0) + (waiting.standard || 0));
  $("waiting-urgent").textContent = formatNumber(waiting.urgent || 0);
  // After check-in closed no newcomer is taken: say so rather than a wait.
  $("wait").textContent = !state.open_now ? t("screen_closed")
    : !state.checkin_open ? t("screen_closed_checkin") : waitText(state.newcomer_wait);
  $("checkin-closed").hidden = state.checkin_open || !state.open_now;
  const doctors = state.doctors_on_duty || [];
  const more = doctors.length > MAX_DOCTORS ? doctors.length - (MAX_DOCTORS - 1) : 0;
  $("doctors").replaceChildren(...doctors.slice(0, more ? MAX_DOCTORS - 1 : MAX_DOCTORS).map((name) => item("li", name)),
    ...(more ? [item("li", t("screen_more_doctors", { n: more }))] : []));
  $("degraded").hidden = state.live !== false;
  // Announce new calls and recalls once each; keep the memory of announcements small.
  for (const ticket of fresh.reverse()) {
    announced.set(ticket.id, ticket.call_count);
    if (primed) announce(ticket);
  }
  if (seq !== null) primed = true; // the first snapshot is shown, never announced
  if (announced.size > 200) announced = new Map([...announced].slice(-50));
}

// --- sound ----------------------------------------------------------------------------

let audio = null;
function audioContext() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
  } catch (err) { /* no audio on this device */ }
  return audio;
}

// Browsers may keep sound off until someone touches the page: then ask, once, for that touch.
function offerSound() {
  const context = audioContext();
  if (!context || context.state !== "suspended") return;
  const prompt = $("sound-prompt");
  prompt.hidden = false;
  const enable = () => {
    context.resume().catch(() => {});
    // Speech too: an empty utterance spoken in the gesture unlocks it where it is gated.
    if ("speechSynthesis" in window) window.speechSynthesis.speak(new SpeechSynthesisUtterance(""));
    prompt.hidden = true;
    document.removeEventListener("pointerdown", enable);
    prompt.removeEventListener("click", enable);
  };
  document.addEventListener("pointerdown", enable);
  prompt.addEventListener("click", enable);
}
offerSound();

function chime() {
  try {
    audio = audioContext();
    if (!audio) return;
    const now = audio.currentTime;
    [[880, 0], [660, 0.35]].forEach(([frequency, at]) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, now + at);
      gain.gain.exponentialRampToValueAtTime(0.4, now + at + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.6);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + at);
      osc.stop(now + at + 0.65);
    });
  } catch (err) { /* no audio on this device */ }
}

function announce(ticket) {
  chime();
  if (!("speechSynthesis" in window)) return;
  // "A042" is read letter by letter: "Ticket A 0 4 2, cabinet 3".
  const spelled = ticket.number.split("").join(" ");
  const where = ticket.room_name || (ticket.room ? t("screen_room") + " " + ticket.room : "");
  const words = "Ticket " + spelled + (where ? ", " + where : "");
  const utterance = new SpeechSynthesisUtterance(words);
  utterance.lang = lang === "en" ? "en-GB" : "fr-FR";
  utterance.rate = 0.9;
  setTimeout(() => window.speechSynthesis.speak(utterance), 900);
}

// --- clock, heartbeat, nightly reload -------------------------------------------------

const hourFormat = new Intl.DateTimeFormat("en-GB", { hour: "numeric", hourCycle: "h23", timeZone: timezone });

let ticks = 0;
setInterval(() => {
  const now = new Date(Date.now() + clockOffsetMs);
  $("clock").textContent = clockFormat(timezone).format(now);
  if (++ticks % 5 === 0) render(); // a started call leaves the top after its hold time
}, 1000);

setInterval(() => {
  send({ type: "ping" });
  if (Date.now() - lastHeard > SILENCE_LIMIT_MS) feed.drop(); // a dead line: reconnect
}, CLIENT_PING_MS);

setInterval(() => {
  // Once a night, a fresh page: whatever a browser leaks over weeks is let go.
  const hour = Number(hourFormat.format(new Date()));
  if (hour === 3 && Date.now() - STARTED > 2 * 3600 * 1000) location.reload();
}, 60000);

// For diagnosis and tests.
window.walkinScreen = { state: () => state, seq: () => seq, audioState: () => audio?.state ?? null };
