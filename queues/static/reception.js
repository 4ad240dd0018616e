// The reception tablet: check patients in, watch the queue, act on a patient.
import { api, NetworkError } from "/static/service/api.js";
import { CheckIns } from "./checkin.js";
import { $, flash, h, pageConfig } from "/static/service/dom.js";
import { clockTime, estimateText, minutesSince, statusText } from "/static/service/format.js";
import { applyStrings, t } from "/static/service/i18n.js";
import { startStaffLive } from "/static/service/live.js";

const config = pageConfig();
const base = `/api/centres/${encodeURIComponent(config.centre)}`;
// The same rules as the API's, checked here to explain a mistake in words.
const PHONE = /^\+?[0-9][0-9 .-]{5,18}[0-9]$/;
const LABEL = /^[^\x00-\x1f\x7f<>]{1,40}$/;

let queue = null;
let missed = [];
let presence = [];
let lastTicket = null;
let dialogTicketId = null;

applyStrings();

// --- the live queue ---------------------------------------------------------------------

async function refresh() {
  const [current, gone, rooms] = await Promise.all([
    api("GET", `${base}/queue`),
    api("GET", `${base}/missed`),
    api("GET", `${base}/presence`),
  ]);
  queue = current.data;
  missed = gone.data;
  presence = rooms.data;
  render();
  return queue.seq;
}

const live = startStaffLive(config, refresh);

function render() {
  if (!queue) return;
  // Remote tickets not arrived yet hold their place in the list, marked, with "Arrivé".
  const inLine = (ticket) => ticket.status === "waiting" || ticket.status === "not_arrived";
  const waiting = queue.tickets.filter(inLine);
  const inRooms = queue.tickets.filter((ticket) => !inLine(ticket));
  $("#queue-counts").textContent = t("queue_counts", { waiting: waiting.length, inroom: inRooms.length });
  renderCheckinState();
  $("#in-rooms-block").hidden = inRooms.length === 0;
  $("#in-rooms").replaceChildren(...inRooms.map(inRoomChip));
  const hasEstimates = waiting.some((ticket) => estimateText(ticket.estimate));
  $("#queue-table").classList.toggle("has-estimates", hasEstimates);
  $("#queue-list").replaceChildren(...waiting.map(queueRow));
  $("#queue-empty").hidden = waiting.length > 0;
  $("#missed-block").hidden = missed.length === 0;
  $("#missed-list").replaceChildren(...missed.map(missedRow));
  renderNewcomer();
  renderPresence();
  renderLastTicket();
  if (dialogTicketId !== null) renderActions();
}

// Which doctors are in a room, and who has paused: told by the consulting-room pages.
function renderPresence() {
  const list = $("#presence-list");
  if (presence.length === 0) {
    list.replaceChildren(h("li", { className: "muted" }, t("presence_none")));
    return;
  }
  list.replaceChildren(...presence.map((doctor) => h("li", {
    className: doctor.state === "paused" ? "chip warn" : "chip",
    "data-doctor": String(doctor.doctor_id),
    "data-state": doctor.state,
  }, h("strong", {}, doctor.display_name), ` · ${doctor.room_name} · `,
  t(doctor.state === "paused" ? "presence_paused" : "presence_present",
    { time: clockTime(doctor.since, config.timezone) }))));
}

// What to tell a patient at the desk before checking them in.
function renderNewcomer() {
  const standard = estimateText(queue.newcomer?.standard);
  const urgent = estimateText(queue.newcomer?.urgent);
  const line = $("#newcomer");
  line.hidden = !standard || !urgent;
  if (line.hidden) return;
  if (!queue.checkin_open) {
    line.textContent = t("screen_closed_checkin");
    line.classList.add("late");
    return;
  }
  line.textContent = t("newcomer", { standard, urgent });
  line.classList.toggle("late", Boolean(queue.newcomer.standard.after_closing));
}

