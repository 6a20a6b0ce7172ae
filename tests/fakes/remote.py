"""In-memory remote requests (ports.remote.RequestStore) and the office counters they claim
against (ports.remote.CounterStore, on top of the fake load store). Each change checks every
condition the data layer's transaction checks, raises `TxConditionFailed` with the same labels
when one fails, and otherwise applies all of it at once."""
from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.partner import WebhookDelivery
from chalicelib.domain.remote import (
    ASSIGNED,
    COMPLETED,
    HOLDS_COUNTER,
    RECEIVED,
    AcceptLease,
    OfficeCounters,
    QueueEntry,
    RemoteRequest,
    WorkScope,
    epoch,
)
from chalicelib.domain.tariffs import FeeRecord
from chalicelib.errors import TxConditionFailed
from tests.fakes.accounts import FakeAccountsStore
from tests.fakes.load import FakeLoadStore
from tests.fakes.outbox import FakeOutboxStore
from tests.fakes.partners import FakePartnerStore


class FakeCounterStore(FakeLoadStore):
    """The fake load store with the remote-work counters' own operations."""

    def counter(self, office_id: str) -> OfficeCounters | None:
        if office_id not in self.open:
            return None
        opened, busy = self.open[office_id]
        return OfficeCounters(office_id, opened, busy)

    def ensure_counter(self, office_id: str, open_counters: int, now: datetime) -> OfficeCounters:
        self.open.setdefault(office_id, (open_counters, 0))
        return self.counter(office_id)

    def set_open(self, office_id: str, open_counters: int, now: datetime) -> OfficeCounters:
        self.open[office_id] = (open_counters, self.open.get(office_id, (0, 0))[1])
        return self.counter(office_id)

    def counters_of(self, office_ids: list[str]) -> list[OfficeCounters]:
        return [self.counter(office_id) for office_id in office_ids if office_id in self.open]

    def correct_busy(self, office_id: str, seen: int, actual: int, now: datetime) -> bool:
        if office_id not in self.open or self.open[office_id][1] != seen:
            return False
        self.open[office_id] = (self.open[office_id][0], actual)
        return True

    def add_busy(self, office_id: str, delta: int) -> None:
        opened, busy = self.open[office_id]
        self.open[office_id] = (opened, busy + delta)


def _audit(now: datetime, actor: str, before: str | None, after: str, **extra) -> dict:
    return {"at": now.isoformat(timespec="seconds"), "actor": actor, "from": before, "to": after,
            **{k: v for k, v in extra.items() if v is not None}}


def _second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)  # stored to the second


