// The staff top bar: marks the page we are on, folds the links behind a menu button on a
// phone, and signs out. Loaded by the bar itself, so every staff page has it.
import "./signout.js";

const nav = document.getElementById("staff-nav");
const toggle = document.querySelector(".nav-toggle");
if (nav) {
  for (const link of nav.querySelectorAll("a")) {
    const path = new URL(link.href, window.location.href).pathname;
    if (path === window.location.pathname) link.setAttribute("aria-current", "page");
  }
}
if (nav && toggle) {
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
}
