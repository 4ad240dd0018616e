"""The patient's phone: the ticket's own page and API (the link token is the credential),
joining a queue from home, and the QR code and slip reception hands over.

Nothing here shows or accepts a name. A link works on its ticket's service day only; every
route is rate-limited per address (service/protections.py), and a token that cannot be one is
refused before any database read.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Annotated, Any

import segno
from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.params import JSONBody
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from litestar.types import ControllerRouterHandler
from msgspec import Meta, Struct
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from notify.reads import BadPhone, to_e164
from queues.handlers import desk_only, provide_ops
from queues.links import RemoteCaps, remote_allowed
from queues.live import EstimateCache
from queues.models import RemoteJoin, Ticket
from queues.notices import IN_LINE, notify_near
from queues.ordering import Priority
from queues.patient_view import link_expired, patient_view, ticket_by_token
from queues.schemas import AheadCount, NearMinutes
from queues.service import PatientOptions, QueueOps
from queues.states import Action, TicketStatus
from rota import reads as rota_reads
from rota.models import Centre
from rota.reads import provide_centre
from service.auth import centre_scope, manager_only, staff_only
from service.errors import Conflict, DomainError, NotFound
from service.pages import staff_page
from service.params import PathText, RowId
from service.state import shell

TOKEN_ACCESS = {"access": "token"}
PUBLIC_ACCESS = {"access": "public"}
DEVICE_COOKIE = "walkin_device"
MAX_PUSH_SUBSCRIPTION = 2000


class Gone(DomainError):
    status_code = 410


class NearRequest(Struct, forbid_unknown_fields=True):
    """The patient's choice of "your turn is near" messages (None: that rule off)."""

    ahead: AheadCount | None = None
    minutes: NearMinutes | None = None
    called: bool = True
    # A French or Belgian mobile, kept only with consent; null with consent false erases it.
    phone: Annotated[str, Meta(max_length=32)] | None = None
    sms_consent: bool = False
    # The browser's PushSubscription (JSON), from the ticket page; "" forgets it.
    push_subscription: Annotated[str, Meta(max_length=MAX_PUSH_SUBSCRIPTION)] | None = None


class JoinRequest(Struct, forbid_unknown_fields=True):
    phone: Annotated[str, Meta(max_length=32)] | None = None
    sms_consent: bool = False
    notify_ahead: AheadCount | None = None


class JoinOut(Struct):
    number: str
    link: str


class ArriveRequest(Struct, forbid_unknown_fields=True):
    entrance: Annotated[str, Meta(min_length=8, max_length=64)]


class RemoteJoinSetting(Struct, forbid_unknown_fields=True):
    enabled: bool
    max_share: Annotated[float, Meta(ge=0.0, le=1.0)] = 0.3
    grace_min: Annotated[int, Meta(ge=1, le=120)] = 15


async def _view_now(
    request: Request[Any, Any, Any], session: AsyncSession, ticket: Ticket, centre: Centre
) -> dict[str, Any]:
    """What the patient's page shows of the ticket now, from the app's clock and estimates."""
    app = shell(request.app)
    return await patient_view(session, ticket, centre, app.clock(), app.part(EstimateCache))


async def _ticket_of_link(
    request: Request[Any, Any, Any], session: AsyncSession, token: str
) -> tuple[Ticket, Centre]:
    found = await ticket_by_token(session, token)
    if found is None:
        raise NotFound("no ticket for this link / lien inconnu")
    ticket, centre = found
    if link_expired(ticket, centre, shell(request.app).clock()):
        raise Gone("this ticket was for another day / ce ticket était pour un autre jour")
    return found


def _phone_with_consent(centre: Centre, phone: str | None, consent: bool) -> str | None:
    if not phone:
        return None
    if not consent:
        # Kept only with consent: a number given without it is not stored at all.
        return None
    try:
        return to_e164(phone, centre.country)
    except BadPhone as exc:
        raise DomainError(str(exc)) from exc


def entrance_code(secret_key: str, centre: Centre) -> str:
    """The code of the QR poster at a centre's entrance: scanning it with the ticket's page
    open confirms a remote patient's arrival."""
    mac = hashlib.sha256(f"entrance:{centre.id}:{secret_key}".encode()).hexdigest()
    return mac[:24]


