// Pairing a TV: show a code, wait until staff confirm it. The answer that says "paired" also
// sets the screen's display cookie (httponly): the token never passes through a URL or script.
import { api, HttpError } from "/static/service/api.js";
import { t } from "/static/service/i18n.js";

const codeEl = document.getElementById("pair-code");
const statusEl = document.getElementById("pair-status");
let pairing = null;

async function newCode() {
  pairing = (await api("POST", "/api/displays/pair")).data;
  pairing.deadline = Date.now() + pairing.ttl_s * 1000;
  codeEl.textContent = pairing.code.slice(0, 3) + " " + pairing.code.slice(3);
}

async function poll() {
  try {
    if (!pairing || Date.now() > pairing.deadline) {
      if (pairing) statusEl.textContent = t("screen_pair_expired");
      await newCode();
    }
    const { data } = await api("POST", `/api/displays/pair/${pairing.code}`, { claim: pairing.claim });
    if (data.status === "paired") {
      window.location.assign(data.url);
      return;
    }
  } catch (error) {
    // Expired or used: start again with a new code. Network trouble: keep this one.
    if (error instanceof HttpError && [404, 409].includes(error.status)) pairing = null;
  }
  setTimeout(poll, 3000);
}
poll();
