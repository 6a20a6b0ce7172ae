"""The front desk's use cases on the fakes: walk-in tickets, an appointment's ticket at check-in,
call-next by the published order, ending a visit, the desk list, the board and the pace."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.booking import CHECKED_IN, COMPLETED, citizen_key
from chalicelib.errors import CounterBusy, CounterFree, InvalidInput, InvalidTransition, NotFound
from chalicelib.schemas import BookingIn
from chalicelib.services import bookings, desk, office_day
from chalicelib.settings import get_settings
from tests.unit.services.conftest import NOW, at, mobile, national_id, open_day

DAY = open_day()


def clock(hhmm: str, seconds: int = 0):
    return at(DAY, hhmm) + timedelta(seconds=seconds)


@pytest.fixture()
def desk_store(fakes):
    return fakes["desk"]


def appointment(n: int, start: str, check_in_at: str) -> dict:
    created = bookings.book(BookingIn(office_id="OF-A", service_id="S0001", start=at(DAY, start),
                                      national_id=national_id(n), mobile=mobile(n)), now=NOW)
    return office_day.act("OF-A", "op1", created["booking_id"], "check_in", national_id=national_id(n),
                          now=clock(check_in_at))


def test_walk_in_tickets_are_numbered_per_office_day_with_persian_labels_and_no_national_id_in_clear(desk_store):
    first = desk.issue_walk_in("OF-A", "op1", "S0001", national_id(5), now=clock("08:01"))
    second = desk.issue_walk_in("OF-A", "op1", "S0002", None, now=clock("08:02"))
    other = desk.issue_walk_in("OF-B", "op9", "S0001", None, now=clock("08:02"))
    assert (first["number"], first["label"], first["label_fa"]) == (1, "W001", "ح۰۰۱")
    assert (second["number"], other["number"]) == (2, 1)
    assert first["national_id"] == "*******" + national_id(5)[-3:] and first["status"] == "WAITING"
    stored = desk_store.line("OF-A", DAY).ticket(1)
    assert stored.citizen_key == citizen_key(national_id(5), get_settings().citizen_pepper)
    assert national_id(5) not in repr(stored)
    assert desk_store.visitors[("OF-A", DAY)] == 2


def test_a_walk_in_for_a_service_the_office_does_not_offer_in_person_is_refused(desk_store):
    with pytest.raises(InvalidInput):
        desk.issue_walk_in("OF-B", "op1", "S0004", None, now=clock("08:00"))  # not offered at OF-B
    with pytest.raises(InvalidInput):
        desk.issue_walk_in("OF-A", "op1", "S0003", None, now=clock("08:00"))  # remote only
    with pytest.raises(NotFound):
        desk.issue_walk_in("OF-A", "op1", "S9999", None, now=clock("08:00"))


def test_check_in_gives_the_appointment_a_ticket_in_the_same_sequence(desk_store, book_store):
    desk.issue_walk_in("OF-A", "op1", "S0001", None, now=clock("08:40"))
    checked = appointment(1, "09:00", "08:45")
    assert checked["status"] == CHECKED_IN
    assert (checked["ticket"]["number"], checked["ticket"]["label_fa"], checked["ticket"]["kind"]) == (2, "ن۰۰۲",
                                                                                                       "appointment")
    assert book_store.waiting[("OF-A", DAY)] == 1


def test_call_next_takes_the_due_appointment_then_walk_ins_and_records_waited_minutes(desk_store):
    desk.issue_walk_in("OF-A", "op1", "S0001", None, now=clock("08:50"))
    appointment(1, "09:00", "08:52")
    early = desk.call_next("OF-A", "op1", 1, now=clock("08:54"))  # the appointment is not due yet (09:00 − 5)
    assert early["ticket"]["kind"] == "walk_in" and early["reason"] == "walk_in"
    assert early["ticket"]["waited_min"] == 4.0 and early["ticket"]["counter"] == 1
    due = desk.call_next("OF-A", "op2", 2, now=clock("08:56"))
    assert due["ticket"]["kind"] == "appointment" and due["reason"] == "due_appointment"
    assert desk.call_next("OF-A", "op3", 3, now=clock("08:57")) == {"counter": 3, "ticket": None, "reason": None,
                                                                    "waiting": 0}


def test_one_counter_serves_one_citizen_at_a_time(desk_store):
    for _ in range(2):
        desk.issue_walk_in("OF-A", "op1", "S0001", None, now=clock("08:50"))
    desk.call_next("OF-A", "op1", 1, now=clock("09:00"))
    with pytest.raises(CounterBusy):
        desk.call_next("OF-A", "op1", 1, now=clock("09:01"))
    served = desk.serve("OF-A", "op1", 1, now=clock("09:06"))
    assert served["status"] == "SERVED" and served["served_min"] == 6.0
    # a served walk-in is a delivered service: its fee record and receipt are written with the serve
    accounts = desk_store.bookings.accounts
    (record,) = [r for records in accounts.records.values() for r in records.values()]
    assert (record.record_key, record.channel, record.receipt_id) == (
        f"ticket:OF-A:{DAY.isoformat()}:1", "walk_in", served["receipt_id"])
    assert record.total_rials > 0 and accounts.receipts[served["receipt_id"]].citizen_key is None
    assert desk.call_next("OF-A", "op1", 1, now=clock("09:07"))["ticket"]["number"] == 2
    with pytest.raises(CounterFree):
        desk.serve("OF-A", "op1", 2, now=clock("09:08"))
    with pytest.raises(CounterBusy):
        desk.serve("OF-A", "op1", 1, number=1, now=clock("09:08"))  # ticket 2 is at counter 1


def test_serving_an_appointment_completes_its_booking_and_the_walk_in_cap_holds(desk_store, book_store):
    s = get_settings()
    cap = s.desk_walk_in_cap
    desk.issue_walk_in("OF-A", "op1", "S0001", None, now=clock("08:30"))
    checked = [appointment(n, "09:00" if n <= 3 else "09:15", "08:40") for n in range(1, cap + 3)]
    reasons = []
    for k in range(cap + 2):
        call = desk.call_next("OF-A", "op1", 1, now=clock("09:15", k))
        reasons.append(call["reason"])
        desk.serve("OF-A", "op1", 1, now=clock("09:20", k))
    assert reasons == ["due_appointment"] * cap + ["walk_in_cap", "due_appointment"]
    completed = [book_store.get_booking(c["booking_id"]).status for c in checked]
    assert completed.count(COMPLETED) == cap + 1 and completed.count(CHECKED_IN) == 1
    # each appointment served at the desk wrote its fee record, as a completion from the day list does,
    # and so did the walk-in (ticket 1) the cap called
    fees = {k for records in book_store.accounts.records.values() for k in records}
    assert fees == {f"booking:{c['booking_id']}" for c in checked
                    if book_store.get_booking(c["booking_id"]).status == COMPLETED} | {f"ticket:OF-A:{DAY}:1"}
    assert book_store.waiting[("OF-A", DAY)] == 1


def test_not_present_ends_a_called_walk_in_but_not_an_appointment(desk_store):
    desk.issue_walk_in("OF-A", "op1", "S0001", None, now=clock("08:30"))
    desk.call_next("OF-A", "op1", 1, now=clock("08:35"))
    recalled = desk.recall("OF-A", 1, now=clock("08:36"))
    assert recalled["recalls"] == 1
    gone = desk.not_present("OF-A", "op1", 1, now=clock("08:38"))
    assert gone["status"] == "NOT_PRESENT" and desk_store.visitors[("OF-A", DAY)] == 0
    appointment(1, "09:00", "08:50")
    desk.call_next("OF-A", "op1", 1, now=clock("08:58"))
    with pytest.raises(InvalidTransition):
        desk.not_present("OF-A", "op1", 1, now=clock("09:00"))


def test_completing_from_the_day_list_closes_the_ticket_and_frees_its_counter(desk_store, book_store):
    waiting = appointment(1, "09:00", "08:50")
    called = appointment(2, "09:00", "08:51")
    desk.call_next("OF-A", "op1", 2, now=clock("08:59"))  # the first due: booking 1
    office_day.act("OF-A", "op1", waiting["booking_id"], "complete", now=clock("09:10"))
    office_day.act("OF-A", "op1", called["booking_id"], "complete", now=clock("09:11"))
    line = desk_store.line("OF-A", DAY)
    assert [(t.booking_id, t.status) for t in line.tickets] == [(waiting["booking_id"], "SERVED"),
                                                               (called["booking_id"], "CLOSED")]
    assert line.at_counter == {} and not line.waiting()
    assert book_store.get_booking(called["booking_id"]).status == COMPLETED


def test_the_desk_list_shows_every_ticket_with_its_place_and_the_board_shows_counters_in_persian(desk_store):
    desk.issue_walk_in("OF-A", "op1", "S0001", None, now=clock("09:00"))
    desk.issue_walk_in("OF-A", "op1", "S0001", None, now=clock("09:01"))
    desk.issue_walk_in("OF-A", "op1", "S0001", None, now=clock("09:02"))
    desk.call_next("OF-A", "op1", 2, now=clock("09:03"))
    listed = desk.desk_list("OF-A", DAY, now=clock("09:04"))
    assert (listed["waiting"], listed["serving"], listed["open_counters"]) == (2, 1, [2])
    assert [(i["number"], i["status"], i["position"]) for i in listed["items"]] == [
        (1, "CALLED", None), (2, "WAITING", 1), (3, "WAITING", 2)]
    assert listed["items"][1]["waited_min"] == 3.0  # so far
    assert listed["counters"][0]["counter"] == 2 and listed["counters"][0]["ticket"]["number"] == 1
    # one open counter, nothing measured yet (the mean catalogue duration): two waiting and one at the counter
    assert listed["pace_min"] == round((15 + 30 + 10) / 3, 1)  # in person: S0003 is remote only
    assert listed["wait_estimate_min"] == round(3 * listed["pace_min"], 1)
    shown = desk.board("OF-A", now=clock("09:04"))
    assert shown["counters"] == [{"counter": 2, "counter_fa": "۲", "ticket": {
        "number": 1, "number_fa": "۱", "label": "W001", "label_fa": "ح۰۰۱", "called_at": shown["recent"][0]["called_at"],
        "recalls": 0}}]
    assert (shown["waiting"], shown["waiting_fa"], shown["open_now"]) == (2, "۲", True)
    closed = desk.board("OF-A", now=clock("07:00"))
    assert closed["open_now"] is False and closed["wait_estimate_min"] is None and closed["opens_at"] is not None


def test_served_visits_set_the_office_pace_from_the_catalogue_prior(desk_store):
    alpha = get_settings().desk_pace_alpha
    desk.issue_walk_in("OF-A", "op1", "S0001", None, now=clock("09:00"))
    desk.call_next("OF-A", "op1", 1, now=clock("09:00"))
    desk.serve("OF-A", "op1", 1, now=clock("09:25"))  # 25 minutes; S0001's catalogue duration is 15
    assert desk_store.pace("OF-A").minutes == pytest.approx(alpha * 25 + (1 - alpha) * 15, abs=0.01)
    assert desk_store.pace("OF-A").measured == 1


def test_closing_a_counter_needs_it_free(desk_store):
    desk.issue_walk_in("OF-A", "op1", "S0001", None, now=clock("09:00"))
    desk.call_next("OF-A", "op1", 4, now=clock("09:00"))
    with pytest.raises(CounterBusy):
        desk.close_counter("OF-A", 4, now=clock("09:01"))
    desk.serve("OF-A", "op1", 4, now=clock("09:05"))
    desk.close_counter("OF-A", 4, now=clock("09:06"))
    assert desk_store.line("OF-A", DAY).open_counters == frozenset()
