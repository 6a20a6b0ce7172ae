"""The booking store's contract, on the fake and on DynamoDB: seat capacity per counter and
cell, holds and their expiry, the citizen's daily cap, one live booking per citizen, day and
service, the no-show block, state transitions guarded by the version read, and the SMS written
with the change or not at all."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from chalicelib.domain import calendar, outbox
from chalicelib.domain.booking import (
    BOOKED,
    CANCELLED,
    CHECKED_IN,
    COMPLETED,
    NO_SHOW,
    BookingDraft,
    FirstAnswer,
    Hold,
    Move,
)
from chalicelib.domain.channels import ShareClaim
from chalicelib.domain.partner import WebhookDelivery
from chalicelib.errors import TxConditionFailed
from tests.fakes.booking import FakeBookingStore
from tests.integration.contract.conftest import BACKENDS, delete_tagged

NOW = calendar.now_tehran().replace(microsecond=0)
DAY = NOW.date() + timedelta(days=3)
OTHER_DAY = DAY + timedelta(days=1)
CAP = 2


@pytest.fixture(params=BACKENDS)
def store(request, tag):
    if request.param == "fake":
        yield FakeBookingStore()
        return
    request.getfixturevalue("dynamodb")
    from chalicelib.dal import booking_store
    yield booking_store
    for table in ("bookings", "outbox", "requests"):
        delete_tagged(table, tag)


@pytest.fixture()
def office(tag) -> str:
    return f"OF-{tag}"


def at(hhmm: str, day=DAY) -> datetime:
    return datetime.combine(day, calendar.parse_hhmm(hhmm), calendar.TEHRAN)


class Drafts:
    """Drafts of distinct bookings: every id and citizen carries the test's tag."""

    def __init__(self, tag: str, office: str):
        self.tag, self.office, self.n = tag, office, 0

    def __call__(self, start: str = "09:00", *, cells: tuple[str, ...] | None = None, counter: int = 1,
                 citizen: str = "a", service: str = "S0001", day=DAY) -> BookingDraft:
        self.n += 1
        return BookingDraft(
            booking_id=f"BK{self.tag}{self.n:03d}", office_id=self.office, service_id=service, day=day,
            start=at(start, day), cells=cells or (start,), counter=counter, citizen_key=f"{self.tag}-{citizen}",
            national_id_masked="*******679", mobile="09121234567", name=None, access_code_hash="h" * 64)


@pytest.fixture()
def draft(tag, office) -> Drafts:
    return Drafts(tag, office)


def book(store, draft: BookingDraft, now: datetime = NOW, *, hold_id: str | None = None, messages=(), once=None):
    return store.book(draft, now, max_per_day=CAP, hold_id=hold_id, messages=list(messages), once=once)


def labels(call) -> set[str]:
    with pytest.raises(TxConditionFailed) as failed:
        call()
    return failed.value.labels


def enqueued(store, booking_id: str) -> list[str]:
    """Templates of the SMS written for a booking."""
    if isinstance(store, FakeBookingStore):
        messages = store.outbox
    else:
        from chalicelib.dal import outbox_store
        messages = outbox_store.pending(outbox.SMS)
    return sorted(m.content.template for m in messages if m.content.booking_id == booking_id)


def hold_of(tag: str, office: str, start: str, cells, counter: int, expires: datetime, n: int = 1) -> Hold:
    return Hold(f"HD{tag}{n}", office, "S0001", DAY, at(start), tuple(cells), counter, expires)


# --- seats ---------------------------------------------------------------------------------

def test_a_booking_reads_back_as_written(store, draft):
    written = book(store, draft("09:00", cells=("09:00", "09:15"), counter=2))
    assert written.status == BOOKED and written.version == 1
    assert written.history[0].to_status == BOOKED and written.history[0].actor == "citizen"
    read = store.get_booking(written.booking_id)
    assert read == written and read.version == written.version
    assert store.get_booking("BKNOSUCHBOOKING") is None


