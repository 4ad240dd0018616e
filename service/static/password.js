// Choosing a password: on the set-up page (with the one-time code of the link's #fragment,
// which never reaches the server's logs) or on one's own account page (current password first).
import { api, HttpError, NetworkError } from "./api.js";
import { t } from "./i18n.js";

const form = document.getElementById("password-form");
const error = document.getElementById("password-error");
const done = document.getElementById("password-done");
const setup = form.dataset.mode === "setup";

if (setup) {
  const code = decodeURIComponent(window.location.hash.slice(1));
  if (code) {
    form.elements.code.value = code;
    document.getElementById("code-field").hidden = true;
    // Out of the address bar and history: the page can be left open without the code showing.
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  // Switching language keeps the code.
  const other = document.getElementById("setup-lang");
  other.addEventListener("click", (event) => {
    event.preventDefault();
    window.location.assign(other.getAttribute("href") + "#" + encodeURIComponent(form.elements.code.value));
  });
}

function show(message) {
  error.textContent = message;
  error.hidden = !message;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  show("");
  const password = form.elements.new_password.value;
  if (password !== form.elements.repeat_password.value) {
    show(t("admin_passwords_differ"));
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    if (setup) {
      const { data } = await api("POST", "/api/account-setup", { code: form.elements.code.value.trim(), password }, { loginOn401: false });
      document.getElementById("done-username").textContent = data.username;
      document.getElementById("to-login").href = `/login?username=${encodeURIComponent(data.username)}`;
      form.hidden = true;
    } else {
      await api("POST", "/api/auth/password", { current_password: form.elements.current_password.value, new_password: password });
      form.reset();
    }
    done.hidden = false;
  } catch (failure) {
    show(failure instanceof NetworkError ? t("admin_offline") : failure instanceof HttpError ? failure.message : String(failure));
  } finally {
    button.disabled = false;
  }
});
