"""Staff accounts administration: create, edit, disable, reset, choose and change a password.

Network managers manage every account; centre managers the reception and doctor accounts of
their own centres. A new account (or a reset one) gets a one-time set-up code, shown once in
the answer and kept only as a hash, on which the person chooses their password. Every change
goes through the change path and is audited; passwords and codes never reach the log.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from litestar.types import ControllerRouterHandler
from msgspec import UNSET, Meta, Struct, UnsetType
from sqlalchemy import column, delete, insert, select, table, update
from sqlalchemy.ext.asyncio import AsyncSession

from rota.models import Centre
from service.account_rules import (
    SETUP_VALID_FOR,
    management_problem,
    new_setup_token,
    password_problem,
    setup_usable,
    shape_problem,
    token_digest,
)
from service.accounts import (
    NO_PASSWORD,
    AccountSetup,
    Role,
    StaffAccount,
    hash_password,
    managed_centre,
    password_matches,
)
from service.auth import Principal, admin_only, staff_only
from service.changes import Change, change_path
from service.errors import Conflict, DomainError, NotFound
from service.params import RowId
from service.state import shell
from service.text import HumanText

# The rota's doctor records, named here (as the change path names the centre table) so that
# the shell links an account to its doctor without importing the rota's models: the rota keeps
# the link on the doctor's row (doctor.account_id, unique).
_DOCTOR = table("doctor", column("id"), column("display_name"), column("account_id"))

Username = Annotated[str, Meta(min_length=3, max_length=80, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
DisplayName = Annotated[HumanText, Meta(min_length=1, max_length=120)]
CentreSlugs = Annotated[list[Annotated[str, Meta(max_length=80)]], Meta(max_length=100)]
Password = Annotated[str, Meta(min_length=1, max_length=200)]
SetupCode = Annotated[str, Meta(min_length=16, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


class AccountIn(Struct, forbid_unknown_fields=True):
    username: Username
    display_name: DisplayName
    role: Role
    centres: CentreSlugs = []
    doctor_id: Annotated[int, Meta(ge=1, le=2**53 - 1)] | None = None


class AccountPatch(Struct, forbid_unknown_fields=True):
    display_name: DisplayName | UnsetType = UNSET
    role: Role | UnsetType = UNSET
    centres: CentreSlugs | UnsetType = UNSET
    doctor_id: Annotated[int, Meta(ge=1, le=2**53 - 1)] | UnsetType | None = UNSET


class AccountOut(Struct):
    id: int
    username: str
    display_name: str
    role: str
    centres: list[str]
    doctor_id: int | None
    doctor_name: str | None
    active: bool
    # False until the person has chosen a password on their set-up link.
    password_set: bool
    last_login_at: datetime | None
    created_at: datetime


class SetupOut(Struct):
    """A set-up code, shown this once: give it (or the link) to the person."""

    account: AccountOut
    code: str
    path: str  # the set-up page with the code, to prefix with the service's address
    expires_at: datetime


class SetupIn(Struct, forbid_unknown_fields=True):
    code: SetupCode
    password: Password


class SetupDone(Struct):
    username: str
    display_name: str


class PasswordChange(Struct, forbid_unknown_fields=True):
    current_password: Password
    new_password: Password


class DoctorChoice(Struct):
    id: int
    display_name: str
    account_id: int | None


# --- reading ---------------------------------------------------------------------------------


async def _centres_by_slug(session: AsyncSession, slugs: Sequence[str]) -> dict[str, int]:
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        return {}
    rows = await session.execute(select(Centre.slug, Centre.id).where(Centre.slug.in_(wanted)))
    found = {str(slug): int(cid) for slug, cid in rows.all()}
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        raise NotFound(f"centre inconnu / unknown centre: {', '.join(unknown)}")
    return found


async def account_centres(
    session: AsyncSession, accounts: Sequence[StaffAccount]
) -> dict[int, list[str]]:
    """Each account's centres' slugs: its own centre, or a centre manager's centres."""
    ids = [a.id for a in accounts]
    slugs = dict((await session.execute(select(Centre.id, Centre.slug))).tuples().all())
    result: dict[int, list[str]] = defaultdict(list)
    for account in accounts:
        if account.centre_id is not None:
            result[account.id].append(slugs[account.centre_id])
    if ids:
        managed = await session.execute(
            select(managed_centre.c.account_id, managed_centre.c.centre_id).where(
                managed_centre.c.account_id.in_(ids)
            )
        )
        for account_id, centre_id in managed.tuples().all():
            result[account_id].append(slugs[centre_id])
    return {key: sorted(value) for key, value in result.items()}


