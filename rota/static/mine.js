// A doctor's own page: save the month's availability and wishes, ask for leave, get a
// calendar link. Each goes through the JSON API with the kit; the page then reloads its parts.
import { api, HttpError, NetworkError } from "/static/service/api.js";
import { $, h } from "/static/service/dom.js";
import { t } from "/static/service/i18n.js";

function refused(error) {
  const box = $("#mine-answer");
  box.hidden = false;
  box.textContent = error instanceof NetworkError ? t("conn_offline") : error.message;
}

function numberOrNull(value) {
  return value === "" ? null : Number(value);
}

document.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    if (form.id === "plan-form") {
      const days = [...form.querySelectorAll("select[data-day]")]
        .filter((select) => select.value)
        .map((select) => ({ day: select.dataset.day, state: select.value }));
      const month = $("#my-plan").dataset.month;
      await api("PUT", `/api/rota/me/plan/${month}`, {
        days,
        wanted_shifts: numberOrNull(form.elements.wanted_shifts.value),
        max_weekends: numberOrNull(form.elements.max_weekends.value),
      });
      $("#plan-saved").textContent = t("mine_saved");
    } else if (form.id === "leave-form") {
      await api("POST", "/api/rota/me/leave", {
        first_day: form.elements.first_day.value,
        last_day: form.elements.last_day.value,
        reason: form.elements.reason.value,
      });
      window.location.reload();
    }
  } catch (error) {
    if (!(error instanceof HttpError && error.status === 401)) refused(error);
  }
});

document.addEventListener("click", async (event) => {
  if (event.target.id !== "calendar-link") return;
  try {
    const { data } = await api("POST", "/api/rota/me/calendar-token");
    $("#calendar-url").replaceChildren(h("a", { href: data.url }, data.url));
  } catch (error) {
    if (!(error instanceof HttpError && error.status === 401)) refused(error);
  }
});
