"""In-memory booking store: the conditions of `chalicelib/dal/booking_store.py`, checked all
together before anything is written (one transaction), with the same failure labels."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from chalicelib.domain.booking import (
    BOOKED,
    NO_SHOW,
    Booking,
    BookingDraft,
    FirstAnswer,
    Hold,
    Move,
    TakenSeats,
    visitors_delta,
)
from chalicelib.domain.calendar import TEHRAN
from chalicelib.domain.channels import ShareClaim
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.partner import WebhookDelivery
from chalicelib.domain.sessions import SessionDetails
from chalicelib.domain.tariffs import FeeRecord
from chalicelib.errors import TxConditionFailed
from tests.fakes.accounts import FakeAccountsStore
from tests.fakes.partners import FakePartnerStore

HELD = "HELD"


def _epoch(moment: datetime) -> int:
    # The data layer compares whole epoch seconds; so does the fake, or expiry edges would differ.
    return int(moment.timestamp())


@dataclass(frozen=True)
class _Seat:
    status: str  # HELD | BOOKED
    booking_id: str | None = None
    hold_id: str | None = None
    expires_at: int | None = None


SeatKey = tuple[str, date, str, int]  # office, day, cell, counter


class FakeBookingStore:
    def __init__(self, partners: FakePartnerStore | None = None, accounts: FakeAccountsStore | None = None) -> None:
        self.partners = partners or FakePartnerStore()  # where a partner delivery is remembered
        self.accounts = accounts or FakeAccountsStore()  # a completion writes its fee there, atomically
        self.shares: dict[tuple[str, date, str], int] = {}  # office, day, channel count -> seats held
        self.seats: dict[SeatKey, _Seat] = {}
        self.holds: dict[str, Hold] = {}
        self.bookings: dict[str, Booking] = {}
        self.citizen_day: dict[tuple[str, date], int] = {}
        self.guards: dict[tuple[str, date, str], str] = {}  # citizen, day, service -> booking
        self.blocks: dict[str, int] = {}  # citizen -> blocked until (epoch seconds)
        self.blocked_for: dict[str, str] = {}  # citizen -> the no-show (booking id) that set the block
        self.live_holds: dict[str, tuple[str, int]] = {}  # citizen -> (hold id, expires at)
        self.held_until: dict[tuple[str, date], int] = {}  # citizen, day -> their hold there lives until
        self.holds_made: dict[tuple[str, date], int] = {}  # citizen, Tehran day -> holds made
        self.waiting: dict[tuple[str, date], int] = {}  # visitors checked in, per office day
        self.outbox: list[OutboxMessage] = []  # what a transaction enqueued, in order
        self.answers: dict[str, FirstAnswer] = {}  # Idempotency-Key -> a booking's first answer

    # --- the conditions ---------------------------------------------------------------------

    def _free(self, key: SeatKey, now_s: int) -> bool:
        seat = self.seats.get(key)
        return seat is None or (seat.status == HELD and (seat.expires_at or 0) < now_s)

    def _can_claim_day(self, citizen: str, day: date, service_id: str, cap: int, now_s: int,
                       on_hold: bool = False) -> set[str]:
        failed = set()
        active = self.citizen_day.get((citizen, day), 0)
        holding = not on_hold and self.held_until.get((citizen, day), -1) >= now_s
        if active >= cap or (holding and active >= cap - 1):
            failed.add("cap")
        if (citizen, day, service_id) in self.guards:
            failed.add("duplicate")
        return failed

    def _is_current(self, booking: Booking, status: str) -> bool:
        stored = self.bookings.get(booking.booking_id)
        return stored is not None and stored.version == booking.version and stored.status == status

    def _own_seats(self, booking: Booking, keep: frozenset = frozenset()) -> bool:
        return all(self.seats.get(k) is not None and self.seats[k].booking_id == booking.booking_id
                   for k in self._keys(booking.office_id, booking.day, booking.cells, booking.counter) if k not in keep)

    @staticmethod
    def _keys(office_id: str, day: date, cells: Iterable[str], counter: int) -> list[SeatKey]:
        return [(office_id, day, cell, counter) for cell in cells]

    def _share_fits(self, office_id: str, day: date, claims: Iterable[ShareClaim]) -> bool:
        return all(c.cap is None or self.shares.get((office_id, day, c.key), 0) + c.seats <= c.cap for c in claims)

    def _move_share(self, office_id: str, day: date, share: Iterable[tuple[str, int]], sign: int) -> None:
        for key, seats in share:
            self._count(self.shares, (office_id, day, key), sign * seats)

    @staticmethod
    def _refuse(failed: set[str]) -> None:
        if failed:
            raise TxConditionFailed(failed)

    # --- the store ----------------------------------------------------------------------------

    def taken_seats(self, office_id: str, day: date, now: datetime, *, consistent: bool = False) -> TakenSeats:
        taken: TakenSeats = {}
        now_s = _epoch(now)
        for (office, seat_day, cell, counter), seat in self.seats.items():
            if office == office_id and seat_day == day and not (seat.status == HELD and (seat.expires_at or 0) < now_s):
                taken.setdefault(cell, set()).add(counter)
        return taken

    def create_hold(self, hold: Hold, now: datetime, *, max_per_day: int | None = None,
                    holds_per_day: int | None = None) -> None:
        now_s = _epoch(now)
        keys = self._keys(hold.office_id, hold.day, hold.cells, hold.counter)
        failed = {"seat"} if not all(self._free(k, now_s) for k in keys) else set()
        if hold.hold_id in self.holds:
            failed.add("hold")
        citizen, today = hold.citizen_key, now.astimezone(TEHRAN).date()
        if citizen:
            if self.live_holds.get(citizen, ("", -1))[1] >= now_s:
                failed.add("live_hold")
            if self.citizen_day.get((citizen, hold.day), 0) >= max_per_day:
                failed.add("cap")
            if self.holds_made.get((citizen, today), 0) >= holds_per_day:
                failed.add("hold_quota")
            if self.blocks.get(citizen, -1) >= now_s:
                failed.add("blocked")
        self._refuse(failed)
        for key in keys:
            self.seats[key] = _Seat(HELD, hold_id=hold.hold_id, expires_at=_epoch(hold.expires_at))
        self.holds[hold.hold_id] = hold
        if citizen:
            self.live_holds[citizen] = (hold.hold_id, _epoch(hold.expires_at))
            self.held_until[(citizen, hold.day)] = _epoch(hold.expires_at)
            self._count(self.holds_made, (citizen, today), 1)

    def get_hold(self, hold_id: str) -> Hold | None:
        return self.holds.get(hold_id)

    def book(self, draft: BookingDraft, now: datetime, *, max_per_day: int, hold_id: str | None,
             messages: Iterable[OutboxMessage], client_token: str | None = None,
             delivery: WebhookDelivery | None = None, once: FirstAnswer | None = None) -> Booking:
        now_s = _epoch(now)
        keys = self._keys(draft.office_id, draft.day, draft.cells, draft.counter)
        failed: set[str] = set()
        if hold_id:
            held = self.holds.get(hold_id)
            seats_held = all((s := self.seats.get(k)) is not None and s.status == HELD and s.hold_id == hold_id
                             and (s.expires_at or 0) >= now_s for k in keys)
            if not seats_held or held is None or _epoch(held.expires_at) < now_s:
                failed.add("hold")
            if self.live_holds.get(draft.citizen_key, (hold_id, 0))[0] != hold_id:
                failed.add("hold")
        elif not all(self._free(k, now_s) for k in keys):
            failed.add("seat")
        failed |= self._can_claim_day(draft.citizen_key, draft.day, draft.service_id, max_per_day, now_s,
                                      on_hold=bool(hold_id))
        if self.blocks.get(draft.citizen_key, -1) >= now_s:
            failed.add("blocked")
        if draft.booking_id in self.bookings:
            failed.add("booking")
        if not self._share_fits(draft.office_id, draft.day, draft.share):
            failed.add("share")
        if delivery is not None and self.partners.already_seen(delivery, now):
            failed.add("webhook")
        if once is not None and self.first_answer(once.key, now) is not None:
            failed.add("once")
        self._refuse(failed)
        booking = Booking.new(draft, now)
        if once is not None:
            self.answers[once.key] = once
        self._move_share(draft.office_id, draft.day, booking.share, 1)
        if delivery is not None:
            self.partners.remember(delivery, draft.booking_id)
        for key in keys:
            self.seats[key] = _Seat(BOOKED, booking_id=draft.booking_id)
        if hold_id:
            del self.holds[hold_id]
            self.live_holds.pop(draft.citizen_key, None)
            self.held_until.pop((draft.citizen_key, draft.day), None)
        self._claim_day(booking)
        self.bookings[booking.booking_id] = booking
        self.outbox.extend(messages)
        return booking

    def first_answer(self, key: str, now: datetime) -> FirstAnswer | None:
        # Whole epoch seconds, as the data layer's condition compares them.
        found = self.answers.get(key)
        return found if found is not None and _epoch(found.expires_at) >= _epoch(now) else None

    def get_booking(self, booking_id: str, *, consistent: bool = True) -> Booking | None:
        return self.bookings.get(booking_id)

    def cancel(self, booking: Booking, now: datetime, actor: str, messages: Iterable[OutboxMessage]) -> Booking:
        failed = set() if self._is_current(booking, BOOKED) else {"booking"}
        if not self._own_seats(booking):
            failed.add("seat_release")
        if self.guards.get((booking.citizen_key, booking.day, booking.service_id)) != booking.booking_id:
            failed.add("duplicate")
        self._refuse(failed)
        after = booking.changed("CANCELLED", actor, now)
        for key in self._keys(booking.office_id, booking.day, booking.cells, booking.counter):
            del self.seats[key]
        self._move_share(booking.office_id, booking.day, booking.share, -1)
        self._release_day(booking)
        self.bookings[booking.booking_id] = after
        self.outbox.extend(messages)
        return after

    def reschedule(self, booking: Booking, move: Move, now: datetime, *, max_per_day: int,
                   messages: Iterable[OutboxMessage], actor: str = "citizen") -> Booking:
        now_s = _epoch(now)
        old = set(self._keys(booking.office_id, booking.day, booking.cells, booking.counter))
        new = set(self._keys(booking.office_id, move.day, move.cells, move.counter))
        shared = frozenset(old & new)  # seats in both stay as they are
        failed = set() if self._is_current(booking, BOOKED) else {"booking"}
        if not self._own_seats(booking, keep=shared):
            failed.add("seat_release")
        if not all(self._free(k, now_s) for k in new - shared):
            failed.add("seat")
        if move.day != booking.day:
            if self.guards.get((booking.citizen_key, booking.day, booking.service_id)) != booking.booking_id:
                failed.add("duplicate")
            failed |= self._can_claim_day(booking.citizen_key, move.day, booking.service_id, max_per_day, now_s)
            if move.share is not None and not self._share_fits(booking.office_id, move.day, move.share):
                failed.add("share")
        self._refuse(failed)
        after = booking.moved(move, now, actor)
        for key in old - shared:
            del self.seats[key]
        for key in new - shared:
            self.seats[key] = _Seat(BOOKED, booking_id=booking.booking_id)
        if move.day != booking.day:
            self._move_share(booking.office_id, booking.day, booking.share, -1)
            self._move_share(booking.office_id, move.day, after.share, 1)
            self._release_day(booking)
            self._claim_day(after)
        self.bookings[booking.booking_id] = after
        self.outbox.extend(messages)
        return after

    def transition(self, booking: Booking, to: str, now: datetime, actor: str, *,
                   block_until: datetime | None = None, session: SessionDetails | None = None,
                   fee: FeeRecord | None = None, messages: Iterable[OutboxMessage] = ()) -> Booking:
        self._refuse((set() if self._is_current(booking, booking.status) else {"booking"})
                     | (self.accounts.check_fee(fee) if fee is not None else set()))
        after = booking.changed(to, actor, now)
        if session is not None:
            after = replace(after, session=session)
        if fee is not None:
            self.accounts.apply_fee(fee, booking.access_code_hash, booking.citizen_key)
        self.outbox.extend(messages)
        if to == NO_SHOW and block_until is not None:
            self.blocks[booking.citizen_key] = _epoch(block_until)
            self.blocked_for[booking.citizen_key] = booking.booking_id
        if delta := visitors_delta(booking.status, to):
            self._count(self.waiting, (booking.office_id, booking.day), delta)
        self.bookings[booking.booking_id] = after
        return after

    def confirm_session(self, booking: Booking, details: SessionDetails, now: datetime, actor: str,
                        messages: Iterable[OutboxMessage]) -> Booking:
        current = self._is_current(booking, BOOKED) and self.bookings[booking.booking_id].session is not None
        self._refuse(set() if current else {"booking"})
        after = booking.with_session(details, actor, now)
        self.bookings[booking.booking_id] = after
        self.outbox.extend(messages)
        return after

    def blocked_by(self, citizen_key: str, now: datetime) -> str | None:
        if self.blocks.get(citizen_key, -1) < _epoch(now):
            return None
        return self.blocked_for.get(citizen_key, "")

    def office_day_bookings(self, office_id: str, day: date) -> list[Booking]:
        return [b for b in self.bookings.values() if b.office_id == office_id and b.day == day]

    def of_citizen(self, citizen_key: str, since: date) -> list[Booking]:
        found = [b for b in self.bookings.values() if b.citizen_key == citizen_key and b.day >= since]
        return sorted(found, key=lambda b: b.start)

    def office_day_counts(self, office_ids: list[str], day: date, *, consistent: bool = False) -> dict[str, int]:
        owners: dict[str, set[str]] = {o: set() for o in office_ids}
        for (office, seat_day, _, _), seat in self.seats.items():
            if seat_day == day and office in owners and seat.status == BOOKED:
                owners[office].add(seat.booking_id)
        return {o: len(ids) for o, ids in owners.items()}

    def share_counts(self, office_id: str, day: date, *, consistent: bool = False) -> dict[str, int]:
        return {key: seats for (office, d, key), seats in self.shares.items() if office == office_id and d == day}

    # --- writes shared by the transactions --------------------------------------------------

    @staticmethod
    def _count(counts: dict, key, delta: int) -> None:
        counts[key] = counts.get(key, 0) + delta

    def _claim_day(self, booking: Booking) -> None:
        self._count(self.citizen_day, (booking.citizen_key, booking.day), 1)
        self.guards[(booking.citizen_key, booking.day, booking.service_id)] = booking.booking_id

    def _release_day(self, booking: Booking) -> None:
        self._count(self.citizen_day, (booking.citizen_key, booking.day), -1)
        del self.guards[(booking.citizen_key, booking.day, booking.service_id)]
