"""The audit log: who changed what, when and from which device. Append-only.

Entries are written in the same transaction as the change they describe, so a change without
its entry (or the reverse) cannot be committed. They keep ids, not foreign keys: the log
outlives the tickets and accounts it speaks of (purges, deleted centres). Patient fields are
never copied: an entry says that a label or phone changed, not what it was or became.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from advanced_alchemy.base import BigIntBase
from advanced_alchemy.types import DateTimeUTC, JsonB
from litestar import Request
from sqlalchemy import BigInteger, Index, String, Table, insert, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from service.state import shell

# Fields whose values must never reach the log: patient data, and what could identify a
# patient's check-in after the retention purge (the tablet's key, staff's free-text reason).
PRIVATE_FIELDS = frozenset(
    {
        "label",
        "phone",
        "client_key",
        "head_reason",
        # The patient's phone: link digest, push subscription, joining device's digest.
        "link_hash",
        "push_subscription",
        "device_hash",
    }
)
# Bookkeeping columns that say nothing about the change.
IGNORED_FIELDS = frozenset({"id", "created_at", "updated_at"})


class AuditEntry(BigIntBase):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_id"),)

    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    # Who: the account id and the username it had then (accounts may be renamed or removed).
    actor_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    actor_username: Mapped[str | None] = mapped_column(String(80), nullable=True)
    # From where: as seen through trusted proxies only.
    client_address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(200), nullable=True)
    device: Mapped[str | None] = mapped_column(String(80), nullable=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    centre_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    action: Mapped[str] = mapped_column(String(48))
    changes: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)


AUDIT_TABLE: Table = AuditEntry.__table__  # type: ignore[assignment]
# Built once: SQLAlchemy memoises a statement's cache key on the statement object, so a
# statement made again for every entry cost its construction and key on every change.
_INSERT_ENTRY = insert(AUDIT_TABLE)


@dataclass(frozen=True)
class Actor:
    """Who makes a change and from which device, taken from the request."""

    account_id: int | None
    username: str | None
    client_address: str | None
    user_agent: str | None = None
    device: str | None = None


def actor_of(request: Request[Any, Any, Any]) -> Actor:
    # The signed-in Principal, if any (read by attribute: auth imports this module).
    user = request.scope.get("user")
    proxies = shell(request.app).proxies
    address = proxies.client_address(request.scope)
    return Actor(
        account_id=getattr(user, "account_id", None),
        username=getattr(user, "username", None),
        client_address=address,
        user_agent=(request.headers.get("user-agent") or "")[:200] or None,
        # A label the centre gives its tablets and PCs ("accueil-1"), when they send one.
        device=(request.headers.get("x-device") or "")[:80] or None,
    )


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def snapshot(row: Any) -> dict[str, Any]:
    """The audited fields of a mapped row, as plain values."""
    return {
        attr.key: _plain(getattr(row, attr.key))
        for attr in inspect(row).mapper.column_attrs
        if attr.key not in IGNORED_FIELDS
    }


def changed_fields(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> dict[str, Any]:
    """{field: {"from": old, "to": new}} for what differs; private fields only say they changed."""
    before, after = before or {}, after or {}
    changes: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old == new:
            continue
        changes[key] = {"changed": True} if key in PRIVATE_FIELDS else {"from": old, "to": new}
    return changes


async def record(
    session: AsyncSession,
    actor: Actor | None,
    *,
    at: datetime,
    entity: str,
    entity_id: int | None,
    action: str,
    centre_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Add an entry to the caller's transaction; it commits or rolls back with the change.

    A Core insert on the session's connection, sent at once: a mapped object added to the
    session cost a unit-of-work flush at commit, several times the insert itself."""
    await session.execute(
        _INSERT_ENTRY,
        {
            "at": at,
            "actor_id": actor.account_id if actor else None,
            "actor_username": actor.username if actor else None,
            "client_address": actor.client_address if actor else None,
            "user_agent": actor.user_agent if actor else None,
            "device": actor.device if actor else None,
            "entity": entity,
            "entity_id": entity_id,
            "centre_id": centre_id,
            "action": action,
            "changes": changed_fields(before, after),
        },
    )
