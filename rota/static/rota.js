// The planning page. The grid, the day panel and the pending leave are server-rendered parts
// (htmx fetches them: the cell buttons open a day, and every part listening to
// "rota-changed" fetches itself again). Edits go through the JSON API with the kit; a
// refused change shows its conflicts and, when they are only warnings, offers to confirm.
import { api, HttpError, NetworkError } from "/static/service/api.js";
import { $, h } from "/static/service/dom.js";
import { formatNumber, dayText } from "/static/service/format.js";
import { lang, t } from "/static/service/i18n.js";

const answer = $("#answer");

function showAnswer(heading, conflicts, detail, retry) {
  answer.hidden = false;
  answer.className = "panel refused";
  answer.replaceChildren(
    h("h2", {}, heading),
    conflicts.length ? null : h("p", {}, detail),
    h("ul", {}, conflicts.map((c) => h("li", { className: `conflict-${c.severity}` },
      `${c.severity === "error" ? "⛔" : "⚠"} ${lang === "fr" ? c.message : c.message_en}`))),
    retry ? h("button", { type: "button", id: "confirm-warnings", onclick: retry }, t("rota_confirm")) : null,
  );
  answer.scrollIntoView({ block: "nearest" });
}

/** Sends a change; on success the parts refresh, on 409 the conflicts show (with a retry). */
async function send(method, url, body, accepted = false) {
  let target = url;
  let payload;
  if (method === "DELETE") {
    if (accepted) target += (url.includes("?") ? "&" : "?") + "accept_warnings=true";
  } else {
    payload = { ...body, ...(accepted ? { accept_warnings: true } : {}) };
  }
  try {
    await api(method, target, payload); // a 401 goes to the login page and back here
  } catch (error) {
    if (error instanceof HttpError && error.status === 409 && Array.isArray(error.body?.conflicts)) {
      const retry = error.body.can_accept ? () => send(method, url, body, true) : null;
      showAnswer(t(error.body.can_accept ? "rota_warnings" : "rota_refused"), error.body.conflicts, "", retry);
    } else if (error instanceof NetworkError) {
      showAnswer(t("rota_refused"), [], t("conn_offline"), null);
    } else if (!(error instanceof HttpError && error.status === 401)) {
      showAnswer(t("rota_refused"), [], error.message, null);
    }
    return;
  }
  answer.hidden = true;
  window.htmx.trigger(document.body, "rota-changed");
}

function closeDay() {
  // An empty placeholder, without htmx attributes: a closed day is not fetched again.
  $("#day-panel").replaceWith(h("section", { id: "day-panel", className: "panel", hidden: true }));
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.id === "day-close") {
    closeDay();
    return;
  }
  if (button.id === "move-check") {
    checkMove();
    return;
  }
  if (button.id === "move-cancel") {
    $("#move-dialog").close();
    return;
  }
  const shift = button.closest("#day-shifts li[data-shift]");
  if (shift && button.classList.contains("move")) {
    openMove(shift);
  } else if (shift && button.classList.contains("remove")) {
    send("DELETE", `/api/rota/shifts/${shift.dataset.shift}`);
  }
  const leave = button.closest("#leave-panel li.leave");
  if (leave) {
    const decision = button.classList.contains("approve") ? "approve" : "reject";
    send("POST", `/api/rota/leave/${leave.dataset.leave}/${decision}`, {});
  }
  const offer = button.closest("#leave-panel li.offer");
  if (offer) {
    const decision = button.classList.contains("approve") ? "approve" : "refuse";
    send("POST", `/api/rota/offers/${offer.dataset.offer}/${decision}`, {});
  }
});

// --- moving a shift: a dialog with doctor, centre, room, day and times, checked first -------

function roomsFor(form, current) {
  const option = form.elements.centre.selectedOptions[0];
  const rooms = (option?.dataset.rooms || "").split(" ").filter(Boolean);
  form.elements.room.replaceChildren(
    h("option", { value: "" }, t("rota_none")),
    ...rooms.map((code) => h("option", { value: code, selected: code === current }, code)),
  );
}