def test_a_seat_is_one_counter_in_one_cell(store, draft, office):
    book(store, draft("09:00", cells=("09:00", "09:15"), counter=1, citizen="a"))
    assert store.taken_seats(office, DAY, NOW, consistent=True) == {"09:00": {1}, "09:15": {1}}
    # The second cell of the first booking is taken on counter 1, free on counter 2.
    assert labels(lambda: book(store, draft("09:15", cells=("09:15",), counter=1, citizen="b"))) == {"seat"}
    book(store, draft("09:15", cells=("09:15",), counter=2, citizen="b"))
    assert store.taken_seats(office, DAY, NOW, consistent=True) == {"09:00": {1}, "09:15": {1, 2}}
    assert store.office_day_counts([office, f"{office}-X"], DAY) == {office: 2, f"{office}-X": 0}


def test_a_refused_booking_writes_nothing(store, draft, office):
    book(store, draft(counter=1, citizen="a"))
    loser = draft(counter=1, citizen="b")
    sms = outbox.sms("booking_confirmed", "0912", NOW, booking_id=loser.booking_id)
    assert labels(lambda: book(store, loser, messages=[sms])) == {"seat"}
    assert store.get_booking(loser.booking_id) is None
    assert enqueued(store, loser.booking_id) == []
    assert store.office_day_counts([office], DAY) == {office: 1}
    # Nothing of the loser's day was claimed: the same citizen books another counter.
    book(store, draft(counter=2, citizen="b"))


def test_the_booking_and_its_messages_are_written_together(store, draft):
    d = draft()
    messages = [outbox.sms("booking_confirmed", "09121234567", NOW, booking_id=d.booking_id,
                           params={"start": d.start.isoformat()}),
                outbox.sms("booking_reminder", "09121234567", d.start - timedelta(hours=24), booking_id=d.booking_id)]
    book(store, d, messages=messages)
    assert enqueued(store, d.booking_id) == ["booking_confirmed", "booking_reminder"]


# --- holds ---------------------------------------------------------------------------------

def test_a_hold_takes_its_seats_until_it_expires(store, tag, office, draft):
    hold = hold_of(tag, office, "10:00", ("10:00", "10:15"), 3, NOW + timedelta(minutes=5))
    store.create_hold(hold, NOW)
    assert store.get_hold(hold.hold_id) == hold
    assert store.taken_seats(office, DAY, NOW, consistent=True) == {"10:00": {3}, "10:15": {3}}
    rival = hold_of(tag, office, "10:15", ("10:15",), 3, NOW + timedelta(minutes=5), n=2)
    assert labels(lambda: store.create_hold(rival, NOW)) == {"seat"}
    assert labels(lambda: book(store, draft("10:15", cells=("10:15",), counter=3))) == {"seat"}
    later = hold.expires_at + timedelta(seconds=1)
    assert store.taken_seats(office, DAY, later, consistent=True) == {}
    store.create_hold(rival, later)  # an expired hold's seats are free again
    book(store, draft("10:00", cells=("10:00",), counter=3), later)


def test_booking_on_a_hold_uses_it_up(store, tag, office, draft):
    hold = hold_of(tag, office, "11:00", ("11:00",), 1, NOW + timedelta(minutes=5))
    store.create_hold(hold, NOW)
    booking = book(store, draft("11:00", cells=("11:00",), counter=1), hold_id=hold.hold_id)
    assert store.get_hold(hold.hold_id) is None
    assert store.taken_seats(office, DAY, NOW + timedelta(hours=1), consistent=True) == {"11:00": {1}}
    assert store.get_booking(booking.booking_id).counter == 1
    assert labels(lambda: book(store, draft("11:00", cells=("11:00",), counter=1, citizen="b"),
                               hold_id=hold.hold_id)) == {"hold"}


