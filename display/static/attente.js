// The public board refreshes its list every minute in place (no page reload, which would
// lose the reader's place and focus: WCAG 2.2.1 rules out <meta http-equiv="refresh">).
const REFRESH_MS = 60000;

async function refresh() {
  if (document.visibilityState !== "visible") return;
  try {
    const answer = await fetch(window.location.href, { cache: "no-store", credentials: "same-origin" });
    if (!answer.ok) return;
    const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
    const list = fresh.getElementById("centres");
    if (list) document.getElementById("centres").replaceChildren(...list.childNodes);
  } catch { /* offline for a moment: the next minute tries again */ }
}

setInterval(refresh, REFRESH_MS);
