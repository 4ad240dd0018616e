"""`walkin create-account`: the first network manager of an empty database, with the password
read from the terminal (twice), never from the command line."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from service import cli
from service.accounts import Role, StaffAccount, verify_password
from service.audit import AuditEntry

pytestmark = pytest.mark.timeout(60)

CHOSEN = "une longue phrase secrète"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[list[str]]:
    """What the person types at the password prompts, in order."""
    typed: list[str] = []
    monkeypatch.setenv("WALKIN_DATABASE_URL", database_url)
    monkeypatch.setenv("WALKIN_SECRET_KEY", "cli-test")
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": typed.pop(0))
    yield typed


async def _accounts(database_url: str) -> list[StaffAccount]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(StaffAccount.__table__))
            return [StaffAccount(**row._mapping) for row in rows]
    finally:
        await engine.dispose()


def test_the_first_manager_is_made_from_the_terminal(
    terminal: list[str], database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal += ["court", CHOSEN, "autre chose", CHOSEN, CHOSEN]  # too short, mismatch, ok
    args = ["create-account", "--role", "manager", "--username", "Chef", "--name", "Anne Chef"]
    assert cli.main(args) == 0
    assert "chef" in capsys.readouterr().out
    (account,) = asyncio.run(_accounts(database_url))
    assert account.username == "chef" and Role(account.role) is Role.MANAGER
    assert account.display_name == "Anne Chef" and account.active
    assert verify_password(account.password_hash, CHOSEN)
    assert not terminal  # every prompt was answered from the terminal

    async def audited() -> list[str]:
        engine = create_async_engine(database_url)
        async with engine.connect() as conn:
            rows = (await conn.execute(select(AuditEntry.action, AuditEntry.device))).all()
        await engine.dispose()
        return [f"{action}:{device}" for action, device in rows]

    assert asyncio.run(audited()) == ["create:walkin cli"]
    # The same username again is refused, and nothing is asked.
    assert cli.main(args) == 1
    assert "déjà pris" in capsys.readouterr().err


def test_no_password_on_the_command_line_and_three_failures_give_up(
    terminal: list[str], database_url: str
) -> None:
    with pytest.raises(SystemExit) as refused:
        cli.main(["create-account", "--username", "chef", "--password", CHOSEN])
    assert refused.value.code == 2  # argparse: no such option
    with pytest.raises(SystemExit):
        cli.main(["create-account", "--role", "reception", "--username", "chef"])
    terminal += [CHOSEN, "x" * 20] * 3
    assert cli.main(["create-account", "--username", "chef"]) == 1
    assert cli.main(["create-account", "--username", "x"]) == 2  # not a username
    assert asyncio.run(_accounts(database_url)) == []