def qr_svg(url: str, title: str) -> str:
    """The QR code of a link as inline SVG (segno; no script, prints sharp at any size)."""
    return str(segno.make(url, error="m").svg_inline(scale=5, border=2, title=title, svgclass="qr"))


def absolute(request: Request[Any, Any, Any], path: str) -> str:
    return str(request.base_url).rstrip("/") + path


# --- the patient's ticket page and API -------------------------------------------------------


@get("/t/{token:str}", media_type=MediaType.HTML, include_in_schema=False, opt=TOKEN_ACCESS)
async def ticket_page(
    token: PathText, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
) -> Template:
    try:
        ticket, centre = await _ticket_of_link(request, db_session, token)
    except DomainError as refused:
        return staff_page(
            request,
            "queues/ticket_gone.html",
            status_code=refused.status_code,
            headers={"Cache-Control": "no-store"},
        )
    view = await _view_now(request, db_session, ticket, centre)
    return staff_page(
        request,
        "queues/ticket.html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        view=view,
        token=token,
    )


class PatientTicketController(Controller):
    path = "/api/patient/tickets/{token:str}"
    tags = ["patient"]
    opt = TOKEN_ACCESS

    @get("/", cache=False)
    async def view(
        self,
        token: PathText,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
    ) -> dict[str, Any]:
        ticket, centre = await _ticket_of_link(request, db_session, token)
        return await _view_now(request, db_session, ticket, centre)

    @post("/leave", status_code=HTTP_200_OK)
    async def leave(
        self,
        token: PathText,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
    ) -> dict[str, Any]:
        """ "I am leaving": the ticket ends as left unseen (its place goes to the next)."""
        ticket, centre = await _ticket_of_link(request, db_session, token)
        ops = provide_ops(request, db_session)
        await ops.act(centre, ticket.id, Action.LEFT_UNSEEN)
        return await _view_now(request, db_session, ticket, centre)

    @post("/notify", status_code=HTTP_200_OK)
    async def notify(
        self,
        token: PathText,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[NearRequest],
    ) -> dict[str, Any]:
        ticket, centre = await _ticket_of_link(request, db_session, token)
        if ticket.status not in IN_LINE:
            raise Conflict("this ticket is no longer waiting / ce ticket n'attend plus")
        phone = _phone_with_consent(centre, data.phone, data.sms_consent)
        ops = provide_ops(request, db_session)
        async with ops.path.change() as change:
            await change.lock_centre(centre.id)
            row = await db_session.get(Ticket, ticket.id, populate_existing=True)
            if row is None:
                raise NotFound("no ticket for this link / lien inconnu")
            async with change.audited("ticket", row, "notify_choice", centre_id=centre.id):
                row.notify_ahead, row.notify_minutes = data.ahead, data.minutes
                row.notify_called = data.called
                if data.phone is not None or not data.sms_consent:
                    row.phone = phone  # consent withdrawn: the number is erased at once
                if data.push_subscription is not None:
                    row.push_subscription = data.push_subscription or None
                # A new choice may be due at once (already fewer ahead than asked).
                row.notified = ""
                await notify_near(change, centre)
        return await _view_now(request, db_session, ticket, centre)

    @post("/arrive", status_code=HTTP_200_OK)
    async def arrive(
        self,
        token: PathText,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[ArriveRequest],
    ) -> dict[str, Any]:
        """The patient scanned the entrance's QR code: the remote ticket has arrived."""
        ticket, centre = await _ticket_of_link(request, db_session, token)
        secret = shell(request.app).settings.secret_key
        if not secrets.compare_digest(data.entrance, entrance_code(secret, centre)):
            raise DomainError("not this centre's entrance code / code d'entrée inconnu")
        await provide_ops(request, db_session).act(centre, ticket.id, Action.ARRIVE)
        return await _view_now(request, db_session, ticket, centre)


# --- joining from home --------------------------------------------------------------------------


async def remote_setting(session: AsyncSession, centre: Centre) -> RemoteJoin:
    found = (
        await session.execute(select(RemoteJoin).where(RemoteJoin.centre_id == centre.id))
    ).scalar_one_or_none()
    return found or RemoteJoin(centre_id=centre.id, enabled=False, max_share=0.3, grace_min=15)


