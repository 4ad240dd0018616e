"""The OpenAPI schema of a request body refuses what msgspec refuses (and nothing it accepts).

Litestar's own struct schema dropped the rules on list items, dict values and optional fields,
so schemathesis built "valid" bodies that answered 400 (see service/openapi_schema.py).
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import msgspec
import pytest

from rota.schemas import CentreIn, DoctorIn, DoctorPatch, ExceptionalDayIn, PatternIn, ShiftMove
from service.app import create_app
from service.settings import Settings

PATTERN = {
    "doctor_id": 1,
    "centre": "paris",
    "weekdays": [1, 7],
    "start_time": "08:00",
    "end_time": "14:00",
    "first_day": "2026-12-07",
}
REFUSED: list[tuple[type[msgspec.Struct], dict[str, Any]]] = [
    (DoctorIn, {"display_name": "Dr A", "centres": [""]}),
    (DoctorIn, {"display_name": "Dr A", "weekly_limit_hours": 0}),
    (DoctorPatch, {"min_rest_hours": -1}),
    (DoctorPatch, {"weekly_limit_hours": 0}),
    (PatternIn, {**PATTERN, "weekdays": [0]}),
    (PatternIn, {**PATTERN, "weekdays": [8]}),
    (PatternIn, {**PATTERN, "room": ""}),
    (ExceptionalDayIn, {"hours": [["08:00"]]}),
    (ExceptionalDayIn, {"hours": [["08:00", "8h"]]}),
    (CentreIn, {"slug": "a", "name": "A", "opening_hours": {"1": [["08:00", "20:00", "22:00"]]}}),
    (CentreIn, {"slug": "a", "name": "A", "public_holiday_hours": [["8", "20:00"]]}),
    (ShiftMove, {"centre": ""}),
    (ShiftMove, {"start": "2026-12-07T08:00:00"}),  # an instant without its offset
]
ACCEPTED: list[tuple[type[msgspec.Struct], dict[str, Any]]] = [
    (DoctorIn, {"display_name": "Dr A", "centres": ["paris"], "weekly_limit_hours": None}),
    (DoctorPatch, {"min_rest_hours": 0}),
    (PatternIn, PATTERN),
    (ShiftMove, {"start": "2026-12-07T08:00:00+01:00"}),
    (ExceptionalDayIn, {"hours": [["08:00", "12:00"]]}),
    (CentreIn, {"slug": "a", "name": "A", "opening_hours": {"1": [["08:00", "20:00"]]}}),
]


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    app = create_app(
        Settings(database_url="sqlite+aiosqlite://", redis_url=None, secret_key="s", demo=False)
    )
    return app.openapi_schema.to_schema()


def _schema_accepts(openapi: dict[str, Any], struct: type[msgspec.Struct], body: object) -> bool:
    component = {"$ref": f"#/components/schemas/{struct.__name__}", **openapi}
    return bool(jsonschema_rs.Draft202012Validator(component, validate_formats=True).is_valid(body))


@pytest.mark.parametrize(("struct", "body"), REFUSED)
def test_the_schema_refuses_what_msgspec_refuses(
    openapi: dict[str, Any], struct: type[msgspec.Struct], body: dict[str, Any]
) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(body, struct)
    assert not _schema_accepts(openapi, struct, body)


@pytest.mark.parametrize(("struct", "body"), ACCEPTED)
def test_the_schema_accepts_what_msgspec_accepts(
    openapi: dict[str, Any], struct: type[msgspec.Struct], body: dict[str, Any]
) -> None:
    msgspec.convert(body, struct)
    assert _schema_accepts(openapi, struct, body)
