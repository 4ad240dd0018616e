// Joining a centre's queue from home: one tap, an optional SMS with consent, then the ticket.
import { api, NetworkError } from "/static/service/api.js";
import { $ } from "/static/service/dom.js";
import { t } from "/static/service/i18n.js";

const form = $("#join-form");
const centre = $("#join-page").dataset.centre;

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const phone = form.elements.phone.value.trim();
  const consent = $("#join-consent").checked;
  const problem = $("#join-error");
  problem.hidden = true;
  if (phone && !consent) {
    problem.textContent = t("join_need_consent");
    problem.hidden = false;
    return;
  }
  try {
    const { data } = await api(
      "POST",
      `/api/public/centres/${encodeURIComponent(centre)}/join`,
      { phone: phone || null, sms_consent: consent },
      { loginOn401: false },
    );
    window.location.assign(data.link);
  } catch (error) {
    problem.textContent = error instanceof NetworkError ? t("patient_offline") : error.message;
    problem.hidden = false;
  }
});
