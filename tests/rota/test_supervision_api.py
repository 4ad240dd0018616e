"""Seniority and maître de stage through the doctors API: stored, shown, refused clearly."""

from __future__ import annotations

import pytest

from tests.conftest import StaffClients
from tests.rota.conftest import Rota

pytestmark = pytest.mark.timeout(60)


async def test_an_intern_gets_a_senior_supervisor_and_bad_links_are_400(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")
    alice = rota.doctors["alice"]
    junior = await manager.post(
        "/api/rota/doctors",
        json={"display_name": "Dr Jules Neuf", "seniority": "junior", "centres": ["paris"]},
    )
    assert junior.status_code == 201 and junior.json()["seniority"] == "junior"
    assert junior.json()["supervisor_id"] is None
    intern = await manager.post(
        "/api/rota/doctors",
        json={"display_name": "Dr Iris Stage", "seniority": "intern", "supervisor_id": alice},
    )
    assert intern.status_code == 201, intern.text
    assert intern.json()["supervisor_id"] == alice
    intern_id = intern.json()["id"]

    refused = {
        "unknown seniority": {"display_name": "Dr X", "seniority": "chef"},
        "junior as supervisor": {
            "display_name": "Dr X",
            "seniority": "intern",
            "supervisor_id": junior.json()["id"],
        },
        "unknown supervisor": {"display_name": "Dr X", "seniority": "intern", "supervisor_id": 999},
        "senior with supervisor": {"display_name": "Dr X", "supervisor_id": alice},
    }
    for case, body in refused.items():
        answer = await manager.post("/api/rota/doctors", json=body)
        assert answer.status_code == 400, case

    before = len((await manager.get("/api/rota/doctors")).json())
    demoted = await manager.patch(f"/api/rota/doctors/{alice}", json={"seniority": "junior"})
    assert demoted.status_code == 400 and "maître de stage" in demoted.text
    assert (await manager.delete(f"/api/rota/doctors/{alice}")).status_code == 400
    selfish = await manager.patch(
        f"/api/rota/doctors/{intern_id}", json={"supervisor_id": intern_id}
    )
    assert selfish.status_code == 400
    alice_now = (await manager.get(f"/api/rota/doctors/{alice}")).json()
    assert alice_now["seniority"] == "senior" and alice_now["active"] is True
    assert len((await manager.get("/api/rota/doctors")).json()) == before

    bruno = rota.doctors["bruno"]
    moved = await manager.patch(f"/api/rota/doctors/{intern_id}", json={"supervisor_id": bruno})
    assert moved.status_code == 200 and moved.json()["supervisor_id"] == bruno
    promoted = await manager.patch(
        f"/api/rota/doctors/{intern_id}", json={"seniority": "senior", "supervisor_id": None}
    )
    assert promoted.status_code == 200 and promoted.json()["seniority"] == "senior"
