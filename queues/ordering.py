"""The default queue policy: who is called next.

Urgent before standard; within a class, earlier arrival first; then the ticket id. This is the
policy of the replay rules in the scenarios README, so the service and the replay agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar


class Priority(StrEnum):
    URGENT = "urgent"
    STANDARD = "standard"


PRIORITY_RANK: dict[Priority, int] = {Priority.URGENT: 0, Priority.STANDARD: 1}


class Queued(Protocol):
    @property
    def priority(self) -> Priority | str: ...
    @property
    def arrived_at(self) -> datetime | float: ...
    @property
    def key(self) -> str | int: ...


def queue_key(
    priority: Priority | str, arrived_at: datetime | float, key: str | int
) -> tuple[int, datetime | float, str | int]:
    """Sort key of one waiting patient: smaller is called first."""
    return (PRIORITY_RANK[Priority(priority)], arrived_at, key)


Q = TypeVar("Q", bound=Queued)


def in_call_order(waiting: Iterable[Q]) -> list[Q]:
    """The waiting patients in the order they will be called."""
    return sorted(waiting, key=lambda q: queue_key(q.priority, q.arrived_at, q.key))
