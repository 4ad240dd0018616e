"""A network set up from nothing, in the browser alone, on an empty PostgreSQL database.

`walkin create-account` makes the first manager (password typed at a terminal); then the
manager, from the pages only, creates a centre with its hours and a room, a doctor, a
reception account and a doctor's account, and pairs a screen. Reception checks a patient in,
the doctor calls them, the TV shows the call, and the home shows the centre's load change.

Tier 2 (marked postgres and browser): `./dev test` runs it with PostgreSQL and Redis
(`-m "not browser or postgres"`).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import re
import subprocess
import sys
import termios
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.conftest import PG_URL, REDIS_URL, _pg_execute
from tests.pages.server import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.timeout(240)]

ROOT = Path(__file__).resolve().parents[2]
WALKIN = str(Path(sys.executable).parent / "walkin")
MANAGER_PASSWORD = "Un réseau tout neuf 2026"
STAFF_PASSWORD = "Accueil et cabinets 7/7"
SLUG = "lille-flandres"
LIVE = 15000  # ms


@pytest.fixture
def empty_database() -> Iterator[str]:
    assert PG_URL is not None
    name = f"walkin_setup_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_execute(PG_URL, f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_URL.rpartition('/')[0]}/{name}"
    finally:
        asyncio.run(_pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "WALKIN_DATABASE_URL": database_url,
        "WALKIN_SECRET_KEY": "whole-setup-secret",
        "WALKIN_DATA_DIR": str(data_dir),
        "WALKIN_DEMO": "0",
        "WALKIN_CHANNEL_PREFIX": f"walkin-setup-{uuid.uuid4().hex[:8]}",
    }
    if REDIS_URL:
        env["WALKIN_REDIS_URL"] = REDIS_URL
    return env


def _controlling_terminal() -> None:
    """In the child: the pty on stdin becomes its terminal, so getpass reads /dev/tty."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def create_manager(env: dict[str, str]) -> str:
    """`walkin create-account`, the password typed twice at a terminal (never in argv)."""
    leader, follower = os.openpty()
    process = subprocess.Popen(
        [WALKIN, "create-account", "--username", "direction", "--name", "Direction du réseau"],
        cwd=ROOT,
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        preexec_fn=_controlling_terminal,
    )
    os.close(follower)
    said = b""
    deadline = time.monotonic() + 60
    typed = 0
    try:
        while process.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                said += os.read(leader, 4096)
            # One answer per prompt: "password:" then "repeat:".
            prompts = said.count(b"password: ") + said.count(b"repeat: ")
            while typed < prompts:
                os.write(leader, MANAGER_PASSWORD.encode() + b"\n")
                typed += 1
        process.wait(10)
        with contextlib.suppress(OSError):
            said += os.read(leader, 4096)
    finally:
        os.close(leader)
    assert process.returncode == 0, said.decode(errors="replace")
    assert MANAGER_PASSWORD.encode() not in said  # not echoed
    return "direction"