def test_an_expired_hold_cannot_be_booked(store, tag, office, draft):
    hold = hold_of(tag, office, "11:30", ("11:30",), 1, NOW + timedelta(minutes=5))
    store.create_hold(hold, NOW)
    late = hold.expires_at + timedelta(seconds=1)
    assert labels(lambda: book(store, draft("11:30", cells=("11:30",), counter=1), late, hold_id=hold.hold_id)) == {
        "hold"}
    assert store.get_hold(hold.hold_id) == hold  # still there until cleanup; expiry is in the conditions


def test_a_hold_id_is_used_once(store, tag, office):
    hold = hold_of(tag, office, "08:00", ("08:00",), 1, NOW + timedelta(minutes=5))
    store.create_hold(hold, NOW)
    assert labels(lambda: store.create_hold(replace(hold, counter=2), NOW)) == {"hold"}


# --- the citizen's day ---------------------------------------------------------------------

def test_one_live_booking_per_citizen_service_and_day(store, draft):
    book(store, draft("09:00", citizen="a", service="S0001"))
    assert labels(lambda: book(store, draft("10:00", citizen="a", service="S0001"))) == {"duplicate"}
    book(store, draft("10:00", citizen="a", service="S0002"))  # another service
    book(store, draft("10:00", citizen="a", service="S0001", day=OTHER_DAY))  # another day


def test_the_daily_cap(store, draft):
    for n in range(CAP):
        book(store, draft(f"0{8 + n}:00", citizen="a", service=f"S000{n + 1}"))
    assert labels(lambda: book(store, draft("11:00", citizen="a", service="S0009"))) == {"cap"}


def test_a_double_click_breaks_both_the_seat_and_the_citizen_rules(store, draft):
    book(store, draft("09:00", counter=1, citizen="a"))
    assert labels(lambda: book(store, draft("09:00", counter=1, citizen="a"))) == {"seat", "duplicate"}


def test_a_no_show_blocks_new_bookings_until_then(store, draft):
    booking = book(store, draft("09:00", citizen="a"))
    until = NOW + timedelta(days=30)
    after = store.transition(booking, NO_SHOW, NOW, "operator:op1", block_until=until)
    assert after.status == NO_SHOW
    assert labels(lambda: book(store, draft("10:00", citizen="a", service="S0002"))) == {"blocked"}
    book(store, draft("10:00", citizen="b", service="S0002"))  # others are not blocked
    book(store, draft("10:00", citizen="a", service="S0002", counter=2), until + timedelta(seconds=1))


# --- the first answer under an Idempotency-Key ------------------------------------------------

@pytest.fixture()
def answer_keys(store, tag):
    """Idempotency keys for the test; their answers are deleted afterwards (their ids are hashes)."""
    keys = [f"key-{tag}-{n}" for n in range(3)]
    yield keys
    if not isinstance(store, FakeBookingStore):
        from chalicelib.dal.booking_store import _answer_id
        from chalicelib.dal.models import IdempotencyItem
        for key in keys:
            IdempotencyItem(_answer_id(key)).delete()


def test_the_first_answer_is_written_with_its_booking_and_only_once(store, draft, answer_keys):
    key, other_key, _ = answer_keys
    once = FirstAnswer(key, "fingerprint-1", {"booking_id": "BK1", "start": {"jalali": "۱۴۰۵/۰۹/۱۰"}, "counter": 1},
                       NOW + timedelta(hours=24))
    assert store.first_answer(key, NOW) is None
    first = book(store, draft(counter=1, citizen="a"), once=once)
    assert store.first_answer(key, NOW) == once
    # Another booking under the key is refused whole (label once): no booking, no seat.
    second = draft("10:00", counter=2, citizen="b")
    assert labels(lambda: book(store, second, once=replace(once, fingerprint="fingerprint-2"))) == {"once"}
    assert store.get_booking(second.booking_id) is None and store.first_answer(key, NOW) == once
    # A booking refused for its own reasons writes no answer.
    lost = draft(counter=1, citizen="c")
    assert labels(lambda: book(store, lost, once=replace(once, key=other_key))) == {"seat"}
    assert store.first_answer(other_key, NOW) is None
    assert first.booking_id in {b.booking_id for b in store.office_day_bookings(first.office_id, DAY)}


