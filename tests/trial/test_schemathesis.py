"""Schemathesis over every operation of the OpenAPI schema, anonymously, with a screen's
cookie and signed in as each role, with its default checks (server errors, status codes,
content types, response schemas, headers...). Bounded: a few derandomised examples per
operation and identity, so CI sees the same cases every run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.failures import Failure, FailureGroup

from display.access import DISPLAY_COOKIE
from service.app import create_app
from service.auth import SESSION_COOKIE
from service.settings import Settings
from tests.trial.served import STAFF, Trial


def _schema() -> dict[str, object]:
    # Building the app opens nothing: the schema is known before any server runs.
    app = create_app(
        Settings(database_url="sqlite+aiosqlite://", redis_url=None, secret_key="s", demo=False)
    )
    return app.openapi_schema.to_schema()


SCHEMA = schemathesis.openapi.from_dict(_schema())


@dataclass
class Identity:
    """Whose session cookie the cases of the running test carry (None: anonymous)."""

    session_id: str | None = None


CURRENT = Identity()


class StaffSession:
    """Hands schemathesis the signed-in role's cookie, so that it knows the case is
    authenticated (and only generates missing or bad credentials for anonymous runs)."""

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str | None:
        return CURRENT.session_id

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.cookies = {**(case.cookies or {}), SESSION_COOKIE: data}


# Signing in and out would end or replace the role's session shared by the module's cases.
STAFF_SCHEMA = SCHEMA.exclude(path_regex="^/api/auth/(login|logout)$")


@dataclass(frozen=True)
class Known:
    """A failure the lists below excuse, matched by check, operation, status and answer."""

    check: str  # the schemathesis check that reports it
    reason: str
    operation: str = ".*"  # regex over "METHOD /path"
    statuses: frozenset[int] = frozenset()  # empty: any status
    detail: str = ""  # a part of the answer's body

    def covers(self, failure: Failure, status: int, body: str) -> bool:
        return (
            self.check in failure.checks
            and re.fullmatch(self.operation, failure.operation or "") is not None
            and (not self.statuses or status in self.statuses)
            and self.detail in body
        )


# Failures other branches fix, excused until they are merged: the integrator empties this list.
KNOWN_UNTIL_MERGE: list[Known] = []

# Rules across fields that JSON Schema cannot state: schema-valid input that is refused with a
# clear 400 by design. Permanent.
CROSS_FIELD_RULES: list[Known] = [
    Known(
        "positive_data_acceptance", "a period must not end before it starts", detail="à l'envers"
    ),
    Known(
        "positive_data_acceptance", "views and leave have a longest period", detail="trop longue"
    ),
    # The request checks refuse dates outside 1900–2999 in paths and queries (a rota has
    # nothing there, and Python's calendar overflows near its ends); a JSON Schema `date`
    # format cannot bound the year.
    Known("positive_data_acceptance", "dates outside 1900–2999", detail="date hors limites"),
    # Opening hours: each pair's end after its start (JSON Schema compares no two values).
    Known(
        "positive_data_acceptance",
        "opening hours end before they start",
        detail="Horaires invalides",
    ),
    # Which subdivisions exist depends on the country given beside it.
    Known(
        "positive_data_acceptance", "a subdivision of the country", detail="Subdivision inconnue"
    ),
    # An account's role decides how many centres it has and whether it links a doctor.
    Known("positive_data_acceptance", "a role's centres", detail="choisissez"),
    Known("positive_data_acceptance", "a network manager's centres", detail="n'a pas de centre"),
    Known("positive_data_acceptance", "a linked doctor's role", detail="seul un compte médecin"),
    # A password is checked against the account's own username and name.
    Known("positive_data_acceptance", "the password rules", detail="mot de passe trop"),
]

# Schema mismatches of this branch's scope not fixed yet (see the trial report): listed so
# that the rest stays checked, to be fixed, not to grow.
NOT_YET_FIXED: list[Known] = []

EXCUSED = KNOWN_UNTIL_MERGE + CROSS_FIELD_RULES + NOT_YET_FIXED


def validate(case: schemathesis.Case, trial: Trial, cookies: dict[str, str] | None = None) -> None:
    # A fresh cookie jar per case: what one answer sets must not leak into the next case.
    with requests.Session() as session:
        response = case.call(base_url=trial.base, session=session, cookies=cookies, timeout=10)
    try:
        case.validate_response(response)
    except FailureGroup as group:
        left = [
            failure
            for failure in group.exceptions
            if not any(
                known.covers(failure, response.status_code, response.text) for known in EXCUSED
            )
        ]
        if left:
            raise FailureGroup(left, group.message) from None


BOUNDED = settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    # One server for the module is the point: its fixture is not reset between examples.
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("identity", ["anonymous", "screen"])
@SCHEMA.parametrize()
@BOUNDED
def test_anonymous(case: schemathesis.Case, trial: Trial, identity: str) -> None:
    screen = {DISPLAY_COOKIE: trial.display_token} if identity == "screen" else None
    validate(case, trial, screen)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("username", STAFF)
@STAFF_SCHEMA.parametrize()
# No caching: the identity changes from one test to the next.
@STAFF_SCHEMA.auth.apply(StaffSession, refresh_interval=None)
@BOUNDED
def test_signed_in(case: schemathesis.Case, trial: Trial, signed_in: None) -> None:
    validate(case, trial)


@pytest.fixture
def signed_in(trial: Trial, username: str) -> Iterator[None]:
    CURRENT.session_id = trial.sessions[username].cookies[SESSION_COOKIE]
    yield
    CURRENT.session_id = None
