"""The front desk store: an office-day's line of tickets (walk-ins and checked-in appointments),
its counters and the office's measured pace. Every change is atomic; a refused change raises
`TxConditionFailed` whose labels say which condition failed:

  number   the ticket number is already used (never, with numbers from `next_number`)
  ticket   the ticket is no longer in the state read (called, ended, or at another counter)
  counter  someone is at the counter (a call), or the counter is not the ticket's (an end)
  line     another call changed the line since it was read (the pick's streak is stale)
  booking  the appointment's booking changed since it was read

`TxConflict` means a concurrent transaction touched the same items: safe to retry."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from chalicelib.domain.booking import Booking
from chalicelib.domain.desk import DeskLoad, Line, Pace, Ticket
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.tariffs import FeeRecord


class DeskStore(Protocol):
    def next_number(self, office_id: str, day: date) -> int:
        """The office-day's next ticket number, 1 upwards; concurrent callers never get the same."""

    def line(self, office_id: str, day: date) -> Line:
        """The whole desk of the office-day, read consistently (one query)."""

    def issue(self, ticket: Ticket, now: datetime) -> Ticket:
        """A walk-in's WAITING ticket joins the line and the office's visitors. Label: number."""

    def check_in(self, booking: Booking, after: Booking, ticket: Ticket, now: datetime) -> Booking:
        """The booking's check-in (`after`) and its appointment ticket, together. Labels: booking, number."""

    def call(self, seen: Line, ticket: Ticket, streak: int, counter: int, operator: str, now: datetime) -> Ticket:
        """Call `ticket` to `counter`, leaving the line's streak at `streak`. Labels: ticket, counter, line."""

    def end(self, ticket: Ticket, outcome: str, now: datetime, *, booking: Booking | None = None,
            booking_after: Booking | None = None, fee: FeeRecord | None = None,
            messages: Sequence[OutboxMessage] = ()) -> Ticket:
        """End a CALLED ticket (frees its counter) or a WAITING one (leaves the line), with the
        appointment's booking step when given. Labels: ticket, counter, booking."""

    def recall(self, ticket: Ticket) -> Ticket:
        """Announce a CALLED ticket again. Label: ticket."""

    def close_counter(self, office_id: str, day: date, counter: int) -> None:
        """The counter stops counting as open. Label: counter (someone is at it)."""

    def desk_loads(self, office_ids: list[str], day: date) -> dict[str, DeskLoad]:
        """Each office's desk counts of `day` (`DeskLoad()` for an office with no desk that day)."""

    def paces(self, office_ids: list[str]) -> dict[str, Pace]:
        """Measured paces; an office that measured nothing is absent."""

    def pace(self, office_id: str) -> Pace | None: ...

    def record_pace(self, office_id: str, seen: Pace | None, minutes: float, now: datetime) -> bool:
        """Set the pace to `minutes` (one more visit measured) if it is still `seen`; else False."""