def test_an_answer_is_kept_until_it_expires(store, draft, answer_keys):
    key = answer_keys[2]
    once = FirstAnswer(key, "fingerprint-1", {"booking_id": "BK1"}, NOW + timedelta(hours=24))
    book(store, draft(counter=1, citizen="a"), once=once)
    assert store.first_answer(key, NOW + timedelta(hours=24)) == once
    later = NOW + timedelta(hours=24, seconds=1)
    assert store.first_answer(key, later) is None
    renewed = FirstAnswer(key, "fingerprint-2", {"booking_id": "BK2"}, later + timedelta(hours=24))
    book(store, draft("10:00", counter=1, citizen="b"), later, once=renewed)  # an expired answer is replaced
    assert store.first_answer(key, later) == renewed


# --- changes of a booking --------------------------------------------------------------------

def test_cancel_frees_the_seats_and_the_day(store, draft, office):
    booking = book(store, draft("09:00", cells=("09:00", "09:15"), citizen="a"))
    sms = outbox.sms("booking_cancelled", "0912", NOW, booking_id=booking.booking_id)
    cancelled = store.cancel(booking, NOW, "citizen", [sms])
    assert cancelled.status == CANCELLED and cancelled.version == booking.version + 1
    assert [c.to_status for c in cancelled.history] == [BOOKED, CANCELLED]
    assert store.get_booking(booking.booking_id) == cancelled
    assert store.taken_seats(office, DAY, NOW, consistent=True) == {}
    assert store.office_day_counts([office], DAY) == {office: 0}
    assert enqueued(store, booking.booking_id) == ["booking_cancelled"]
    book(store, draft("09:00", cells=("09:00",), citizen="a"))  # the same service again, same seat
    assert labels(lambda: store.cancel(cancelled, NOW, "citizen", [])) >= {"booking"}


def test_a_stale_booking_cannot_be_changed(store, draft):
    booking = book(store, draft("09:00", citizen="a"))
    checked_in = store.transition(booking, CHECKED_IN, NOW, "operator:op1")
    assert labels(lambda: store.transition(booking, NO_SHOW, NOW, "operator:op2")) == {"booking"}
    assert labels(lambda: store.cancel(booking, NOW, "citizen", [])) >= {"booking"}
    done = store.transition(checked_in, COMPLETED, NOW, "operator:op1")
    assert [c.to_status for c in done.history] == [BOOKED, CHECKED_IN, COMPLETED]
    assert store.get_booking(booking.booking_id) == done and done.version == 3


def test_reschedule_within_the_day_keeps_shared_seats(store, draft, office):
    booking = book(store, draft("09:00", cells=("09:00", "09:15"), counter=1, citizen="a"))
    move = Move(DAY, at("09:15"), ("09:15", "09:30"), 1)
    moved = store.reschedule(booking, move, NOW, max_per_day=CAP, messages=[])
    assert (moved.start, moved.cells, moved.counter, moved.status) == (at("09:15"), ("09:15", "09:30"), 1, BOOKED)
    assert moved.history[-1].moved_from == booking.start
    assert store.get_booking(booking.booking_id) == moved
    assert store.taken_seats(office, DAY, NOW, consistent=True) == {"09:15": {1}, "09:30": {1}}
    assert store.office_day_counts([office], DAY) == {office: 1}


