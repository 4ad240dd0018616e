"""Login sessions and guards: who may do what, and at which centre."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.exceptions import (
    NotAuthorizedException,
    PermissionDeniedException,
    TooManyRequestsException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.session.server_side import ServerSideSessionBackend
from litestar.params import JSONBody
from litestar.security.session_auth import SessionAuth
from msgspec import Meta, Struct
from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from rota.models import Centre
from service.accounts import Role, StaffAccount, managed_centre, password_matches
from service.audit import actor_of
from service.changes import change_path
from service.sessions import (
    SESSION_COOKIE,
    SESSION_STORE,
    RotatingSessionConfig,
    rotate_session,
    session_is_current,
    start_session,
)
from service.settings import Settings
from service.state import shell
from service.text import HumanText


@dataclass(frozen=True)
class Principal:
    """The signed-in staff member, as guards and handlers see them."""

    account_id: int
    username: str
    display_name: str
    role: Role
    centre_id: int | None
    centre_slug: str | None
    # Every centre the account may act at (a centre manager's centres, else its own one);
    # empty for a network manager, who acts everywhere.
    centre_slugs: frozenset[str] = frozenset()
    centre_ids: frozenset[int] = frozenset()

    @property
    def network_wide(self) -> bool:
        return self.role is Role.MANAGER

    @property
    def administers(self) -> bool:
        """Runs administration and rota: a network manager, or a centre manager of theirs."""
        return self.role in (Role.MANAGER, Role.CENTRE_MANAGER)

    def may_act_at(self, centre_slug: str) -> bool:
        return self.network_wide or centre_slug in self.centre_slugs

    def may_act_at_id(self, centre_id: int | None) -> bool:
        """For rows that name a centre by id (None: network-wide, network managers only)."""
        if self.network_wide:
            return True
        return centre_id is not None and centre_id in self.centre_ids


async def retrieve_principal(
    session: dict[str, Any], connection: ASGIConnection[Any, Any, Any, Any]
) -> Principal | None:
    account_id = session.get("account_id")
    if not isinstance(account_id, int) or not session_is_current(session, connection):
        return None
    # Read the account on each request so that a deactivated account stops at once. An HTTP
    # request reads it on its own database session (the one its handler gets as db_session,
    # closed by the SQLAlchemy plugin when the answer starts): no second pool checkout and
    # transaction per request. A WebSocket has no such session and opens one.
    config = shell(connection.app).db
    if connection.scope["type"] == ScopeType.HTTP:
        db = config.provide_session(connection.app.state, connection.scope)
        return await _principal_of(db, session, account_id)
    async with config.get_session() as own:
        return await _principal_of(own, session, account_id)


_ACCOUNT: Table = StaffAccount.__table__  # type: ignore[assignment]
_CENTRE: Table = Centre.__table__  # type: ignore[assignment]
# Read on every staff request: Core columns (no ORM object), and built once, as SQLAlchemy
# memoises a statement's cache key on the statement object.
_ACCOUNT_OF_SESSION = (
    select(
        _ACCOUNT.c.id,
        _ACCOUNT.c.username,
        _ACCOUNT.c.display_name,
        _ACCOUNT.c.role,
        _ACCOUNT.c.centre_id,
        _ACCOUNT.c.active,
        _ACCOUNT.c.session_generation,
        _CENTRE.c.slug,
    )
    .select_from(_ACCOUNT.outerjoin(_CENTRE, _CENTRE.c.id == _ACCOUNT.c.centre_id))
    .where(_ACCOUNT.c.id == bindparam("p_account"))
)
_MANAGED_CENTRES = (
    select(_CENTRE.c.id, _CENTRE.c.slug)
    .join(managed_centre, managed_centre.c.centre_id == _CENTRE.c.id)
    .where(managed_centre.c.account_id == bindparam("p_account"))
)


async def _principal_of(
    db: AsyncSession, session: dict[str, Any], account_id: int
) -> Principal | None:
    account = (await db.execute(_ACCOUNT_OF_SESSION, {"p_account": account_id})).one_or_none()
    if account is None or not account.active:
        return None
    slug = account.slug
    # A session from before the account's last disable or new password has ended.
    if session.get("generation", 0) != account.session_generation:
        return None
    role = Role(account.role)
    centres: dict[int, str] = {account.centre_id: slug} if account.centre_id and slug else {}
    if role is Role.CENTRE_MANAGER:
        managed = await db.execute(_MANAGED_CENTRES, {"p_account": account.id})
        centres.update({int(cid): str(cslug) for cid, cslug in managed.all()})
    return Principal(
        account_id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=role,
        centre_id=account.centre_id,
        centre_slug=slug,
        centre_slugs=frozenset(centres.values()),
        centre_ids=frozenset(centres),
    )


def make_session_auth(settings: Settings) -> SessionAuth[Principal, ServerSideSessionBackend]:
    return SessionAuth[Principal, ServerSideSessionBackend](
        retrieve_user_handler=retrieve_principal,
        session_backend_config=RotatingSessionConfig(
            store=SESSION_STORE,
            key=SESSION_COOKIE,
            max_age=settings.session_max_age_s,
            httponly=True,
            # Lax: the cookie is not sent on cross-site posts; CSRF checks do the rest.
            samesite="lax",
            secure=settings.secure_cookies,
        ),
        exclude=[
            "^/health",
            "^/schema",
            "^/api/auth/login",
            "^/static",
            "^/$",
            "^/cal/",
            # Screens and the public wait board: the feed and the screen page check a display
            # token or the staff session themselves; pairing is anonymous until confirmed.
            "^/display/",
            "^/ws/centres/",
            "^/api/public/",
            "^/attente",
            "^/api/displays/pair",
            # Choosing a password on a one-time set-up link: the code is the credential.
            "^/api/account-setup$",
            "^/setup$",
            # The patient's phone: the ticket's link token is the credential, checked inside.
            "^/t/",
            "^/api/patient/",
            "^/ws/tickets$",
        ],
    )


def _principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException("sign in first / connectez-vous")
    return user


class RoleGuard:
    """Refuses anyone without one of `roles`; the roles are readable, so tests can enumerate
    which route needs whom."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)
        self.__name__ = f"requires_role({', '.join(r.value for r in roles)})"

    # Async, as every guard here: Litestar runs a sync guard in its thread pool, and under
    # load the request then waits for a thread and the GIL (a fifth of the samples).
    async def __call__(
        self, connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
    ) -> None:
        if _principal(connection).role not in self.roles:
            raise PermissionDeniedException(
                f"this needs the role {' or '.join(sorted(self.roles))} / accès refusé"
            )


