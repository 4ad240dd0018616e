"""Staff accounts, roles and password hashing."""

from __future__ import annotations

from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import BigIntAuditBase


class Role(StrEnum):
    MANAGER = "manager"  # plans the whole network
    RECEPTION = "reception"  # one centre's desk
    DOCTOR = "doctor"  # one centre's consulting rooms


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


# Argon2id is memory-hard, so a stolen hash table resists GPU guessing.
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