function openMove(shift) {
  const dialog = $("#move-dialog");
  const form = $("#move-form");
  form.elements.shift.value = shift.dataset.shift;
  form.elements.doctor_id.value = shift.dataset.doctor;
  form.elements.centre.value = shift.dataset.centre;
  roomsFor(form, shift.dataset.room);
  form.elements.day.value = shift.dataset.day;
  form.elements.start_time.value = shift.dataset.start;
  form.elements.end_time.value = shift.dataset.end;
  $("#move-checks").replaceChildren();
  form.elements.centre.onchange = () => roomsFor(form, "");
  dialog.showModal();
}

function moveBody(form) {
  return {
    doctor_id: Number(form.elements.doctor_id.value),
    centre: form.elements.centre.value,
    room: form.elements.room.value || null,
    day: form.elements.day.value,
    start_time: form.elements.start_time.value.slice(0, 5),
    end_time: form.elements.end_time.value.slice(0, 5),
  };
}

/** Asks the API what the move would bring, without saving, and shows it in the dialog. */
async function checkMove() {
  const form = $("#move-form");
  const box = $("#move-checks");
  try {
    const { data } = await api("PATCH", `/api/rota/shifts/${form.elements.shift.value}`, { ...moveBody(form), dry_run: true });
    const conflicts = data?.would_bring || [];
    box.replaceChildren(
      h("p", {}, t(conflicts.length ? "rota_checks_found" : "rota_checks_clean")),
      h("ul", { className: "problems" }, conflicts.map((c) => h("li", { className: `conflict-${c.severity}` },
        `${c.severity === "error" ? "⛔" : "⚠"} ${lang === "fr" ? c.message : c.message_en}`))),
    );
  } catch (error) {
    box.replaceChildren(h("p", { className: "conflict-error" }, error instanceof NetworkError ? t("conn_offline") : error.message));
  }
}

document.addEventListener("submit", (event) => {
  if (event.target.id === "move-form") {
    event.preventDefault();
    const form = event.target;
    $("#move-dialog").close();
    send("PATCH", `/api/rota/shifts/${form.elements.shift.value}`, moveBody(form));
    return;
  }
  if (event.target.id !== "add-form") return;
  event.preventDefault();
  const panel = $("#day-panel");
  const values = new FormData(event.target);
  send("POST", "/api/rota/shifts", {
    doctor_id: Number(values.get("doctor_id")),
    centre: panel.dataset.centre,
    day: panel.dataset.day,
    start_time: values.get("start_time").slice(0, 5),
    end_time: values.get("end_time").slice(0, 5),
    room: values.get("room") || null,
  });
});

// A part that could not be fetched: say why rather than show stale data silently.
document.body.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  showAnswer(t("rota_refused"), [], `${status} ${event.detail.xhr.statusText}`, null);
});
document.body.addEventListener("htmx:sendError", () => showAnswer(t("rota_refused"), [], t("conn_offline"), null));

// --- the month's planning cycle: solve (in the background), follow, apply, publish ---------

const cyclePanel = $("#cycle-panel");
let cycleTimer = null;

function cycleUrl(action = "") {
  return `/api/rota/cycles/${cyclePanel.dataset.month}${action ? `/${action}` : ""}`;
}

function num(value) {
  return value === null || value === undefined ? null : formatNumber(value);
}

function fill(key, values) {
  return Object.entries(values).reduce((text, [name, value]) => text.replace(`{${name}}`, value ?? "–"), t(key));
}

