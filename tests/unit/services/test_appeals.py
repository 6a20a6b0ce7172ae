"""Appeal use cases on the fakes: filing (only one's own no-show, once, while the block runs),
deciding (the office at once, the association after 3 working days, never twice), and what an
accepted appeal does: the block lifts, the no-show becomes EXCUSED; a rejection keeps both."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.domain import appeals as rules
from chalicelib.domain import calendar, validators
from chalicelib.domain.booking import citizen_key
from chalicelib.domain.citizen import mobile_key, new_session
from chalicelib.errors import (
    AlreadyAppealed,
    AppealClosed,
    AppealDecided,
    AppealWithOffice,
    NoShowBlocked,
    NotFound,
)
from chalicelib.schemas import BookingIn, HoldIn
from chalicelib.services import appeals, bookings, office_day
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings
from tests.fakes.appeals import FakeAppealStore
from tests.unit.services.conftest import NOW, at, mobile, national_id, open_day

DAY = open_day(skip=0)
REASON = "در بیمارستان بستری بودم و نتوانستم بیایم"


@pytest.fixture()
def appeal_store(fakes):
    store = FakeAppealStore(fakes["bookings"])
    with stores.use(appeals=store):
        yield store


def session(n: int):
    pepper = get_settings().citizen_pepper
    return new_session(citizen_key(national_id(n), pepper), mobile_key(pepper, validators.mobile(mobile(n))), NOW, 30)


def no_show(n: int = 1) -> tuple[str, datetime]:
    """Citizen n books DAY 09:00 and does not come: the operator records it at 09:30."""
    made = bookings.book(BookingIn(office_id="OF-A", service_id="S0001", start=at(DAY, "09:00"),
                                   national_id=national_id(n), mobile=mobile(n)), now=NOW)
    when = at(DAY, "09:30")
    office_day.act("OF-A", "op-1", made["booking_id"], "no_show", now=when)
    return made["booking_id"], when


def hold_again(n: int, now: datetime) -> dict:
    later = open_day(skip=1, after=now.date())
    return bookings.hold(HoldIn(office_id="OF-A", service_id="S0002", start=at(later, "10:00")), now=now,
                         session=session(n))


def sms_templates(book_store) -> list[str]:
    return [m.content.template for m in book_store.outbox if m.content.template.startswith("appeal_")]


def test_accept_lifts_the_block_and_excuses_the_no_show(appeal_store, book_store):
    booking_id, when = no_show()
    after = when + timedelta(hours=1)
    with pytest.raises(NoShowBlocked):
        hold_again(1, after)
    filed = appeals.file(booking_id, REASON, session(1), now=after)
    assert filed["status"] == "PENDING" and filed["appeal_id"] == rules.appeal_id_of(booking_id)
    assert [a["appeal_id"] for a in appeals.pending("OF-A")["items"]] == [filed["appeal_id"]]
    assert appeals.pending("OF-B")["items"] == []
    decided = appeals.decide(filed["appeal_id"], True, None, by=rules.OFFICE, actor_id="mgr-1", office_id="OF-A",
                             now=after + timedelta(minutes=5))
    assert decided["status"] == "ACCEPTED" and decided["decision"]["by"] == "office:mgr-1"
    assert book_store.bookings[booking_id].status == "EXCUSED"
    assert book_store.bookings[booking_id].history[-1].actor == "office:mgr-1"
    assert hold_again(1, after + timedelta(minutes=6))["hold_id"]
    assert sms_templates(book_store) == ["appeal_received", "appeal_accepted"]
    assert [(t["actor"], t["to"]) for t in appeal_store.history(filed["appeal_id"])] == [
        ("citizen", "PENDING"), ("office:mgr-1", "ACCEPTED")]
    assert appeals.pending("OF-A")["items"] == []


def test_reject_keeps_the_block_and_says_why(appeal_store, book_store):
    booking_id, when = no_show()
    filed = appeals.file(booking_id, REASON, session(1), now=when)
    decided = appeals.decide(filed["appeal_id"], False, "مدرکی ارائه نشد", by=rules.OFFICE, actor_id="mgr-1",
                             office_id="OF-A", now=when + timedelta(hours=1))
    assert decided["status"] == "REJECTED" and decided["decision"]["reason"] == "مدرکی ارائه نشد"
    assert book_store.bookings[booking_id].status == "NO_SHOW"
    with pytest.raises(NoShowBlocked):
        hold_again(1, when + timedelta(hours=2))
    rejected = [m for m in book_store.outbox if m.content.template == "appeal_rejected"]
    assert rejected[0].content.params["reason_fa"] == "مدرکی ارائه نشد"


def test_a_decision_is_taken_once(appeal_store):
    booking_id, when = no_show()
    filed = appeals.file(booking_id, REASON, session(1), now=when)
    appeals.decide(filed["appeal_id"], False, "نه", by=rules.OFFICE, actor_id="m", office_id="OF-A", now=when)
    with pytest.raises(AppealDecided):
        appeals.decide(filed["appeal_id"], True, None, by=rules.OFFICE, actor_id="m", office_id="OF-A", now=when)


def test_the_association_waits_three_working_days(appeal_store):
    booking_id, when = no_show()
    filed = appeals.file(booking_id, REASON, session(1), now=when)
    opens = calendar.parse_datetime(filed["association_may_decide_from"]["at"])
    assert opens == rules.association_may_decide_from(when.replace(microsecond=0), appeals.is_working_day)
    with pytest.raises(AppealWithOffice):
        appeals.decide(filed["appeal_id"], True, None, by=rules.ASSOCIATION, actor_id="admin",
                       now=opens - timedelta(minutes=1))
    decided = appeals.decide(filed["appeal_id"], True, None, by=rules.ASSOCIATION, actor_id="admin", now=opens)
    assert decided["decision"]["by"] == "association:admin"


def test_only_the_citizens_own_no_show_is_appealed_once(appeal_store):
    booking_id, when = no_show()
    with pytest.raises(NotFound):
        appeals.file(booking_id, REASON, session(2), now=when)
    other = bookings.book(BookingIn(office_id="OF-A", service_id="S0002", start=at(DAY, "10:00"),
                                    national_id=national_id(3), mobile=mobile(3)), now=NOW)
    with pytest.raises(AppealClosed):
        appeals.file(other["booking_id"], REASON, session(3), now=when)  # not a no-show
    appeals.file(booking_id, REASON, session(1), now=when)
    with pytest.raises(AlreadyAppealed):
        appeals.file(booking_id, REASON, session(1), now=when)
    with pytest.raises(NotFound):  # another office's manager sees nothing
        appeals.decide(rules.appeal_id_of(booking_id), True, None, by=rules.OFFICE, actor_id="m", office_id="OF-B",
                       now=when)


def test_no_appeal_once_the_block_is_over(appeal_store):
    booking_id, when = no_show()
    with pytest.raises(AppealClosed):
        appeals.file(booking_id, REASON, session(1), now=when + timedelta(days=get_settings().no_show_block_days + 1))
