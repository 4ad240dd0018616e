"""The ticket state machine as plain logic."""

from __future__ import annotations

import pytest

from queues.estimator import WaitingPatient
from queues.numbering import ticket_number
from queues.ordering import Priority, in_call_order
from queues.states import TRANSITIONS, Action, IllegalTransition, TicketStatus, next_status


def test_every_action_from_every_state_is_either_allowed_or_explained() -> None:
    for action, (sources, target) in TRANSITIONS.items():
        for status in TicketStatus:
            if status in sources:
                assert next_status(action, status) is target
            else:
                with pytest.raises(IllegalTransition) as info:
                    next_status(action, status)
                assert status.value in str(info.value)


def test_terminal_states_accept_nothing_but_requeue() -> None:
    for status in (TicketStatus.DONE, TicketStatus.CANCELLED):
        for action in Action:
            with pytest.raises(IllegalTransition):
                next_status(action, status)


def test_ticket_numbers() -> None:
    assert ticket_number(Priority.STANDARD, 42) == "A042"
    assert ticket_number(Priority.URGENT, 7) == "U007"
    assert ticket_number(Priority.STANDARD, 1234) == "A1234"
    with pytest.raises(ValueError):
        ticket_number(Priority.STANDARD, 0)


def test_call_order_urgent_first_then_arrival_then_key() -> None:
    entries = [
        WaitingPatient("b", Priority.STANDARD, 10.0),
        WaitingPatient("a", Priority.STANDARD, 10.0),
        WaitingPatient("u", Priority.URGENT, 30.0),
        WaitingPatient("c", Priority.STANDARD, 5.0),
    ]
    assert [e.key for e in in_call_order(entries)] == ["u", "c", "a", "b"]
