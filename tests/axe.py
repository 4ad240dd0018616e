"""axe-core (from the npm registry, for the tests only) in Chromium: WCAG 2.1 AA checks.

``npm install --prefix tests/.npm axe-core@4`` puts it in tests/.npm (kept out of git); the
first browser test that needs it runs that, and ``./dev test`` does it on a fresh machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

NPM_PREFIX = Path(__file__).resolve().parent / ".npm"
AXE = NPM_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def ensure_axe() -> Path:
    if AXE.exists():
        return AXE
    npm = shutil.which("npm")
    if npm is None:
        message = "npm is needed to fetch axe-core for the accessibility checks"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    subprocess.run(
        [npm, "install", "--prefix", str(NPM_PREFIX), "axe-core@4", "--no-audit", "--no-fund"],
        check=True,
        timeout=120,
        capture_output=True,
    )
    return AXE


async def serious_violations(page: Page, within: str | None = None) -> list[dict[str, Any]]:
    """The page's serious and critical WCAG 2.1 A/AA violations (axe-core's impact levels),
    of the part matching the CSS selector ``within`` when given."""
    # Injected as a file's content: our CSP allows scripts from 'self' only, and Playwright's
    # add_script_tag(path=...) inlines the file, which the CSP refuses; so bypass_csp is set
    # on the test's context and the content goes in as is.
    await page.add_script_tag(content=ensure_axe().read_text(encoding="utf-8"))
    result: dict[str, Any] = await page.evaluate(
        """async ([tags, within]) => await axe.run(
            within ? document.querySelector(within) : document,
            { runOnly: { type: "tag", values: tags } })""",
        [WCAG_AA, within],
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
