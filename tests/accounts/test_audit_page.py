"""The audit page: administrative and planning changes, filtered and paged, French first."""

from __future__ import annotations

import re

import pytest

from tests.conftest import StaffClients

pytestmark = pytest.mark.timeout(60)


def _rows(html: str) -> int:
    body = html.split('<table class="admin" id="audit">', 1)[1].split("</tbody>", 1)[0]
    return len(re.findall(r"<time datetime=", body))


async def test_the_audit_page_filters_and_pages(clients: StaffClients) -> None:
    manager = await clients("manager")
    for n in range(55):
        made = await manager.post(
            "/api/accounts",
            json={
                "username": f"desk.{n:02d}",
                "display_name": f"Desk {n}",
                "role": "reception",
                "centres": ["lyon"],
            },
        )
        assert made.status_code == 201
    await manager.patch("/api/rota/centres/paris", json={"name": "Paris Voltaire"})
    first = await manager.get("/audit")
    assert first.status_code == 200 and "Journal des modifications" in first.text
    assert _rows(first.text) == 50
    table = first.text.split('id="audit"', 1)[1].split("</tbody>", 1)[0]
    assert "<td>login</td>" not in table  # sign-ins are not changes
    older = re.search(r'href="(/audit\?[^"]*before_id=\d+)" rel="next"', first.text)
    assert older is not None
    second = await manager.get(older.group(1).replace("&amp;", "&"))
    assert _rows(second.text) == 6  # 55 accounts and the centre
    centre_only = await manager.get("/audit?centre=paris")
    assert _rows(centre_only.text) == 1 and "Paris Voltaire" in centre_only.text
    by_kind = await manager.get("/audit?kind=centre&person=manager")
    assert _rows(by_kind.text) == 1
    nobody = await manager.get("/audit?person=someone-else")
    assert _rows(nobody.text) == 0 and "Aucune modification" in nobody.text
    future = await manager.get("/audit?since=2099-01-01")
    assert _rows(future.text) == 0
    today = await manager.get("/audit?kind=centre&since=2026-11-24&until=2026-11-24")
    assert _rows(today.text) == 1  # the test clock's day, both ends included
    english = await manager.get("/audit?lang=en")
    assert "Change log" in english.text
