"""Scenario files (format in the scenarios README): one walk-in day at one centre.

The file format is typed ``msgspec`` structs, versions 1 and 2 (v2 only adds a doctor's optional
``present`` intervals); msgspec checks the shape and types, then ``parse_scenario`` checks the
values and turns clock texts into minutes since local midnight. Every problem is a
``ScenarioError`` whose message names the file and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import msgspec

from queues.ordering import Priority


class ScenarioError(ValueError):
    """A scenario file that cannot be replayed; the message says where and why."""


# --- the file format ------------------------------------------------------------------------

Span = tuple[str, str]  # ["HH:MM", "HH:MM"]


class DoctorEntry(msgspec.Struct, frozen=True):
    id: str
    shifts: list[Span]
    present: list[Span] | None = None  # v2; absent: present as the shifts say


class PatientEntry(msgspec.Struct, frozen=True):
    id: str
    arrival: str  # HH:MM:SS
    priority: str  # checked here, for a message that names both choices
    consult_min: float
    patience_min: float | None  # required, null: the patient stays


class ScenarioFile(msgspec.Struct, frozen=True):
    name: str
    opens: str
    closes: str
    turnover_min: float
    doctors: list[DoctorEntry]
    patients: list[PatientEntry]
    history_consult_min: list[float]
    date: str = ""
    timezone: str = ""


# --- the parsed day -------------------------------------------------------------------------

Minutes = tuple[tuple[float, float], ...]  # (start, end) pairs, minutes since midnight


@dataclass(frozen=True)
class DoctorRota:
    id: str
    shifts: Minutes  # as the rota says: what the estimator sees
    present: Minutes | None = None  # v2 ground truth: when the doctor really called

    @property
    def calling_spans(self) -> Minutes:
        """When the doctor is in the room and calls: ``present`` where given, else the shifts."""
        return self.shifts if self.present is None else self.present


@dataclass(frozen=True)
class ScenarioPatient:
    """One patient of the day, ground truth included (the replay's eyes only)."""

    id: str
    arrival: float
    arrival_text: str
    priority: Priority
    consult_min: float
    patience_min: float | None


@dataclass(frozen=True)
class Scenario:
    name: str
    date: str
    timezone: str
    opens: float
    closes: float
    turnover_min: float
    doctors: tuple[DoctorRota, ...]
    patients: tuple[ScenarioPatient, ...]
    history_consult_min: tuple[float, ...]


def parse_clock(text: str, where: str, seconds: bool = False) -> float:
    """``HH:MM`` (or ``HH:MM:SS`` when ``seconds``) to minutes since midnight."""
    expected = "HH:MM:SS" if seconds else "HH:MM"
    parts = text.split(":")
    if len(parts) != (3 if seconds else 2) or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ScenarioError(f"{where}: expected a time {expected}, got {text!r}")
    values = [int(p) for p in parts]
    if values[1] > 59 or (seconds and values[2] > 59) or values[0] > 47:
        raise ScenarioError(f"{where}: not a valid time: {text!r}")
    return values[0] * 60 + values[1] + (values[2] / 60 if seconds else 0.0)


def format_clock(minutes: float) -> str:
    total = round(minutes * 60)
    return f"{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}"


def _amount(value: float, where: str, positive: bool = False) -> float:
    # msgspec has checked the type; NaN and infinities cannot come from JSON, but can from Python.
    if not value < float("inf") or value < 0 or (positive and value == 0):
        raise ScenarioError(f"{where}: must be {'positive' if positive else 'at least 0'}")
    return value


def _text(value: str, where: str) -> str:
    if not value:
        raise ScenarioError(f"{where}: expected a non-empty string")
    return value


def _spans(spans: list[Span], where: str, what: str) -> Minutes:
    out: list[tuple[float, float]] = []
    for k, (start_text, end_text) in enumerate(spans):
        spot = f"{where}[{k}]"
        start, end = parse_clock(start_text, spot), parse_clock(end_text, spot)
        if end <= start:
            raise ScenarioError(f"{spot}: {what} ends before it starts")
        out.append((start, end))
    return tuple(sorted(out))


def _doctor(entry: DoctorEntry, where: str) -> DoctorRota:
    present = None
    if entry.present is not None:
        present = _spans(entry.present, f"{where}.present", "present interval")
        for (_, end), (start, _) in pairwise(present):
            if start < end:
                raise ScenarioError(f"{where}.present: intervals overlap")
    return DoctorRota(
        _text(entry.id, f"{where}.id"), _spans(entry.shifts, f"{where}.shifts", "shift"), present
    )


def _patient(entry: PatientEntry, where: str) -> ScenarioPatient:
    if entry.priority not in ("urgent", "standard"):
        raise ScenarioError(
            f"{where}.priority: expected 'urgent' or 'standard', got {entry.priority!r}"
        )
    patience = entry.patience_min
    return ScenarioPatient(
        id=_text(entry.id, f"{where}.id"),
        arrival=parse_clock(entry.arrival, f"{where}.arrival", seconds=True),
        arrival_text=entry.arrival,
        priority=Priority(entry.priority),
        consult_min=_amount(entry.consult_min, f"{where}.consult_min", positive=True),
        patience_min=None if patience is None else _amount(patience, f"{where}.patience_min"),
    )


def _checked(raw: ScenarioFile, source: str) -> Scenario:
    opens = parse_clock(raw.opens, f"{source}: opens")
    closes = parse_clock(raw.closes, f"{source}: closes")
    if closes <= opens:
        raise ScenarioError(f"{source}: closes must be after opens")
    doctors = tuple(_doctor(d, f"{source}: doctors[{i}]") for i, d in enumerate(raw.doctors))
    if len({d.id for d in doctors}) != len(doctors):
        raise ScenarioError(f"{source}: doctor ids must be unique")
    patients = tuple(_patient(p, f"{source}: patients[{i}]") for i, p in enumerate(raw.patients))
    if len({p.id for p in patients}) != len(patients):
        raise ScenarioError(f"{source}: patient ids must be unique")
    history = tuple(
        _amount(x, f"{source}: history_consult_min[{i}]", positive=True)
        for i, x in enumerate(raw.history_consult_min)
    )
    return Scenario(
        name=_text(raw.name, f"{source}: name"),
        date=raw.date,
        timezone=raw.timezone,
        opens=opens,
        closes=closes,
        turnover_min=_amount(raw.turnover_min, f"{source}: turnover_min"),
        doctors=doctors,
        patients=patients,
        history_consult_min=history,
    )


# msgspec says "Expected `array`, got `object` - at `$.patients`": say it in the file's words.
_AT = re.compile(r" - at `\$\.?(?P<path>.*)`$")
_EXPECTED = re.compile(r"^Expected `(?P<want>[^`]+)`(?P<rest>.*?), got `?(?P<got>[^`]+)`?$")
_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`$")
_WORDS = {
    "object": "an object",
    "array": "a list",
    "str": "a string",
    "float": "a number",
    "int": "a whole number",
    "null": "null",
}


def _words(message: str) -> str:
    if missing := _MISSING.match(message):
        return f"missing field {missing['field']!r}"
    if expected := _EXPECTED.match(message):
        want = " or ".join(_WORDS.get(t, t) for t in expected["want"].split(" | "))
        return f"expected {want}{expected['rest']}, got {expected['got']}"
    return message


def _shape_error(exc: msgspec.ValidationError, source: str) -> ScenarioError:
    message = str(exc)
    at = _AT.search(message)
    where = f"{source}: {at['path']}" if at and at["path"] else source
    detail = _words(message[: at.start()] if at else message)
    return ScenarioError(f"{where}: {detail}")


def parse_scenario(data: Any, source: str = "scenario") -> Scenario:
    """Validate decoded JSON (plain Python values); every problem is a ``ScenarioError``."""
    try:
        raw = msgspec.convert(data, ScenarioFile)
    except msgspec.ValidationError as exc:
        raise _shape_error(exc, source) from exc
    return _checked(raw, source)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario file."""
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        raw = msgspec.json.decode(content, type=ScenarioFile)
    except msgspec.ValidationError as exc:
        raise _shape_error(exc, str(path)) from exc
    except msgspec.DecodeError as exc:
        raise ScenarioError(f"{path}: not valid JSON: {exc}") from exc
    return _checked(raw, str(path))