function renderCheckinState() {
  const toggle = $("#checkin-toggle");
  toggle.hidden = false;
  toggle.textContent = t(queue.checkin_open ? "btn_close_checkin" : "btn_open_checkin");
  toggle.classList.toggle("warn", !queue.checkin_open);
  $("#closed-banner").hidden = queue.checkin_open;
  for (const button of document.querySelectorAll("#checkin-form button[type=submit]")) {
    button.disabled = !queue.checkin_open;
  }
}

function priorityBadge(ticket) {
  return ticket.priority === "urgent" ? h("span", { className: "badge urgent" }, t("priority_urgent")) : null;
}

function queueRow(ticket) {
  const estimate = estimateText(ticket.estimate);
  return h("li", { className: `q-row ${ticket.priority}`, "data-ticket": ticket.number },
    h("span", { className: "pos" }, ticket.position),
    h("span", { className: "num" }, ticket.number),
    h("span", { className: "who" },
      ticket.label ?? "",
      ticket.phone ? h("span", { className: "badge", title: ticket.phone }, "SMS") : null,
      ticket.head_reason ? h("span", { className: "badge", title: ticket.head_reason }, "↑") : null),
    h("span", { className: "state" },
      ticket.remote ? h("span", { className: "badge remote" }, t("reception_remote")) : null,
      ticket.status === "not_arrived"
        ? h("button", { type: "button", className: "arrive", onclick: () => act(ticket, "arrive") }, t("reception_arrive"))
        : priorityBadge(ticket) ?? statusText(ticket.status)),
    h("span", { className: "waited" }, t("minutes", { n: minutesSince(ticket.checked_in_at) })),
    // An estimate after closing already says so in words (estimateText).
    h("span", { className: "est" }, estimate ?? ""),
    h("button", { type: "button", className: "secondary", onclick: () => openActions(ticket.id) }, t("actions")));
}

function inRoomChip(ticket) {
  return h("li", {},
    h("button", {
      type: "button", className: `chip ${ticket.status}`, "data-ticket": ticket.number,
      onclick: () => openActions(ticket.id),
    },
    h("strong", {}, ticket.number), " ",
    ticket.room ? t("room_of", { room: ticket.room }) : "", " · ", statusText(ticket.status)));
}

function missedRow(ticket) {
  return h("li", { className: "row", "data-ticket": ticket.number },
    h("strong", {}, ticket.number), h("span", { className: "grow" }, ticket.label ?? "", " — ", statusText(ticket.status)),
    h("button", {
      type: "button", className: "secondary",
      onclick: () => act(ticket, "requeue"),
    }, t("act_requeue")));
}

// The patient's phone: the QR code of the ticket's page and its printed slip.
function renderHandover() {
  const box = $("#last-qr");
  if (!box || box.dataset.ticket === String(lastTicket.id)) return;
  box.dataset.ticket = String(lastTicket.id);
  box.replaceChildren(
    h("img", {
      src: `${base}/tickets/${lastTicket.id}/qr.svg`, width: 168, height: 168,
      alt: `${t("reception_qr_heading")} ${lastTicket.number}`,
    }),
    h("span", { className: "hint" }, t("reception_qr_hint")),
    h("a", {
      className: "button secondary", target: "_blank", rel: "noopener",
      href: `/reception/${encodeURIComponent(config.centre)}/tickets/${lastTicket.id}/slip?print=1`,
    }, t("reception_print_slip")),
  );
  box.hidden = false;
}

function renderLastTicket() {
  if (!lastTicket) return;
  $("#last-ticket").hidden = false;
  $("#last-number").textContent = lastTicket.number;
  renderHandover();
  const now = queue?.tickets.find((ticket) => ticket.id === lastTicket.id);
  const detail = now?.status === "waiting"
    ? t("ticket_position", { n: now.position })
    : statusText((now ?? lastTicket).status);
  $("#last-detail").replaceChildren(priorityBadge(lastTicket) ?? "", " ", detail, lastTicket.label ? ` · ${lastTicket.label}` : "");
  const estimate = estimateText((now ?? lastTicket).estimate);
  $("#last-estimate").hidden = !estimate;
  $("#last-estimate").textContent = estimate ?? "";
  const late = (now ?? lastTicket).estimate?.after_closing;
  $("#last-warning").hidden = !late;
}

