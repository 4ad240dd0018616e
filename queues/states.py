"""Ticket states and the transitions between them (plain logic, no I/O)."""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    # A ticket taken from home: in the queue, never called (nor shown on screens) until the
    # patient's arrival is confirmed.
    NOT_ARRIVED = "not_arrived"
    WAITING = "waiting"
    CALLED = "called"
    IN_CONSULTATION = "in_consultation"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    LEFT_UNSEEN = "left_unseen"


class Action(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    CANCEL = "cancel"
    LEFT_UNSEEN = "left_unseen"
    REQUEUE = "requeue"
    RELEASE = "release"  # called by mistake: back to the queue in its former place
    ARRIVE = "arrive"  # a remote patient is here


S = TicketStatus
TRANSITIONS: dict[Action, tuple[frozenset[TicketStatus], TicketStatus]] = {
    Action.CALL: (frozenset({S.WAITING}), S.CALLED),
    Action.RECALL: (frozenset({S.CALLED}), S.CALLED),
    Action.START: (frozenset({S.CALLED}), S.IN_CONSULTATION),
    # A doctor who forgot to press "start" can still finish a called patient.
    Action.FINISH: (frozenset({S.CALLED, S.IN_CONSULTATION}), S.DONE),
    Action.NO_SHOW: (frozenset({S.CALLED}), S.NO_SHOW),
    Action.CANCEL: (frozenset({S.NOT_ARRIVED, S.WAITING, S.CALLED}), S.CANCELLED),
    Action.LEFT_UNSEEN: (frozenset({S.NOT_ARRIVED, S.WAITING}), S.LEFT_UNSEEN),
    Action.ARRIVE: (frozenset({S.NOT_ARRIVED}), S.WAITING),
    # A late patient who missed the call comes back: queued again, behind those present.
    Action.REQUEUE: (frozenset({S.NO_SHOW, S.LEFT_UNSEEN}), S.WAITING),
    Action.RELEASE: (frozenset({S.CALLED}), S.WAITING),
}

ACTIVE = frozenset({S.NOT_ARRIVED, S.WAITING, S.CALLED, S.IN_CONSULTATION})

STATUS_FR: dict[TicketStatus, str] = {
    S.NOT_ARRIVED: "pas encore arrivé",
    S.WAITING: "en attente",
    S.CALLED: "appelé",
    S.IN_CONSULTATION: "en consultation",
    S.DONE: "terminé",
    S.NO_SHOW: "absent à l'appel",
    S.CANCELLED: "annulé",
    S.LEFT_UNSEEN: "parti sans consultation",
}


class IllegalTransition(Exception):
    def __init__(self, action: Action, current: TicketStatus) -> None:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[action][0]))
        super().__init__(
            f"cannot {action.value.replace('_', ' ')} a ticket that is {current.value} "
            f"(allowed from: {allowed}) / action impossible : ticket {STATUS_FR[current]}"
        )
        self.action = action
        self.current = current


def next_status(action: Action, current: TicketStatus) -> TicketStatus:
    """The status after an action, or IllegalTransition if the action is not allowed now."""
    sources, target = TRANSITIONS[action]
    if current not in sources:
        raise IllegalTransition(action, current)
    return target
