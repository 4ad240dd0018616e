"""Ticket numbers shown to patients: short, read aloud, unique per centre and service day."""

from __future__ import annotations

from queues.ordering import Priority

# One gapless counter per centre and day; the letter only tells the class at check-in, so
# reception and patients see at a glance that a ticket is urgent.
PREFIX: dict[Priority, str] = {Priority.STANDARD: "A", Priority.URGENT: "U"}


def ticket_number(priority: Priority, seq_no: int) -> str:
    if seq_no < 1:
        raise ValueError("ticket sequence numbers start at 1")
    return f"{PREFIX[priority]}{seq_no:03d}"