// --- check-in ---------------------------------------------------------------------------

const form = $("#checkin-form");
const checkIns = new CheckIns(config.centre, {
  onChange: renderPending,
  onSuccess: (ticket) => {
    lastTicket = ticket;
    renderLastTicket();
    live.refreshNow();
  },
  onRejected: (error, body) => {
    flash(t("checkin_refused", { detail: error.message }), "error");
    if (!form.elements.label.value && body.label) form.elements.label.value = body.label;
  },
});

function submitCheckIn(priority) {
  const label = form.elements.label.value.trim();
  const phone = $("#wants-sms").checked ? form.elements.phone.value.trim() : "";
  if (label && !LABEL.test(label)) {
    flash(t("checkin_refused", { detail: t("label_label") }), "error");
    return;
  }
  if ($("#wants-sms").checked && !PHONE.test(phone)) {
    flash(t("checkin_refused", { detail: t("phone_label") }), "error");
    form.elements.phone.focus();
    return;
  }
  const fields = { priority };
  if (label) fields.label = label;
  if (phone) fields.phone = phone;
  checkIns.submit(fields);
  form.reset();
  $("#phone-field").hidden = true;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submitCheckIn(event.submitter?.value === "urgent" ? "urgent" : "standard");
});
form.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.shiftKey && event.target.tagName === "INPUT") {
    event.preventDefault();
    if (!queue || queue.checkin_open) submitCheckIn("urgent");
  }
});
$("#wants-sms").addEventListener("change", (event) => {
  $("#phone-field").hidden = !event.target.checked;
  if (event.target.checked) form.elements.phone.focus();
});

function renderPending() {
  const items = checkIns.items;
  $("#pending").hidden = items.length === 0;
  $("#pending-list").replaceChildren(...items.map((item) => h("li", { className: `row ${item.state}` },
    h("span", { className: "grow" }, t(item.state === "retrying" ? "pending_retrying" : "pending_sending", {
      priority: t(`priority_${item.body.priority}`),
      label: item.body.label ?? "",
      s: Math.max(0, Math.ceil(((item.retryAt ?? 0) - Date.now()) / 1000)),
    })),
    h("button", { type: "button", className: "secondary", onclick: () => checkIns.discard(item) }, t("pending_discard")))));
}
setInterval(() => { if (checkIns.items.length) renderPending(); }, 1000);
checkIns.resume();
renderPending();

// --- actions on a patient ---------------------------------------------------------------

const dialog = $("#actions-dialog");
dialog.addEventListener("close", () => { dialogTicketId = null; });

function findTicket(id) {
  return queue?.tickets.find((ticket) => ticket.id === id) ?? missed.find((ticket) => ticket.id === id);
}

function openActions(id) {
  dialogTicketId = id;
  renderActions();
  if (!dialog.open) dialog.showModal();
}

async function act(ticket, action, body) {
  try {
    await api("POST", `${base}/tickets/${ticket.id}/${action}`, body);
    if (dialog.open) dialog.close();
    flash(`${ticket.number} : ${t("done_ok")}`);
  } catch (error) {
    flash(error instanceof NetworkError ? t("conn_offline") : error.message, "error");
  }
  live.refreshNow();
}

function actionButton(ticket, label, action, body, extraClass = "") {
  return h("button", { type: "button", className: extraClass, onclick: () => act(ticket, action, body) }, t(label));
}

