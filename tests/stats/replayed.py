"""A replayed scenario day as ticket rows: what the queue would have stored that day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queues.estimator import estimate
from queues.models import Ticket
from queues.numbering import ticket_number
from queues.ordering import Priority
from queues.replay import replay
from queues.scenario import Scenario, load_scenario
from queues.states import TicketStatus
from tests.queues.test_replay import OWN_SCENARIOS

SCENARIO = OWN_SCENARIOS / "gen-1007-busy-weekday.json"
NO_SHOW_EVERY = 13  # every 13th called patient does not answer the call


def scenario() -> Scenario:
    return load_scenario(SCENARIO)


def replayed_tickets(
    day_scenario: Scenario, centre_id: int, day: date, doctor_account_ids: list[int]
) -> list[Ticket]:
    """The replay's patients as tickets of ``day`` at the centre: called patients seen for
    their scenario length (a few marked no-show), the others left unseen; told the wait the
    estimator gave at their check-in."""
    tz = ZoneInfo(day_scenario.timezone)
    midnight = datetime.combine(day, time(0), tz)
    result = replay(day_scenario, lambda snapshot: estimate(snapshot, runs=40))
    lengths = {p.id: p.consult_min for p in day_scenario.patients}
    tickets = []
    called_rank = 0
    for seq_no, row in enumerate(sorted(result.patients, key=lambda r: (r.arrival, r.id)), 1):
        arrived = midnight + timedelta(minutes=row.arrival)
        priority = Priority(row.priority)
        ticket = Ticket(
            centre_id=centre_id,
            service_day=day,
            seq_no=seq_no,
            number=ticket_number(priority, seq_no),
            priority=priority,
            status=TicketStatus.LEFT_UNSEEN,
            label=f"P{seq_no}",
            phone="+33600000000",
            client_key=f"key-{seq_no}",
            checked_in_at=arrived,
            queued_at=arrived,
            call_count=0,
            told_wait_min=row.predicted,
            told_high_min=row.high,
            joined_position=seq_no % 7,
        )
        if row.called_at is not None:
            called_rank += 1
            called = midnight + timedelta(minutes=row.called_at)
            ticket.called_at, ticket.call_count = called, 1
            ticket.called_by_id = doctor_account_ids[called_rank % len(doctor_account_ids)]
            if called_rank % NO_SHOW_EVERY == 0:
                ticket.status, ticket.ended_at = TicketStatus.NO_SHOW, called
            else:
                ticket.status, ticket.started_at = TicketStatus.DONE, called
                ticket.ended_at = called + timedelta(minutes=lengths[row.id])
        tickets.append(ticket)
    return tickets
