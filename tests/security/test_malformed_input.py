"""Malformed input to every operation of the OpenAPI schema, as a signed-in manager.

Hypothesis generates the requests: path parameters that name nothing or are not of their type,
bodies that are not JSON, of the wrong shape or with fields of the wrong type, oversized
bodies, junk query strings. Each must get a 4xx with a message, never a 500, and the database
must be exactly as before (the audit log of refused attempts aside).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import StaffClients
from tests.security.helpers import dump_tables

pytestmark = pytest.mark.timeout(90)

EXAMPLES = 300
UNSAFE = {"post", "put", "patch", "delete"}
JSON_TYPES = ("object", "array", "string", "integer", "number", "boolean")
WRONG_VALUE: dict[str, Any] = {
    "object": {"unexpected": [1, {"deep": None}]},
    "array": [[], {}],
    "string": "\x00zz-not-valid\u202e",
    "integer": 12345678901234567890,
    "number": 1.5,
    "boolean": True,
}


@dataclass
class Operation:
    method: str
    path: str
    path_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    query_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    body: dict[str, Any] | None = None


@dataclass
class Case:
    operation: Operation
    url: str
    query: dict[str, str]
    content: bytes | None
    what: str


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _types(schema: dict[str, Any], node: dict[str, Any]) -> set[str]:
    """The JSON types a schema node accepts (empty: any)."""
    node = _resolve(schema, node)
    found: set[str] = set()
    for key in ("oneOf", "anyOf"):
        for member in node.get(key, []):
            member_types = _types(schema, member)
            if not member_types:
                return set()
            found |= member_types
    kind = node.get("type")
    if isinstance(kind, list):
        found |= set(kind)
    elif isinstance(kind, str):
        found.add(kind)
    elif "enum" in node or "const" in node:
        found.add("string")
    if "integer" in found:
        found.add("number")  # a whole-number float would be accepted as an integer
    if "number" in found:
        found.add("integer")
    return found


def operations(schema: dict[str, Any], ticket_id: int) -> list[Operation]:
    found = []
    for path, item in schema["paths"].items():
        for method, spec in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            operation = Operation(method, path)
            for parameter in spec.get("parameters", []):
                where = {"path": operation.path_params, "query": operation.query_params}
                if parameter["in"] in where:
                    where[parameter["in"]][parameter["name"]] = parameter.get("schema", {})
            content = spec.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                operation.body = content["application/json"].get("schema", {})
            # An unsafe operation without any input cannot be given a malformed one (sign-out).
            if method in UNSAFE and not (operation.path_params or operation.body is not None):
                continue
            found.append(operation)
    return found


def _good_path_value(name: str, spec: dict[str, Any], ticket_id: int) -> str:
    if spec.get("type") == "integer":
        return str(ticket_id)
    return "paris" if "centre" in name or name == "slug" else "probe"


junk_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
)


@st.composite
def bad_path_value(draw: st.DrawFn, spec: dict[str, Any]) -> str:
    if spec.get("type") == "integer":
        return str(
            draw(
                st.one_of(
                    st.integers(max_value=0),
                    st.integers(min_value=10**12, max_value=2**80),
                    junk_text.map(lambda t: "x" + t),
                )
            )
        )
    # Nothing is named like this: an unknown centre, action or token.
    return "zz-" + draw(junk_text)


@st.composite
def wrong_body(draw: st.DrawFn, schema: dict[str, Any], body: dict[str, Any]) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(["syntax", "shape", "field", "huge"]))
    if kind == "syntax":
        raw = draw(
            st.one_of(
                st.sampled_from([b"{", b'{"a":}', b"[1,", b"\xff\xfe{}", b"{'a': 1}", b"nul"]),
                junk_text.map(lambda t: ("{" + t).encode()),
            )
        )
        return raw, "not JSON"
    accepted = _types(schema, body)
    if kind == "shape" and accepted:
        wrong = [t for t in JSON_TYPES if t not in accepted]
        if wrong:
            return json.dumps(WRONG_VALUE[draw(st.sampled_from(wrong))]).encode(), "wrong shape"
    if kind == "huge":
        return json.dumps({"filler": "x" * 70 * 1024}).encode(), "too large"
    # An object whose fields have the wrong types (plus, sometimes, an unknown field).
    target = _resolve(schema, body)
    for member in target.get("oneOf", []) + target.get("anyOf", []):
        if _resolve(schema, member).get("properties"):
            target = _resolve(schema, member)
    properties = target.get("properties", {})
    typed = {name: _types(schema, spec) for name, spec in properties.items()}
    candidates = sorted(name for name, kinds in typed.items() if kinds)
    if not candidates:
        return b'{"', "not JSON"
    chosen = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=3, unique=True))
    document: dict[str, Any] = {}
    for name in chosen:
        wrong = [t for t in JSON_TYPES if t not in typed[name]]
        document[name] = WRONG_VALUE[draw(st.sampled_from(wrong))]
    if draw(st.booleans()):
        document["zz_unknown"] = draw(junk_text)
    return json.dumps(document).encode(), f"wrong field types {chosen}"


@st.composite
def malformed_case(
    draw: st.DrawFn, schema: dict[str, Any], ops: list[Operation], ticket_id: int
) -> Case:
    operation = draw(st.sampled_from(ops))
    choices = []
    if operation.path_params:
        choices.append("path")
    if operation.body is not None:
        choices.append("body")
    if operation.method == "get":
        choices.append("query")
    where = draw(st.sampled_from(choices))
    values = {n: _good_path_value(n, s, ticket_id) for n, s in operation.path_params.items()}
    what = ""
    if where == "path":
        name = draw(st.sampled_from(sorted(operation.path_params)))
        values[name] = draw(bad_path_value(operation.path_params[name]))
        what = f"bad path parameter {name}={values[name]!r}"
    url = operation.path
    for name, value in values.items():
        url = url.replace("{" + name + "}", quote(value, safe=""))
    query: dict[str, str] = {}
    if where == "query" or draw(st.booleans()):
        names = [*sorted(operation.query_params), "zz"]
        for name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
            query[name] = draw(junk_text)
        what = what or f"junk query {query}"
    content: bytes | None = None
    if where == "body":
        assert operation.body is not None
        content, what = draw(wrong_body(schema, operation.body))
    elif operation.body is not None:
        content = b"{}"
    return Case(operation, url, query, content, what)


def generate(schema: dict[str, Any], ticket_id: int) -> list[Case]:
    ops = operations(schema, ticket_id)
    cases: list[Case] = []

    @hypothesis_settings(
        max_examples=EXAMPLES,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(malformed_case(schema, ops, ticket_id))
    def collect(case: Case) -> None:
        cases.append(case)

    collect()
    return cases


async def test_malformed_input_gets_a_4xx_and_changes_nothing(
    clients: StaffClients, db: async_sessionmaker[AsyncSession]
) -> None:
    desk = await clients("reception-paris")
    ticket = (await desk.post("/api/centres/paris/tickets", json={"label": "A.B."})).json()
    manager = await clients("manager")
    schema = (await manager.get("/schema/openapi.json")).json()
    cases = generate(schema, ticket["id"])
    assert len({(c.operation.method, c.operation.path) for c in cases}) >= 10
    before = await dump_tables(db, ignore={"audit_entry", "session_store"})
    for case in cases:
        response = await manager.request(
            case.operation.method.upper(),
            case.url,
            params=case.query,
            content=case.content,
            headers={"content-type": "application/json"} if case.content is not None else {},
        )
        label = f"{case.operation.method.upper()} {case.url} ({case.what})"
        assert response.status_code < 500, (label, response.text)
        if case.operation.method in UNSAFE:
            assert 400 <= response.status_code < 500, (label, response.status_code, response.text)
            assert response.json().get("detail"), (label, response.text)
    assert await dump_tables(db, ignore={"audit_entry", "session_store"}) == before
    assert (await manager.get("/api/auth/me")).status_code == 200  # still signed in


async def test_nul_characters_and_huge_numbers_are_a_400_on_every_database(
    clients: StaffClients,
) -> None:
    # PostgreSQL refuses NUL in text and integers beyond 64 bits; SQLite stores both.
    desk = await clients("reception-paris")
    ticket = (await desk.post("/api/centres/paris/tickets", json={})).json()
    for response in (
        await (await clients()).post(
            "/api/auth/login", json={"username": "man\u0000ager", "password": "x"}
        ),
        await desk.post(
            f"/api/centres/paris/tickets/{ticket['id']}/move-to-head",
            json={"reason": "faint\u0000"},
        ),
        await desk.get(f"/api/centres/paris/tickets/{2**70}"),
        await desk.get("/api/centres/par%00is/queue"),
    ):
        assert response.status_code in {400, 401, 403, 404}, response.text
        assert response.json()["detail"]