def _device(request: Request[Any, Any, Any]) -> tuple[str, bool]:
    """The joining device's random id (a cookie), and whether it is new."""
    value = request.cookies.get(DEVICE_COOKIE) or ""
    if 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum():
        return value, False
    return secrets.token_urlsafe(18), True


async def _refuse_flooding(
    session: AsyncSession,
    centre: Centre,
    day: date,
    setting: RemoteJoin,
    device_hash: str,
    phone: str | None,
) -> None:
    """The caps on joining from home: one ticket per device and per phone number a day, and
    remote tickets within the centre's share of the queue."""
    active = (
        Ticket.centre_id == centre.id,
        Ticket.service_day == day,
        Ticket.status.in_([*IN_LINE, TicketStatus.CALLED.value]),
    )
    mine = await session.execute(
        select(func.count(Ticket.id)).where(*active, Ticket.device_hash == device_hash)
    )
    if mine.scalar_one() > 0:
        raise Conflict("this phone already has a ticket here today / vous avez déjà un ticket")
    if phone is not None:
        same = await session.execute(
            select(func.count(Ticket.id)).where(*active, Ticket.phone == phone)
        )
        if same.scalar_one() > 0:
            raise Conflict("this number already has a ticket here / ce numéro a déjà un ticket")
    rows = await session.execute(
        select(Ticket.status, func.count(Ticket.id))
        .where(*active[:2], Ticket.status.in_(IN_LINE))
        .group_by(Ticket.status)
    )
    counts: dict[str, int] = {str(status): int(count) for status, count in rows.all()}
    remote_now = int(counts.get(TicketStatus.NOT_ARRIVED.value, 0))
    present = int(counts.get(TicketStatus.WAITING.value, 0))
    if not remote_allowed(RemoteCaps(share=setting.max_share), present, remote_now):
        raise HTTPException(
            status_code=429,
            detail="too many tickets from home here now, come in person / trop de tickets à "
            "distance pour le moment, venez sur place",
            headers={"Retry-After": "600"},
        )


@post("/api/public/centres/{centre_slug:str}/join", tags=["patient"], opt=PUBLIC_ACCESS)
async def join_from_home(
    centre_slug: PathText,
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    data: JSONBody[JoinRequest],
) -> Response[JoinOut]:
    """A remote ticket (not arrived until reception confirms), when the centre allows it."""
    centre = await provide_centre(centre_slug, db_session)
    state = shell(request.app)
    now = state.clock()
    setting = await remote_setting(db_session, centre)
    if not setting.enabled:
        raise Conflict("this centre does not take tickets from home / pas de ticket à distance ici")
    opening = (await rota_reads.opening_today(db_session, [centre], now))[centre.id]
    if not opening.open_at(now):
        raise Conflict("the centre is closed now / le centre est fermé")
    phone = _phone_with_consent(centre, data.phone, data.sms_consent)
    device, new_device = _device(request)
    device_hash = hashlib.sha256(device.encode()).hexdigest()
    day = centre.service_day(now)
    await _refuse_flooding(db_session, centre, day, setting, device_hash, phone)
    ops = provide_ops(request, db_session)
    ticket, _ = await ops.check_in(
        centre,
        Priority.STANDARD,
        None,
        patient=PatientOptions(
            phone=phone,
            notify_ahead=data.notify_ahead if phone else None,
            notify_called=phone is not None,
            remote=True,
            device_hash=device_hash,
        ),
    )
    cookies = []
    if new_device:
        cookies.append(
            Cookie(
                key=DEVICE_COOKIE,
                value=device,
                max_age=365 * 86400,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )
        )
    return Response(
        JoinOut(ticket.number, f"/t/{ops.link_of(ticket)}"),
        status_code=HTTP_201_CREATED,
        cookies=cookies,
    )


