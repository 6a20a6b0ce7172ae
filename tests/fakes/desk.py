"""In-memory front desk (ports.desk.DeskStore): the conditions of `chalicelib/dal/desk_store.py`,
checked all together before anything is written, with the same failure labels. An appointment's
booking steps go to the fake booking store given (its visitors count too)."""
from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from chalicelib.domain.booking import Booking, visitors_delta
from chalicelib.domain.desk import CALLED, WAITING, WALK_IN, DeskLoad, Line, Pace, Ticket
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.tariffs import FeeRecord
from chalicelib.errors import TxConditionFailed
from tests.fakes.booking import FakeBookingStore

Day = tuple[str, date]


class FakeDeskStore:
    def __init__(self, bookings: FakeBookingStore | None = None) -> None:
        self.bookings = bookings or FakeBookingStore()
        self.issued: dict[Day, int] = {}
        self.tickets: dict[Day, dict[int, Ticket]] = {}
        self.counters: dict[Day, dict[int, int]] = {}
        self.lines: dict[Day, dict] = {}  # streak, calls, open
        self.pace_of: dict[str, Pace] = {}
        self.visitors: dict[Day, int] = {}  # walk-ins among the office's visitors
        self._lock = threading.Lock()

    def _line(self, key: Day) -> dict:
        return self.lines.setdefault(key, {"streak": 0, "calls": 0, "open": set()})

    @staticmethod
    def _refuse(failed: set[str]) -> None:
        if failed:
            raise TxConditionFailed(failed)

    def next_number(self, office_id: str, day: date) -> int:
        with self._lock:
            self.issued[(office_id, day)] = self.issued.get((office_id, day), 0) + 1
            return self.issued[(office_id, day)]

    def line(self, office_id: str, day: date) -> Line:
        key = (office_id, day)
        state = self._line(key)
        tickets = tuple(t for _, t in sorted(self.tickets.get(key, {}).items()))
        return Line(office_id, day, tickets, dict(self.counters.get(key, {})), state["streak"], state["calls"],
                    frozenset(state["open"]))

    def _arrive(self, ticket: Ticket) -> None:
        key = (ticket.office_id, ticket.day)
        self.tickets.setdefault(key, {})[ticket.number] = ticket

    def issue(self, ticket: Ticket, now: datetime) -> Ticket:
        key = (ticket.office_id, ticket.day)
        self._refuse({"number"} if ticket.number in self.tickets.get(key, {}) else set())
        self._arrive(ticket)
        self.visitors[key] = self.visitors.get(key, 0) + 1
        return ticket

    def _booking_ok(self, booking: Booking) -> bool:
        return self.bookings._is_current(booking, booking.status)

    def _step(self, booking: Booking, after: Booking) -> None:
        if delta := visitors_delta(booking.status, after.status):
            self.bookings._count(self.bookings.waiting, (booking.office_id, booking.day), delta)
        self.bookings.bookings[booking.booking_id] = after

    def check_in(self, booking: Booking, after: Booking, ticket: Ticket, now: datetime) -> Booking:
        failed = set() if self._booking_ok(booking) else {"booking"}
        if ticket.number in self.tickets.get((ticket.office_id, ticket.day), {}):
            failed.add("number")
        self._refuse(failed)
        self._step(booking, after)
        self._arrive(ticket)
        return after

    def call(self, seen: Line, ticket: Ticket, streak: int, counter: int, operator: str, now: datetime) -> Ticket:
        key = (ticket.office_id, ticket.day)
        stored = self.tickets.get(key, {}).get(ticket.number)
        failed = set()
        if stored is None or stored.status != WAITING:
            failed.add("ticket")
        if counter in self.counters.get(key, {}):
            failed.add("counter")
        if self._line(key)["calls"] != seen.calls:
            failed.add("line")
        self._refuse(failed)
        after = ticket.called(counter, operator, now, call_seq=seen.calls + 1)
        self.tickets[key][ticket.number] = after
        self.counters.setdefault(key, {})[counter] = ticket.number
        state = self._line(key)
        state.update(streak=streak, calls=state["calls"] + 1)
        state["open"].add(counter)
        return after

    def end(self, ticket: Ticket, outcome: str, now: datetime, *, booking: Booking | None = None,
            booking_after: Booking | None = None, fee: FeeRecord | None = None,
            messages: Sequence[OutboxMessage] = ()) -> Ticket:
        key = (ticket.office_id, ticket.day)
        stored = self.tickets.get(key, {}).get(ticket.number)
        failed = set()
        if ticket.status == CALLED:
            if stored is None or stored.status != CALLED or stored.counter != ticket.counter:
                failed.add("ticket")
            if self.counters.get(key, {}).get(ticket.counter) != ticket.number:
                failed.add("counter")
        elif stored is None or stored.status != WAITING:
            failed.add("ticket")
        if booking is not None and booking_after is not None and not self._booking_ok(booking):
            failed.add("booking")
        accounts = self.bookings.accounts  # the fee goes where the booking store writes fees
        if fee is not None:
            failed |= accounts.check_fee(fee)
        self._refuse(failed)
        after = ticket.ended(outcome, now)
        self.tickets[key][ticket.number] = after
        if ticket.status == CALLED:
            del self.counters[key][ticket.counter]
        if booking is not None and booking_after is not None:
            self._step(booking, booking_after)
            if fee is not None:
                accounts.apply_fee(fee, booking.access_code_hash, booking.citizen_key)
            self.bookings.outbox.extend(messages)
        elif ticket.kind == WALK_IN:
            self.visitors[key] = self.visitors.get(key, 0) - 1
            if fee is not None:
                accounts.apply_fee(fee, None, ticket.citizen_key)
        return after

    def recall(self, ticket: Ticket) -> Ticket:
        key = (ticket.office_id, ticket.day)
        stored = self.tickets.get(key, {}).get(ticket.number)
        self._refuse(set() if stored and stored.status == CALLED and stored.counter == ticket.counter else {"ticket"})
        after = replace(stored, recalls=stored.recalls + 1)
        self.tickets[key][ticket.number] = after
        return after

    def close_counter(self, office_id: str, day: date, counter: int) -> None:
        key = (office_id, day)
        self._refuse({"counter"} if counter in self.counters.get(key, {}) else set())
        self._line(key)["open"].discard(counter)

    def desk_loads(self, office_ids: list[str], day: date) -> dict[str, DeskLoad]:
        loads = {}
        for office_id in office_ids:
            state = self.lines.get((office_id, day))
            loads[office_id] = DeskLoad() if state is None else DeskLoad(len(state["open"]))
        return loads

    def paces(self, office_ids: list[str]) -> dict[str, Pace]:
        return {o: self.pace_of[o] for o in office_ids if o in self.pace_of}

    def pace(self, office_id: str) -> Pace | None:
        return self.pace_of.get(office_id)

    def record_pace(self, office_id: str, seen: Pace | None, minutes: float, now: datetime) -> bool:
        current = self.pace_of.get(office_id)
        if (current.measured if current else None) != (seen.measured if seen else None):
            return False
        self.pace_of[office_id] = Pace(minutes, (current.measured if current else 0) + 1)
        return True