function showCycle(cycle) {
  $("#cycle-status").textContent = `· ${t(`cycle_status_${cycle.status}`)}`;
  const solve = cycle.solve;
  const running = Boolean(solve?.running);
  $("#cycle-cancel").hidden = !running;
  $("#cycle-solve").disabled = running;
  $("#cycle-apply").hidden = running || !solve || solve.status === null || Boolean(solve.error);
  const parts = [];
  if (solve) {
    if (running) parts.push(h("p", {}, t("cycle_running")));
    parts.push(h("p", { id: "cycle-numbers" }, fill("cycle_progress", { objective: num(solve.objective), bound: num(solve.bound), gaps: num(solve.gaps_left) })));
    if (solve.error) parts.push(h("p", { className: "conflict-error" }, solve.error));
    if (!running && solve.status) {
      parts.push(h("p", { id: "cycle-preview" }, fill("cycle_preview", { added: solve.added.length, moved: solve.moved.length, removed: solve.removed.length })));
      if (solve.uncovered.length) {
        parts.push(h("h3", {}, t("cycle_uncovered")), h("ul", { id: "cycle-uncovered", className: "problems" }, solve.uncovered.map((u) =>
          h("li", { className: "conflict-warning" }, `${u.centre_name} ${dayText(u.day)} ${u.local} : ${lang === "fr" ? u.explanation : u.explanation_en}`))));
      }
    }
  }
  if (cycle.since_published.length) {
    parts.push(h("h3", {}, t("cycle_since")), h("ul", { id: "cycle-since" }, cycle.since_published.map((d) =>
      h("li", {}, `${d.doctor} : +${d.added.length} / −${d.removed.length}`))));
  }
  $("#cycle-progress").replaceChildren(...parts);
  clearTimeout(cycleTimer);
  if (running) cycleTimer = setTimeout(loadCycle, 1000);
}

async function loadCycle() {
  try {
    const { data } = await api("GET", cycleUrl());
    showCycle(data);
  } catch (error) {
    if (!(error instanceof HttpError && error.status === 401)) showAnswer(t("rota_refused"), [], error.message, null);
  }
}

async function cycleAction(action, body, done) {
  try {
    const { data } = await api("POST", cycleUrl(action), body);
    if (done) showAnswer(t(done), [], "", null);
    if (action === "apply") window.htmx.trigger(document.body, "rota-changed");
    if (data?.status && "solve" in data) showCycle(data);
    else loadCycle();
  } catch (error) {
    if (error instanceof HttpError && error.status === 409 && Array.isArray(error.body?.conflicts)) {
      showAnswer(t("rota_refused"), error.body.conflicts, "", null);
    } else if (!(error instanceof HttpError && error.status === 401)) {
      showAnswer(t("rota_refused"), [], error instanceof NetworkError ? t("conn_offline") : error.message, null);
    }
  }
}

if (cyclePanel) {
  cyclePanel.addEventListener("click", (event) => {
    const id = event.target.closest("button")?.id;
    if (id === "cycle-solve") cycleAction("solve", { time_limit_seconds: Number($("#cycle-seconds").value) || 30 });
    else if (id === "cycle-cancel") cycleAction("cancel");
    else if (id === "cycle-apply") cycleAction("apply", undefined, "cycle_applied");
    else if (id === "cycle-publish") cycleAction("publish", undefined, "cycle_published");
  });
  loadCycle();
}

// --- predicted waits: the centre's wait target, and cover needs from it --------------------

function reloadWaits() {
  // The shown centre's waits again (the target or the needs changed): the form asks for them.
  window.htmx.trigger($("#waits-form"), "submit");
}

document.addEventListener("submit", async (event) => {
  if (event.target.id !== "target-form") return;
  event.preventDefault();
  const shown = $("#waits-result");
  const values = new FormData(event.target);
  await send("PUT", `/api/forecast/centres/${encodeURIComponent(shown.dataset.centre)}/wait-target`, {
    share: Number(values.get("share")) / 100,
    minutes: Number(values.get("minutes")),
  });
  if (answer.hidden) reloadWaits();
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("#use-as-needs");
  if (!button) return;
  const shown = $("#waits-result");
  button.disabled = true;
  button.textContent = t("rota_loading");
  await send("POST", `/api/rota/centres/${encodeURIComponent(shown.dataset.centre)}/cover-needs/from-target`, {
    month: shown.dataset.month,
  });
  if (answer.hidden) reloadWaits();
});
