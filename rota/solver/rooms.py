"""Consulting rooms for a plan: the solver keeps at most ``rooms`` doctors at a centre at once,
so rooms can always be handed out (interval colouring in order of start)."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from rota.solver.model import Assignment


def assign_rooms(
    assignments: Iterable[Assignment], rooms: Mapping[str, Sequence[str]]
) -> dict[Assignment, str]:
    """A room per assignment, none shared at once; ValueError if a centre has too few."""
    at_centre: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        at_centre[a.centre_id].append(a)
    given: dict[Assignment, str] = {}
    for centre_id, here in at_centre.items():
        free = list(rooms.get(centre_id, ()))
        heapq.heapify(free)
        busy: list[tuple[datetime, str]] = []  # (end, room)
        for a in sorted(here, key=lambda a: (a.start, a.end)):
            while busy and busy[0][0] <= a.start:
                heapq.heappush(free, heapq.heappop(busy)[1])
            if not free:
                raise ValueError(f"{centre_id}: more doctors at {a.start} than rooms")
            room = heapq.heappop(free)
            given[a] = room
            heapq.heappush(busy, (a.end, room))
    return given
