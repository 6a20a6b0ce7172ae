"""Booking use cases on the fakes: hold, book (optimistic first try, a lost race, a full slot,
the citizen's rules), idempotent retries, read, cancel and reschedule."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.booking import BOOKED, CANCELLED
from chalicelib.errors import (
    DailyCapReached,
    DuplicateBooking,
    HoldExpired,
    IdempotencyKeyReused,
    InvalidInput,
    InvalidTransition,
    NotFound,
    ServiceRetired,
    ServiceUnavailable,
    SlotFull,
    TxConflict,
)
from chalicelib.schemas import BookingIn, HoldIn, RescheduleIn
from chalicelib.services import bookings
from tests.fakes.booking import FakeBookingStore
from tests.unit.services.conftest import NOW, at, mobile, national_id, open_day

DAY = open_day(skip=1)  # at least two days ahead: the confirmation comes with a reminder


def request(n: int = 1, start: str = "09:00", *, office: str = "OF-A", service: str = "S0001", day=DAY,
            hold_id: str | None = None) -> BookingIn:
    return BookingIn(office_id=office, service_id=service, start=at(day, start), national_id=national_id(n),
                          mobile=mobile(n), hold_id=hold_id)


def book(n: int = 1, start: str = "09:00", **kwargs) -> dict:
    return bookings.book(request(n, start, **kwargs), now=NOW)


class FirstChoice:
    """Picks the lowest free counter, so the race below is the same on every run."""

    def choice(self, options):
        return min(options)

    def uniform(self, low, high):
        return 0.0


class Pausing(FirstChoice):
    """The lowest free counter, and the longest pause the backoff allows."""

    def uniform(self, low, high):
        return high


@pytest.fixture()
def first_choice(monkeypatch):
    monkeypatch.setattr(bookings, "_rng", FirstChoice())


class Counting(FakeBookingStore):
    """Records how each booking found its counter."""

    def __init__(self):
        super().__init__()
        self.reads: list[bool] = []  # `consistent` of each taken_seats call
        self.conflicts = 0  # TxConflicts still to raise, one per commit

    def taken_seats(self, office_id, day, now, *, consistent=False):
        self.reads.append(consistent)
        return super().taken_seats(office_id, day, now, consistent=consistent)

    def book(self, *args, **kwargs):
        if self.conflicts:
            self.conflicts -= 1
            raise TxConflict()
        return super().book(*args, **kwargs)


@pytest.fixture()
def counting(fakes):
    from chalicelib.services.stores import stores
    store = Counting()
    with stores.use(bookings=store):
        yield store


# --- book ----------------------------------------------------------------------------------

def test_a_quiet_slot_is_booked_without_reading_the_seats(counting):
    created = book()
    assert created["status"] == BOOKED and created["access_code"]
    assert counting.reads == []  # one optimistic write, no read first
    booking = counting.get_booking(created["booking_id"])
    assert counting.taken_seats("OF-A", DAY, NOW) == {"09:00": {booking.counter}}
    assert created["start"] == bookings.booking_view(booking)["start"]


def test_a_lost_race_rereads_the_free_counters(counting, first_choice):
    book(101)  # the first choice, counter 1, goes to someone else
    counting.reads.clear()
    created = book(2)
    assert created["counter"] == 2
    assert counting.reads == [True]  # one consistent read after losing counter 1


def test_a_transaction_conflict_is_retried(counting, first_choice):
    counting.conflicts = 2
    assert book()["counter"] == 1
    assert counting.conflicts == 0 and counting.reads == [True, True]


def test_conflicts_beyond_any_retry_count_still_book_a_free_seat(counting, first_choice):
    counting.conflicts = 25  # a rush: conflicts are tried again, they are not a refusal
    assert book()["counter"] == 1 and counting.conflicts == 0


def test_conflicts_past_the_time_budget_answer_retry_not_slot_full(counting, first_choice, monkeypatch):
    tight = bookings.get_settings().model_copy(update={"booking_budget_s": 0.05})
    monkeypatch.setattr(bookings, "get_settings", lambda: tight)
    monkeypatch.setattr(bookings, "_rng", Pausing())
    counting.conflicts = 10_000
    with pytest.raises(ServiceUnavailable) as answered:
        book()
    assert answered.value.headers["Retry-After"] == "1"
    assert counting.bookings == {} and 1 < 10_000 - counting.conflicts < 50  # paused between tries


def test_backoff_is_jittered_and_grows_to_a_ceiling():
    pauses = [[bookings.backoff(n) for _ in range(200)] for n in (1, 2, 5, 30)]
    assert all(0 <= p <= 0.16 for group in pauses for p in group)
    assert max(pauses[0]) <= 0.01 < max(pauses[2])  # the window doubles...
    assert max(pauses[3]) <= 0.16 and len(set(pauses[3])) > 100  # ...to a ceiling, every pause its own


class Racing(Counting):
    """Before each of the next `rivals` commits, another citizen takes the seat this one chose."""

    def __init__(self):
        super().__init__()
        self.rivals = 0

    def book(self, draft, now, **kwargs):
        if self.rivals:
            self.rivals -= 1
            rival = replace(draft, booking_id=f"BKRIVAL{self.rivals:05d}", citizen_key=f"rival-{self.rivals}")
            super().book(rival, now, **{**kwargs, "messages": []})
        return super().book(draft, now, **kwargs)


@pytest.fixture()
def racing(fakes):
    from chalicelib.services.stores import stores
    store = Racing()
    with stores.use(bookings=store):
        yield store


def test_lost_races_try_each_counter_a_read_still_shows_free(racing, first_choice):
    racing.rivals = 2  # counters 1 and 2 go to others just before this citizen's writes
    assert book()["counter"] == 3
    assert racing.reads == [True, True]


def test_slot_full_only_once_a_read_shows_no_counter_free(racing, first_choice):
    racing.rivals = 3  # OF-A has three counters: every one is lost to another citizen
    with pytest.raises(SlotFull):
        book()
    assert racing.reads == [True, True, True] and len(racing.bookings) == 3
    assert racing.taken_seats("OF-A", DAY, NOW) == {"09:00": {1, 2, 3}}


def test_a_full_slot(counting):
    for n in range(3):
        book(10 + n)
    with pytest.raises(SlotFull):
        book(99)
    assert len(counting.bookings) == 3 and counting.reads[-1] is True  # full after a consistent read


def test_a_citizen_books_one_service_once_a_day(book_store):
    book(1, "09:00")
    with pytest.raises(DuplicateBooking):
        book(1, "10:00")
    book(1, "10:00", service="S0002")  # another service that day is fine
    assert len(book_store.bookings) == 2


def test_a_citizen_has_at_most_the_daily_cap(book_store):
    book(1, "09:00", service="S0001")
    book(1, "10:00", service="S0002")
    with pytest.raises(DailyCapReached):
        book(1, "11:00", service="S0004")
    book(1, "11:00", service="S0004", day=open_day(skip=2))  # another day


def test_the_booking_writes_its_sms_with_it(book_store):
    created = book()
    sent = [(m.content.template, m.content.recipient, m.content.booking_id) for m in book_store.outbox]
    assert sent == [("booking_confirmed", request(1).mobile, created["booking_id"]),
                    ("booking_reminder", request(1).mobile, created["booking_id"])]
    assert book_store.outbox[0].content.params["access_code"] == created["access_code"]
    assert book_store.outbox[1].due == at(DAY, "09:00") - timedelta(hours=24)


@pytest.mark.parametrize("office, service, start, error", [
    ("OF-A", "S0001", "09:05", InvalidInput),  # off the grid
    ("OF-A", "S0002", "11:45", InvalidInput),  # 30 minutes do not fit before closing
    ("OF-A", "S0003", "09:00", InvalidInput),  # remote only
    ("OF-B", "S0004", "09:00", NotFound),  # not offered there
    ("OF-Z", "S0001", "09:00", NotFound),
    ("OF-A", "S0005", "09:00", ServiceRetired),  # retired service: a clear 409, not 404
])
def test_what_cannot_be_booked(book_store, office, service, start, error):
    with pytest.raises(error):
        book(office=office, service=service, start=start)
    assert book_store.bookings == {} and book_store.outbox == []


def test_no_same_day_booking(book_store):
    with pytest.raises(InvalidInput):
        bookings.book(request(day=NOW.date(), start="11:00"), now=NOW)


# --- holds ---------------------------------------------------------------------------------

def test_a_hold_keeps_the_seat_for_the_booking(book_store):
    held = bookings.hold(HoldIn(office_id="OF-B", service_id="S0001", start=at(DAY, "09:00")), NOW)
    with pytest.raises(SlotFull):  # one counter, held
        book(2, office="OF-B")
    created = bookings.book(request(1, office="OF-B", hold_id=held["hold_id"]), now=NOW + timedelta(minutes=4))
    assert created["counter"] == 1 and book_store.get_hold(held["hold_id"]) is None


def test_an_expired_hold_books_nothing(book_store):
    held = bookings.hold(HoldIn(office_id="OF-B", service_id="S0001", start=at(DAY, "09:00")), NOW)
    late = NOW + timedelta(minutes=6)
    with pytest.raises(HoldExpired):
        bookings.book(request(1, office="OF-B", hold_id=held["hold_id"]), now=late)
    assert bookings.book(request(2, office="OF-B"), now=late)["counter"] == 1  # the seat is free again


def test_a_hold_is_for_its_own_slot(book_store):
    held = bookings.hold(HoldIn(office_id="OF-A", service_id="S0001", start=at(DAY, "09:00")), NOW)
    with pytest.raises(HoldExpired):
        bookings.book(request(1, "09:15", hold_id=held["hold_id"]), now=NOW)
    with pytest.raises(HoldExpired):
        bookings.book(request(1, hold_id="HDNOSUCHHOLD"), now=NOW)


# --- idempotency ---------------------------------------------------------------------------

def test_a_retry_under_the_same_key_returns_the_first_booking(book_store):
    first = bookings.book(request(1), "key-1", now=NOW)
    again = bookings.book(request(1), "key-1", now=NOW + timedelta(minutes=1))
    # The same booking, without its access code: the answer a retry reads never held it.
    assert first["access_code"] and again == {k: v for k, v in first.items() if k != "access_code"}
    assert len(book_store.bookings) == 1 and len(book_store.outbox) == 2  # one confirmation, one reminder
    assert "access_code" not in json.dumps([a.answer for a in book_store.answers.values()])
    with pytest.raises(IdempotencyKeyReused):
        bookings.book(request(1, "10:00"), "key-1", now=NOW)
    with pytest.raises(IdempotencyKeyReused):  # another citizen's body under the key: refused, not replayed
        bookings.book(request(2), "key-1", now=NOW)


def test_the_answer_is_written_in_the_booking_transaction(counting):
    first = bookings.book(request(1), "key-2", now=NOW)
    [(key, answer)] = counting.answers.items()
    assert key == "key-2" and answer.answer["booking_id"] == first["booking_id"]
    assert counting.reads == []  # no read before or after: one write on the happy path
    assert answer.expires_at == NOW + timedelta(hours=24)


def test_a_retry_whose_hold_is_gone_still_gets_the_first_answer(book_store):
    held = bookings.hold(HoldIn(office_id="OF-B", service_id="S0001", start=at(DAY, "09:00")), NOW)
    body = request(1, office="OF-B", hold_id=held["hold_id"])
    first = bookings.book(body, "key-3", now=NOW)
    assert book_store.get_hold(held["hold_id"]) is None  # the booking used it up
    again = bookings.book(body, "key-3", now=NOW + timedelta(seconds=5))
    assert again["booking_id"] == first["booking_id"] and "access_code" not in again


def test_a_refusal_with_no_answer_under_the_key_stays_a_refusal(book_store):
    book(10, office="OF-B")  # OF-B's one counter at 09:00
    with pytest.raises(SlotFull):
        bookings.book(request(1, office="OF-B"), "key-4", now=NOW)
    assert book_store.answers == {}
    assert bookings.book(request(1, "10:00", office="OF-B"), "key-4", now=NOW)["access_code"]  # key still free


def test_an_answer_expires_with_its_key(book_store):
    first = bookings.book(request(1), "key-5", now=NOW)
    later = NOW + timedelta(hours=24, seconds=1)
    other = bookings.book(request(2, day=open_day(skip=3)), "key-5", now=later)  # a new booking under the old key
    assert other["booking_id"] != first["booking_id"] and other["access_code"]


def test_the_same_key_in_a_race_books_once(counting, first_choice):
    """The second call's transaction finds the first one's answer (as DynamoDB would, after the
    first committed): it replays it instead of booking again."""
    first = bookings.book(request(1), "key-6", now=NOW)
    counting.conflicts = 1  # the copy first conflicts with the first call's write, then finds its answer
    again = bookings.book(request(1), "key-6", now=NOW)
    assert again["booking_id"] == first["booking_id"] and len(counting.bookings) == 1


def test_read_needs_the_access_code(book_store):
    created = book()
    assert bookings.read(created["booking_id"], created["access_code"].lower())["status"] == BOOKED
    for code in ("WRONGCODE", None):
        with pytest.raises(NotFound):
            bookings.read(created["booking_id"], code)


def test_cancel_frees_the_seat_and_the_citizen(book_store):
    created = book()
    view = bookings.cancel(created["booking_id"], created["access_code"], NOW)
    assert view["status"] == CANCELLED and view == bookings.booking_view(book_store.get_booking(created["booking_id"]))
    assert book_store.taken_seats("OF-A", DAY, NOW) == {}
    assert [m.content.template for m in book_store.outbox][-1] == "booking_cancelled"
    with pytest.raises(InvalidTransition):
        bookings.cancel(created["booking_id"], created["access_code"], NOW)
    book(1)  # the same service that day again


def test_a_past_booking_cannot_be_cancelled(book_store):
    created = book()
    with pytest.raises(InvalidTransition):
        bookings.cancel(created["booking_id"], created["access_code"], at(DAY, "09:00"))


def test_a_stale_cancel_reports_the_change(book_store, monkeypatch):
    created = book()
    stale = book_store.get_booking(created["booking_id"])
    book_store.transition(stale, CANCELLED, NOW, "citizen")  # someone else got there first
    monkeypatch.setattr(book_store, "get_booking", lambda booking_id, consistent=True: stale)
    with pytest.raises(InvalidTransition, match="changed meanwhile"):
        bookings.cancel(created["booking_id"], created["access_code"], NOW)


def test_reschedule_onto_its_own_seats(book_store, first_choice):
    # The single counter of OF-B: moving 09:00-09:30 to 09:15-09:45 reuses the 09:15 seat.
    created = bookings.book(request(1, office="OF-B", service="S0002"), now=NOW)
    moved = bookings.reschedule(created["booking_id"], created["access_code"],
                                RescheduleIn(start=at(DAY, "09:15")), NOW)
    assert moved["start"] == bookings.booking_view(book_store.get_booking(created["booking_id"]))["start"]
    assert book_store.taken_seats("OF-B", DAY, NOW) == {"09:15": {1}, "09:30": {1}}
    assert [m.content.template for m in book_store.outbox][-2:] == ["booking_rescheduled", "booking_reminder"]


def test_reschedule_to_a_full_slot(book_store):
    created = bookings.book(request(1, office="OF-B"), now=NOW)
    bookings.book(request(2, "10:00", office="OF-B"), now=NOW)
    with pytest.raises(SlotFull):
        bookings.reschedule(created["booking_id"], created["access_code"], RescheduleIn(start=at(DAY, "10:00")),
                            NOW)
    assert book_store.get_booking(created["booking_id"]).start == at(DAY, "09:00")