def requires_role(*roles: Role) -> RoleGuard:
    return RoleGuard(*roles)


async def centre_scope(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Reception and doctors act only at their own centre, centre managers at theirs; network
    managers everywhere."""
    slug = connection.path_params.get("centre_slug")
    if slug is not None and not _principal(connection).may_act_at(str(slug)):
        raise PermissionDeniedException("not your centre / ce centre n'est pas le vôtre")


staff_only = requires_role(Role.MANAGER, Role.CENTRE_MANAGER, Role.RECEPTION, Role.DOCTOR)
# Network-wide administration and planning: network managers only.
manager_only = requires_role(Role.MANAGER)
# A centre's administration and rota: network managers, and centre managers at their centres
# (always together with centre_scope, or a check of the centre the body names).
admin_only = requires_role(Role.MANAGER, Role.CENTRE_MANAGER)


class LoginRequest(Struct, forbid_unknown_fields=True):
    username: Annotated[HumanText, Meta(min_length=1, max_length=80)]
    password: Annotated[str, Meta(min_length=1, max_length=200)]


class Me(Struct):
    username: str
    display_name: str
    role: str
    centre: str | None


def _me(p: Principal) -> Me:
    return Me(p.username, p.display_name, p.role.value, p.centre_slug)


@post("/api/auth/login", status_code=200, tags=["auth"], opt={"access": "login"})
async def login(
    data: JSONBody[LoginRequest],
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
) -> Me:
    throttle = shell(request.app).login_throttle
    actor = actor_of(request)
    client = actor.client_address or "unknown"
    wait = await throttle.retry_after(data.username, client)
    if wait:
        raise TooManyRequestsException(
            f"too many failed sign-ins, try again in {wait} s / trop d'essais, réessayez plus tard",
            headers={"Retry-After": str(wait)},
        )
    account = (
        await db_session.execute(select(StaffAccount).where(StaffAccount.username == data.username))
    ).scalar_one_or_none()
    # An unknown username costs the time of a real check too: no username oracle.
    matches = await password_matches(account.password_hash if account else None, data.password)
    if account is None or not account.active or not matches:
        await throttle.failed(data.username, client)
        if account is not None:
            # Unknown usernames are not logged: people type their password there by mistake.
            # The entry is the change; the refusal that follows is the answer meant.
            async with change_path(request, db_session, actor).change() as change:
                await change.audit(
                    "account", account.id, "login_failed", centre_id=account.centre_id
                )
        raise NotAuthorizedException("wrong username or password / identifiants incorrects")
    await throttle.succeeded(data.username, client)
    # A new session id at sign-in, so an id planted before it (fixation) is worth nothing.
    await rotate_session(request)
    start_session(request, account.id, account.session_generation)
    principal = await retrieve_principal(request.session, request)
    assert principal is not None
    signed_in = replace(actor, account_id=account.id, username=account.username)
    async with change_path(request, db_session, signed_in).change() as change:
        account.last_login_at = change.clock()
        await change.audit("account", account.id, "login", centre_id=account.centre_id)
    return _me(principal)


@post("/api/auth/logout", status_code=204, tags=["auth"], guards=[staff_only])
async def logout(
    request: Request[Principal, Any, Any], db_session: NamedDependency[AsyncSession]
) -> None:
    # Clearing deletes the session from the store: the cookie is worthless from now on.
    request.clear_session()
    principal = _principal(request)
    async with change_path(request, db_session).change() as change:
        await change.audit("account", principal.account_id, "logout", centre_id=principal.centre_id)


@get("/api/auth/me", tags=["auth"], guards=[staff_only])
async def me(request: Request[Principal, Any, Any]) -> Me:
    return _me(_principal(request))


auth_handlers = [login, logout, me]
