"""The `walkin` command: serve, migrate, purge, simulate, create-account."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from service.settings import Settings

WS_PING_INTERVAL_S = 5.0
WS_PING_TIMEOUT_S = 5.0


async def _seed(settings: Settings) -> str | None:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from service.db import install_sqlite_pragmas
    from service.demo import seed_demo

    engine = create_async_engine(settings.database_url)
    install_sqlite_pragmas(engine)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            return await seed_demo(session, datetime.now(UTC), settings.secret_key)
    finally:
        await engine.dispose()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.app import create_app
    from service.demo import DEMO_ROLES
    from service.migrate import upgrade

    settings = Settings.from_env()
    if settings.is_sqlite or args.migrate:
        upgrade(settings.database_url)
    if settings.demo:
        password = asyncio.run(_seed(settings))
        if password:
            names = ", ".join(name for name, *_ in DEMO_ROLES)
            print(f"Demo accounts ({names}) — password, shown only this once: {password}")
    print(f"Walk-in service on http://{args.host}:{args.port}/  (API docs: /schema)")
    uvicorn.run(
        create_app(settings, freeze_gc=True),
        host=args.host,
        port=args.port,
        proxy_headers=args.proxy_headers,
        **server_options(settings),
    )
    return 0


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options that every server of the service needs (tests start theirs so)."""
    from service.log_redaction import serve_log_config

    return {
        # Without it uvicorn waits for open WebSockets forever on shutdown.
        "timeout_graceful_shutdown": 5,
        # Clients send a few small JSON messages: a larger frame is refused (close 1009)
        # before it is read into memory; uvicorn's default is 16 MiB.
        "ws_max_size": settings.ws_max_frame_bytes,
        # Protocol pings, which browsers answer by themselves: a client that does not read
        # (a frozen TV, an attacker) is dropped within 10 s instead of 40 s (uvicorn's 20 + 20),
        # before its backlog fills the kernel's send queues and slows the healthy screens.
        "ws_ping_interval": WS_PING_INTERVAL_S,
        # No permessage-deflate: a zlib context pair per socket was most of a screen's memory
        # (82 KiB per screen with it) and compressing each message for each socket a third of
        # its send time. Screen messages are small JSON (an event ~300 bytes, a snapshot a
        # few KiB): uncompressed, a snapshot takes a few ms more on a 1 Mbit/s link.
        "ws_per_message_deflate": False,
        # uvicorn's sans-I/O protocol less what it keeps per connection that screens, each
        # connected for weeks, do not need after the handshake (service/ws_protocol.py).
        "ws": "service.ws_protocol:LeanWebSocketProtocol",
        "ws_ping_timeout": WS_PING_TIMEOUT_S,
        "log_config": serve_log_config(),  # display and calendar tokens out of the logs
        "log_level": "info",
    }


def cmd_migrate(_: argparse.Namespace) -> int:
    from service.migrate import upgrade

    upgrade(Settings.from_env().database_url)
    print("database schema is up to date")
    return 0


async def _purge(settings: Settings) -> str:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from queues.retention import purge
    from service.db import install_sqlite_pragmas

    engine = create_async_engine(settings.database_url)
    install_sqlite_pragmas(engine)
    try:
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        report = await purge(sessions, datetime.now(UTC), settings.retention_days)
    finally:
        await engine.dispose()
    return (
        f"patient data older than {settings.retention_days} days erased from "
        f"{report.tickets_erased} tickets; {report.days_summarised} days summarised"
    )


class AccountRefused(Exception):
    """The account cannot be made as asked (the message says why)."""


def read_new_password(
    username: str, display_name: str, ask: Callable[[str], str] | None = None
) -> str:
    """The password typed twice at the terminal (never on the command line, where every user
    of the machine and the shell's history would see it), checked against the rules."""
    from service.account_rules import password_problem

    ask = ask or getpass.getpass
    for _ in range(3):
        first = ask("Mot de passe / password: ")
        problem = password_problem(first, username, display_name)
        if problem:
            print(problem, file=sys.stderr)
            continue
        if ask("Répétez / repeat: ") != first:
            print("les deux saisies diffèrent / the two entries differ", file=sys.stderr)
            continue
        return first
    raise AccountRefused("trop d'essais / too many attempts")