def test_reschedule_to_another_day_moves_the_counters(store, draft, office):
    booking = book(store, draft("09:00", citizen="a"))
    sms = outbox.sms("booking_rescheduled", "0912", NOW, booking_id=booking.booking_id)
    moved = store.reschedule(booking, Move(OTHER_DAY, at("10:00", OTHER_DAY), ("10:00",), 2), NOW,
                             max_per_day=CAP, messages=[sms])
    assert store.taken_seats(office, DAY, NOW, consistent=True) == {}
    assert store.taken_seats(office, OTHER_DAY, NOW, consistent=True) == {"10:00": {2}}
    assert store.office_day_counts([office], DAY) == {office: 0}
    assert store.office_day_counts([office], OTHER_DAY) == {office: 1}
    assert enqueued(store, booking.booking_id) == ["booking_rescheduled"]
    book(store, draft("09:00", citizen="a"))  # the first day is free for the citizen again
    assert labels(lambda: book(store, draft("11:00", citizen="a", day=OTHER_DAY))) == {"duplicate"}
    assert moved.day == OTHER_DAY


def test_reschedule_is_refused_on_a_taken_seat_or_a_stale_booking(store, draft):
    booking = book(store, draft("09:00", counter=1, citizen="a"))
    book(store, draft("10:00", counter=1, citizen="b"))
    assert labels(lambda: store.reschedule(booking, Move(DAY, at("10:00"), ("10:00",), 1), NOW,
                                           max_per_day=CAP, messages=[])) == {"seat"}
    store.reschedule(booking, Move(DAY, at("10:00"), ("10:00",), 2), NOW, max_per_day=CAP, messages=[])
    assert labels(lambda: store.reschedule(booking, Move(DAY, at("11:00"), ("11:00",), 1), NOW,
                                           max_per_day=CAP, messages=[])) >= {"booking"}


def test_the_office_day_lists_every_state(store, draft, office):
    kept = book(store, draft("09:00", citizen="a"))
    gone = store.cancel(book(store, draft("10:00", citizen="b")), NOW, "citizen", [])
    book(store, draft("10:00", citizen="c", day=OTHER_DAY))
    listed = {b.booking_id: b for b in store.office_day_bookings(office, DAY)}
    assert listed == {kept.booking_id: kept, gone.booking_id: gone}



# --- remote sessions -----------------------------------------------------------------------------

def test_a_session_reads_back_with_its_details_and_its_confirmation_is_written_with_its_sms(store, draft):
    from chalicelib.domain.sessions import SessionDetails
    details = SessionDetails("video", "Europe/Berlin", at("09:30"))
    session = book(store, replace(draft("09:00", cells=("09:00", "09:15")), session=details))
    assert session.session == details and session.kind == "session"
    assert store.get_booking(session.booking_id) == session
    visit = book(store, draft("10:00", citizen="b"))
    assert store.get_booking(visit.booking_id).session is None and visit.kind == "visit"
    confirmed = details.confirmed_with("https://meet.example.ir/r/1", NOW)
    sms = outbox.sms("session_confirmed_video", "0912", NOW, booking_id=session.booking_id)
    after = store.confirm_session(session, confirmed, NOW, "operator:op1", [sms])
    assert after.session == confirmed and after.status == BOOKED and after.version == session.version + 1
    assert store.get_booking(session.booking_id) == after
    assert enqueued(store, session.booking_id) == ["session_confirmed_video"]
    # A stale read, or a visit, is refused and enqueues nothing.
    assert labels(lambda: store.confirm_session(session, confirmed, NOW, "operator:op1", [sms])) == {"booking"}
    sms2 = outbox.sms("session_confirmed_video", "0912", NOW, booking_id=visit.booking_id)
    assert labels(lambda: store.confirm_session(visit, confirmed, NOW, "operator:op1", [sms2])) == {"booking"}
    assert enqueued(store, visit.booking_id) == []


def test_a_session_completes_with_its_outcome_note(store, draft):
    from chalicelib.domain.sessions import SessionDetails
    details = SessionDetails("phone", "Asia/Tehran", at("09:30"), "+982188776655", NOW)
    session = book(store, replace(draft("09:00", cells=("09:00", "09:15")), session=details))
    done = store.transition(session, COMPLETED, NOW, "operator:op1", session=details.noted("انجام شد"))
    assert done.status == COMPLETED and done.session.note == "انجام شد"
    assert store.get_booking(session.booking_id) == done
