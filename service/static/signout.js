// The "sign out" button of the top bar: ends the session, then shows the login page.
import { api } from "./api.js";

for (const button of document.querySelectorAll("[data-signout]")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("POST", "/api/auth/logout", undefined, { loginOn401: false });
    } catch {
      // Signed out already, or the server is unreachable: the login page says which.
    } finally {
      window.location.assign("/login");
    }
  });
}
