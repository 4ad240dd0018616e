"""The managers' view of the audit log: filtered, newest first, paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromQuery, Parameter
from msgspec import Struct
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit import AuditEntry
from service.auth import Principal, admin_only
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


@dataclass(frozen=True)
class AuditFilter:
    """What the API and the audit page filter by (None: any)."""

    entity: str | None = None
    entity_id: int | None = None
    centre_id: int | None = None
    actor_id: int | None = None
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    # A centre manager sees only the entries of their centres.
    centre_ids: frozenset[int] | None = None
    # Left out unless asked for by name (the audit page's "changes only").
    without_entities: frozenset[str] = frozenset()
    without_actions: frozenset[str] = frozenset()


def scope_of(principal: Principal, centre_id: int | None) -> frozenset[int] | None:
    """The centres a caller's audit search is limited to (None: the whole network)."""
    if principal.network_wide:
        return None
    if centre_id is not None and not principal.may_act_at_id(centre_id):
        raise PermissionDeniedException("not your centre / ce centre n'est pas le vôtre")
    return principal.centre_ids


async def search_audit(
    session: AsyncSession, wanted: AuditFilter, *, before_id: int | None, limit: int
) -> tuple[list[AuditEntry], int | None]:
    """The newest matching entries first, and the before_id of the next page (or None)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    equal_to = (
        (AuditEntry.entity, wanted.entity),
        (AuditEntry.entity_id, wanted.entity_id),
        (AuditEntry.centre_id, wanted.centre_id),
        (AuditEntry.actor_id, wanted.actor_id),
        (AuditEntry.actor_username, wanted.actor),
        (AuditEntry.action, wanted.action),
    )
    for column, value in equal_to:
        if value is not None:
            query = query.where(column == value)
    if wanted.centre_ids is not None:
        query = query.where(AuditEntry.centre_id.in_(wanted.centre_ids))
    if wanted.without_entities and wanted.entity is None:
        query = query.where(AuditEntry.entity.not_in(wanted.without_entities))
    if wanted.without_actions and wanted.action is None:
        query = query.where(AuditEntry.action.not_in(wanted.without_actions))
    if wanted.since is not None:
        query = query.where(AuditEntry.at >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditEntry.at < wanted.until)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    rows = list((await session.execute(query)).scalars().all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1].id if more and rows else None


@get("/api/audit", guards=[admin_only], tags=["audit"])
async def list_audit(
    request: Request[Principal, Any, Any],
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
    action and time (since included, until excluded); paged by before_id. A centre manager
    sees their centres' entries only."""
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise DomainError(
                f"{name} needs a time zone, e.g. 2026-11-24T08:00:00Z / fuseau requis"
            )
    wanted = AuditFilter(
        entity=entity,
        entity_id=entity_id,
        centre_id=centre_id,
        actor_id=actor_id,
        actor=actor,
        action=action,
        since=since,
        until=until,
        centre_ids=scope_of(request.user, centre_id),
    )
    rows, next_before_id = await search_audit(db_session, wanted, before_id=before_id, limit=limit)
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
        next_before_id=next_before_id,
    )


audit_handlers = [list_audit]
