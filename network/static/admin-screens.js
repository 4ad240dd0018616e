// A centre's screens: pair a TV by the code it shows, rename, revoke; who is online now.
import { api } from "/static/service/api.js";
import { $, flash, h, pageConfig } from "/static/service/dom.js";
import { locale } from "/static/service/format.js";
import { t } from "/static/service/i18n.js";
import { attempt, text } from "./admin-kit.js";

const config = pageConfig();
const base = `/api/centres/${encodeURIComponent(config.centre)}/displays`;
const form = $("#pair-form");
const listError = $("#screens-error");
const when = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short", timeZone: config.timezone });

function row(screen) {
  const revoked = screen.revoked_at !== null;
  const name = h("input", { value: screen.label, maxlength: "80", disabled: revoked, "aria-label": t("manage_screen_name") });
  name.addEventListener("change", async () => {
    if (await attempt(listError, null, () => api("PATCH", `${base}/${screen.id}`, { label: text(name.value) }))) {
      flash(t("manage_saved"));
      await load();
    }
  });
  const state = revoked ? "revoked" : screen.online ? "online" : "offline";
  return h("tr", { "data-id": String(screen.id), className: state },
    h("td", {}, name),
    h("td", {}, screen.last_seen_at ? when.format(new Date(screen.last_seen_at)) : "—"),
    h("td", {}, h("span", { className: `state ${state === "online" ? "open" : state === "offline" ? "stopped" : "shut"}` }, t(`manage_screen_${state}`))),
    h("td", {}, revoked ? null : h("button", { type: "button", className: "danger", onclick: async (event) => {
      if (!window.confirm(t("manage_revoke_confirm", { name: screen.label }))) return;
      if (await attempt(listError, event.target, () => api("POST", `${base}/${screen.id}/revoke`))) await load();
    } }, t("manage_revoke"))));
}

async function load() {
  const { data } = await api("GET", base);
  $("#screen-table tbody").replaceChildren(...data.map(row));
  $("#no-screens").hidden = data.length > 0;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { code: text(form.elements.code.value), label: text(form.elements.label.value) };
  if (await attempt(form.querySelector(".form-error"), form.querySelector("button"), () => api("POST", `${base}/pair`, body))) {
    form.elements.code.value = "";
    flash(t("manage_paired", { name: body.label }));
    // The TV collects its token within a few seconds of the confirmation, then shows up here.
    setTimeout(load, 4000);
    await load();
  }
});

load().then(() => { document.body.dataset.ready = "true"; }).catch((error) => flash(error.message, "error"));
setInterval(() => load().catch(() => {}), 30000);
