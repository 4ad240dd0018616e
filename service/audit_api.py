"""The managers' view of the audit log: filtered, newest first, paged."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromQuery, Parameter
from msgspec import Struct
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit import AuditEntry
from service.auth import manager_only
from service.errors import DomainError


class AuditEntryOut(Struct):
    id: int
    at: datetime
    actor_id: int | None
    actor_username: str | None
    client_address: str | None
    user_agent: str | None
    device: str | None
    entity: str
    entity_id: int | None
    centre_id: int | None
    action: str
    changes: dict[str, Any]


class AuditPage(Struct):
    entries: list[AuditEntryOut]
    # Pass as before_id to get the next (older) page; null on the last page.
    next_before_id: int | None


MAX_PAGE = 500


@get("/api/audit", guards=[manager_only], tags=["audit"])
async def list_audit(
    db_session: NamedDependency[AsyncSession],
    entity: FromQuery[str | None] = None,
    entity_id: FromQuery[int | None] = None,
    centre_id: FromQuery[int | None] = None,
    actor_id: FromQuery[int | None] = None,
    actor: FromQuery[str | None] = None,
    action: FromQuery[str | None] = None,
    since: FromQuery[datetime | None] = None,
    until: FromQuery[datetime | None] = None,
    before_id: FromQuery[int | None] = None,
    # Bounds in the signature, so the schema documents them and Litestar answers 400.
    limit: Annotated[int, Parameter(ge=1, le=MAX_PAGE)] = 100,
) -> AuditPage:
    """The newest entries first, filtered by entity, id, centre, actor (id or username),
    action and time (since included, until excluded); paged by before_id."""
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise DomainError(
                f"{name} needs a time zone, e.g. 2026-11-24T08:00:00Z / fuseau requis"
            )
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    equal_to = (
        (AuditEntry.entity, entity),
        (AuditEntry.entity_id, entity_id),
        (AuditEntry.centre_id, centre_id),
        (AuditEntry.actor_id, actor_id),
        (AuditEntry.actor_username, actor),
        (AuditEntry.action, action),
    )
    for column, wanted in equal_to:
        if wanted is not None:
            query = query.where(column == wanted)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    rows = list((await db_session.execute(query)).scalars().all())
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(
        entries=[
            AuditEntryOut(
                id=row.id,
                at=row.at,
                actor_id=row.actor_id,
                actor_username=row.actor_username,
                client_address=row.client_address,
                user_agent=row.user_agent,
                device=row.device,
                entity=row.entity,
                entity_id=row.entity_id,
                centre_id=row.centre_id,
                action=row.action,
                changes=row.changes,
            )
            for row in rows
        ],
        next_before_id=rows[-1].id if more and rows else None,
    )


audit_handlers = [list_audit]
