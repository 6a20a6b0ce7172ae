"""The appeals store's contract, on the fake and on DynamoDB: one appeal per booking, the pending
list per office and network-wide, one decision per appeal, and an acceptance that excuses the
no-show and lifts the block that no-show set, all or nothing."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.domain import calendar
from chalicelib.domain.appeals import ACCEPTED, PENDING, REJECTED, Appeal, Decision
from chalicelib.domain.booking import EXCUSED, NO_SHOW, BookingDraft
from chalicelib.errors import TxConditionFailed
from tests.fakes.appeals import FakeAppealStore
from tests.fakes.booking import FakeBookingStore
from tests.integration.contract.conftest import BACKENDS, delete_tagged

NOW = calendar.now_tehran().replace(microsecond=0)
DAY = NOW.date() + timedelta(days=2)


class Backend:
    def __init__(self, appeals, bookings, tag):
        self.appeals, self.bookings, self.tag = appeals, bookings, tag
        self.n = 0

    def book(self, office: str = "A", citizen: str = "a", service: str = "S0001"):
        self.n += 1
        start = datetime.combine(DAY, calendar.parse_hhmm("09:00"), calendar.TEHRAN)
        draft = BookingDraft(f"BK{self.tag}{self.n:03d}", f"OF-{self.tag}{office}", service, DAY, start, ("09:00",),
                             self.n, f"{self.tag}-{citizen}", "*******679", "+989121234567", None, "h" * 64)
        return self.bookings.book(draft, NOW, max_per_day=5, hold_id=None, messages=[])

    def missed(self, booked):
        """Recorded as a no-show that blocks its citizen."""
        return self.bookings.transition(booked, NO_SHOW, NOW, "operator:op", block_until=NOW + timedelta(days=14))

    def no_show(self, office: str = "A", citizen: str = "a"):
        return self.missed(self.book(office, citizen))

    def appeal(self, booking, minutes: int = 0) -> Appeal:
        return Appeal("AP" + booking.booking_id[2:], booking.booking_id, booking.office_id, booking.citizen_key,
                      booking.mobile, "بیمار بودم", NOW + timedelta(minutes=minutes), NOW)


@pytest.fixture(params=BACKENDS)
def be(request, tag):
    if request.param == "fake":
        bookings = FakeBookingStore()
        yield Backend(FakeAppealStore(bookings), bookings, tag)
        return
    request.getfixturevalue("dynamodb")
    from chalicelib.dal import appeal_store, booking_store
    yield Backend(appeal_store, booking_store, tag)
    delete_tagged("bookings", tag)
    from chalicelib.dal.models import PendingAppealItem
    for item in PendingAppealItem.query("APQ"):
        if tag in item.sk:
            item.delete()


def labels(call) -> set[str]:
    with pytest.raises(TxConditionFailed) as failed:
        call()
    return failed.value.labels


def test_one_appeal_per_booking_and_the_pending_lists(be):
    first, other = be.no_show("A"), be.no_show("B", citizen="b")
    a, b = be.appeal(first), be.appeal(other, minutes=1)
    be.appeals.file(a, [])
    be.appeals.file(b, [])
    assert labels(lambda: be.appeals.file(a, [])) == {"duplicate"}
    assert be.appeals.get(a.appeal_id) == a and be.appeals.get("APNONE") is None
    assert be.appeals.pending(first.office_id) == [a]
    mine = [x for x in be.appeals.pending() if be.tag in x.appeal_id]
    assert mine == [a, b]
    assert [(h["actor"], h["to"]) for h in be.appeals.history(a.appeal_id)] == [("citizen", PENDING)]


def test_an_acceptance_excuses_the_no_show_and_lifts_its_block(be):
    booking = be.no_show()
    appeal = be.appeal(booking)
    be.appeals.file(appeal, [])
    assert be.bookings.blocked_by(booking.citizen_key, NOW) == booking.booking_id
    decision = Decision(NOW + timedelta(hours=1), "office:mgr", ACCEPTED, None)
    excused = booking.changed(EXCUSED, "office:mgr", decision.at)
    decided = be.appeals.decide(appeal, decision, [], excuse=(booking, excused), lift_block=True)
    assert decided.status == ACCEPTED and be.appeals.get(appeal.appeal_id).decision == decision
    assert be.bookings.get_booking(booking.booking_id).status == EXCUSED
    assert be.bookings.blocked_by(booking.citizen_key, NOW) is None
    assert be.appeals.pending(booking.office_id) == []
    # Decided once: a second decision is refused, whatever it says.
    again = Decision(NOW + timedelta(hours=2), "association:adm", REJECTED, "no")
    assert "appeal" in labels(lambda: be.appeals.decide(appeal, again, []))
    assert [h["to"] for h in be.appeals.history(appeal.appeal_id)] == [PENDING, ACCEPTED]


def test_a_block_set_by_another_no_show_stays_and_nothing_is_written(be):
    booked = be.book(), be.book(service="S0002")
    first, second = be.missed(booked[0]), be.missed(booked[1])  # the later no-show set the block now
    appeal = be.appeal(first)
    be.appeals.file(appeal, [])
    decision = Decision(NOW, "office:mgr", ACCEPTED, None)
    refused = labels(lambda: be.appeals.decide(appeal, decision, [],
                                               excuse=(first, first.changed(EXCUSED, "office:mgr", NOW)),
                                               lift_block=True))
    assert refused == {"block"}
    assert be.appeals.get(appeal.appeal_id).status == PENDING
    assert be.bookings.get_booking(first.booking_id).status == NO_SHOW
    assert be.bookings.blocked_by(first.citizen_key, NOW) == second.booking_id
