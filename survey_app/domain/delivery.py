"""How an outgoing message's delivery goes: the states of a message in the outbox, what a
transport reports when it could not deliver, and when a failed message is tried again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class DeliveryState(StrEnum):
    QUEUED = "queued"        # waiting for its time (first try, a retry, or tomorrow's slot)
    SENDING = "sending"      # claimed by one sender; nobody else may send it
    SENT = "sent"            # handed to the mail server or the SMS gateway
    FAILED = "failed"        # given up: refused for good, out of attempts, or interrupted
    DROPPED = "dropped"      # not sent: its recipient had had a message that day
    CANCELLED = "cancelled"  # withdrawn before it was sent (its case was deleted)


FINAL_STATES = frozenset({DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.DROPPED,
                          DeliveryState.CANCELLED})


class WhenLimited(StrEnum):
    """A message under the one-a-day rule whose recipient has had one that day."""
    WAIT = "wait"   # sent the next day
    DROP = "drop"   # not sent at all


class DeliveryError(Exception):
    """A transport could not deliver. ``reason`` is short and holds no recipient: it is kept on
    the message and shown on the page of what caused it."""

    permanent = False

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason[:200]


class TemporaryFailure(DeliveryError):
    """Worth trying again later: the server was unreachable, busy or said 4xx."""


class PermanentFailure(DeliveryError):
    """Trying again changes nothing: the address or the gateway account was refused."""

    permanent = True


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    first_delay: timedelta = timedelta(minutes=1)
    factor: int = 4

    def delay_after(self, attempts: int) -> timedelta | None:
        """The wait before the next try after ``attempts`` tries; None once they are used up.
        With the defaults: 1, 4, 16, 64 and 256 minutes, about 5.6 hours in all."""
        if attempts >= self.max_attempts:
            return None
        return self.first_delay * self.factor ** (attempts - 1)
