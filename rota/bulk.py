"""Changes that write many shifts at once: a weekly pattern, an automatic fill."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date, time, timedelta

from rota import models
from rota.answers import conflict_out, gap_out, shift_out
from rota.checks import keep_clean
from rota.convert import pattern_to_domain
from rota.coverage import network_coverage
from rota.fill import fill_gaps
from rota.patterns import expand_pattern
from rota.planning import PATTERN_HORIZON, RotaOps
from rota.schemas import FillIn, FillOut, PatternCreated, PatternIn, PatternOut
from rota.store import load_network, load_period
from service.errors import DomainError


def _pattern_out(row: models.ShiftPattern, slug: str, room: str | None) -> PatternOut:
    return PatternOut(
        id=row.id,
        doctor_id=row.doctor_id,
        centre=slug,
        room=room,
        weekdays=sorted(row.weekdays),
        start_time=f"{row.start_time:%H:%M}",
        end_time=f"{row.end_time:%H:%M}",
        first_day=row.first_day,
        last_day=row.last_day,
        interval_weeks=row.interval_weeks,
        exception_days=row.exception_days,
        skip_public_holidays=row.skip_public_holidays,
    )


async def create_pattern(ops: RotaOps, data: PatternIn) -> PatternCreated:
    """Writes the pattern and its shifts (then edited one by one like any other)."""
    network = await load_network(ops.session)
    doctor = network.doctor_row(data.doctor_id)
    centre_row = network.centre_row(data.centre)
    room_id = network.room_id(data.centre, data.room)
    last_day: date = data.last_day or data.first_day + PATTERN_HORIZON - timedelta(days=1)
    if last_day < data.first_day:
        raise DomainError("la date de fin précède la date de début / last_day before first_day")
    if (last_day - data.first_day).days > 366:
        raise DomainError("un modèle couvre au plus un an / a pattern spans at most a year")
    start_time, end_time = time.fromisoformat(data.start_time), time.fromisoformat(data.end_time)
    if start_time == end_time:
        raise DomainError("créneau de durée nulle / the shift would be empty")
    row = models.ShiftPattern(
        doctor_id=doctor.id,
        centre_id=centre_row.id,
        room_id=room_id,
        weekdays=sorted(set(data.weekdays)),
        start_time=start_time,
        end_time=end_time,
        first_day=data.first_day,
        last_day=last_day,
        interval_weeks=data.interval_weeks,
        exception_days=sorted({d.isoformat() for d in data.exception_days}),
        skip_public_holidays=data.skip_public_holidays,
        created_by_id=ops.actor_id,
    )
    pattern = pattern_to_domain(row, data.centre, data.room)
    centre = network.centres[data.centre]
    shifts = [
        replace(s, id=f"new-{n}")
        for n, s in enumerate(expand_pattern(pattern, centre, data.first_day, last_day))
    ]
    if not shifts:
        raise DomainError("ce modèle ne donne aucun créneau / this pattern gives no shift")
    written, accepted = await ops.add_shifts(network, shifts, data.accept_warnings, row)
    return PatternCreated(
        pattern=_pattern_out(row, data.centre, data.room),
        shifts=[shift_out(s, network, row.id) for s in written],
        accepted_warnings=[conflict_out(c, network) for c in accepted],
    )


async def fill(ops: RotaOps, data: FillIn, within: Collection[str] | None = None) -> FillOut:
    """Fills the centre named, else every centre `within` (None: the whole network)."""
    period = await load_period(ops.session, data.first_day, data.last_day, whole_weeks=True)
    network = period.network
    if data.centre is not None:
        network.centre_row(data.centre)  # 404 for an unknown centre
    # The whole network's centres and shifts: a doctor's shifts at another centre bind them
    # here too (a Bordeaux fill must see who is already at Toulouse).
    centres = [c for _, c in sorted(network.centres.items())]
    only = set(within) if within is not None else None
    if data.centre is not None:
        only = {data.centre}
    doctors = [
        network.doctors[str(i)] for i, row in sorted(network.doctor_rows.items()) if row.active
    ]
    result = fill_gaps(
        centres,
        doctors,
        network.needs,
        period.shifts,
        period.leaves,
        data.first_day,
        data.last_day,
        id_prefix="new",
        only=only,
    )
    context = period.context()
    proposed, _ = keep_clean(period.shifts, result.added, context)
    remaining = network_coverage(
        [c for c in centres if only is None or c.id in only],
        [*period.shifts, *proposed],
        network.needs,
        data.first_day,
        data.last_day,
        period.leaves,
    )
    if data.apply and proposed:
        # Warnings the manager saw in the preview (a pending leave, say) are accepted.
        proposed, _ = await ops.add_shifts(network, proposed, accept_warnings=True)
    return FillOut(
        applied=data.apply and bool(proposed),
        proposed=[shift_out(s, network) for s in proposed],
        remaining_gaps=[gap_out(g, network) for day in remaining for g in day.gaps],
    )
