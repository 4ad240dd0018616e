"""The shell's administration pages: staff accounts, one's own password, choosing a password
on a set-up link, and the audit log. Server-rendered; the buttons call the JSON API
(static/service/accounts.js, account.js, setup.js), which applies the same rules.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, Parameter
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from msgspec import Meta
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota.models import Centre
from service.account_rules import PASSWORD_RULES
from service.accounts import Role
from service.accounts_api import accounts_out, doctor_choices, visible_accounts
from service.audit_api import AuditFilter, scope_of, search_audit
from service.auth import Principal, admin_only, staff_only
from service.errors import DomainError
from service.nav import StaffPage, every_role
from service.pages import PAGE_EXCEPTION_HANDLERS, staff_page

PAGE: dict[str, Any] = {"exception_handlers": PAGE_EXCEPTION_HANDLERS, "include_in_schema": False}
ADMINS = frozenset({Role.MANAGER, Role.CENTRE_MANAGER})

# The shell's own entries of the top bar (the features declare theirs in their Feature).
SHELL_PAGES = [
    StaffPage("/centres", "nav_centres", ADMINS, order=10),
    StaffPage("/accounts", "nav_accounts", ADMINS, order=40),
    StaffPage("/audit", "nav_audit", ADMINS, order=50),
    StaffPage("/account", "nav_account", every_role(), order=90),
]

# What the audit page's "changes" leave out: the queue's minute-by-minute work (patients'
# tickets and the desk's day) and sign-ins, which are not administration or planning.
QUEUE_ENTITIES = frozenset({"ticket", "centre_day"})
SIGN_IN_ACTIONS = frozenset({"login", "logout", "login_failed"})
AUDIT_PAGE_SIZE = 50
AUDIT_KINDS = (
    "account",
    "centre",
    "room",
    "exceptional_day",
    "cover_needs",
    "doctor",
    "shift",
    "shift_pattern",
    "leave",
    "calendar_token",
    "display_token",
    "display_pairing",
    "ticket",
    "centre_day",
)


def roles_offered(principal: Principal) -> list[Role]:
    """The roles a manager may give: a centre manager, reception and doctors only."""
    if principal.network_wide:
        return [Role.MANAGER, Role.CENTRE_MANAGER, Role.RECEPTION, Role.DOCTOR]
    return [Role.RECEPTION, Role.DOCTOR]


async def _centres_for(session: AsyncSession, principal: Principal) -> list[Centre]:
    rows = (await session.execute(select(Centre).order_by(Centre.name))).scalars().all()
    return [c for c in rows if principal.may_act_at(c.slug)]


@get("/accounts", guards=[admin_only], **PAGE)
async def accounts_page(
    request: Request[Principal, Any, Any],
    db_session: NamedDependency[AsyncSession],
    centre: FromQuery[Annotated[str, Meta(max_length=80)] | None] = None,
    role: FromQuery[Role | None] = None,
) -> Template:
    principal = request.user
    centres = await _centres_for(db_session, principal)
    if centre and not principal.may_act_at(centre):
        centre = None  # not theirs: the whole list they may see instead
    found = await visible_accounts(db_session, principal, centre=centre or None, role=role)
    return staff_page(
        request,
        "service/accounts.html",
        accounts=await accounts_out(db_session, found),
        centres=centres,
        centre_names={c.slug: c.name for c in centres},
        roles=roles_offered(principal),
        doctors=await doctor_choices(db_session, principal),
        chosen_centre=centre or "",
        chosen_role=role.value if role else "",
        password_rules=PASSWORD_RULES,
    )


@get("/account", guards=[staff_only], **PAGE)
async def own_account_page(request: Request[Principal, Any, Any]) -> Template:
    return staff_page(request, "service/account.html", password_rules=PASSWORD_RULES)


@get("/setup", exclude_from_auth=True, opt={"access": "page"}, include_in_schema=False)
async def setup_page(request: Request[Any, Any, Any]) -> Template:
    # The code travels in the link's #fragment, which browsers never send: it stays out of
    # every access log; the page's script reads it and posts it with the chosen password.
    return staff_page(request, "service/setup.html", password_rules=PASSWORD_RULES)


def _day_start(day: str | None, name: str) -> datetime | None:
    if not day:
        return None
    try:
        return datetime.combine(datetime.fromisoformat(day).date(), time(0), tzinfo=UTC)
    except ValueError as exc:
        raise DomainError(f"{name}: date attendue AAAA-MM-JJ / expected YYYY-MM-DD") from exc


Day = Annotated[str, Meta(max_length=10)]
Short = Annotated[str, Meta(max_length=80)]


@get("/audit", guards=[admin_only], **PAGE)
async def audit_page(
    request: Request[Principal, Any, Any],
    db_session: NamedDependency[AsyncSession],
    centre: FromQuery[Short | None] = None,
    person: FromQuery[Short | None] = None,
    kind: FromQuery[Short | None] = None,
    since: FromQuery[Day | None] = None,
    until: FromQuery[Day | None] = None,
    before_id: Annotated[int | None, Parameter(ge=1, le=2**53 - 1)] = None,
) -> Template:
    """Administrative and planning changes, newest first, by centre, person, kind and days
    (since and until both included, UTC days)."""
    principal = request.user
    centres = await _centres_for(db_session, principal)
    by_slug = {c.slug: c for c in centres}
    centre_id = by_slug[centre].id if centre in by_slug else None
    if centre and centre_id is None:
        raise DomainError(f"centre inconnu / unknown centre: {centre}")
    last = _day_start(until, "until")
    everything = kind == "all"
    wanted = AuditFilter(
        entity=None if everything or not kind else kind,
        centre_id=centre_id,
        actor=person or None,
        since=_day_start(since, "since"),
        until=last + timedelta(days=1) if last else None,
        centre_ids=scope_of(principal, centre_id),
        without_entities=frozenset() if everything else QUEUE_ENTITIES,
        without_actions=frozenset() if everything else SIGN_IN_ACTIONS,
    )
    rows, next_before = await search_audit(
        db_session, wanted, before_id=before_id, limit=AUDIT_PAGE_SIZE
    )
    # Suggestions for the person filter: the accounts this manager sees (any name may be typed).
    people = [(a.username, a.display_name) for a in await visible_accounts(db_session, principal)]
    kept = {
        key: value
        for key, value in {
            "centre": centre,
            "person": person,
            "kind": kind,
            "since": since,
            "until": until,
        }.items()
        if value
    }
    names = {c.id: c.name for c in centres}
    return staff_page(
        request,
        "service/audit.html",
        entries=rows,
        centres=centres,
        centre_names=names,
        people=people,
        kinds=AUDIT_KINDS,
        chosen=kept,
        next_page=urlencode({**kept, "before_id": next_before}) if next_before else None,
        first_page=urlencode(kept) if before_id else None,
    )


admin_page_handlers: list[ControllerRouterHandler] = [
    accounts_page,
    own_account_page,
    setup_page,
    audit_page,
]
