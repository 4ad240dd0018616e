"""Periods the pages ask for (a day, a month, any span), parsed from query strings."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from service.errors import DomainError

MAX_PERIOD_DAYS = 732  # two years: beyond that a page would say nothing more readable


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # included

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]


def parse_day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            f"{name} must be a date YYYY-MM-DD, not {text[:20]!r}"
            f" / {name} doit être une date AAAA-MM-JJ"
        ) from None


def parse_month(text: str) -> Period:
    try:
        year, month = (int(part) for part in text.split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise DomainError(
            f"month must be YYYY-MM, not {text[:20]!r} / le mois doit être AAAA-MM"
        ) from None
    return Period(first, first.replace(day=monthrange(year, month)[1]))


def month_of(day: date) -> Period:
    return parse_month(f"{day:%Y-%m}")


def span(first: str | None, last: str | None, default_last: date, default_days: int) -> Period:
    """[first, last] from ``from``/``to``, else the ``default_days`` up to ``default_last``."""
    end = parse_day(last, "to") if last else default_last
    start = parse_day(first, "from") if first else end - timedelta(days=default_days - 1)
    if start > end:
        raise DomainError("from comes after to / la date de début suit la date de fin")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise DomainError(
            f"a period is at most {MAX_PERIOD_DAYS} days / une période dure au plus"
            f" {MAX_PERIOD_DAYS} jours"
        )
    return Period(start, end)


def week_start(day: date) -> date:
    """The Monday of the ISO week of ``day``."""
    return day - timedelta(days=day.weekday())
