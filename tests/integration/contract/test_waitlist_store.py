"""The waitlist store's contract, on the fake and on DynamoDB: one entry per citizen, office and
service, joins guarded by the revision they counted at, the lines in join order, and offers: a
hold on free seats for a WAITING place (and a citizen who may hold it), the SMS written with it,
due offers and their settlement."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from chalicelib.domain import calendar, outbox
from chalicelib.domain.booking import BookingDraft, Hold
from chalicelib.domain.waitlist import OFFERED, WAITING, WaitlistEntry
from chalicelib.errors import TxConditionFailed
from tests.fakes.booking import FakeBookingStore
from tests.fakes.waitlist import FakeWaitlistStore
from tests.integration.contract.conftest import BACKENDS, delete_tagged

NOW = calendar.now_tehran().replace(microsecond=0)
DAY = NOW.date() + timedelta(days=3)
OTHER_DAY = DAY + timedelta(days=1)
CAP = 2


class Backend:
    def __init__(self, waitlist, bookings, tag: str):
        self.waitlist, self.bookings, self.tag = waitlist, bookings, tag
        self.office = f"OF-{tag}"

    def citizen(self, name: str) -> str:
        return f"{self.tag}-{name}"

    def entry(self, name: str, n: int, *, service: str = "S0001", days=(DAY,)) -> WaitlistEntry:
        return WaitlistEntry(f"WL{self.tag}{name}{service}", self.citizen(name), self.office, service, tuple(days),
                             "+989121234567", NOW + timedelta(milliseconds=n))

    def hold(self, name: str, n: int = 1, start: str = "09:00", counter: int = 1,
             expires: datetime | None = None) -> Hold:
        begin = datetime.combine(DAY, calendar.parse_hhmm(start), calendar.TEHRAN)
        return Hold(f"HD{self.tag}{n}", self.office, "S0001", DAY, begin, (start,), counter,
                    expires or NOW + timedelta(minutes=30), self.citizen(name))

    def book(self, name: str, n: int, start: str = "09:00", counter: int = 1, service: str = "S0001"):
        begin = datetime.combine(DAY, calendar.parse_hhmm(start), calendar.TEHRAN)
        draft = BookingDraft(f"BK{self.tag}{n:03d}", self.office, service, DAY, begin, (start,), counter,
                             self.citizen(name), "*******679", "+989121234567", None, "h" * 64)
        return self.bookings.book(draft, NOW, max_per_day=CAP, hold_id=None, messages=[])

    def offer(self, waiter, hold, now=NOW, messages=()):
        return self.waitlist.offer(waiter, hold, now, max_per_day=CAP, messages=list(messages))


@pytest.fixture(params=BACKENDS)
def be(request, tag):
    if request.param == "fake":
        bookings = FakeBookingStore()
        yield Backend(FakeWaitlistStore(bookings), bookings, tag)
        return
    request.getfixturevalue("dynamodb")
    from chalicelib.dal import booking_store, waitlist_store
    yield Backend(waitlist_store, booking_store, tag)
    for table in ("bookings", "outbox"):
        delete_tagged(table, tag)


def labels(call) -> set[str]:
    with pytest.raises(TxConditionFailed) as failed:
        call()
    return failed.value.labels


def test_one_entry_per_citizen_office_and_service(be):
    first = be.entry("a", 1, days=(DAY, OTHER_DAY))
    be.waitlist.join(first, 0)
    entries, revision = be.waitlist.entries_of(be.citizen("a"))
    assert entries == [first] and revision == 1
    assert labels(lambda: be.waitlist.join(be.entry("a", 2), revision)) == {"duplicate"}
    # A join counted at an old revision is refused: the cap was counted on stale entries.
    assert "revision" in labels(lambda: be.waitlist.join(be.entry("a", 3, service="S0002"), 0))
    be.waitlist.join(be.entry("a", 3, service="S0002"), revision)
    assert len(be.waitlist.entries_of(be.citizen("a"))[0]) == 2
    assert [p.day for p in be.waitlist.places_of(first)] == [DAY, OTHER_DAY]


def test_a_past_entry_is_replaced_in_the_same_join(be):
    old = be.entry("a", 1)
    be.waitlist.join(old, 0)
    again = replace(be.entry("a", 5, days=(OTHER_DAY,)), entry_id=f"WL{be.tag}again")
    be.waitlist.join(again, 1, drop=[old])
    assert be.waitlist.entries_of(be.citizen("a"))[0] == [again]
    assert be.waitlist.line(be.office, "S0001", DAY) == []


def test_leave_deletes_the_entry_and_its_places(be):
    entry = be.entry("a", 1, days=(DAY, OTHER_DAY))
    be.waitlist.join(entry, 0)
    be.waitlist.leave(entry)
    assert be.waitlist.entries_of(be.citizen("a")) == ([], 2)
    assert be.waitlist.line(be.office, "S0001", DAY) == [] and be.waitlist.places_of(entry) == []
    assert labels(lambda: be.waitlist.leave(entry)) == {"entry"}


def test_the_line_reads_in_join_order(be):
    for n, name in enumerate(("c", "a", "d", "b")):
        be.waitlist.join(be.entry(name, n), 0)
    line = be.waitlist.line(be.office, "S0001", DAY)
    assert [w.citizen_key for w in line] == [be.citizen(x) for x in ("c", "a", "d", "b")]
    assert {w.status for w in line} == {WAITING}


def test_an_offer_holds_the_seat_for_the_waiter_with_its_sms(be):
    be.waitlist.join(be.entry("a", 1), 0)
    waiter = be.waitlist.line(be.office, "S0001", DAY)[0]
    hold = be.hold("a")
    sms = outbox.sms("waitlist_offer", "+989121234567", NOW, params={"hold_id": hold.hold_id})
    made = be.offer(waiter, hold, messages=[sms])
    assert made.waiter.status == OFFERED and made.hold == hold
    assert be.bookings.taken_seats(be.office, DAY, NOW, consistent=True) == {"09:00": {1}}
    assert be.bookings.get_hold(hold.hold_id) == hold
    (place,) = be.waitlist.line(be.office, "S0001", DAY)
    assert (place.status, place.hold_id, place.offer_expires, place.offered_start) == (
        OFFERED, hold.hold_id, hold.expires_at, hold.start)
    # The place is no longer waiting; the seat is held.
    assert labels(lambda: be.offer(waiter, be.hold("a", 2, counter=2))) >= {"waiter"}
    be.waitlist.join(be.entry("b", 2), 0)
    other = be.waitlist.line(be.office, "S0001", DAY)[1]
    assert labels(lambda: be.offer(other, be.hold("b", 3))) == {"seat"}
    # The waiter's citizen books the held seat on the ordinary path.
    draft = BookingDraft(f"BK{be.tag}900", be.office, "S0001", DAY, hold.start, hold.cells, 1, be.citizen("a"),
                         "*******679", "+989121234567", None, "h" * 64)
    be.bookings.book(draft, NOW + timedelta(minutes=1), max_per_day=CAP, hold_id=hold.hold_id, messages=[])


def test_no_offer_to_a_citizen_who_may_not_take_it(be):
    be.waitlist.join(be.entry("a", 1), 0)
    be.book("a", 1, "10:00")  # a live booking of this service that day
    waiter = be.waitlist.line(be.office, "S0001", DAY)[0]
    assert labels(lambda: be.offer(waiter, be.hold("a", 1))) == {"duplicate"}
    assert be.bookings.taken_seats(be.office, DAY, NOW, consistent=True) == {"10:00": {1}}
    assert be.waitlist.line(be.office, "S0001", DAY)[0].status == WAITING


def test_due_offers_are_settled_once(be):
    be.waitlist.join(be.entry("a", 1), 0)
    be.waitlist.join(be.entry("b", 2), 0)
    line = be.waitlist.line(be.office, "S0001", DAY)
    soon, later = NOW + timedelta(minutes=5), NOW + timedelta(minutes=30)
    first = be.offer(line[0], be.hold("a", 1, expires=soon))
    be.offer(line[1], be.hold("b", 2, "09:15", expires=later))
    mine = [o for o in be.waitlist.due_offers(soon + timedelta(seconds=1)) if be.tag in o.hold.hold_id]
    assert [o.hold.hold_id for o in mine] == [first.hold.hold_id] and mine[0].waiter == first.waiter
    assert [o for o in be.waitlist.due_offers(soon) if be.tag in o.hold.hold_id] == []  # not before it expires
    be.waitlist.settle(mine[0], soon + timedelta(seconds=1))
    assert labels(lambda: be.waitlist.settle(mine[0], soon + timedelta(seconds=1))) == {"offer"}
    assert be.bookings.get_hold(first.hold.hold_id) is None
    assert [w.citizen_key for w in be.waitlist.line(be.office, "S0001", DAY)] == [be.citizen("b")]
    assert be.bookings.taken_seats(be.office, DAY, soon + timedelta(seconds=1), consistent=True) == {"09:15": {1}}
