"""A realistic demo network, the same for a given seed: centres, doctors, needs, leave, a rota.

26 centres (21 in metropolitan France, Strasbourg and Metz under Alsace-Moselle holidays,
Brussels and Liège in Belgium, Saint-Denis de La Réunion), about 350 doctors attached to 1–3
centres of their area, a month of rota made of some weekly patterns plus the greedy filler,
and leave. A few things are left wrong on purpose, as in real life: leave approved after the
rota was made, a doctor booked twice, a shift at a centre the doctor is not attached to, and
the gaps the filler could not close — so the pages have something to show.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, time, timedelta

from rota.checks import RotaContext
from rota.coverage import CoverNeeds, CoverSegment
from rota.days import OpeningHours, TimeRange, holiday_region
from rota.domain import (
    CentrePlan,
    DoctorPlan,
    LeaveSpan,
    LeaveStatus,
    PlannedShift,
    Seniority,
)
from rota.fill import fill_gaps
from rota.patterns import ShiftPattern, expand_pattern


@dataclass(frozen=True)
class _Site:
    id: str
    name: str
    city: str
    area: str  # doctors are attached to centres of one area
    late: bool = False  # open until 22:00
    country: str = "FR"
    subdivision: str | None = None
    time_zone: str = "Europe/Paris"


_SITES: tuple[_Site, ...] = (
    _Site("paris-bastille", "Paris Bastille", "Paris", "idf", late=True),
    _Site("paris-montparnasse", "Paris Montparnasse", "Paris", "idf", late=True),
    _Site("boulogne", "Boulogne-Billancourt", "Boulogne-Billancourt", "idf"),
    _Site("saint-denis", "Saint-Denis Basilique", "Saint-Denis", "idf"),
    _Site("versailles", "Versailles Chantiers", "Versailles", "idf"),
    _Site("lyon-part-dieu", "Lyon Part-Dieu", "Lyon", "rhone", late=True),
    _Site("villeurbanne", "Villeurbanne Gratte-Ciel", "Villeurbanne", "rhone"),
    _Site("grenoble", "Grenoble Europole", "Grenoble", "rhone"),
    _Site("clermont", "Clermont-Ferrand Jaude", "Clermont-Ferrand", "rhone"),
    _Site("marseille-prado", "Marseille Prado", "Marseille", "sud", late=True),
    _Site("aix", "Aix-en-Provence Rotonde", "Aix-en-Provence", "sud"),
    _Site("nice", "Nice Jean-Médecin", "Nice", "sud", late=True),
    _Site("montpellier", "Montpellier Comédie", "Montpellier", "sud"),
    _Site("toulouse", "Toulouse Capitole", "Toulouse", "sud-ouest", late=True),
    _Site("bordeaux", "Bordeaux Chartrons", "Bordeaux", "sud-ouest"),
    _Site("nantes", "Nantes Commerce", "Nantes", "ouest"),
    _Site("rennes", "Rennes République", "Rennes", "ouest"),
    _Site("tours", "Tours Jean-Jaurès", "Tours", "ouest"),
    _Site("lille", "Lille Flandres", "Lille", "nord", late=True),
    _Site("roubaix", "Roubaix Grand-Place", "Roubaix", "nord"),
    _Site("dijon", "Dijon Darcy", "Dijon", "est"),
    _Site("strasbourg", "Strasbourg Kléber", "Strasbourg", "est", late=True, subdivision="67"),
    _Site("metz", "Metz Gare", "Metz", "est", subdivision="57"),
    _Site(
        "bruxelles",
        "Bruxelles Louise",
        "Bruxelles",
        "belgique",
        late=True,
        country="BE",
        time_zone="Europe/Brussels",
    ),
    _Site(
        "liege", "Liège Guillemins", "Liège", "belgique", country="BE", time_zone="Europe/Brussels"
    ),
    _Site(
        "la-reunion",
        "Saint-Denis de La Réunion",
        "Saint-Denis",
        "reunion",
        subdivision="974",
        time_zone="Indian/Reunion",
    ),
)

_FIRST_NAMES = (
    "Camille",
    "Claire",
    "Julie",
    "Sophie",
    "Léa",
    "Manon",
    "Inès",
    "Chloé",
    "Emma",
    "Sarah",
    "Nathalie",
    "Isabelle",
    "Amina",
    "Fatou",
    "Hélène",
    "Lucie",
    "Marie",
    "Anne",
    "Élise",
    "Zoé",
    "Thomas",
    "Nicolas",
    "Julien",
    "Pierre",
    "Antoine",
    "Karim",
    "Mehdi",
    "Hugo",
    "Louis",
    "Paul",
    "Mathieu",
    "Olivier",
    "François",
    "Yann",
    "Bruno",
    "Éric",
    "Samuel",
    "Théo",
    "Rémi",
    "Jean",
)
_LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clement",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Benali",
    "Haddad",
    "Nguyen",
    "Diallo",
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Schmitt",
    "Meyer",
    "Hoarau",
    "Payet",
    "Grondin",
)


@dataclass(frozen=True)
class DemoNetwork:
    centres: tuple[CentrePlan, ...]
    doctors: tuple[DoctorPlan, ...]
    cover_needs: Mapping[str, CoverNeeds]
    patterns: tuple[ShiftPattern, ...]
    shifts: tuple[PlannedShift, ...]
    leaves: tuple[LeaveSpan, ...]
    first_day: date
    last_day: date

    def context(self) -> RotaContext:
        return RotaContext.build(self.centres, self.doctors, self.leaves, self.cover_needs)


def _needs(rooms: int, late: bool) -> CoverNeeds:
    """Every room busy on weekdays, one room fewer at weekends and on public holidays."""
    parts = [(time(8), time(11)), (time(11), time(14)), (time(14), time(17)), (time(17), time(20))]
    if late:
        parts.append((time(20), time(22)))
    weekday = tuple(CoverSegment(start, end, rooms) for start, end in parts)
    quiet = tuple(CoverSegment(start, end, max(rooms - 1, 2)) for start, end in parts)
    return CoverNeeds(weekday=weekday, weekend=quiet, public_holiday=quiet)


def _centres(rng: random.Random) -> tuple[list[CentrePlan], dict[str, str], dict[str, CoverNeeds]]:
    centres, areas, needs = [], {}, {}
    for site in _SITES:
        rooms = rng.randint(3, 6)
        closing = time(22) if site.late else time(20)
        opening = OpeningHours.every_day(TimeRange(time(8), closing))
        centres.append(
            CentrePlan(
                id=site.id,
                name=site.name,
                city=site.city,
                time_zone=site.time_zone,
                region=holiday_region(site.country, site.subdivision),
                opening=opening,
                rooms=tuple(str(number) for number in range(1, rooms + 1)),
            )
        )
        areas[site.id] = site.area
        needs[site.id] = _needs(rooms, site.late)
    return centres, areas, needs


def _doctors(
    rng: random.Random, centres: list[CentrePlan], areas: dict[str, str], count: int
) -> list[DoctorPlan]:
    by_area: dict[str, list[str]] = {}
    for centre in centres:
        by_area.setdefault(areas[centre.id], []).append(centre.id)
    weights = [len(centre.rooms) for centre in centres]
    doctors = []
    for number in range(1, count + 1):
        home = rng.choices(centres, weights=weights)[0]
        neighbours = [c for c in by_area[areas[home.id]] if c != home.id]
        extra = rng.choices((0, 1, 2), weights=(45, 40, 15))[0]
        attached = {home.id, *rng.sample(neighbours, min(extra, len(neighbours)))}
        name = f"Dr {rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
        doctors.append(
            DoctorPlan(
                id=f"doc-{number:03d}",
                display_name=name,
                centre_ids=frozenset(attached),
                weekly_limit_hours=float(rng.choice((20, 24, 28, 32, 36, 40, 44, 48))),
                min_rest_hours=float(rng.choice((11, 11, 11, 12))),
            )
        )
    # Their own generator: the rest of the demo stays the same draw for draw.
    return _with_trainees(random.Random(f"trainees-{count}"), doctors)


def _with_trainees(rng: random.Random, doctors: list[DoctorPlan]) -> list[DoctorPlan]:
    """About one doctor in twelve a junior, one in twenty-five an intern beside a senior of
    their centres as maître de stage."""
    ranked = []
    for doctor in doctors:
        roll = rng.random()
        seniority = (
            Seniority.INTERN
            if roll < 0.04
            else Seniority.JUNIOR
            if roll < 0.12
            else Seniority.SENIOR
        )
        ranked.append(replace(doctor, seniority=seniority))
    trained = []
    for doctor in ranked:
        if doctor.seniority is Seniority.INTERN:
            seniors = [
                d.id
                for d in ranked
                if d.seniority is Seniority.SENIOR and d.centre_ids >= doctor.centre_ids
            ]
            if not seniors:  # nobody works at all of the intern's centres: one centre only
                home = min(doctor.centre_ids)
                doctor = replace(doctor, centre_ids=frozenset({home}))
                seniors = [
                    d.id for d in ranked if d.seniority is Seniority.SENIOR and home in d.centre_ids
                ]
            doctor = replace(doctor, supervisor_id=rng.choice(seniors))
        trained.append(doctor)
    return trained


def _leaves(
    rng: random.Random,
    doctors: list[DoctorPlan],
    centres: dict[str, CentrePlan],
    first_day: date,
    days: int,
) -> list[LeaveSpan]:
    leaves: list[LeaveSpan] = []
    for doctor in doctors:
        roll = rng.random()
        if roll > 0.14:
            continue
        start = first_day + timedelta(days=rng.randrange(days))
        length = rng.randint(2, 9)
        status = LeaveStatus.PENDING if roll < 0.03 else LeaveStatus.APPROVED
        leaves.append(
            LeaveSpan.for_days(
                f"leave-{len(leaves) + 1:03d}",
                doctor.id,
                start,
                start + timedelta(days=length - 1),
                centres[min(doctor.centre_ids)].time_zone,
                status,
                "Congés",
            )
        )
    return leaves


def _patterns(
    rng: random.Random, doctors: list[DoctorPlan], centres: dict[str, CentrePlan], first_day: date
) -> list[ShiftPattern]:
    """Regular weekly sessions for about one doctor in six, each in its own room and slot."""
    taken: set[tuple[str, int, time, str]] = set()
    patterns: list[ShiftPattern] = []
    for doctor in doctors:
        if rng.random() > 0.17:
            continue
        centre = centres[min(doctor.centre_ids)]
        weekday = rng.randrange(7)
        start, end = rng.choice(((time(8), time(14)), (time(14), time(20))))
        free = [r for r in centre.rooms if (centre.id, weekday, start, r) not in taken]
        if not free:
            continue
        room = free[0]
        taken.add((centre.id, weekday, start, room))
        patterns.append(
            ShiftPattern(
                id=f"pattern-{len(patterns) + 1:03d}",
                doctor_id=doctor.id,
                centre_id=centre.id,
                weekdays=frozenset({weekday}),
                start_time=start,
                end_time=end,
                first_day=first_day - timedelta(days=rng.randrange(60, 200)),
                room=room,
                interval_weeks=rng.choice((1, 1, 1, 2)),
            )
        )
    return patterns


def build_demo_network(
    seed: int = 7,
    first_day: date = date(2026, 5, 1),
    last_day: date = date(2026, 5, 31),
    doctor_count: int = 350,
) -> DemoNetwork:
    """The demo network and its rota over first_day..last_day (local days, both included)."""
    rng = random.Random(seed)
    centres, areas, needs = _centres(rng)
    by_id = {centre.id: centre for centre in centres}
    doctors = _doctors(rng, centres, areas, doctor_count)
    days = (last_day - first_day).days + 1
    leaves = _leaves(rng, doctors, by_id, first_day, days)
    patterns = _patterns(rng, doctors, by_id, first_day)
    planned = [
        shift
        for pattern in patterns
        for shift in expand_pattern(pattern, by_id[pattern.centre_id], first_day, last_day)
    ]
    # Pattern sessions stand unless the doctor asked for leave before the rota was made.
    blocked = {(leave.doctor_id, leave.start, leave.end) for leave in leaves}
    planned = [
        s
        for s in planned
        if not any(d == s.doctor_id and a < s.end and s.start < b for d, a, b in blocked)
    ]
    rank = {
        doctor.id: position for position, doctor in enumerate(rng.sample(doctors, len(doctors)))
    }
    filled = fill_gaps(centres, doctors, needs, planned, leaves, first_day, last_day, rank=rank)
    shifts = planned + list(filled.added)
    leaves += _late_news(rng, by_id, shifts, len(leaves))
    shifts += _manual_slips(rng, doctors, by_id, shifts)
    return DemoNetwork(
        centres=tuple(centres),
        doctors=tuple(doctors),
        cover_needs=needs,
        patterns=tuple(patterns),
        shifts=tuple(sorted(shifts, key=lambda s: (s.start, s.centre_id, s.room or "", s.id))),
        leaves=tuple(leaves),
        first_day=first_day,
        last_day=last_day,
    )


def _late_news(
    rng: random.Random, centres: dict[str, CentrePlan], shifts: list[PlannedShift], numbered: int
) -> list[LeaveSpan]:
    """Leave approved after the rota was published: its shifts now need a replacement."""
    leaves: list[LeaveSpan] = []
    for shift in rng.sample(shifts, 3):
        centre = centres[shift.centre_id]
        day = centre.service_day(shift.start)
        leaves.append(
            LeaveSpan.for_days(
                f"leave-{numbered + len(leaves) + 1:03d}",
                shift.doctor_id,
                day,
                day + timedelta(days=1),
                centre.time_zone,
                LeaveStatus.APPROVED,
                "Enfant malade",
            )
        )
    return leaves


def _manual_slips(
    rng: random.Random,
    doctors: list[DoctorPlan],
    centres: dict[str, CentrePlan],
    shifts: list[PlannedShift],
) -> list[PlannedShift]:
    """Hand edits gone wrong: a doctor booked twice, one at a centre they are not attached to."""
    slips = []
    by_doctor = {doctor.id: doctor for doctor in doctors}
    for number, shift in enumerate(rng.sample(shifts, 2), start=1):
        doctor = by_doctor[shift.doctor_id]
        elsewhere = sorted(doctor.centre_ids - {shift.centre_id}) or [shift.centre_id]
        start = shift.start + timedelta(hours=1)
        slips.append(
            PlannedShift(f"manual-{number}", doctor.id, elsewhere[0], start, shift.end, None)
        )
    shift = rng.choice(shifts)
    doctor = by_doctor[shift.doctor_id]
    stranger = next(c for c in sorted(centres) if c not in doctor.centre_ids)
    slips.append(
        PlannedShift(
            "manual-3",
            doctor.id,
            stranger,
            shift.start + timedelta(days=1),
            shift.end + timedelta(days=1),
            None,
        )
    )
    return slips
