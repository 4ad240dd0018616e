// The accounts page: create an account (its one-time set-up link shown once), edit its role
// and centres, reset it (a new link), disable or enable it. Every button calls the JSON API,
// which checks the same rules; the page then reloads to show the list as it now is.
import { api, HttpError, NetworkError } from "./api.js";
import { t } from "./i18n.js";
import { dateTime } from "./format.js";

const form = document.getElementById("account-form");
const formError = document.getElementById("form-error");
const listError = document.getElementById("list-error");
const panel = document.getElementById("secret-panel");
const dialog = document.getElementById("edit-dialog");
const editForm = document.getElementById("edit-form");
const editError = document.getElementById("edit-error");

function say(element, failure) {
  element.textContent = failure instanceof NetworkError ? t("admin_offline")
    : failure instanceof HttpError ? failure.message : String(failure);
  element.hidden = false;
}

/** Show only the fields the chosen role uses (centres, doctor's record). */
function followRole(root) {
  const role = root.querySelector("[name=role]").value;
  for (const field of root.querySelectorAll("[data-for-roles]")) {
    field.hidden = !field.dataset.forRoles.split(" ").includes(role);
  }
}

function chosen(select) {
  return [...select.selectedOptions].map((option) => option.value);
}

function body(root, role) {
  const centres = role === "manager" ? [] : chosen(root.querySelector("[name=centres]"));
  const doctor = root.querySelector("[name=doctor_id]").value;
  return {
    display_name: root.querySelector("[name=display_name]").value.trim(),
    role,
    centres,
    doctor_id: role === "doctor" && doctor ? Number(doctor) : null,
  };
}

function showSecret(answer) {
  const link = new URL(answer.path, window.location.origin).href;
  document.getElementById("secret-name").textContent = answer.account.display_name;
  document.getElementById("secret-link").textContent = link;
  document.getElementById("secret-code").textContent = answer.code;
  document.getElementById("secret-expires").textContent = dateTime(answer.expires_at);
  panel.dataset.link = link;
  panel.hidden = false;
  panel.scrollIntoView({ block: "center" });
  document.getElementById("secret-copy").focus();
}

for (const root of [form, editForm]) {
  root.querySelector("[name=role]").addEventListener("change", () => followRole(root));
  followRole(root);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  formError.hidden = true;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const role = form.elements.role.value;
    const { data } = await api("POST", "/api/accounts", {
      ...body(form, role),
      username: form.elements.username.value.trim().toLowerCase(),
    });
    form.reset();
    followRole(form);
    showSecret(data);
  } catch (failure) {
    say(formError, failure);
  } finally {
    button.disabled = false;
  }
});

document.getElementById("secret-copy").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(panel.dataset.link);
    document.getElementById("secret-copy").textContent = t("admin_copied");
  } catch {
    // No clipboard (not a secure context): the link is on screen, selectable.
  }
});
document.getElementById("secret-close").addEventListener("click", () => window.location.reload());

let editing = null;
document.getElementById("edit-cancel").addEventListener("click", () => dialog.close());
editForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  editError.hidden = true;
  try {
    await api("PATCH", `/api/accounts/${editing}`, body(editForm, editForm.elements.role.value));
    dialog.close();
    window.location.reload();
  } catch (failure) {
    say(editError, failure);
  }
});

function openEditor(row) {
  editing = row.dataset.account;
  document.getElementById("edit-name").textContent = row.dataset.name;
  editForm.elements.display_name.value = row.dataset.name;
  editForm.elements.role.value = row.dataset.role;
  const centres = row.dataset.centres.split(" ");
  for (const option of editForm.elements.centres.options) option.selected = centres.includes(option.value);
  for (const option of editForm.elements.doctor_id.options) {
    option.disabled = Boolean(option.dataset.linked) && option.dataset.linked !== editing;
  }
  editForm.elements.doctor_id.value = row.dataset.doctor;
  editError.hidden = true;
  followRole(editForm);
  dialog.showModal();
}

document.getElementById("accounts").addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const row = button.closest("tr");
  const id = row.dataset.account;
  const action = button.dataset.action;
  listError.hidden = true;
  if (action === "edit") return openEditor(row);
  if (action === "disable" && !window.confirm(t("admin_disable_confirm", { name: row.dataset.name }))) return;
  button.disabled = true;
  try {
    const { data } = await api("POST", `/api/accounts/${id}/${action}`);
    if (action === "reset") showSecret(data);
    else window.location.reload();
  } catch (failure) {
    say(listError, failure);
  } finally {
    button.disabled = false;
  }
});

for (const time of document.querySelectorAll("time[data-local-time]")) {
  time.textContent = dateTime(time.getAttribute("datetime"));
}
