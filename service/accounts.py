"""Staff accounts, roles and password hashing."""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime
from enum import StrEnum
from functools import cache

from advanced_alchemy.types import DateTimeUTC
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from service.db import BigIntAuditBase


class Role(StrEnum):
    MANAGER = "manager"  # runs the whole network: every centre, every account
    # Runs the administration and rota of a few centres (the account's centres) only.
    CENTRE_MANAGER = "centre_manager"
    RECEPTION = "reception"  # one centre's desk
    DOCTOR = "doctor"  # one centre's consulting rooms


# A password hash no password matches (argon2 refuses it as malformed): an account that has
# not chosen its password yet cannot be signed in to.
NO_PASSWORD = "!"


class StaffAccount(BigIntAuditBase):
    __tablename__ = "staff_account"

    username: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(16))
    # Reception and doctors belong to one centre; managers to none (the whole network).
    centre_id: Mapped[int | None] = mapped_column(
        ForeignKey("centre.id", ondelete="CASCADE"), nullable=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )
    # Sessions remember the generation they began in; bumping it (disable, new password) ends
    # every session of the account at once, in every store, without finding them.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


# The centres a centre manager runs (reception and doctors keep their one centre_id).
managed_centre = Table(
    "staff_account_centre",
    BigIntAuditBase.metadata,
    Column(
        "account_id",
        ForeignKey("staff_account.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("centre_id", ForeignKey("centre.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class AccountSetup(BigIntAuditBase):
    """A one-time link (or code) on which a person chooses their password: only its hash is
    kept, it expires, and it works once."""

    __tablename__ = "account_setup"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


# Argon2id is memory-hard, so a stolen hash table resists GPU guessing. The parameters are
# RFC 9106's second recommendation (64 MiB, 3 passes, 4 lanes), above OWASP's minimum
# (19 MiB, 2 passes); spelled out so that a library default can never lower them silently.
_hasher = PasswordHasher(
    time_cost=3, memory_cost=64 * 1024, parallelism=4, hash_len=32, salt_len=16
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _unknown_account_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_nothing(password: str) -> None:
    """Spend the time of a real check for a username that does not exist, so that the answer's
    delay does not tell which usernames exist."""
    verify_password(_unknown_account_hash(), password)


# A check costs ~50-100 ms of CPU and 64 MiB: in a worker thread (argon2-cffi releases the GIL)
# the event loop keeps serving feeds and check-ins meanwhile, and the default pool's few
# threads bound the memory a burst of sign-ins takes.
async def password_matches(password_hash: str | None, password: str) -> bool:
    """verify_password off the event loop; with no hash, the time of a check and False."""
    if password_hash is None:
        await asyncio.to_thread(verify_nothing, password)
        return False
    return await asyncio.to_thread(verify_password, password_hash, password)
