"""The front desk through the API on DynamoDB Local: a walk-in's ticket, the desk list, call-next,
the end of a visit, the public board, their problems (English and Persian), an appointment's ticket
at check-in; and the desk's live wait in the load snapshot and `GET /v1/suggestions`, whose every
`next` link answers."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.dal import accounts_store, booking_store, desk_store
from chalicelib.domain import calendar, routing
from chalicelib.schemas import BookingIn
from chalicelib.services import bookings, jobs, router
from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.remote_support import request_body
from tests.integration.support import as_operator, post, problem

DAY = next_open_day()


@pytest.fixture()
def clock(monkeypatch):
    def at_time(hhmm: str, seconds: int = 0):
        moment = at(DAY, hhmm) + timedelta(seconds=seconds)
        monkeypatch.setattr(calendar, "now_tehran", lambda: moment)
        return moment
    return at_time


def body(resp) -> dict:
    return json.loads(resp.body)


def test_a_walk_in_is_ticketed_called_served_and_shown_on_the_board(client, clock):
    clock("09:00")
    office = as_operator("OF-A", "op-desk")
    issued = post(client, "/v1/office/tickets", {"service_id": "S0001", "national_id": national_id(41)}, office)
    assert issued.status_code == 201, issued.body
    ticket = body(issued)
    assert (ticket["label_fa"][0], ticket["status"], ticket["national_id"]) == ("ح", "WAITING", "*******" +
                                                                               national_id(41)[-3:])
    stored = desk_store.line("OF-A", DAY).ticket(ticket["number"])
    assert stored.citizen_key and national_id(41) not in json.dumps(stored.__dict__, default=str)
    clock("09:07")
    called = post(client, "/v1/office/desk/next", {"counter": "۲"}, office)  # Persian digits accepted
    assert called.status_code == 200, called.body
    assert body(called)["ticket"]["number"] == ticket["number"] and body(called)["ticket"]["waited_min"] == 7.0
    problem(post(client, "/v1/office/desk/next", {"counter": 2}, office), 409, "counter-busy")
    board = client.http.get("/v1/offices/OF-A/board")
    assert board.status_code == 200
    shown = body(board)
    assert shown["counters"][0]["counter_fa"] == "۲" and shown["counters"][0]["ticket"]["label"] == ticket["label"]
    assert b"national_id" not in board.body and b"*******" not in board.body  # nothing personal on the board
    listed = body(client.http.get("/v1/office/tickets", headers=office))
    assert listed["serving"] == 1 and listed["items"][-1]["counter"] == 2
    clock("09:19")
    served = post(client, "/v1/office/desk/serve", {"counter": 2, "ticket": ticket["number"]}, office)
    assert served.status_code == 200 and body(served)["served_min"] == 12.0
    # the walk-in's fee and receipt were written with the serve, readable with the citizen's session
    receipt = accounts_store.get_receipt(body(served)["receipt_id"])
    assert receipt.record.channel == "walk_in" and receipt.citizen_key == stored.citizen_key
    assert receipt.record.total_rials == receipt.record.government_rials + receipt.record.office_rials
    assert desk_store.pace("OF-A").measured == 1
    problem(post(client, "/v1/office/desk/serve", {"counter": 2}, office), 409, "counter-free")


def test_desk_problems_are_english_and_persian(client, clock):
    clock("09:00")
    office = as_operator("OF-C", "op-desk")
    for path, sent, status in (("/v1/office/tickets", {"service_id": "S0004"}, 422),  # not offered at OF-C
                               ("/v1/office/tickets", {"service_id": "S0003"}, 422),  # remote only
                               ("/v1/office/tickets", {"service_id": "S0001", "national_id": "123"}, 422),
                               ("/v1/office/desk/next", {"counter": 0}, 422),
                               ("/v1/office/desk/next", {}, 422),
                               ("/v1/office/desk/not-present", {"counter": 1}, 409)):
        doc = problem(post(client, path, sent, office), status)
        assert doc["detail"] and doc["detail_fa"], (path, doc)
    assert post(client, "/v1/office/tickets", {"service_id": "S0001"}).status_code == 401
    assert client.http.get("/v1/offices/NOPE/board").status_code == 404


def test_check_in_gives_a_ticket_and_serving_it_completes_the_booking(client, clock):
    created = bookings.book(BookingIn(office_id="OF-C", service_id="S0001", start=at(DAY, "10:00").isoformat(),
                                      national_id=national_id(42), mobile=mobile(42)))
    clock("09:50")
    office = as_operator("OF-C", "op-desk")
    checked = post(client, f"/v1/office/bookings/{created['booking_id']}/check-in", {"national_id": national_id(42)},
                   office)
    assert checked.status_code == 200, checked.body
    assert body(checked)["status"] == "CHECKED_IN" and body(checked)["ticket"]["label_fa"][0] == "ن"
    clock("09:56")
    called = body(post(client, "/v1/office/desk/next", {"counter": 1}, office))
    assert (called["reason"], called["ticket"]["booking_id"]) == ("due_appointment", created["booking_id"])
    problem(post(client, "/v1/office/desk/not-present", {"counter": 1}, office), 409, "invalid-transition")
    clock("10:10")
    assert post(client, "/v1/office/desk/serve", {"counter": 1}, office).status_code == 200
    assert booking_store.get_booking(created["booking_id"]).status == "COMPLETED"


def test_serving_a_ticket_whose_appointment_is_gone_is_a_404_and_the_counter_stays_busy(client, clock):
    """The desk never completes what is not there: a booking erased after its check-in (by hand, in
    the console of the table) leaves its ticket at the counter, and serving it says so."""
    from chalicelib.dal.models import BookingItem
    created = bookings.book(BookingIn(office_id="OF-C", service_id="S0001", start=at(DAY, "11:00").isoformat(),
                                      national_id=national_id(43), mobile=mobile(43)))
    clock("10:55")
    office = as_operator("OF-C", "op-desk")
    assert post(client, f"/v1/office/bookings/{created['booking_id']}/check-in", {"national_id": national_id(43)},
                office).status_code == 200
    called = body(post(client, "/v1/office/desk/next", {"counter": 3}, office))
    assert called["ticket"]["booking_id"] == created["booking_id"]
    BookingItem.get(f"BK#{created['booking_id']}", "BOOKING").delete()
    gone = problem(post(client, "/v1/office/desk/serve", {"counter": 3}, office), 404)
    assert gone["detail_fa"] == "نوبت این برگه یافت نشد"
    problem(post(client, "/v1/office/desk/next", {"counter": 3}, office), 409, "counter-busy")


def test_the_desk_wait_feeds_suggestions_and_every_next_link_answers(client, clock):
    now = clock("09:30")
    office = as_operator("OF-A", "op-desk")
    for _ in range(7):  # seven walk-ins wait at OF-A, whose one calling counter measured a slow pace
        assert post(client, "/v1/office/tickets", {"service_id": "S0001"}, office).status_code == 201
    desk_store.record_pace("OF-A", desk_store.pace("OF-A"), 20.0, now)
    assert body(post(client, "/v1/office/desk/next", {"counter": 1}, office))["ticket"] is not None
    jobs.snapshot_office_load(now)
    router.reset_views()
    line = router.stores.load.snapshot().offices["OF-A"]
    visitors = line.waiting
    assert visitors >= 7 and line.desk_counters == 1 and line.pace_min == 20.0
    assert line.wait_min == round((visitors + 1 - 1) * 20.0 / 1, 1)
    found = body(client.http.get("/v1/suggestions?service=S0001&lat=35.7&lon=51.4&limit=5"))
    by_office = {i["office"]["office_id"]: i for i in found["items"]}
    a = by_office["OF-A"]
    expected = routing.expected_wait(routing.OfficeState("OF-A", 35.7, 51.4, counters=3, counters_open=1,
                                                         queue_in_person=visitors, mean_service_min=20.0))
    assert a["open_now"] is True and a["expected_wait_min"] == round(expected, 1) and expected > 100
    assert found["items"][0]["office"]["office_id"] != "OF-A"  # the long line sends citizens elsewhere
    for item in found["items"]:
        followed = client.http.get(item["next"])
        assert followed.status_code == 200, (item["next"], followed.body)
    remote = body(client.http.get("/v1/suggestions?service=S0001&mode=remote"))
    for item in [*remote["items"], *([remote["network_option"]] if remote["network_option"] else [])]:
        # the remote intake is a POST (documented): a citizen's request there is taken
        assert item["next"] == "/v1/requests"
    taken = post(client, remote["network_option"]["next"] if remote["network_option"] else "/v1/requests",
                 request_body(43), {"Idempotency-Key": "desk-next-0043"})
    assert taken.status_code == 201, taken.body