async def _username_taken(settings: Settings, username: str) -> bool:
    from sqlalchemy import func, select
    from sqlalchemy.ext.asyncio import create_async_engine

    from service.accounts import StaffAccount

    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            count = await conn.execute(
                select(func.count(StaffAccount.id)).where(StaffAccount.username == username)
            )
            return bool(count.scalar_one())
    finally:
        await engine.dispose()


async def _create_account(
    settings: Settings, username: str, display_name: str, role: str, password: str
) -> int:
    from sqlalchemy import func, select
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from service.accounts import Role, StaffAccount, hash_password
    from service.audit import Actor
    from service.changes import ChangePath
    from service.db import WriteGate, install_sqlite_pragmas

    engine = create_async_engine(settings.database_url)
    install_sqlite_pragmas(engine)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            taken = await session.execute(
                select(func.count(StaffAccount.id)).where(StaffAccount.username == username)
            )
            if taken.scalar_one():
                raise AccountRefused(f"identifiant déjà pris / username taken: {username}")
            account = StaffAccount(
                username=username,
                display_name=display_name,
                role=Role(role),
                password_hash=hash_password(password),
                active=True,
                session_generation=0,
            )
            # Through the change path like every write (no events: nobody watches accounts),
            # audited with the command as the actor.
            actor = Actor(account_id=None, username=None, client_address=None, device="walkin cli")
            path = ChangePath(
                session, WriteGate(enabled=settings.is_sqlite), None, lambda: datetime.now(UTC)
            )
            async with path.change() as change:
                session.add(account)
                await session.flush()
                await change.audit(
                    "account",
                    account.id,
                    "create",
                    actor=actor,
                    after={"username": username, "display_name": display_name, "role": role},
                )
            return account.id
    finally:
        await engine.dispose()


def cmd_create_account(args: argparse.Namespace) -> int:
    """A network manager on any database (the first one of a new production database):
    command-line accounts are network managers only; the others are made from the pages."""
    import re

    username = args.username.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{2,79}", username):
        print("identifiant invalide / invalid username (a-z 0-9 . _ -, 3 à 80)", file=sys.stderr)
        return 2
    name = args.name.strip() or username
    from service.migrate import upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url)  # an empty database gets its schema first
    try:
        if asyncio.run(_username_taken(settings, username)):  # before asking for a password
            raise AccountRefused(f"identifiant déjà pris / username taken: {username}")
        password = read_new_password(username, name)
        account_id = asyncio.run(_create_account(settings, username, name, args.role, password))
    except AccountRefused as refused:
        print(str(refused), file=sys.stderr)
        return 1
    print(f"compte créé / account created: {username} (id {account_id}, {args.role})")
    return 0


def cmd_purge(_: argparse.Namespace) -> int:
    print(asyncio.run(_purge(Settings.from_env())))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["simulate"]:
        from queues.simulate import main as simulate_main

        return int(simulate_main(argv[1:]))
    if argv[:1] == ["rota-bench"]:
        from rota.feature import rota_bench

        return rota_bench(argv[1:])
    if argv[:1] == ["forecast-backtest"]:
        from forecast.feature import forecast_backtest

        return forecast_backtest(argv[1:])
    parser = argparse.ArgumentParser(prog="walkin", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the service (embedded SQLite by default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--migrate", action="store_true", help="migrate a production database first")
    serve.add_argument(
        "--proxy-headers", action="store_true", help="trust X-Forwarded-For from the proxy"
    )
    serve.set_defaults(func=cmd_serve)
    migrate = sub.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(func=cmd_migrate)
    purge = sub.add_parser(
        "purge", help="erase patient data past WALKIN_RETENTION_DAYS (also runs hourly)"
    )
    purge.set_defaults(func=cmd_purge)
    sub.add_parser("simulate", help="replay walk-in days through the estimator")
    account = sub.add_parser(
        "create-account",
        help="make a network manager's account (password asked at the terminal, twice)",
    )
    account.add_argument("--role", choices=["manager"], default="manager")
    account.add_argument("--username", required=True)
    account.add_argument("--name", default="", help="the name shown (default: the username)")
    account.set_defaults(func=cmd_create_account)
    sub.add_parser("rota-bench", help="solve Curtois & Qu rota benchmark instances")
    sub.add_parser(
        "forecast-backtest", help="score the demand forecast on a generated network's past"
    )
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
