"""Exports: a subscribable iCalendar feed per doctor, and a CSV of a centre's month.

Calendar feeds are reached with a secret token in the URL (calendar apps cannot log in); only
its SHA-256 is stored, so a database leak does not leak feeds, and a token is revoked by the
managers at any time. Calendar apps refresh subscribed feeds on their own schedule (Google:
every 8–24 h), so a late change may reach a doctor's phone hours later: call them too.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, timedelta
from typing import Annotated, Any

from litestar import Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.csv_export import as_excel_bytes, centre_month_csv, csv_filename
from rota.ical import doctor_feed
from rota.schemas import CalendarTokenOut
from rota.store import load_network, load_shifts
from service.auth import admin_only, centre_scope, manager_only
from service.changes import change_path
from service.errors import NotFound
from service.params import PathText, RowId
from service.state import shell

FEED_PAST = timedelta(days=60)
FEED_AHEAD = timedelta(days=366)
_MONTH_FILE = re.compile(r"^(\d{4})-(\d{2})\.csv$")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token_out(row: models.CalendarToken, url: str | None = None) -> CalendarTokenOut:
    return CalendarTokenOut(row.id, row.doctor_id, row.created_at, row.revoked_at, url)


@post(
    "/doctors/{doctor_id:int}/calendar-tokens",
    guards=[manager_only],
    status_code=HTTP_201_CREATED,
)
async def create_calendar_token(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    doctor_id: RowId,
) -> CalendarTokenOut:
    """A new subscription URL for the doctor, shown only in this answer. Calendar apps refresh
    subscribed feeds slowly (Google: every 8–24 hours): tell the doctor about late changes."""
    token = secrets.token_urlsafe(32)
    async with change_path(request, db_session).change() as change:
        if await db_session.get(models.Doctor, doctor_id) is None:
            raise NotFound(f"Médecin inconnu / unknown doctor: {doctor_id}")
        row = models.CalendarToken(doctor_id=doctor_id, token_sha256=token_digest(token))
        db_session.add(row)
        await db_session.flush()
        # Neither the token nor its digest goes to the log: the entry says whose it is.
        await change.audit("calendar_token", row.id, "create", after={"doctor_id": doctor_id})
    return _token_out(row, str(request.base_url).rstrip("/") + f"/cal/{token}.ics")


@get("/doctors/{doctor_id:int}/calendar-tokens", guards=[manager_only])
async def list_calendar_tokens(
    db_session: NamedDependency[AsyncSession], doctor_id: RowId
) -> list[CalendarTokenOut]:
    rows = await db_session.execute(
        select(models.CalendarToken)
        .where(models.CalendarToken.doctor_id == doctor_id)
        .order_by(models.CalendarToken.id)
    )
    return [_token_out(row) for row in rows.scalars()]


@delete("/calendar-tokens/{token_id:int}", guards=[manager_only], status_code=HTTP_200_OK)
async def revoke_calendar_token(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    token_id: RowId,
) -> CalendarTokenOut:
    async with change_path(request, db_session).change() as change:
        row = await db_session.get(models.CalendarToken, token_id)
        if row is None:
            raise NotFound(f"Lien d'agenda inconnu / unknown calendar token: {token_id}")
        await change.revoke("calendar_token", row, doctor_id=row.doctor_id)
    return _token_out(row)


# What a calendar link can be (a token_urlsafe and .ics), said in the schema too: anything else
# is refused by validation before a look-up.
CalendarFile = Annotated[str, Parameter(pattern=r"^[A-Za-z0-9_-]{1,100}\.ics$")]


@get("/cal/{file_name:str}", tags=["rota"])
async def calendar_feed(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    file_name: CalendarFile,
) -> Response[bytes]:
    """A doctor's shifts as iCalendar (/cal/<token>.ics), anonymous but token-checked.
    Subscribed calendars refresh on the app's schedule (Google: every 8–24 hours)."""
    unknown = NotFound("Agenda inconnu ou révoqué / unknown or revoked calendar")
    if not file_name.endswith(".ics"):
        raise unknown
    row = (
        await db_session.execute(
            select(models.CalendarToken).where(
                models.CalendarToken.token_sha256 == token_digest(file_name[:-4])
            )
        )
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        raise unknown
    now = shell(request.app).clock()
    network = await load_network(db_session)
    shifts = await load_shifts(
        db_session, network, now - FEED_PAST, now + FEED_AHEAD, doctor_ids=[row.doctor_id]
    )
    body = doctor_feed(
        network.doctors[str(row.doctor_id)],
        shifts,
        network.centres,
        generated_at=now,
        domain=request.url.hostname or "walkin.local",
    )
    return Response(
        body,
        media_type="text/calendar",  # Litestar adds "; charset=utf-8" to text/* itself
        headers={"Cache-Control": "private, max-age=300"},
    )


@get("/centres/{centre_slug:str}/{month_file:str}", guards=[admin_only, centre_scope])
async def centre_month_export(
    db_session: NamedDependency[AsyncSession],
    centre_slug: PathText,
    month_file: PathText,
) -> Response[bytes]:
    """A centre's shifts of one month as CSV (/centres/<slug>/2026-05.csv), for spreadsheets."""
    match = _MONTH_FILE.match(month_file)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise NotFound(f"attendu AAAA-MM.csv / expected YYYY-MM.csv, not {month_file!r}")
    year, month = int(match[1]), int(match[2])
    network = await load_network(db_session)
    centre_row = network.centre_row(centre_slug)
    first_day = date(year, month, 1)
    last_day = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    start, end = network.day_window(first_day, last_day)
    shifts = await load_shifts(db_session, network, start, end, centre_ids=[centre_row.id])
    centre = network.centres[centre_slug]
    text = centre_month_csv(centre, shifts, network.doctors, year, month)
    return Response(
        as_excel_bytes(text),
        media_type="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{csv_filename(centre, year, month)}"'
        },
    )
