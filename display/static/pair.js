// Pairing a TV: show a code, wait until staff confirm it, collect the token once.
"use strict";
(function () {
  const codeEl = document.getElementById("pair-code");
  const statusEl = document.getElementById("pair-status");
  const expiredText = document.getElementById("pair").dataset.expired;
  let pairing = null;

  async function newCode() {
    const response = await fetch("/api/displays/pair", { method: "POST" });
    if (!response.ok) throw new Error("pairing " + response.status);
    pairing = await response.json();
    pairing.deadline = Date.now() + pairing.ttl_s * 1000;
    codeEl.textContent = pairing.code.slice(0, 3) + " " + pairing.code.slice(3);
  }

  async function poll() {
    try {
      if (!pairing || Date.now() > pairing.deadline) {
        if (pairing) statusEl.textContent = expiredText;
        await newCode();
      }
      const response = await fetch("/api/displays/pair/" + pairing.code, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ claim: pairing.claim }),
      });
      if (response.status === 404 || response.status === 409) {
        pairing = null; // expired or used: start again
      } else if (response.ok) {
        const body = await response.json();
        if (body.status === "paired") {
          localStorage.setItem("walkin_display_token", body.token);
          location.assign(body.url);
          return;
        }
      }
    } catch (err) {
      // Network trouble: keep the current code and try again.
    }
    setTimeout(poll, 3000);
  }
  poll();
})();
