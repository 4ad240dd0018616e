"""A ticket's link for the patient's phone, and the "your turn is near" rules (plain logic).

The link token is an HMAC of the ticket under the service's secret key: 128 bits nobody can
guess, re-derived whenever reception prints the slip again, and never stored: the ticket keeps
only its SHA-256 digest, which the patient's requests are looked up by.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

# 128 bits (the HMAC's first 16 bytes), base64url without padding: unguessable, and short
# enough to type from the printed slip.
TOKEN_LENGTH = 22
SEP = " — "


def link_token(secret_key: str, ticket_id: int, service_day: date, checked_in_at: datetime) -> str:
    message = f"ticket-link:{ticket_id}:{service_day.isoformat()}:{checked_in_at.isoformat()}"
    mac = hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).rstrip(b"=").decode()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def plausible_token(token: str) -> bool:
    """Refuses at once what no link can be (without a database read)."""
    return len(token) == TOKEN_LENGTH and all(c.isalnum() or c in "-_" for c in token)


@dataclass(frozen=True)
class NearRules:
    """What the patient asked for: None/False for a rule not chosen."""

    ahead: int | None
    minutes: int | None
    called: bool


def near_triggers(
    rules: NearRules, ahead: int, wait_min: float | None, already: Collection[str]
) -> list[str]:
    """The "near" messages due now and not sent yet: "ahead" once at most ``rules.ahead``
    people are ahead, "minutes" once the estimate falls to ``rules.minutes`` or below."""
    due: list[str] = []
    if rules.ahead is not None and "ahead" not in already and ahead <= rules.ahead:
        due.append("ahead")
    if (
        rules.minutes is not None
        and "minutes" not in already
        and wait_min is not None
        and wait_min <= rules.minutes
    ):
        due.append("minutes")
    return due


def called_message(number: str, room: str, centre: str) -> str:
    """Nothing but the ticket number, the room and the centre."""
    return f"{number}{SEP}{room}{SEP}{centre}"


def near_message(number: str, centre: str) -> str:
    return f"{number}{SEP}{centre}{SEP}bientôt votre tour / your turn is near"


@dataclass(frozen=True)
class RemoteCaps:
    """Limits on tickets taken from home at one centre."""

    share: float = 0.3  # of the queue (waiting and not arrived) that may be remote
    floor: int = 3  # a quiet centre still takes a few
    ceiling: int = 30  # never more than this many remote tickets not yet arrived


def remote_allowed(caps: RemoteCaps, present_waiting: int, remote_active: int) -> bool:
    """Whether one more remote ticket fits: with it, remote tickets stay within the share of
    the queue (or under the floor), and under the ceiling."""
    if remote_active + 1 > caps.ceiling:
        return False
    if remote_active + 1 <= caps.floor:
        return True
    return remote_active + 1 <= caps.share * (present_waiting + remote_active + 1)
