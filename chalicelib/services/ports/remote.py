"""Remote requests: the request store (requests, their queues, acceptance leases and breaches)
and the office counters it claims against (kept by the load store)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.partner import WebhookDelivery
from chalicelib.domain.remote import AcceptLease, OfficeCounters, QueueEntry, RemoteRequest, WorkScope
from chalicelib.domain.tariffs import FeeRecord


class RequestStore(Protocol):
    """Every change is conditional; a failed one raises `TxConditionFailed` with labels naming
    what failed (request, queue, counter, visitors, webhook) or `TxConflict` when it raced."""

    def create(self, request: RemoteRequest, category: str, now: datetime, *,
               delivery: WebhookDelivery | None = None, messages: Sequence[OutboxMessage] = ()) -> None:
        """The request, its queue entry, its messages and (for a partner) the delivery's dedupe
        record, at once. Labels: request, queue, webhook (the delivery was already processed)."""

    def get(self, tracking_code: str, *, consistent: bool = True) -> RemoteRequest | None: ...

    def of_citizen(self, citizen_key: str, since: datetime) -> list[RemoteRequest]:
        """The citizen's requests filed at `since` or later, newest first."""

    def in_hand(self, office_id: str) -> list[RemoteRequest]:
        """The requests the office holds a counter for."""

    def eligible_heads(self, scope: WorkScope, per_partition: int) -> list[QueueEntry]:
        """The first waiting entries the scope admits, up to `per_partition` from the office's
        own queue and from each of its categories' partitions of the national queue, earliest
        deadline first. Work of categories outside the scope is never read."""

    def claim(self, entry: QueueEntry, office_id: str, actor: str, now: datetime, accept_by: datetime,
              messages: Sequence[OutboxMessage] = (), *, only_if_no_visitor: bool = False) -> None:
        """Take the entry for the office: it must still wait, the office must have busy < open,
        the request must be RECEIVED (and, with `only_if_no_visitor`, nobody waits in person).
        Labels: queue, counter, request, visitors."""

    def transition(self, request: RemoteRequest, to: str, actor: str, now: datetime, *, release_counter: bool,
                   reason: str | None = None, offer: list[dict] | None = None, rating_token: str | None = None,
                   messages: Sequence[OutboxMessage] = (), fee: FeeRecord | None = None) -> None:
        """From the status (and office) it was read in to `to`, with the delivered service's
        `fee` in the same transaction. Labels: request, counter, fee (already recorded)."""

    def rate(self, tracking_code: str, token: str, rating: dict) -> bool:
        """The one rating of a completed request with its invitation; False otherwise."""

    def overdue_leases(self, now: datetime, limit: int = 100) -> list[AcceptLease]: ...

    def drop_lease(self, lease: AcceptLease) -> None: ...

    def requeue(self, request: RemoteRequest, category: str, now: datetime,
                messages: Sequence[OutboxMessage] = ()) -> None:
        """Back to the national queue, the counter freed, a breach counted. Labels: request, counter."""

    def breaches(self, office_id: str, day: str) -> int: ...

    def held_per_office(self) -> dict[str, int]:
        """Requests holding a counter (ASSIGNED, IN_PROGRESS) per office, from an index of live
        work only (reads O(requests in hand)); it may lag the latest claims and releases."""


class CounterStore(Protocol):
    """An office's counters open for remote work: claims need busy < open, releases busy > 0."""

    def counter(self, office_id: str) -> OfficeCounters | None: ...

    def ensure_counter(self, office_id: str, open_counters: int, now: datetime) -> OfficeCounters:
        """The office's counters, created with `open_counters` open if missing."""

    def set_open(self, office_id: str, open_counters: int, now: datetime) -> OfficeCounters: ...

    def counters_of(self, office_ids: list[str]) -> list[OfficeCounters]:
        """The counters of these offices (those that have any), consistently read."""

    def correct_busy(self, office_id: str, seen: int, actual: int, now: datetime) -> bool:
        """Set busy to `actual` only if it is still `seen`."""
