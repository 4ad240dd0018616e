// A doctor's own page: save the month's availability and wishes, ask for leave, offer, take
// or withdraw a shift, get a calendar link. Each goes through the JSON API with the kit; the page then reloads its parts.
import { api, HttpError, NetworkError } from "/static/service/api.js";
import { $, h } from "/static/service/dom.js";
import { t } from "/static/service/i18n.js";

function refused(error, retry = null) {
  const box = $("#mine-answer");
  box.hidden = false;
  if (error instanceof HttpError && Array.isArray(error.body?.conflicts)) {
    // The checker's reasons, each in the page's language; warnings may be confirmed.
    const english = document.documentElement.lang === "en";
    box.replaceChildren(
      t("mine_offer_refused"),
      h("ul", {}, ...error.body.conflicts.map((c) => h("li", {}, english ? c.message_en : c.message))),
      ...(error.body.can_accept && retry
        ? [h("button", { type: "button", onclick: retry }, t("mine_offer_confirm"))]
        : []),
    );
    return;
  }
  box.textContent = error instanceof NetworkError ? t("conn_offline") : error.message;
}

async function act(method, url, body, retryBody = null) {
  try {
    await api(method, url, body);
    window.location.reload();
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) return;
    refused(error, retryBody ? () => act(method, url, retryBody) : null);
  }
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
    } else if (form.id === "offer-form") {
      const swap = form.elements.swap_shift_id.value;
      await api("POST", "/api/rota/me/offers", {
        shift_id: Number(form.elements.shift_id.value),
        swap_shift_id: swap ? Number(swap) : null,
        note: form.elements.note.value,
      });
      window.location.reload();
    }
  } catch (error) {
    if (!(error instanceof HttpError && error.status === 401)) refused(error);
  }
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  const offer = button?.closest("li.offer[data-offer]");
  if (!offer) return;
  const base = `/api/rota/me/offers/${offer.dataset.offer}`;
  if (button.classList.contains("take")) {
    act("POST", `${base}/take`, {}, { accept_warnings: true });
  } else if (button.classList.contains("withdraw")) {
    act("POST", `${base}/withdraw`);
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