async def _doctors_of(
    session: AsyncSession, account_ids: Sequence[int]
) -> dict[int, tuple[int, str]]:
    if not account_ids:
        return {}
    rows = await session.execute(
        select(_DOCTOR.c.account_id, _DOCTOR.c.id, _DOCTOR.c.display_name).where(
            _DOCTOR.c.account_id.in_(account_ids)
        )
    )
    return {int(aid): (int(did), str(name)) for aid, did, name in rows.tuples().all()}


async def accounts_out(session: AsyncSession, accounts: Sequence[StaffAccount]) -> list[AccountOut]:
    centres = await account_centres(session, accounts)
    doctors = await _doctors_of(session, [a.id for a in accounts])
    return [
        AccountOut(
            id=a.id,
            username=a.username,
            display_name=a.display_name,
            role=str(a.role),
            centres=centres.get(a.id, []),
            doctor_id=doctors[a.id][0] if a.id in doctors else None,
            doctor_name=doctors[a.id][1] if a.id in doctors else None,
            active=a.active,
            password_set=a.password_hash != NO_PASSWORD,
            last_login_at=a.last_login_at,
            created_at=a.created_at,
        )
        for a in accounts
    ]


async def visible_accounts(
    session: AsyncSession,
    principal: Principal,
    *,
    centre: str | None = None,
    role: Role | None = None,
    active: bool | None = None,
) -> list[StaffAccount]:
    """The accounts a manager may see, by display name: every one for a network manager; a
    centre manager's own centres' reception and doctors."""
    query = select(StaffAccount).order_by(StaffAccount.display_name, StaffAccount.id)
    if not principal.network_wide:
        query = query.where(
            StaffAccount.role.in_([Role.RECEPTION, Role.DOCTOR]),
            StaffAccount.centre_id.in_(principal.centre_ids),
        )
    if centre is not None:
        centre_id = (
            await session.execute(select(Centre.id).where(Centre.slug == centre))
        ).scalar_one_or_none()
        if centre_id is None:
            return []  # no such centre: nobody works there
        in_managed = select(managed_centre.c.account_id).where(
            managed_centre.c.centre_id == centre_id
        )
        query = query.where((StaffAccount.centre_id == centre_id) | StaffAccount.id.in_(in_managed))
    if role is not None:
        query = query.where(StaffAccount.role == role)
    if active is not None:
        query = query.where(StaffAccount.active.is_(active))
    return list((await session.execute(query)).scalars().all())


async def doctor_choices(session: AsyncSession, principal: Principal) -> list[DoctorChoice]:
    """The rota's active doctors, for linking a doctor's account to its record: a centre
    manager's choice is the doctors attached to their centres."""
    doctor = table(
        "doctor", column("id"), column("display_name"), column("account_id"), column("active")
    )
    query = (
        select(doctor.c.id, doctor.c.display_name, doctor.c.account_id)
        .where(doctor.c.active.is_(True))
        .order_by(doctor.c.display_name)
    )
    if not principal.network_wide:
        attached = table("doctor_centre", column("doctor_id"), column("centre_id"))
        query = query.where(
            doctor.c.id.in_(
                select(attached.c.doctor_id).where(attached.c.centre_id.in_(principal.centre_ids))
            )
        )
    rows = await session.execute(query)
    return [DoctorChoice(int(i), str(n), a) for i, n, a in rows.tuples().all()]


# --- writing ---------------------------------------------------------------------------------


def _refuse(problem: str | None) -> None:
    if problem is not None:
        raise PermissionDeniedException(problem)


def _invalid(problem: str | None) -> None:
    if problem is not None:
        raise DomainError(problem)


async def _existing_centres(session: AsyncSession, account: StaffAccount) -> list[int]:
    if account.centre_id is not None:
        return [account.centre_id]
    rows = await session.execute(
        select(managed_centre.c.centre_id).where(managed_centre.c.account_id == account.id)
    )
    return [int(cid) for cid in rows.scalars().all()]


async def _set_centres(session: AsyncSession, account: StaffAccount, centre_ids: list[int]) -> None:
    """One centre on the row for reception and doctors; a centre manager's in their table."""
    await session.execute(delete(managed_centre).where(managed_centre.c.account_id == account.id))
    if Role(account.role) is Role.CENTRE_MANAGER:
        account.centre_id = None
        if centre_ids:
            await session.execute(
                insert(managed_centre),
                [{"account_id": account.id, "centre_id": cid} for cid in centre_ids],
            )
    else:
        account.centre_id = centre_ids[0] if centre_ids else None


