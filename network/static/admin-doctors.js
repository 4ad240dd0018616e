// The network's doctors: create, edit, attach to centres, deactivate. The rota's API checks
// everything (RPPS key, a senior as maître de stage, limits) and its refusal is shown here.
import { api } from "/static/service/api.js";
import { $, flash, h } from "/static/service/dom.js";
import { t } from "/static/service/i18n.js";
import { attempt, text } from "./admin-kit.js";

const form = $("#doctor-form");
const errorArea = form.querySelector(".form-error");
let doctors = [];
let centres = [];
let editing = null; // the doctor being edited, or null for a new one

const nameOf = (id) => doctors.find((d) => d.id === id)?.display_name ?? "";

function renderTable() {
  const wanted = text($("#doctor-search").value).toLowerCase();
  const inactive = $("#show-inactive").checked;
  const shown = doctors.filter((d) => (inactive || d.active)
    && (!wanted || d.display_name.toLowerCase().includes(wanted) || (d.rpps || "").includes(wanted)
      || d.centres.some((c) => c.includes(wanted))));
  $("#doctor-table tbody").replaceChildren(...shown.map((d) => h("tr", { className: d.active ? "" : "inactive" },
    h("td", {}, h("button", { type: "button", className: "link", onclick: () => edit(d) }, d.display_name)),
    h("td", {}, d.rpps || "—"),
    h("td", {}, t(`manage_seniority_${d.seniority}`) + (d.supervisor_id ? ` (${nameOf(d.supervisor_id)})` : "")),
    h("td", {}, d.centres.join(", ")),
    h("td", {}, t(d.active ? "manage_active" : "manage_inactive")))));
  $("#doctor-count").textContent = t("manage_doctor_count", { shown: shown.length, total: doctors.length });
}

function renderSupervisors(selected) {
  const select = form.elements.supervisor_id;
  const seniors = doctors.filter((d) => d.seniority === "senior" && d.active && d.id !== editing?.id);
  select.replaceChildren(select.options[0], ...seniors.map((d) => h("option", { value: String(d.id) }, d.display_name)));
  select.value = selected ? String(selected) : "";
  $("#supervisor-field").hidden = form.elements.seniority.value !== "intern";
}

function renderCentres(attached) {
  $("#centre-choices").replaceChildren(...centres.map((c) => h("label", { className: "check" },
    h("input", { type: "checkbox", name: "centre", value: c.slug, checked: attached.includes(c.slug) }),
    h("span", {}, c.name))));
}

function edit(doctor) {
  editing = doctor;
  const f = form.elements;
  $("#doctor-form-heading").textContent = doctor ? doctor.display_name : t("manage_doctor_new");
  f.display_name.value = doctor?.display_name ?? "";
  f.rpps.value = doctor?.rpps ?? "";
  f.seniority.value = doctor?.seniority ?? "senior";
  f.weekly_limit_hours.value = doctor ? (doctor.weekly_limit_hours ?? "") : "48";
  f.min_rest_hours.value = doctor ? doctor.min_rest_hours : "11";
  renderSupervisors(doctor?.supervisor_id);
  renderCentres(doctor?.centres ?? []);
  $("#doctor-deactivate").hidden = !doctor || !doctor.active;
  $("#doctor-reactivate").hidden = !doctor || doctor.active;
  errorArea.hidden = true;
  f.display_name.focus();
}

function numberOrRaw(value) {
  if (value === "") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : value; // the API says what is wrong with the rest
}

async function load() {
  const [list, sites] = await Promise.all([api("GET", "/api/rota/doctors"), api("GET", "/api/rota/centres")]);
  doctors = list.data;
  centres = sites.data;
  renderTable();
}

form.elements.seniority.addEventListener("change", () => renderSupervisors(form.elements.supervisor_id.value));
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = form.elements;
  const intern = f.seniority.value === "intern";
  const fields = {
    display_name: text(f.display_name.value),
    rpps: text(f.rpps.value) || null,
    seniority: f.seniority.value,
    supervisor_id: intern && f.supervisor_id.value ? Number(f.supervisor_id.value) : null,
    weekly_limit_hours: numberOrRaw(f.weekly_limit_hours.value),
    min_rest_hours: numberOrRaw(f.min_rest_hours.value) ?? 11,
  };
  const chosen = [...form.querySelectorAll("input[name=centre]:checked")].map((box) => box.value);
  const done = await attempt(errorArea, form.querySelector("button[type=submit]"), async () => {
    if (!editing) {
      editing = (await api("POST", "/api/rota/doctors", { ...fields, centres: chosen })).data;
      return;
    }
    let saved = (await api("PATCH", `/api/rota/doctors/${editing.id}`, fields)).data;
    for (const slug of chosen.filter((s) => !saved.centres.includes(s))) {
      saved = (await api("PUT", `/api/rota/doctors/${editing.id}/centres/${slug}`)).data;
    }
    for (const slug of saved.centres.filter((s) => !chosen.includes(s))) {
      saved = (await api("DELETE", `/api/rota/doctors/${editing.id}/centres/${slug}`)).data;
    }
    editing = saved;
  });
  if (done) {
    await load();
    edit(doctors.find((d) => d.id === editing.id));
    flash(t("manage_saved"));
  }
});

$("#doctor-deactivate").addEventListener("click", async (event) => {
  if (!editing || !window.confirm(t("manage_deactivate_confirm", { name: editing.display_name }))) return;
  if (await attempt(errorArea, event.target, () => api("DELETE", `/api/rota/doctors/${editing.id}`))) {
    await load();
    edit(doctors.find((d) => d.id === editing.id));
  }
});
$("#doctor-reactivate").addEventListener("click", async (event) => {
  if (await attempt(errorArea, event.target, () => api("PATCH", `/api/rota/doctors/${editing.id}`, { active: true }))) {
    await load();
    edit(doctors.find((d) => d.id === editing.id));
  }
});
$("#doctor-new").addEventListener("click", () => edit(null));
$("#doctor-search").addEventListener("input", renderTable);
$("#show-inactive").addEventListener("change", renderTable);

load().then(() => {
  edit(null);
  document.body.dataset.ready = "true";
}).catch((error) => flash(error.message, "error"));