@get(
    "/attente/{centre_slug:str}/rejoindre",
    media_type=MediaType.HTML,
    include_in_schema=False,
    opt=PUBLIC_ACCESS,
)
async def join_page(
    centre_slug: PathText,
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    centre = await provide_centre(centre_slug, db_session)
    setting = await remote_setting(db_session, centre)
    return staff_page(request, "queues/join.html", centre=centre, enabled=setting.enabled)


# --- what reception hands over, and the centre's setting -----------------------------------


class TicketHandoverController(Controller):
    path = "/api/centres/{centre_slug:str}"
    tags = ["patient"]
    guards = [staff_only, centre_scope]
    dependencies = {
        "centre": Provide(provide_centre),
        "ops": Provide(provide_ops, sync_to_thread=False),
    }

    @get("/tickets/{ticket_id:int}/qr.svg", cache=False)
    async def ticket_qr(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        ticket_id: RowId,
        request: Request[Any, Any, Any],
    ) -> Response[str]:
        ticket = await ops.session.get(Ticket, ticket_id)
        if ticket is None or ticket.centre_id != centre.id or ticket.link_hash is None:
            raise NotFound(f"no ticket {ticket_id} with a link here / ticket inconnu")
        url = absolute(request, f"/t/{ops.link_of(ticket)}")
        return Response(
            qr_svg(url, ticket.number),
            media_type="image/svg+xml",
            headers={"Cache-Control": "no-store"},
        )

    @get("/entrance.svg", guards=[desk_only], cache=False)
    async def entrance_qr(
        self, centre: NamedDependency[Centre], request: Request[Any, Any, Any]
    ) -> Response[str]:
        """The poster for the entrance: remote patients scan it to say they are here."""
        code = entrance_code(shell(request.app).settings.secret_key, centre)
        url = absolute(request, f"/t/arrivee?centre={centre.slug}&code={code}")
        return Response(qr_svg(url, centre.name), media_type="image/svg+xml")

    @get("/remote-join", guards=[manager_only])
    async def get_remote_join(
        self, centre: NamedDependency[Centre], ops: NamedDependency[QueueOps]
    ) -> RemoteJoinSetting:
        found = await remote_setting(ops.session, centre)
        return RemoteJoinSetting(found.enabled, found.max_share, found.grace_min)

    @put("/remote-join", guards=[manager_only], status_code=HTTP_200_OK)
    async def set_remote_join(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        data: JSONBody[RemoteJoinSetting],
    ) -> RemoteJoinSetting:
        async with ops.path.change() as change:
            await change.lock_centre(centre.id)
            row = await remote_setting(ops.session, centre)
            if row.id is None:
                ops.session.add(row)
                await ops.session.flush()
            async with change.audited("remote_join", row, "set", centre_id=centre.id):
                row.enabled, row.max_share, row.grace_min = (
                    data.enabled,
                    data.max_share,
                    data.grace_min,
                )
        return data


@get(
    "/reception/{centre_slug:str}/tickets/{ticket_id:int}/slip",
    media_type=MediaType.HTML,
    include_in_schema=False,
    guards=[staff_only, centre_scope],
)
async def ticket_slip(
    centre_slug: PathText,
    ticket_id: RowId,
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    """The printed slip: number, QR code and short link (58/80 mm ticket printers or A4)."""
    centre = await provide_centre(centre_slug, db_session)
    ticket = await db_session.get(Ticket, ticket_id)
    if ticket is None or ticket.centre_id != centre.id or ticket.link_hash is None:
        raise NotFound(f"no ticket {ticket_id} with a link here / ticket inconnu")
    ops = provide_ops(request, db_session)
    url = absolute(request, f"/t/{ops.link_of(ticket)}")
    paper = request.query_params.get("paper", "80mm")
    return staff_page(
        request,
        "queues/slip.html",
        headers={"Cache-Control": "no-store"},
        ticket=ticket,
        centre=centre,
        url=url,
        qr=qr_svg(url, ticket.number),
        paper=paper if paper in ("58mm", "80mm", "a4") else "80mm",
    )


@get("/t/arrivee", media_type=MediaType.HTML, include_in_schema=False, opt=TOKEN_ACCESS)
async def entrance_page(request: Request[Any, Any, Any]) -> Template:
    """What the entrance poster opens: the page confirms the arrival of the tickets this
    phone follows (their links are kept in the phone's local storage by the ticket page)."""
    return staff_page(request, "queues/arrive.html", headers={"Cache-Control": "no-store"})


PATIENT_HANDLERS: list[ControllerRouterHandler] = [
    ticket_page,
    entrance_page,
    PatientTicketController,
    join_from_home,
    join_page,
    TicketHandoverController,
    ticket_slip,
]
