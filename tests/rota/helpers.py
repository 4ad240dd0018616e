"""Small request helpers for the rota API tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.rota.conftest import Rota


def shift_body(
    rota: Rota,
    who: str,
    day: str,
    start: str,
    end: str,
    centre: str = "paris",
    room: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "doctor_id": rota.doctors[who],
        "centre": centre,
        "room": room,
        "day": day,
        "start_time": start,
        "end_time": end,
        **extra,
    }


async def add_shift(
    client: httpx.AsyncClient, rota: Rota, who: str, day: str, start: str, end: str, **kw: Any
) -> httpx.Response:
    return await client.post("/api/rota/shifts", json=shift_body(rota, who, day, start, end, **kw))


async def add_leave(
    client: httpx.AsyncClient, rota: Rota, who: str, first_day: str, last_day: str, **kw: Any
) -> httpx.Response:
    body = {"doctor_id": rota.doctors[who], "first_day": first_day, "last_day": last_day, **kw}
    return await client.post("/api/rota/leave", json=body)


def kinds(response: httpx.Response) -> list[str]:
    return [conflict["kind"] for conflict in response.json()["conflicts"]]
