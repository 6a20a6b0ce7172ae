"""The outbox's messages, with no I/O: what the network owes someone (an SMS to a citizen, a
signed status callback to a partner), when it is due, and how long to wait after a failed
attempt. Each message is written in the same transaction as the change it announces and
delivered later, once, by the outbox's delivery loop."""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chalicelib.domain import webhooks

SMS, CALLBACK = "sms", "callback"
KINDS = (SMS, CALLBACK)

# An SMS is tried at most this many times, waiting 1, 2, 4, 8, 16 minutes (+-20 %) in between.
SMS_MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class Sms:
    """A text to a citizen's mobile, rendered from a template when it is sent."""
    template: str  # booking_confirmed | booking_reminder | booking_cancelled | remote_received ...
    recipient: str
    booking_id: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PartnerCallback:
    """A status change announced to the partner that sent the request. `webhook_id` stays the
    same on every retry, so the partner can drop a delivery it already processed."""
    partner_id: str
    tracking_code: str
    webhook_id: str
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class OutboxMessage:
    """One message in the outbox. `lease` is set only on a message a delivery run has claimed:
    the token that run finishes it with."""
    message_id: str
    due: datetime
    content: Sms | PartnerCallback
    attempts: int = 0
    lease: str | None = field(default=None, compare=False)

    @property
    def kind(self) -> str:
        return SMS if isinstance(self.content, Sms) else CALLBACK

    @property
    def thread(self) -> str:
        """Messages about the same thing (a booking, a request) are sent one after another, in
        due order, so a partner sees ASSIGNED before IN_PROGRESS; different threads in parallel."""
        if isinstance(self.content, PartnerCallback):
            return f"{CALLBACK}:{self.content.tracking_code}"
        return f"{SMS}:{self.content.booking_id or self.message_id}"

    def claimed(self, lease: str) -> OutboxMessage:
        return replace(self, lease=lease)


# Message parameters that are secrets: sent in the text, never kept once the message is finished.
SECRET_PARAMS = frozenset({"access_code"})
DEAD_LETTER_DAYS = 30  # a dead letter is kept this long for operations to look into


@dataclass(frozen=True)
class DeadLetter:
    """A message the outbox gave up on (refused for good, or out of attempts), kept for
    operations: why, after how many attempts, and when; its secret parameters dropped."""
    message: OutboxMessage
    reason: str
    code: str | None
    dead_at: datetime

    @property
    def attempts(self) -> int:
        return self.message.attempts


def given_up(message: OutboxMessage, reason: str, code, now: datetime) -> DeadLetter:
    """The dead letter of a claimed message at its last attempt (that attempt counted)."""
    content = message.content
    if isinstance(content, Sms):
        content = replace(content, params={k: v for k, v in content.params.items() if k not in SECRET_PARAMS})
    kept = OutboxMessage(message.message_id, message.due, content, message.attempts + 1)
    return DeadLetter(kept, reason, None if code is None else str(code), now)


def sms(template: str, recipient: str, due: datetime, *, booking_id: str | None = None,
        params: Mapping[str, Any] | None = None) -> OutboxMessage:
    return OutboxMessage(secrets.token_hex(8), due, Sms(template, recipient, booking_id, dict(params or {})))


def status_callback(partner_id: str | None, tracking_code: str, status: str, now: datetime,
                    reason: str | None = None) -> OutboxMessage | None:
    """The callback announcing a request's new status to the partner that sent it; None for a
    citizen's own request."""
    if not partner_id:
        return None
    webhook_id = webhooks.new_message_id()
    payload = webhooks.status_event(tracking_code, status, now.isoformat(timespec="milliseconds"), reason)
    return OutboxMessage(webhook_id, now, PartnerCallback(partner_id, tracking_code, webhook_id, payload))


def sms_retry_delay(attempts: int, jitter: float) -> float | None:
    """Seconds until an SMS is tried again after `attempts` failed ones (this one included is
    `attempts + 1`), or None to give up; `jitter` is a factor in [0.8, 1.2]."""
    if attempts + 1 >= SMS_MAX_ATTEMPTS:
        return None
    return (2 ** attempts) * 60 * jitter