# --- channel counts and partner deliveries ----------------------------------------------------

def test_a_channel_count_takes_seats_under_its_cap(store, draft, office):
    web = ShareClaim("web#0", 1, cap=2)
    book(store, replace(draft("09:00", citizen="a"), share=(web,)))
    second = book(store, replace(draft("09:15", citizen="b"), share=(web,)))
    assert labels(lambda: book(store, replace(draft("09:30", citizen="c"), share=(web,)))) == {"share"}
    assert store.share_counts(office, DAY, consistent=True) == {"web#0": 2}
    # Several counts in one booking, and a count without a cap (nothing refused on it).
    two_cells = replace(draft("10:00", cells=("10:00", "10:15"), citizen="d"),
                        share=(ShareClaim("web#1", 1, cap=1), ShareClaim("web#2", 1, cap=None)))
    book(store, two_cells)
    assert store.share_counts(office, DAY, consistent=True) == {"web#0": 2, "web#1": 1, "web#2": 1}
    store.cancel(second, NOW, "citizen", [])
    assert store.share_counts(office, DAY, consistent=True)["web#0"] == 1
    assert store.get_booking(second.booking_id).share == (("web#0", 1),)


def test_a_partner_booking_remembers_its_delivery_once(store, draft, office, tag):
    if isinstance(store, FakeBookingStore):
        partners = store.partners
    else:
        from chalicelib.dal import partner_store as partners
    delivery = WebhookDelivery.received(f"p{tag}", "msg_1", NOW, 96)
    claim = ShareClaim("call_centre_1470", 1, cap=5)
    made = store.book(replace(draft("09:00", citizen="a"), share=(claim,), channel="call_centre_1470",
                              partner_id=f"p{tag}", partner_ref="ref-1", fingerprint="f" * 64),
                      NOW, max_per_day=CAP, hold_id=None, messages=[], delivery=delivery)
    again = replace(draft("09:15", citizen="b"), share=(claim,), channel="call_centre_1470", partner_id=f"p{tag}")
    failed = labels(lambda: store.book(again, NOW, max_per_day=CAP, hold_id=None, messages=[], delivery=delivery))
    assert "webhook" in failed
    assert partners.seen_request(f"p{tag}", "msg_1", NOW) == made.booking_id
    read = store.get_booking(made.booking_id)
    assert (read.channel, read.partner_id, read.partner_ref, read.fingerprint, read.share) == \
        ("call_centre_1470", f"p{tag}", "ref-1", "f" * 64, (("call_centre_1470", 1),))
    assert store.share_counts(office, DAY, consistent=True) == {"call_centre_1470": 1}


def test_a_move_to_another_day_moves_the_channel_counts(store, draft, office):
    made = book(store, replace(draft("09:00"), share=(ShareClaim("consulate", 1, cap=1),)))
    book(store, replace(draft("09:00", citizen="z", day=OTHER_DAY), share=(ShareClaim("consulate", 1, cap=1),)))
    full = Move(OTHER_DAY, at("10:00", OTHER_DAY), ("10:00",), 1, (ShareClaim("consulate", 1, cap=1),))
    assert "share" in labels(lambda: store.reschedule(made, full, NOW, max_per_day=CAP, messages=[]))
    carried = Move(OTHER_DAY, at("10:00", OTHER_DAY), ("10:00",), 1)  # no claim given: carried as it is
    moved = store.reschedule(made, carried, NOW, max_per_day=CAP, messages=[])
    assert moved.share == (("consulate", 1),)
    assert store.share_counts(office, DAY, consistent=True).get("consulate", 0) == 0
    assert store.share_counts(office, OTHER_DAY, consistent=True) == {"consulate": 2}
