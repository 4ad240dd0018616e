"""The plain rules of the patient's phone: when a "near" message is due, how many remote
tickets fit, what a message may say."""

from __future__ import annotations

from queues.links import (
    NearRules,
    RemoteCaps,
    called_message,
    near_triggers,
    plausible_token,
    remote_allowed,
)


def test_near_messages_are_due_once_each_rule_is_met() -> None:
    rules = NearRules(ahead=3, minutes=15, called=True)
    assert near_triggers(rules, ahead=5, wait_min=40.0, already=()) == []
    assert near_triggers(rules, ahead=3, wait_min=40.0, already=()) == ["ahead"]
    assert near_triggers(rules, ahead=2, wait_min=12.0, already={"ahead"}) == ["minutes"]
    assert near_triggers(rules, ahead=0, wait_min=None, already={"ahead"}) == []
    assert near_triggers(NearRules(None, None, True), 0, 0.0, ()) == []


def test_remote_tickets_fit_under_the_floor_the_share_and_the_ceiling() -> None:
    caps = RemoteCaps(share=0.3, floor=3, ceiling=5)
    assert remote_allowed(caps, present_waiting=0, remote_active=2)  # the third: floor
    assert not remote_allowed(caps, present_waiting=0, remote_active=3)
    assert remote_allowed(caps, present_waiting=10, remote_active=3)  # 4 of 14
    assert not remote_allowed(caps, present_waiting=7, remote_active=3)  # 4 of 11
    assert not remote_allowed(caps, present_waiting=1000, remote_active=5)  # ceiling


def test_a_message_says_number_room_and_centre_only() -> None:
    assert called_message("A042", "Cabinet 3", "Paris 11e") == "A042 — Cabinet 3 — Paris 11e"


def test_tokens_that_cannot_be_links_are_refused_without_a_lookup() -> None:
    assert plausible_token("a" * 22) and plausible_token("-_" * 11)
    assert not plausible_token("a" * 21) and not plausible_token("a" * 21 + "/")
