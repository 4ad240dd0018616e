// The entrance poster's page: confirms the arrival of the remote tickets this phone follows
// (their links were remembered by the ticket page), then leads back to the ticket.
import { api } from "/static/service/api.js";
import { $, h } from "/static/service/dom.js";
import { t } from "/static/service/i18n.js";

const code = new URLSearchParams(window.location.search).get("code") || "";
let tokens = [];
try {
  tokens = JSON.parse(localStorage.getItem("walkin_tickets") || "[]");
} catch { tokens = []; }

async function confirm() {
  const arrived = [];
  for (const token of tokens) {
    try {
      const { data } = await api("POST", `/api/patient/tickets/${encodeURIComponent(token)}/arrive`, { entrance: code }, { loginOn401: false });
      arrived.push({ token, number: data.number });
    } catch { /* another centre's ticket, or already here: nothing to do */ }
  }
  $("#arrive-result").textContent = arrived.length ? t("arrive_done") : t("arrive_none");
  $("#arrive-tickets").replaceChildren(
    ...arrived.map((one) => h("li", {}, h("a", { href: `/t/${one.token}` }, one.number))),
  );
}

confirm();
