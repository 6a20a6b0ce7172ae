"""The booking store: seats, holds and bookings. Every change is atomic: a booking, its seats,
the citizen's counters, the office day's counter and its SMS are written together or not at all.
A refused change raises `TxConditionFailed` whose labels say which condition failed:

  seat          a seat of the slot is booked, or held and not expired
  hold          the hold is missing, expired, or not on these seats
  cap           the citizen already has the day's maximum of live bookings (a live hold counts)
  live_hold     the citizen already holds a slot
  hold_quota    the citizen made the day's maximum of holds
  duplicate     the citizen already has a live booking of this service that day
  blocked       the citizen is blocked after a no-show
  booking       the booking changed since it was read (version), or its state forbids the step
  seat_release  a seat of the booking is no longer its own
  share         a channel's count of the day would pass its cap
  webhook       the partner delivery (webhook-id) was already processed

`TxConflict` means a concurrent transaction touched the same items: safe to retry."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from chalicelib.domain.booking import Booking, BookingDraft, FirstAnswer, Hold, Move, TakenSeats
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.partner import WebhookDelivery
from chalicelib.domain.sessions import SessionDetails
from chalicelib.domain.tariffs import FeeRecord


class BookingStore(Protocol):
    def taken_seats(self, office_id: str, day: date, now: datetime, *, consistent: bool = False) -> TakenSeats:
        """Cell -> counters in use at `now` (booked, or held and not expired). `consistent` reads
        after a lost race; the default may lag a write by a moment."""

    def create_hold(self, hold: Hold, now: datetime, *, max_per_day: int | None = None,
                    holds_per_day: int | None = None) -> None:
        """Hold the seats until `hold.expires_at`. A citizen's hold (`hold.citizen_key`) is their one
        live hold, takes a place under their cap of that day (`max_per_day`) while it lives, and
        counts in their holds of today (`holds_per_day`). Labels: seat; live_hold, cap, hold_quota,
        blocked for a citizen's hold."""

    def get_hold(self, hold_id: str) -> Hold | None:
        """The hold, expired or not (booking on it checks expiry); None once used or never made."""

    def book(self, draft: BookingDraft, now: datetime, *, max_per_day: int, hold_id: str | None,
             messages: Iterable[OutboxMessage], client_token: str | None = None,
             delivery: WebhookDelivery | None = None, once: FirstAnswer | None = None) -> Booking:
        """Write the booking (status BOOKED, version 1) with its seats (on the hold's seats when
        `hold_id` is given: the hold's place under the cap becomes the booking's, and the citizen's
        live hold ends), counters, `draft.share` (each claim's seats added to its channel count of
        the day, under its cap), messages and, for a partner, the `delivery` it answers (once);
        with `once`, the first answer under the client's Idempotency-Key, in the same transaction
        (refused while another answer under that key is kept).
        Labels: seat, hold, cap, duplicate, blocked, share, webhook, once."""

    def first_answer(self, key: str, now: datetime) -> FirstAnswer | None:
        """The first answer written under the Idempotency-Key `key`, until it expires (consistent)."""

    def get_booking(self, booking_id: str, *, consistent: bool = True) -> Booking | None: ...

    def cancel(self, booking: Booking, now: datetime, actor: str, messages: Iterable[OutboxMessage]) -> Booking:
        """BOOKED -> CANCELLED, freeing its seats, its channel counts and the citizen's day; returns
        the booking as written. Labels: booking, seat_release."""

    def reschedule(self, booking: Booking, move: Move, now: datetime, *, max_per_day: int,
                   messages: Iterable[OutboxMessage], actor: str = "citizen") -> Booking:
        """Move a BOOKED booking to `move` (its own seats count as free to it); returns the booking
        as written. To another day its channel counts move too: `move.share` under their caps, or
        (None) the booking's own, unconditionally. Labels: seat, cap, duplicate, booking,
        seat_release, share."""

    def transition(self, booking: Booking, to: str, now: datetime, actor: str, *,
                   block_until: datetime | None = None, session: SessionDetails | None = None,
                   fee: FeeRecord | None = None, messages: Iterable[OutboxMessage] = ()) -> Booking:
        """An operator's step (the caller checked the rules); a NO_SHOW with `block_until` blocks
        the citizen's new bookings until then; `session` replaces a session's details (the outcome
        note) in the same write; a completion's `fee` (record, receipt, totals) and `messages` go
        in the same transaction. Returns the booking as written. Labels: booking, fee."""

    def confirm_session(self, booking: Booking, details: SessionDetails, now: datetime, actor: str,
                        messages: Iterable[OutboxMessage]) -> Booking:
        """A BOOKED session gets its new `details` (join details), with `messages` (the SMS that
        carries them) in the same write; returns it as written. Labels: booking (changed since it
        was read, not BOOKED, or not a session)."""

    def blocked_by(self, citizen_key: str, now: datetime) -> str | None:
        """The no-show (booking id) whose block stops the citizen's new bookings at `now`; "" for a
        block that names none; None when the citizen is not blocked."""

    def office_day_bookings(self, office_id: str, day: date) -> list[Booking]:
        """The office's bookings of `day`, in any state, in no promised order."""

    def of_citizen(self, citizen_key: str, since: date) -> list[Booking]:
        """The citizen's bookings starting on `since` or later, in any state, soonest first."""

    def office_day_counts(self, office_ids: list[str], day: date, *, consistent: bool = False) -> dict[str, int]:
        """Live bookings of `day` per office (0 for an office with none), counted from the seats
        they hold (a booking writes no shared counter of its office-day)."""

    def share_counts(self, office_id: str, day: date, *, consistent: bool = False) -> dict[str, int]:
        """Seats held per channel count of the office-day (absent: none)."""