async def _link_doctor(
    session: AsyncSession, account_id: int, doctor_id: int | None, principal: Principal
) -> None:
    """The doctor's record names this account, and no other record does; a centre manager
    links only doctors attached to their centres."""
    await session.execute(
        update(_DOCTOR)
        .where(_DOCTOR.c.account_id == account_id, _DOCTOR.c.id != (doctor_id or 0))
        .values(account_id=None)
    )
    if doctor_id is None:
        return
    holder = (
        await session.execute(select(_DOCTOR.c.account_id).where(_DOCTOR.c.id == doctor_id))
    ).one_or_none()
    reachable = principal.network_wide or doctor_id in {
        choice.id for choice in await doctor_choices(session, principal)
    }
    if holder is None or not reachable:
        raise NotFound(f"médecin inconnu / unknown doctor: {doctor_id}")
    if holder[0] is not None and holder[0] != account_id:
        raise Conflict(
            "cette fiche médecin est déjà liée à un autre compte / "
            "this doctor's record is linked to another account already"
        )
    await session.execute(
        update(_DOCTOR).where(_DOCTOR.c.id == doctor_id).values(account_id=account_id)
    )


def _audited_fields(
    account: StaffAccount, centres: list[str], doctor_id: int | None
) -> dict[str, Any]:
    # Never the password hash: the entry says what changed, not what the secret is.
    return {
        "username": account.username,
        "display_name": account.display_name,
        "role": str(account.role),
        "centres": centres,
        "doctor_id": doctor_id,
        "active": account.active,
    }


async def _new_setup(change: Change, account: StaffAccount) -> tuple[str, datetime]:
    """A fresh one-time code for the account; any earlier unused one stops working."""
    now = change.clock()
    await change.session.execute(
        update(AccountSetup)
        .where(AccountSetup.account_id == account.id, AccountSetup.used_at.is_(None))
        .values(used_at=now)
    )
    code = new_setup_token()
    expires = now + SETUP_VALID_FOR
    change.session.add(
        AccountSetup(account_id=account.id, token_hash=token_digest(code), expires_at=expires)
    )
    return code, expires


def _audit_centre(centre_ids: list[int]) -> int | None:
    return centre_ids[0] if centre_ids else None


async def _managed_account(
    session: AsyncSession, principal: Principal, account_id: int
) -> tuple[StaffAccount, list[int]]:
    account = await session.get(StaffAccount, account_id)
    if account is None:
        raise NotFound(f"compte inconnu / unknown account: {account_id}")
    centre_ids = await _existing_centres(session, account)
    problem = management_problem(
        principal.role, principal.centre_ids, Role(account.role), centre_ids
    )
    if problem is not None and not principal.network_wide:
        # Outside their reach, an account is as if it did not exist: no probing of usernames.
        raise NotFound(f"compte inconnu / unknown account: {account_id}")
    return account, centre_ids


def create_account_row(
    username: str, display_name: str, role: Role, password_hash: str = NO_PASSWORD
) -> StaffAccount:
    return StaffAccount(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=password_hash,
        active=True,
        session_generation=0,
    )


def _principal(request: Request[Any, Any, Any]) -> Principal:
    user = request.scope.get("user")
    assert isinstance(user, Principal)  # the guards let only staff through
    return user


def _ended(request: Request[Any, Any, Any], account_id: int) -> None:
    """After the commit: this process's open feeds of the account close now."""
    shell(request.app).session_ends.ended(account_id)


