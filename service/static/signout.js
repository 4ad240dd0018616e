// The "sign out" button of the top bar: ends the session, then shows the login page.
for (const button of document.querySelectorAll("[data-signout]")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await fetch("/api/auth/logout", { method: "POST" });
    } finally {
      window.location.assign("/login");
    }
  });
}
