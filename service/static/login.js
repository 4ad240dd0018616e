// Staff sign-in: posts to the JSON API, then goes back where the visitor was sent from,
// or to the page of their role (/home decides on the server).
import { api, HttpError, NetworkError } from "./api.js";
import { t } from "./i18n.js";

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
const submit = form.querySelector("button[type=submit]");

function show(message) {
  error.textContent = message;
  error.hidden = !message;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const label = submit.textContent;
  submit.disabled = true;
  submit.textContent = t("login_busy");
  show("");
  try {
    await api("POST", "/api/auth/login", {
      username: form.elements.username.value.trim(),
      password: form.elements.password.value,
    }, { loginOn401: false }); // here a 401 is a wrong password, not an ended session
    window.location.assign(form.dataset.next || "/home");
    return;
  } catch (failure) {
    if (failure instanceof NetworkError) show(t("login_offline"));
    else if (failure instanceof HttpError && ![400, 401].includes(failure.status)) show(failure.message || t("login_wrong"));
    else show(t("login_wrong"));
  } finally {
    submit.disabled = false;
    submit.textContent = label;
  }
});

// Coming from the password set-up page: the username is filled in, the password is next.
const given = new URLSearchParams(window.location.search).get("username");
if (given && !form.elements.username.value) {
  form.elements.username.value = given;
  form.elements.password.focus();
}