@contextlib.asynccontextmanager
async def serving(env: dict[str, str]) -> AsyncIterator[str]:
    port = free_port()
    process = await asyncio.to_thread(
        subprocess.Popen,
        [WALKIN, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as probe:
            for _ in range(600):
                assert process.poll() is None, f"walkin serve exited with {process.returncode}"
                with contextlib.suppress(httpx.HTTPError):
                    if (await probe.get(f"{base}/health/live")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
        yield base
    finally:
        await asyncio.to_thread(_stop, process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


async def sign_in(browser: Browser, base: str, username: str, password: str) -> Page:
    """A fresh device signing in through the login page."""
    context: BrowserContext = await browser.new_context(
        base_url=base, viewport={"width": 1280, "height": 800}, locale="fr-FR"
    )
    page = await context.new_page()
    await page.goto("/login")
    await page.locator("[name=username]").fill(username)
    await page.locator("[name=password]").fill(password)
    await page.locator("[name=password]").press("Enter")
    await page.wait_for_url(re.compile(r"/(centres|reception|room)"))
    return page


async def new_account(page: Page, name: str, username: str, role: str) -> str:
    """Creates an account on the accounts page; returns its one-time set-up code."""
    await page.goto("/accounts")
    form = page.locator("#account-form")
    await form.locator("[name=display_name]").fill(name)
    await form.locator("[name=username]").fill(username)
    await form.locator("[name=role]").select_option(role)
    await form.locator("[name=centres]").select_option(SLUG)
    if role == "doctor":
        await form.locator("[name=doctor_id]").select_option(label="Dr Jeanne Lefèvre")
    await form.locator("button[type=submit]").click()
    code = page.locator("#secret-code")
    await expect(code).not_to_be_empty()
    return (await code.inner_text()).strip()


async def choose_password(browser: Browser, base: str, code: str) -> None:
    context = await browser.new_context(base_url=base, locale="fr-FR")
    page = await context.new_page()
    await page.goto(f"/setup#{code}")
    await page.locator("[name=new_password]").fill(STAFF_PASSWORD)
    await page.locator("[name=repeat_password]").fill(STAFF_PASSWORD)
    await page.locator("#password-form button[type=submit]").click()
    await expect(page.locator("#password-done")).to_be_visible()
    await context.close()


async def test_a_network_set_up_from_nothing_in_the_browser(
    empty_database: str, tmp_path: Path
) -> None:
    require_chromium()
    env = _env(empty_database, tmp_path)
    username = await asyncio.to_thread(create_manager, env)
    async with serving(env) as base, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        errors: list[str] = []
        manager = await sign_in(browser, base, username, MANAGER_PASSWORD)
        manager.on("pageerror", lambda error: errors.append(str(error)))

        # A centre, open all day every day (the test must not depend on the hour), one room.
        await manager.goto("/admin/centres")
        new = manager.locator("#new-centre")
        await new.locator("[name=name]").fill("Lille Flandres")
        await new.locator("[name=city]").fill("Lille")
        await new.locator("button[type=submit]").click()
        await manager.wait_for_url(f"**/admin/centres/{SLUG}")
        await expect(manager.locator("body[data-ready=true]")).to_be_attached()
        hours = manager.locator("#hours")
        for day in range(1, 8):
            await hours.locator(f"[name=from-{day}]").fill("00:00")
            await hours.locator(f"[name=to-{day}]").fill("23:59")
        await hours.locator("button[type=submit]").click()
        await expect(manager.locator("#flash")).to_have_text("Enregistré")
        rooms = manager.locator("#new-room")
        await rooms.locator("[name=code]").fill("1")
        await rooms.locator("[name=name]").fill("Cabinet 1")
        await rooms.locator("button[type=submit]").click()
        await expect(manager.locator(".room-item[data-code='1']")).to_be_visible()

        # A doctor of that centre, then the accounts of reception and of that doctor.
        await manager.goto("/admin/doctors")
        await expect(manager.locator("body[data-ready=true]")).to_be_attached()
        doctor_form = manager.locator("#doctor-form")
        await doctor_form.locator("[name=display_name]").fill("Dr Jeanne Lefèvre")
        await doctor_form.locator("[name=rpps]").fill("10001234565")
        await doctor_form.get_by_label("Lille Flandres").check()
        await doctor_form.locator("button[type=submit]").click()
        await expect(manager.locator("#doctor-form-heading")).to_have_text("Dr Jeanne Lefèvre")
        desk_code = await new_account(manager, "Accueil Lille", "accueil-lille", "reception")
        doctor_code = await new_account(manager, "Jeanne Lefèvre", "jlefevre", "doctor")
        await choose_password(browser, base, desk_code)
        await choose_password(browser, base, doctor_code)

        # A TV paired from the screens page by the code it shows.
        tv_context = await browser.new_context(
            base_url=base, viewport={"width": 1920, "height": 1080}
        )
        tv = await tv_context.new_page()
        await tv.goto("/display/pair")
        await expect(tv.locator("#pair-code")).to_have_text(re.compile(r"^\w{3} \w{3}$"))
        code = (await tv.locator("#pair-code").inner_text()).replace(" ", "")
        await manager.goto(f"/admin/centres/{SLUG}/screens")
        await manager.locator("#pair-form [name=code]").fill(code)
        await manager.locator("#pair-form button[type=submit]").click()
        await tv.wait_for_url(f"**/display/{SLUG}", timeout=LIVE)

        # The home, then a patient checked in at reception and called by the doctor.
        await manager.goto("/centres")
        card = manager.locator(f".home-card[data-slug='{SLUG}']")
        waiting = card.locator(".figure.waiting .figure-value")
        await expect(waiting).to_have_text("0")
        desk = await sign_in(browser, base, "accueil-lille", STAFF_PASSWORD)
        await desk.wait_for_url(f"**/reception/{SLUG}")
        await desk.get_by_label("Prénom ou initiales").fill("M.B.")
        await desk.get_by_label("Prénom ou initiales").press("Enter")
        await expect(desk.locator("#last-number")).to_have_text("A001")
        await expect(waiting).to_have_text("1", timeout=LIVE)

        doctor = await sign_in(browser, base, "jlefevre", STAFF_PASSWORD)
        await doctor.wait_for_url(f"**/room/{SLUG}")
        await doctor.get_by_role("button", name="Cabinet 1").click()
        await doctor.locator("#btn-next").click()
        await expect(doctor.locator("#current-number")).to_have_text("A001")
        await expect(tv.locator("#called li").first).to_contain_text("A001", timeout=LIVE)
        await expect(tv.locator("#called li").first).to_contain_text("Cabinet 1")
        await expect(waiting).to_have_text("0", timeout=LIVE)
        await expect(card.locator(".figure.doctors .figure-value")).to_have_text(
            re.compile(r"^1 / "), timeout=LIVE
        )
        assert not errors, errors
        await browser.close()