class AccountController(Controller):
    path = "/api/accounts"
    guards = [admin_only]
    tags = ["accounts"]

    @get("/")
    async def list_accounts(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        centre: FromQuery[Annotated[str, Meta(max_length=80)] | None] = None,
        role: FromQuery[Role | None] = None,
        active: FromQuery[bool | None] = None,
    ) -> list[AccountOut]:
        """The accounts the caller manages, with their last sign-in."""
        found = await visible_accounts(
            db_session, _principal(request), centre=centre, role=role, active=active
        )
        return await accounts_out(db_session, found)

    @get("/doctors")
    async def list_doctor_records(
        self, request: Request[Principal, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> list[DoctorChoice]:
        """The doctors' records an account may be linked to (account_id: linked already)."""
        return await doctor_choices(db_session, _principal(request))

    @post("/", status_code=HTTP_201_CREATED)
    async def create_account(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[AccountIn],
    ) -> SetupOut:
        """A new account and its one-time set-up code (shown only in this answer)."""
        principal = _principal(request)
        role = Role(data.role)
        _invalid(shape_problem(role, len(set(data.centres)), data.doctor_id is not None))
        async with change_path(request, db_session).change() as change:
            centres = await _centres_by_slug(db_session, data.centres)
            centre_ids = list(centres.values())
            _refuse(management_problem(principal.role, principal.centre_ids, role, centre_ids))
            taken = await db_session.execute(
                select(StaffAccount.id).where(StaffAccount.username == data.username)
            )
            if taken.first() is not None:
                raise Conflict(f"identifiant déjà pris / username taken: {data.username}")
            account = create_account_row(data.username, data.display_name, role)
            db_session.add(account)
            await db_session.flush()
            await _set_centres(db_session, account, centre_ids)
            await _link_doctor(db_session, account.id, data.doctor_id, principal)
            code, expires = await _new_setup(change, account)
            await change.audit(
                "account",
                account.id,
                "create",
                centre_id=_audit_centre(centre_ids),
                after=_audited_fields(account, sorted(centres), data.doctor_id),
            )
            await db_session.flush()
            (out,) = await accounts_out(db_session, [account])
        return SetupOut(out, code, f"/setup#{code}", expires)

    @patch("/{account_id:int}")
    async def update_account(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        account_id: RowId,
        data: JSONBody[AccountPatch],
    ) -> AccountOut:
        """Name, role, centres, linked doctor."""
        principal = _principal(request)
        async with change_path(request, db_session).change() as change:
            account, old_ids = await _managed_account(db_session, principal, account_id)
            old_doctor = (await _doctors_of(db_session, [account.id])).get(account.id)
            (before,) = await accounts_out(db_session, [account])
            role = Role(account.role) if isinstance(data.role, UnsetType) else Role(data.role)
            if account.id == principal.account_id and role is not Role(account.role):
                raise Conflict(
                    "vous ne pouvez pas changer votre propre rôle / you cannot change your own role"
                )
            if isinstance(data.centres, UnsetType):
                centre_ids = old_ids
                slugs = before.centres
            else:
                centres = await _centres_by_slug(db_session, data.centres)
                centre_ids, slugs = list(centres.values()), sorted(centres)
            if isinstance(data.doctor_id, UnsetType):
                doctor_id = old_doctor[0] if old_doctor and role is Role.DOCTOR else None
            else:
                doctor_id = data.doctor_id
            _invalid(shape_problem(role, len(centre_ids), doctor_id is not None))
            # The account as it will be must be theirs to manage too (no promoting to manager).
            _refuse(management_problem(principal.role, principal.centre_ids, role, centre_ids))
            if not isinstance(data.display_name, UnsetType):
                account.display_name = data.display_name
            role_changed = role is not Role(account.role)
            account.role = role
            await _set_centres(db_session, account, centre_ids)
            await _link_doctor(db_session, account.id, doctor_id, principal)
            if role_changed or sorted(old_ids) != sorted(centre_ids):
                # What the sessions may do changed: sign the person in again under the new rules.
                account.session_generation += 1
            after = _audited_fields(account, slugs, doctor_id)
            before_fields = {
                "display_name": before.display_name,
                "role": before.role,
                "centres": before.centres,
                "doctor_id": before.doctor_id,
            }
            await change.audit(
                "account",
                account.id,
                "update",
                centre_id=_audit_centre(centre_ids or old_ids),
                before=before_fields,
                after={key: after[key] for key in before_fields},
            )
            await db_session.flush()
            (out,) = await accounts_out(db_session, [account])
        _ended(request, account.id)
        return out

    @post("/{account_id:int}/disable", status_code=HTTP_200_OK)
    async def disable_account(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        account_id: RowId,
    ) -> AccountOut:
        """No more sign-in; every session ends and every open staff feed closes."""
        principal = _principal(request)
        if account_id == principal.account_id:
            raise Conflict(
                "vous ne pouvez pas désactiver votre propre compte / "
                "you cannot disable your own account"
            )
        async with change_path(request, db_session).change() as change:
            account, centre_ids = await _managed_account(db_session, principal, account_id)
            if account.active:
                account.active = False
                account.session_generation += 1
                await change.audit(
                    "account",
                    account.id,
                    "disable",
                    centre_id=_audit_centre(centre_ids),
                    before={"active": True},
                    after={"active": False},
                )
            (out,) = await accounts_out(db_session, [account])
        _ended(request, account_id)
        return out

    @post("/{account_id:int}/enable", status_code=HTTP_200_OK)
    async def enable_account(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        account_id: RowId,
    ) -> AccountOut:
        """Sign-in allowed again (the sessions it had stay ended)."""
        async with change_path(request, db_session).change() as change:
            account, centre_ids = await _managed_account(
                db_session, _principal(request), account_id
            )
            if not account.active:
                account.active = True
                await change.audit(
                    "account",
                    account.id,
                    "enable",
                    centre_id=_audit_centre(centre_ids),
                    before={"active": False},
                    after={"active": True},
                )
            (out,) = await accounts_out(db_session, [account])
        return out

    @post("/{account_id:int}/reset", status_code=HTTP_201_CREATED)
    async def reset_account(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        account_id: RowId,
    ) -> SetupOut:
        """A new one-time set-up code (earlier ones stop working); the present password works
        until the person chooses a new one."""
        async with change_path(request, db_session).change() as change:
            account, centre_ids = await _managed_account(
                db_session, _principal(request), account_id
            )
            code, expires = await _new_setup(change, account)
            await change.audit("account", account.id, "reset", centre_id=_audit_centre(centre_ids))
            (out,) = await accounts_out(db_session, [account])
        return SetupOut(out, code, f"/setup#{code}", expires)


@post("/api/account-setup", status_code=HTTP_200_OK, tags=["accounts"], opt={"access": "token"})
async def choose_password(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    data: JSONBody[SetupIn],
) -> SetupDone:
    """Choose a password with a one-time set-up code; the code is spent, earlier sessions end."""
    now = shell(request.app).clock()
    digest = token_digest(data.code)
    found = (
        await db_session.execute(
            select(AccountSetup, StaffAccount)
            .join(StaffAccount, StaffAccount.id == AccountSetup.account_id)
            .where(AccountSetup.token_hash == digest)
        )
    ).one_or_none()
    # Unknown, spent or expired: a credential refused, like an unknown token (404).
    if found is None or not setup_usable(found[0].expires_at, found[0].used_at, now):
        raise NotFound(
            "ce lien n'est plus valable (déjà utilisé ou expiré): demandez-en un nouveau / "
            "this link is no longer valid (used or expired): ask for a new one"
        )
    setup, account = found
    if not account.active:
        raise NotFound("ce compte est désactivé / this account is disabled")
    _invalid(password_problem(data.password, account.username, account.display_name))
    password_hash = await asyncio.to_thread(hash_password, data.password)
    async with change_path(request, db_session).change() as change:
        # Spent under the gate and checked again: two tabs posting at once use it once.
        spent = await db_session.execute(
            update(AccountSetup)
            .where(AccountSetup.id == setup.id, AccountSetup.used_at.is_(None))
            .values(used_at=now)
        )
        if getattr(spent, "rowcount", 1) != 1:
            raise NotFound("ce lien a déjà servi / this link was used already")
        account.password_hash = password_hash
        account.session_generation += 1
        await change.audit(
            "account",
            account.id,
            "password_set",
            centre_id=account.centre_id,
            after={"by": "setup_link"},
        )
    _ended(request, account.id)
    return SetupDone(account.username, account.display_name)


@post("/api/auth/password", status_code=HTTP_204_NO_CONTENT, tags=["auth"], guards=[staff_only])
async def change_own_password(
    request: Request[Principal, Any, Any],
    db_session: NamedDependency[AsyncSession],
    data: JSONBody[PasswordChange],
) -> None:
    """Your own password: the current one first. Your other sessions end; this one stays."""
    principal = _principal(request)
    account = await db_session.get(StaffAccount, principal.account_id)
    if account is None:
        raise NotFound("compte inconnu / unknown account")
    if not await password_matches(account.password_hash, data.current_password):
        # The credential refused (like a wrong sign-in), not a malformed request.
        raise PermissionDeniedException("mot de passe actuel incorrect / current password is wrong")
    _invalid(password_problem(data.new_password, account.username, account.display_name))
    password_hash = await asyncio.to_thread(hash_password, data.new_password)
    async with change_path(request, db_session).change() as change:
        account.password_hash = password_hash
        account.session_generation += 1
        await change.audit("account", account.id, "password_change", centre_id=account.centre_id)
        generation = account.session_generation
    request.session["generation"] = generation
    _ended(request, account.id)  # this page's own feed reconnects with the renewed session


account_handlers: list[ControllerRouterHandler] = [
    AccountController,
    choose_password,
    change_own_password,
]
