"""The shared front-end kit without a browser: the reconnect backoff (under node), the one
translation catalogue and the one language rule."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from service.i18n import LANGS, catalogue, choose_lang, translate
from tests.conftest import StaffClients

pytestmark = pytest.mark.timeout(30)

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")


def _node(script: str) -> dict[str, Any]:
    """Runs an ES module script under node; what it printed, as JSON."""
    assert NODE is not None
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    return dict(json.loads(done.stdout))


# Draws delays from backoff.js with Math.random, as the pages do, and prints them as JSON.
_DRAW = """
import { backoffDelay } from "%s";
const limits = { baseMs: 1000, capMs: 30000 };
const out = {};
for (const attempt of [0, 1, 2, 3, 4, 5, 6, 20]) {
  out[attempt] = Array.from({ length: 200 }, () => backoffDelay(attempt, limits));
}
out.lowest = backoffDelay(3, limits, () => 0);
out.highest = backoffDelay(3, limits, () => 0.999999);
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_reconnect_backoff_is_exponential_with_full_jitter() -> None:
    drawn = _node(_DRAW % (ROOT / "service" / "static" / "backoff.js").as_uri())
    for attempt, ceiling in ((0, 1000), (1, 2000), (2, 4000), (3, 8000), (5, 30000), (20, 30000)):
        delays = drawn[str(attempt)]
        assert all(0 <= delay < ceiling for delay in delays), (attempt, max(delays))
        # Full jitter: spread over the whole window, not bunched at its top or its middle.
        assert min(delays) < ceiling * 0.2 and max(delays) > ceiling * 0.8, attempt
        assert len(set(delays)) > 100, attempt  # pages of one dead replica do not sync up
    assert drawn["lowest"] == 0 and 7990 <= drawn["highest"] < 8000


# Runs startLive on a virtual clock with a WebSocket that fails at once each time (a device
# offline, a proxy refusing WebSockets), and counts the page's refreshes over 10 s.
_POLL_DESPITE_FAILING_FEED = """
const timers = new Map();
let now = 0;
let nextId = 1;
globalThis.setTimeout = (fn, ms = 0) => {
  timers.set(nextId, { at: now + ms, fn });
  return nextId++;
};
globalThis.setInterval = (fn, ms) => {
  const id = nextId++;
  const tick = () => { timers.set(id, { at: now + ms, fn: () => { tick(); fn(); } }); };
  tick();
  return id;
};
globalThis.clearTimeout = globalThis.clearInterval = (id) => timers.delete(id);
const listeners = () => ({ addEventListener() {} });
globalThis.window = { location: { protocol: "http:", host: "tablet" }, ...listeners() };
globalThis.document = {
  documentElement: { lang: "fr" }, getElementById: () => null, ...listeners(),
};
let sockets = 0;
globalThis.WebSocket = class {
  constructor() {
    sockets += 1;
    this.handlers = {};
    setTimeout(() => this.handlers.close?.({ code: 1006 }), 5);  // never opens
  }
  addEventListener(kind, fn) { this.handlers[kind] = fn; }
};
Math.random = () => 0.05;  // reconnections come quickly, as when the failure is immediate
const { startLive } = await import("%s");
let refreshes = 0;
startLive({
  centre: "c1",
  refresh: async () => { refreshes += 1; return 1; },
  onStatus() {},
  onError() {},
});
while (now < 10000) {
  const [id, next] = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
  timers.delete(id);
  now = next.at;
  next.fn();
  await new Promise((resolve) => setImmediate(resolve));
}
console.log(JSON.stringify({ refreshes, sockets }));
"""


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_a_feed_failing_at_once_does_not_starve_the_polling() -> None:
    counted = _node(_POLL_DESPITE_FAILING_FEED % (ROOT / "service" / "static" / "live.js").as_uri())
    assert counted["sockets"] > 5  # the feed kept being retried...
    assert counted["refreshes"] >= 4  # ...and the page still polled at 0, 3, 6 and 9 s


def _keys_used() -> set[str]:
    """Every literal key given to t() in templates and scripts."""
    used: set[str] = set()
    pattern = re.compile(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*[,)]""")
    for folder in ("service", "queues", "rota", "display"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".html", ".js"} and path.name != "htmx.min.js":
                used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    for path in (ROOT / "queues" / "templates").rglob("*.html"):
        used |= set(re.findall(r'data-t(?:-[a-z-]+)?="([a-z0-9_]+)"', path.read_text()))
    return used


def test_one_catalogue_says_everything_in_both_languages() -> None:
    french, english = catalogue("fr"), catalogue("en")
    assert set(french) == set(english)
    missing = sorted(_keys_used() - set(french))
    assert not missing, missing
    for key, text in french.items():
        # The same placeholders on both sides, or a sentence loses its number.
        assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", english[key])), key
    assert translate("fr", "board_about", n=12) == "environ 12 min"
    assert translate("en", "board_about", n=12) == "about 12 min"


def test_the_language_rule() -> None:
    assert LANGS[0] == "fr"
    assert choose_lang(None, None, "") == "fr"
    assert choose_lang(None, None, "de-DE,en;q=0.5") == "en"
    assert choose_lang(None, "fr", "en-GB") == "fr"  # a choice remembered beats the browser
    assert choose_lang("en", "fr", "fr-FR") == "en"  # an explicit choice beats both
    assert choose_lang("xx", None, "nl-BE") == "fr"  # unknown values are ignored


async def test_every_page_follows_the_language_rule(clients: StaffClients) -> None:
    english_browser = {"Accept-Language": "en-GB,en;q=0.9"}
    visitor = await clients()
    for path in ("/", "/login", "/attente", "/display/pair"):
        page = await visitor.get(path, headers=english_browser)
        assert page.status_code == 200 and '<html lang="en">' in page.text, path
    # ?lang= is remembered: the next pages speak French whatever the browser says.
    assert 'lang="fr"' in (await visitor.get("/login?lang=fr", headers=english_browser)).text
    for path in ("/", "/attente", "/display/pair"):
        page = await visitor.get(path, headers=english_browser)
        assert '<html lang="fr">' in page.text, path
    board = await visitor.get("/attente?lang=en")
    assert "Waiting times at our centres" in board.text and "Temps d'attente" not in board.text
    manager = await clients("manager")
    rota = await manager.get("/rota", headers=english_browser)
    assert '<html lang="en">' in rota.text and "Network rota" in rota.text
    # The scripts get the same catalogue, in the page's language, as a data block.
    block = re.search(r'<script type="application/json" id="i18n">(.*?)</script>', rota.text)
    assert block is not None and json.loads(block.group(1))["rota_title"] == "Network rota"


async def test_the_language_link_keeps_the_page_s_query(clients: StaffClients) -> None:
    visitor = await clients()
    login = (await visitor.get("/login?next=/rota&lang=fr")).text
    assert 'href="?next=%2Frota&amp;lang=en"' in login
    manager = await clients("manager")
    month = (await manager.get("/stats/network?period=2026-11")).text
    assert 'href="?period=2026-11&amp;lang=en"' in month
    # Read aloud as the language's name; the short label seen is the same word's start.
    assert '<span aria-hidden="true">EN</span><span class="sr-only">English</span>' in month


async def test_the_top_bar_speaks_the_page_s_language(clients: StaffClients) -> None:
    manager = await clients("manager")
    page = (await manager.get("/stats/network?lang=en")).text
    bar = page.split("</header>")[0]
    assert "Centre settings" in bar and "Réglages des centres" not in bar
    assert '<span aria-hidden="true">FR</span><span class="sr-only">Français</span>' in bar