function renderActions() {
  const ticket = findTicket(dialogTicketId);
  if (!ticket) {
    if (dialog.open) dialog.close();
    return;
  }
  $("#actions-title").textContent = [ticket.number, ticket.label].filter(Boolean).join(" · ");
  $("#actions-detail").textContent = [
    statusText(ticket.status),
    ticket.room ? t("room_of", { room: ticket.room }) : "",
    ticket.phone ? `SMS ${ticket.phone}` : "",
    ticket.head_reason ? `↑ ${ticket.head_reason}` : "",
  ].filter(Boolean).join(" · ");
  const body = $("#actions-body");
  // Keep a reason being typed when the queue refreshes under the dialog.
  const openReason = body.querySelector(".head-reason:not([hidden]) input");
  const reasonTyped = openReason ? openReason.value : null;
  const blocks = [];
  if (ticket.status === "not_arrived") {
    blocks.push(h("div", { className: "action-group" },
      actionButton(ticket, "reception_arrive", "arrive", undefined),
      actionButton(ticket, "act_cancel", "cancel", undefined, "danger")));
  }
  if (ticket.status === "waiting") {
    blocks.push(h("div", { className: "action-group" }, h("span", {}, t("act_call_to")),
      ...config.rooms.map((room) => h("button", {
        type: "button", onclick: () => act(ticket, "call", { room: room.code }),
      }, room.name))));
    blocks.push(h("div", { className: "action-group" },
      ticket.priority === "urgent"
        ? actionButton(ticket, "act_standard", "priority", { priority: "standard" }, "secondary")
        : actionButton(ticket, "act_urgent", "priority", { priority: "urgent" }, "urgent"),
      h("button", { type: "button", className: "secondary", onclick: showHeadReason }, t("act_head"))));
    blocks.push(headReasonForm(ticket, reasonTyped));
    blocks.push(h("div", { className: "action-group" },
      actionButton(ticket, "act_left", "left-unseen", undefined, "secondary"),
      actionButton(ticket, "act_cancel", "cancel", undefined, "danger")));
  } else if (ticket.status === "called") {
    blocks.push(h("div", { className: "action-group" },
      actionButton(ticket, "act_recall", "recall"),
      actionButton(ticket, "act_start", "start", undefined, "secondary"),
      actionButton(ticket, "act_no_show", "no-show", undefined, "secondary")));
    blocks.push(h("div", { className: "action-group" },
      actionButton(ticket, "act_release", "release", undefined, "secondary"),
      actionButton(ticket, "act_cancel", "cancel", undefined, "danger")));
  } else if (ticket.status === "in_consultation") {
    blocks.push(h("div", { className: "action-group" }, actionButton(ticket, "act_finish", "finish")));
  } else {
    blocks.push(h("div", { className: "action-group" }, actionButton(ticket, "act_requeue", "requeue")));
  }
  body.replaceChildren(...blocks);
}

function headReasonForm(ticket, typed) {
  const input = h("input", { name: "reason", minlength: "3", maxlength: "200", required: true, "aria-label": t("head_reason") });
  const formEl = h("form", { className: "action-group head-reason", hidden: typed === null },
    h("label", { className: "field grow" }, h("span", {}, t("head_reason")), input),
    h("button", { type: "submit" }, t("act_head_confirm")));
  if (typed !== null) input.value = typed;
  formEl.addEventListener("submit", (event) => {
    event.preventDefault();
    const reason = input.value.trim();
    if (reason.length < 3) {
      input.focus();
      return;
    }
    act(ticket, "move-to-head", { reason });
  });
  return formEl;
}

function showHeadReason() {
  const formEl = $("#actions-body .head-reason");
  formEl.hidden = false;
  formEl.querySelector("input").focus();
}

// --- the day: close and reopen check-in ------------------------------------------------

function confirmBox(text, yes) {
  const box = $("#confirm-dialog");
  $("#confirm-text").textContent = text;
  $("#confirm-yes").textContent = yes;
  box.returnValue = "";
  box.showModal();
  return new Promise((resolve) => {
    box.addEventListener("close", () => resolve(box.returnValue === "yes"), { once: true });
  });
}

$("#checkin-toggle").addEventListener("click", async () => {
  if (!queue) return;
  const closing = queue.checkin_open;
  if (closing && !(await confirmBox(t("confirm_close"), t("confirm_yes")))) return;
  try {
    await api("POST", `${base}/checkin/${closing ? "close" : "open"}`);
  } catch (error) {
    flash(error instanceof NetworkError ? t("conn_offline") : error.message, "error");
  }
  live.refreshNow();
});

// Times waited move on even when nothing happens.
setInterval(render, 20000);
