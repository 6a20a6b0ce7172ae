"""In-memory appeals store: the conditions of `chalicelib/dal/appeal_store.py`, checked together
before anything is written, with the same labels. An accepted appeal changes the bookings and
blocks of the fake booking store it is given."""
from __future__ import annotations

from collections.abc import Iterable

from chalicelib.domain.appeals import PENDING, Appeal, Decision
from chalicelib.domain.booking import Booking
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.errors import TxConditionFailed
from tests.fakes.booking import FakeBookingStore


class FakeAppealStore:
    def __init__(self, bookings: FakeBookingStore | None = None) -> None:
        self.bookings = bookings or FakeBookingStore()
        self.appeals: dict[str, Appeal] = {}
        self.trails: dict[str, list[dict]] = {}

    @staticmethod
    def _line(at, actor, before, to, reason) -> dict:
        return {"at": at.isoformat(timespec="seconds"), "actor": actor, "from": before, "to": to, "reason": reason}

    def file(self, appeal: Appeal, messages: Iterable[OutboxMessage]) -> None:
        if appeal.appeal_id in self.appeals:
            raise TxConditionFailed({"duplicate"})
        self.appeals[appeal.appeal_id] = appeal
        self.trails[appeal.appeal_id] = [self._line(appeal.filed_at, "citizen", None, PENDING, appeal.reason)]
        self.bookings.outbox.extend(messages)

    def get(self, appeal_id: str) -> Appeal | None:
        return self.appeals.get(appeal_id)

    def history(self, appeal_id: str) -> list[dict]:
        return list(self.trails.get(appeal_id, []))

    def pending(self, office_id: str | None = None) -> list[Appeal]:
        found = [a for a in self.appeals.values() if a.status == PENDING and office_id in (None, a.office_id)]
        return sorted(found, key=lambda a: (a.filed_at, a.appeal_id))

    def decide(self, appeal: Appeal, decision: Decision, messages: Iterable[OutboxMessage], *,
               excuse: tuple[Booking, Booking] | None = None, lift_block: bool = False) -> Appeal:
        b = self.bookings
        stored = self.appeals.get(appeal.appeal_id)
        failed = set() if stored is not None and stored.status == PENDING else {"appeal"}
        if excuse is not None:
            before, _ = excuse
            if not b._is_current(before, before.status):
                failed.add("booking")
            if lift_block and b.blocked_for.get(before.citizen_key) != before.booking_id:
                failed.add("block")
        if failed:
            raise TxConditionFailed(failed)
        after = stored.decided(decision)
        self.appeals[appeal.appeal_id] = after
        self.trails[appeal.appeal_id].append(self._line(decision.at, decision.actor, PENDING, decision.to,
                                                        decision.reason))
        if excuse is not None:
            before, excused = excuse
            b.bookings[before.booking_id] = excused
            if lift_block:
                b.blocks.pop(before.citizen_key, None)
                b.blocked_for.pop(before.citizen_key, None)
        b.outbox.extend(messages)
        return after
