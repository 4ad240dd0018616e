// The planning page. The grid, the day panel and the pending leave are server-rendered parts
// (htmx fetches them: the cell buttons open a day, and every part listening to
// "rota-changed" fetches itself again). Edits go through the JSON API with the kit; a
// refused change shows its conflicts and, when they are only warnings, offers to confirm.
import { api, HttpError, NetworkError } from "/static/service/api.js";
import { $, h } from "/static/service/dom.js";
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
  const shift = button.closest("#day-shifts li[data-shift]");
  if (shift && button.classList.contains("move")) {
    const range = window.prompt(`${t("rota_start")}–${t("rota_end")} (08:00-14:00)`, `${shift.dataset.start}-${shift.dataset.end}`);
    if (!range) return;
    const [start_time, end_time] = range.split("-").map((part) => part.trim());
    send("PATCH", `/api/rota/shifts/${shift.dataset.shift}`, { start_time, end_time });
  } else if (shift && button.classList.contains("remove")) {
    send("DELETE", `/api/rota/shifts/${shift.dataset.shift}`);
  }
  const leave = button.closest("#leave-panel li.leave");
  if (leave) {
    const decision = button.classList.contains("approve") ? "approve" : "reject";
    send("POST", `/api/rota/leave/${leave.dataset.leave}/${decision}`, {});
  }
});

document.addEventListener("submit", (event) => {
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