class FakeRequestStore:
    def __init__(self, counters: FakeCounterStore | None = None, outbox: FakeOutboxStore | None = None,
                 partners: FakePartnerStore | None = None, accounts: FakeAccountsStore | None = None) -> None:
        self.accounts = accounts or FakeAccountsStore()  # a completion writes its fee there, atomically
        self.counters = counters or FakeCounterStore()
        self.outbox = outbox or FakeOutboxStore()
        self.partners = partners or FakePartnerStore()
        self.requests: dict[str, RemoteRequest] = {}
        self.queued: dict[str, QueueEntry] = {}  # waiting entries by tracking code
        self.holding: dict[str, set[str]] = {}  # office -> tracking codes in hand
        self.leases: dict[str, AcceptLease] = {}
        self.breach: dict[tuple[str, str], int] = {}
        self.partitions_read = 0
        self._lock = threading.RLock()

    @staticmethod
    def _fail(labels: set[str]) -> None:
        if labels:
            raise TxConditionFailed(labels)

    def create(self, request: RemoteRequest, category: str, now: datetime, *,
               delivery: WebhookDelivery | None = None, messages: Sequence[OutboxMessage] = ()) -> None:
        with self._lock:
            failed = set()
            if request.tracking_code in self.requests:
                failed.add("request")
            if request.tracking_code in self.queued:
                failed.add("queue")
            if delivery is not None and self.partners.already_seen(delivery, now):
                failed.add("webhook")
            self._fail(failed)
            self.requests[request.tracking_code] = request
            self.queued[request.tracking_code] = request.queue_entry(category)
            if delivery is not None:
                self.partners.remember(delivery, request.tracking_code)
            self.outbox.put(messages)

    def get(self, tracking_code: str, *, consistent: bool = True) -> RemoteRequest | None:
        return self.requests.get(tracking_code)

    def of_citizen(self, citizen_key: str, since: datetime) -> list[RemoteRequest]:
        found = [r for r in self.requests.values() if r.citizen_key == citizen_key and r.created_at >= since]
        return sorted(found, key=lambda r: r.created_at, reverse=True)

    def in_hand(self, office_id: str) -> list[RemoteRequest]:
        return [self.requests[c] for c in sorted(self.holding.get(office_id, ()))]

    def eligible_heads(self, scope: WorkScope, per_partition: int) -> list[QueueEntry]:
        # As the data layer: the office's own queue and one national partition per category it
        # reads, each up to `per_partition` admitted entries; `partitions_read` counts the reads.
        with self._lock:
            waiting = sorted(self.queued.values(), key=lambda e: e.order)
        partitions = [[e for e in waiting if e.office_id == scope.office_id]]
        partitions += [[e for e in waiting if e.office_id is None and e.category == c] for c in scope.national]
        self.partitions_read += len(partitions)
        found = [e for partition in partitions for e in [e for e in partition if scope.admits(e)][:per_partition]]
        return sorted(found, key=lambda e: e.order)

    def claim(self, entry: QueueEntry, office_id: str, actor: str, now: datetime, accept_by: datetime,
              messages: Sequence[OutboxMessage] = (), *, only_if_no_visitor: bool = False) -> None:
        with self._lock:
            code, day = entry.tracking_code, now.date()
            waiting, claimed = self.counters.days.get((office_id, day), (0, 0))
            counters = self.counters.counter(office_id)
            request = self.requests.get(code)
            failed = set()
            if only_if_no_visitor and waiting > 0:
                failed.add("visitors")
            if self.queued.get(code) != entry:
                failed.add("queue")
            if counters is None or not counters.busy < counters.open:
                failed.add("counter")
            if request is None or request.status != RECEIVED:
                failed.add("request")
            self._fail(failed)
            self.counters.days[(office_id, day)] = (waiting, claimed + 1)
            self.holding.setdefault(office_id, set()).add(code)
            self.leases[code] = AcceptLease(code, office_id, _second(accept_by))
            self.outbox.put(messages)
            del self.queued[code]
            self.counters.add_busy(office_id, 1)
            self.requests[code] = replace(
                request, status=ASSIGNED, office_id=office_id, accept_by=_second(accept_by), updated_at=_second(now),
                history=[*request.history, _audit(now, actor, RECEIVED, ASSIGNED, office=office_id)])

    def transition(self, request: RemoteRequest, to: str, actor: str, now: datetime, *, release_counter: bool,
                   reason: str | None = None, offer: list[dict] | None = None, rating_token: str | None = None,
                   messages: Sequence[OutboxMessage] = (), fee: FeeRecord | None = None) -> None:
        with self._lock:
            code, office_id = request.tracking_code, request.office_id
            stored = self.requests.get(code)
            failed = self.accounts.check_fee(fee) if fee is not None else set()
            if stored is None or stored.status != request.status or stored.office_id != office_id:
                failed.add("request")
            if release_counter and (self.counters.counter(office_id) or OfficeCounters(office_id, 0, 0)).busy <= 0:
                failed.add("counter")
            self._fail(failed)
            if fee is not None:
                self.accounts.apply_fee(fee, request.access_code_hash, request.citizen_key)
            if request.status == ASSIGNED and request.accept_by:
                self.leases.pop(code, None)
            self.outbox.put(messages)
            changes = {"status": to, "updated_at": _second(now),
                       "history": [*stored.history, _audit(now, actor, request.status, to, office=office_id,
                                                           reason=reason)]}
            if reason is not None:
                changes["reason"] = reason
            if offer is not None:
                changes["in_person_offer"] = offer
            if rating_token is not None:
                changes["rating_token"] = rating_token
            self.requests[code] = replace(stored, **changes)
            if release_counter:
                self.holding.get(office_id, set()).discard(code)
                self.counters.add_busy(office_id, -1)

    def rate(self, tracking_code: str, token: str, rating: dict) -> bool:
        with self._lock:
            stored = self.requests.get(tracking_code)
            if stored is None or stored.rating_token != token or stored.rating is not None \
                    or stored.status != COMPLETED:
                return False
            self.requests[tracking_code] = replace(stored, rating=rating, rating_token=None)
            return True

    def overdue_leases(self, now: datetime, limit: int = 100) -> list[AcceptLease]:
        return sorted((lease for lease in self.leases.values() if epoch(lease.accept_by) <= epoch(now)),
                      key=lambda lease: (lease.accept_by, lease.tracking_code))

    def drop_lease(self, lease: AcceptLease) -> None:
        if self.leases.get(lease.tracking_code) == lease:
            del self.leases[lease.tracking_code]

    def requeue(self, request: RemoteRequest, category: str, now: datetime,
                messages: Sequence[OutboxMessage] = ()) -> None:
        with self._lock:
            code, office_id = request.tracking_code, request.office_id
            stored = self.requests.get(code)
            failed = set()
            if stored is None or stored.status != ASSIGNED or stored.office_id != office_id:
                failed.add("request")
            if (self.counters.counter(office_id) or OfficeCounters(office_id, 0, 0)).busy <= 0:
                failed.add("counter")
            self._fail(failed)
            self.leases.pop(code, None)
            self.holding.get(office_id, set()).discard(code)
            back = replace(stored, status=RECEIVED, office_id=None, accept_by=None, queue_office_id=None,
                           updated_at=_second(now),
                           history=[*stored.history, _audit(now, "sla-sweep", ASSIGNED, RECEIVED, office=office_id,
                                                            reason="not accepted in time")])
            self.requests[code] = back
            self.queued[code] = back.queue_entry(category)
            self.counters.add_busy(office_id, -1)
            key = (office_id, now.date().isoformat())
            self.breach[key] = self.breach.get(key, 0) + 1
            self.outbox.put(messages)

    def breaches(self, office_id: str, day: str) -> int:
        return self.breach.get((office_id, day), 0)

    def held_per_office(self) -> dict[str, int]:
        held: dict[str, int] = {}
        for request in self.requests.values():
            if request.status in HOLDS_COUNTER and request.office_id:
                held[request.office_id] = held.get(request.office_id, 0) + 1
        return held
