// Staff sign-in: posts to the JSON API, then goes back where the visitor was sent from,
// or to the page of their role (/home decides on the server).
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
  submit.textContent = form.dataset.msgBusy;
  show("");
  try {
    const response = await fetch("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        username: form.elements.username.value.trim(),
        password: form.elements.password.value,
      }),
    });
    if (response.ok) {
      window.location.assign(form.dataset.next || "/home");
      return;
    }
    show(response.status === 401 || response.status === 400
      ? form.dataset.msgWrong
      : (await response.json().catch(() => ({}))).detail || form.dataset.msgWrong);
  } catch {
    show(form.dataset.msgOffline);
  } finally {
    submit.disabled = false;
    submit.textContent = label;
  }
});
