// The centres of the network, and a new centre (open 08:00–20:00 every day to begin with;
// its settings page sets the real hours, rooms and needs).
import { api } from "/static/service/api.js";
import { $, h } from "/static/service/dom.js";
import { t } from "/static/service/i18n.js";
import { attempt, linkRegions, slugOf, text } from "./admin-kit.js";

const form = $("#new-centre");
const DEFAULT_HOURS = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [String(d), [["08:00", "20:00"]]]));

async function load() {
  const { data } = await api("GET", "/api/rota/centres");
  $("#centre-table tbody").replaceChildren(...data.map((c) => h("tr", {},
    h("td", {}, h("a", { href: `/admin/centres/${c.slug}` }, c.name)),
    h("td", {}, c.city),
    h("td", {}, String(c.rooms.filter((r) => !r.retired).length)),
    h("td", { className: "actions" },
      h("a", { className: "button secondary", href: `/admin/centres/${c.slug}` }, t("home_settings")),
      h("a", { className: "button secondary", href: `/admin/centres/${c.slug}/screens` }, t("home_screens_link"))))));
}

form.elements.timezone.value = "Europe/Paris";
linkRegions(form);
let slugTouched = false;
form.elements.slug.addEventListener("input", () => { slugTouched = true; });
form.elements.name.addEventListener("input", () => {
  if (!slugTouched) form.elements.slug.value = slugOf(form.elements.name.value);
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = form.elements;
  const body = {
    slug: text(f.slug.value), name: text(f.name.value), address: text(f.address.value),
    city: text(f.city.value), timezone: text(f.timezone.value), country: f.country.value,
    subdivision: f.subdivision.value || null, opening_hours: DEFAULT_HOURS,
  };
  const done = await attempt(form.querySelector(".form-error"), form.querySelector("button[type=submit]"),
    () => api("POST", "/api/rota/centres", body));
  if (done) window.location.assign(`/admin/centres/${body.slug}`);
});

load();
