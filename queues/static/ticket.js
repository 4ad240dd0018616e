// The patient's own ticket page: live position and estimate, the full-screen call with
// vibration and sound, "your turn is near" choices (Web Push, SMS) and "I am leaving".
// Live updates come from /ws/tickets (the ticket's token is sent as the first message, never
// in a URL); the page reconnects by itself and says when it is offline.
import { api, HttpError, NetworkError } from "/static/service/api.js";
import { $ } from "/static/service/dom.js";
import { t, tn } from "/static/service/i18n.js";
import { openFeed } from "/static/service/live.js";

const page = $("#ticket-page");
const token = page.dataset.token;
const base = `/api/patient/tickets/${encodeURIComponent(token)}`;
let view = JSON.parse($("#ticket-view").textContent);
let shownCall = null;
const ENDED = new Set(["done", "no_show", "cancelled", "left_unseen", "in_consultation"]);

// Remember the links this phone follows: the entrance poster's page confirms their arrival.
try {
  const known = new Set(JSON.parse(localStorage.getItem("walkin_tickets") || "[]"));
  known.add(token);
  localStorage.setItem("walkin_tickets", JSON.stringify([...known].slice(-5)));
} catch { /* private browsing: no arrival by QR code, reception confirms instead */ }

function estimateLine(estimate) {
  if (!estimate) return "";
  if (typeof estimate.minutes !== "number") return t("patient_estimate_none");
  if (estimate.high <= 5) return t("patient_estimate_soon");
  return t("patient_estimate", { n: estimate.minutes, low: estimate.low, high: estimate.high });
}

function render(next) {
  view = next;
  page.dataset.status = view.status;
  $("#state").textContent = t(`patient_status_${view.status}`);
  const inLine = view.status === "waiting" || view.status === "not_arrived";
  $("#ahead").textContent = inLine && typeof view.ahead === "number" ? tn("patient_ahead", view.ahead) : "";
  $("#estimate").textContent = inLine ? estimateLine(view.estimate) : "";
  $("#remote-note").hidden = view.status !== "not_arrived";
  $("#near").hidden = !inLine;
  $("#leave").hidden = !inLine;
  if (!inLine) $("#leave-confirm").hidden = true;
  $("#push-state").textContent = view.notify.push ? t("patient_push_active") : "";
  $("#use-called").checked = view.notify.called;
  if (typeof view.notify.ahead === "number") {
    $("#use-ahead").checked = true;
    $("#ahead-n").value = view.notify.ahead;
  }
  if (typeof view.notify.minutes === "number") {
    $("#use-minutes").checked = true;
    $("#minutes-n").value = view.notify.minutes;
  }
  if (view.notify.sms) $("#sms-consent").checked = true;
  const callKey = `${view.called_at}:${view.call_count}`;
  if (view.status === "called" && view.room_name && shownCall !== callKey) {
    shownCall = callKey;
    announce();
  }
  if (view.status !== "called") $("#called").hidden = true;
  if (ENDED.has(view.status)) document.title = `${view.number} — ${t(`patient_status_${view.status}`)}`;
}

// A short two-tone chime, made here: no sound file, and no autoplay unless the page was touched.
function chime() {
  try {
    const context = new AudioContext();
    [880, 660, 880].forEach((frequency, i) => {
      const tone = context.createOscillator();
      const gain = context.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.25, context.currentTime + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.001, context.currentTime + i * 0.35 + 0.3);
      tone.connect(gain).connect(context.destination);
      tone.start(context.currentTime + i * 0.35);
      tone.stop(context.currentTime + i * 0.35 + 0.32);
    });
  } catch { /* no audio on this device */ }
}

function announce() {
  $("#called-text").textContent = `${view.number} — ${view.room_name}`;
  $("#called").hidden = false;
  $("#called-ok").focus();
  if (navigator.vibrate) navigator.vibrate([400, 150, 400, 150, 400]);
  chime();
}

$("#called-ok").addEventListener("click", () => { $("#called").hidden = true; });

async function reread() {
  try {
    const { data } = await api("GET", `${base}/`, undefined, { loginOn401: false });
    render(data);
    $("#offline").hidden = true;
  } catch (error) {
    if (error instanceof NetworkError) $("#offline").hidden = false;
    else if (error instanceof HttpError && (error.status === 410 || error.status === 404)) {
      window.location.reload(); // the page says the link is over
    }
  }
}

const feed = openFeed({
  path: "/ws/tickets",
  hello: { type: "hello", token },
  onOpen() { $("#offline").hidden = true; },
  onMessage(message) {
    if (message.type === "ticket") {
      render(message);
      $("#offline").hidden = true;
    }
  },
  onClose(code) {
    $("#offline").hidden = false;
    if (code === 4404 || code === 4410) reread();
  },
});

window.addEventListener("offline", () => { $("#offline").hidden = false; });
window.addEventListener("online", () => { reread(); feed.retryNow(); });
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") reread();
});

// --- "your turn is near" ---------------------------------------------------------------------

async function pushSubscription() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) return null;
  const { data } = await api("GET", "/api/public/push-key", undefined, { loginOn401: false });
  if (!data.public_key) return null;
  const registration = await navigator.serviceWorker.register("/t/sw.js", { scope: "/t/" });
  if ((await Notification.requestPermission()) !== "granted") return null;
  const key = Uint8Array.from(atob(data.public_key.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  return JSON.stringify(subscription);
}

let pendingPush = null;
$("#push-on").addEventListener("click", async () => {
  try {
    pendingPush = await pushSubscription();
    $("#push-state").textContent = pendingPush ? t("patient_push_ready") : t("patient_push_unavailable");
  } catch {
    $("#push-state").textContent = t("patient_push_unavailable");
  }
});

$("#near-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const phone = form.elements.phone.value.trim();
  const body = {
    ahead: $("#use-ahead").checked ? Number(form.elements.ahead.value) : null,
    minutes: $("#use-minutes").checked ? Number(form.elements.minutes.value) : null,
    called: $("#use-called").checked,
    sms_consent: $("#sms-consent").checked,
    phone: phone || null,
  };
  if (pendingPush) body.push_subscription = pendingPush;
  try {
    const { data } = await api("POST", `${base}/notify`, body, { loginOn401: false });
    render(data);
    form.elements.phone.value = "";
    $("#near-saved").textContent = t("patient_near_saved");
  } catch (error) {
    $("#near-saved").textContent = error instanceof NetworkError ? t("patient_offline") : error.message;
  }
});

// --- "I am leaving" --------------------------------------------------------------------------

$("#leave").addEventListener("click", () => {
  $("#leave-confirm").hidden = false;
  $("#leave-no").focus();
});
$("#leave-no").addEventListener("click", () => { $("#leave-confirm").hidden = true; });
$("#leave-yes").addEventListener("click", async () => {
  try {
    const { data } = await api("POST", `${base}/leave`, {}, { loginOn401: false });
    render(data);
  } catch (error) {
    $("#near-saved").textContent = error instanceof NetworkError ? t("patient_offline") : error.message;
  }
});

render(view);
