"""One rule for human-readable text: controls, bidi overrides and invisible characters are
refused with a readable 400 in every schema; ordinary names, accents and emoji pass."""

from __future__ import annotations

import pytest

from service.text import MESSAGE, check_human_text, find_unsafe_character
from tests.conftest import StaffClients
from tests.rota.conftest import MONDAY, Rota
from tests.rota.conftest import rota as rota  # the fixture
from tests.rota.helpers import add_shift

pytestmark = pytest.mark.timeout(60)

REFUSED = [
    "Dr Alice\r\nMartin",  # CR/LF: breaks calendar lines and CSV rows
    "Alice\x00",  # NUL
    "Alice\tMartin",
    "Alice\x85",  # C1 next line
    "Alice\x9b",  # C1 CSI
    "\u202eA.B.",  # right-to-left override
    "A\u2066B\u2069",  # isolates
    "A\u200fB",  # right-to-left mark
    "A\u200bB",  # zero-width space
    "A\u200dB",  # zero-width joiner
    "\ufeffAlice",  # BOM
    "A\u2060B",  # word joiner
    "A\u00adB",  # soft hyphen
    "A\U000e0041B",  # tag character
]
ACCEPTED = ["Dr Chloé Roux-N'Diaye", "Jean-François Œuvray", "Zoë 😀", "Ahmed أحمد", "李 明"]


@pytest.mark.parametrize("value", REFUSED)
def test_unsafe_characters_are_found(value: str) -> None:
    assert find_unsafe_character(value) is not None
    with pytest.raises(ValueError, match="invisible"):
        check_human_text(value)


@pytest.mark.parametrize("value", ACCEPTED)
def test_ordinary_names_pass(value: str) -> None:
    assert find_unsafe_character(value) is None
    assert check_human_text(value) == value


async def test_a_cr_lf_doctor_name_is_refused_and_the_feed_keeps_working(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")
    alice = rota.doctors["alice"]
    await add_shift(manager, rota, "alice", MONDAY, "08:00", "14:00", room="1")
    created = await manager.post(f"/api/rota/doctors/{alice}/calendar-tokens")
    url = created.json()["url"]
    renamed = await manager.patch(
        f"/api/rota/doctors/{alice}", json={"display_name": "Dr Alice\r\nMartin"}
    )
    assert renamed.status_code == 400, renamed.text
    assert MESSAGE in renamed.json()["detail"]
    added = await manager.post("/api/rota/doctors", json={"display_name": "Dr\r\nX"})
    assert added.status_code == 400, added.text
    feed = await (await clients()).get(url[url.index("/cal/") :])
    assert feed.status_code == 200, feed.text


@pytest.mark.parametrize("value", ["\u202eA.B.", "A\u200bB", "A\x85B", "A\nB"])
async def test_patient_labels_refuse_spoofing_characters(clients: StaffClients, value: str) -> None:
    desk = await clients("reception-paris")
    response = await desk.post("/api/centres/paris/tickets", json={"label": value})
    assert response.status_code == 400, response.text
    assert MESSAGE in response.json()["detail"]
    assert (await desk.get("/api/centres/paris/queue")).json()["tickets"] == []


async def test_reasons_rooms_and_centres_use_the_same_rule(clients: StaffClients) -> None:
    manager = await clients("manager")
    for method, path, body in (
        ("PUT", f"/api/rota/centres/paris/exceptional-days/{MONDAY}", {"reason": "Noël\x00"}),
        ("POST", "/api/rota/centres/paris/rooms", {"code": "9", "name": "Salle\u202e9"}),
        ("PATCH", "/api/rota/centres/paris", {"name": "Paris\r\n11e"}),
    ):
        response = await manager.request(method, path, json=body)
        assert response.status_code == 400, (path, response.text)
        assert MESSAGE in response.json()["detail"], path
