"""Closed days through the API on DynamoDB Local: the association's network closure, an office's
own closure and an office short of licensed counters cancel the day's bookings in transactions,
queue one SMS each through the outbox (counted in the table) and free their seats; applying a
closure again cancels nothing twice and queues no second SMS."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.dal.booking_store import office_day_pk
from chalicelib.dal.models import BookingItem, OutboxItem, SeatItem
from chalicelib.domain import calendar
from chalicelib.errors import SlotFull
from chalicelib.schemas import BookingIn
from chalicelib.services import bookings
from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.support import as_admin, as_operator, problem

CELLS = ["08:00", "08:15", "08:30", "08:45", "09:00", "09:15", "09:30", "09:45", "10:00"]


def book(n: int, hhmm: str, office: str = "OF-C", day=None, now=None) -> dict:
    return bookings.book(BookingIn(office_id=office, service_id="S0001", start=at(day or next_open_day(), hhmm).isoformat(),
                                   national_id=national_id(n), mobile=mobile(n)), now=now)


def fifty(office: str = "OF-C") -> list[str]:
    """50 bookings on the next open day at OF-C (6 counters): 08:00 to 10:00, the 08:00 slot full."""
    return [book(n, CELLS[(n - 1) // 6], office)["booking_id"] for n in range(1, 51)]


def closure_sms() -> list[OutboxItem]:
    return [m for m in OutboxItem.scan(consistent_read=True) if m.template == "booking_cancelled_closure"]


def statuses(ids: list[str]) -> list[str]:
    return [BookingItem.get(f"BK#{i}", "BOOKING", consistent_read=True).status
            for i in ids]


def seats(office: str, day) -> int:
    return sum(1 for s in SeatItem.query(office_day_pk(office, day), SeatItem.sk.startswith("SEAT#"),
                                         consistent_read=True))


def put(client, path: str, body: dict, headers: dict):
    return client.http.put(path, body=json.dumps(body, ensure_ascii=False), headers=headers)


def finished_by_the_job(view: dict) -> int:
    """What the request cancelled plus what the sweep job finished after it. On a loaded machine a
    request may stop at its time budget or at a database timeout (`cancellation_pending`); the job
    then does the rest, and finds nothing when the request said it was done."""
    from chalicelib.services import closures
    by_job = closures.sweep_office_days()["bookings_cancelled"]
    assert by_job == 0 or view["cancellation_pending"], (view, by_job)
    return view["bookings_cancelled"] + by_job


def assert_all_cancelled_with_one_sms_each(ids: list[str], day) -> None:
    assert statuses(ids) == ["CANCELLED"] * len(ids)
    sent = closure_sms()
    assert sorted(m.booking_id for m in sent) == sorted(ids)  # one each, no more
    for message in sent:
        link = message.params["link"]
        assert link.endswith("/offices/OF-C/services/S0001/days") and message.recipient[-7:] not in link
    assert seats("OF-C", day) == 0


def test_a_network_closure_cancels_50_bookings_queues_50_sms_and_frees_their_seats(client):
    day = next_open_day()
    ids = fifty()
    with pytest.raises(SlotFull):  # 08:00 holds six bookings: it is full
        book(99, "08:00")
    other = book(60, "09:00", office="OF-A", day=next_open_day(skip=1))["booking_id"]
    resp = put(client, f"/v1/admin/calendar/{day.isoformat()}", {"closed": True, "name_fa": "عزای عمومی"}, as_admin())
    assert resp.status_code == 200, resp.body
    view = json.loads(resp.body)
    assert finished_by_the_job(view) == 50
    assert view["name_en"] == "Closed by the association" and view["name_fa"] == "عزای عمومی"
    assert_all_cancelled_with_one_sms_each(ids, day)
    assert statuses([other]) == ["BOOKED"]
    slots = json.loads(client.http.get(f"/v1/offices/OF-C/slots?service=S0001&date={day.isoformat()}").body)
    assert not slots["open"] and slots["closed_for"][0]["name_fa"] == "عزای عمومی"

    # Closed again (a retried request) and swept by the job: nothing twice.
    again = json.loads(put(client, f"/v1/admin/calendar/{day.isoformat()}",
                           {"closed": True, "name_fa": "عزای عمومی"}, as_admin()).body)
    assert again["bookings_cancelled"] == 0
    from chalicelib.services import closures
    assert closures.sweep_office_days()["bookings_cancelled"] == 0
    assert len(closure_sms()) == 50

    # Opened again, the seats are free: the full 08:00 slot takes a new booking.
    assert client.http.delete(f"/v1/admin/calendar/{day.isoformat()}", headers=as_admin()).status_code == 204
    assert book(99, "08:00")["status"] == "BOOKED"
    assert seats("OF-C", day) == 1


def test_the_bookings_a_network_closure_would_cancel_are_listed_before_it_changes_anything(client):
    day = next_open_day()
    ids = [book(n, hhmm)["booking_id"] for n, hhmm in ((1, "09:00"), (2, "08:00"), (3, "08:15"))]
    other_office = book(4, "08:30", office="OF-A")["booking_id"]
    by_citizen = book(5, "10:00")
    cancelled = by_citizen["booking_id"]
    bookings.cancel(cancelled, by_citizen["access_code"])
    next_day = book(6, "08:00", day=next_open_day(skip=1))["booking_id"]
    path = f"/v1/admin/calendar/{day.isoformat()}/closure-preview"
    problem(client.http.get(path, headers=as_operator("OF-C")), 403)
    problem(client.http.get(path + "?limit=0", headers=as_admin()), 422)
    problem(client.http.get("/v1/admin/calendar/1405-13-40/closure-preview", headers=as_admin()), 422)

    preview = json.loads(client.http.get(path, headers=as_admin()).body)
    assert (preview["date"], preview["closed"], preview["bookings_to_cancel"], preview["offices"],
            preview["truncated"]) == (day.isoformat(), False, 4, 2, False)
    by_time = [i["booking_id"] for i in preview["items"]]
    assert sorted(by_time) == sorted([*ids, other_office]) and cancelled not in by_time and next_day not in by_time
    assert [i["start"]["at"][11:16] for i in preview["items"]] == ["08:00", "08:15", "08:30", "09:00"]
    first = preview["items"][0]
    assert (first["office_id"], first["service_id"], first["kind"]) == ("OF-C", "S0001", "visit")
    assert first["office_name_fa"] and first["service_name_fa"] and first["national_id_masked"][-2:] == national_id(2)[-2:]
    assert "mobile" not in first and national_id(2) not in json.dumps(preview)
    short = json.loads(client.http.get(path + "?limit=2", headers=as_admin()).body)
    assert [i["booking_id"] for i in short["items"]] == by_time[:2] and short["truncated"]
    assert statuses([*ids, other_office]) == ["BOOKED"] * 4 and closure_sms() == []  # nothing changed

    # Confirmed: exactly the previewed bookings are cancelled; afterwards none is left to preview.
    view = json.loads(put(client, f"/v1/admin/calendar/{day.isoformat()}", {"closed": True, "name_fa": "عزای عمومی"},
                          as_admin()).body)
    assert finished_by_the_job(view) == 4 and statuses(by_time) == ["CANCELLED"] * 4
    after = json.loads(client.http.get(path, headers=as_admin()).body)
    assert (after["closed"], after["bookings_to_cancel"], after["items"]) == (True, 0, [])


def test_an_office_closure_by_its_manager_does_the_same_and_reopens(client):
    day = next_open_day()
    ids = fifty()
    manager = as_operator("OF-C", "mgr-1", manager=True)
    body = {"name_fa": "تعمیرات ساختمان", "name_en": "Building repairs"}
    problem(put(client, f"/v1/office/closures/{day.isoformat()}", body, as_operator("OF-C", "op-1")), 403)
    problem(put(client, f"/v1/office/closures/{day.isoformat()}", {"name_fa": ""}, manager), 422)
    resp = put(client, f"/v1/office/closures/{day.isoformat()}", body, manager)
    assert resp.status_code == 200, resp.body
    view = json.loads(resp.body)
    assert (view["office_id"], view["name_en"]) == ("OF-C", "Building repairs") and finished_by_the_job(view) == 50
    assert_all_cancelled_with_one_sms_each(ids, day)
    slots = json.loads(client.http.get(f"/v1/offices/OF-C/slots?service=S0001&date={day.isoformat()}").body)
    assert not slots["open"] and slots["closed_for"] == [
        {"date": day.isoformat(), "jalali": slots["jalali"], "name_en": "Building repairs", "name_fa": "تعمیرات ساختمان"}]
    detail = json.loads(client.http.get("/v1/offices/OF-C").body)
    assert {"name_en": "Building repairs", "name_fa": "تعمیرات ساختمان"}.items() <= detail["closures"][0].items()
    # The other offices stay open that day.
    assert json.loads(client.http.get(f"/v1/offices/OF-A/slots?service=S0001&date={day.isoformat()}").body)["open"]

    # The association closes it again for the office (a retry, in effect): nothing twice.
    again = put(client, f"/v1/admin/offices/OF-C/closures/{day.isoformat()}", {"name_fa": "تعمیرات ساختمان"}, as_admin())
    assert again.status_code == 200 and json.loads(again.body)["bookings_cancelled"] == 0
    assert len(closure_sms()) == 50

    assert client.http.delete(f"/v1/office/closures/{day.isoformat()}", headers=manager).status_code == 204
    problem(client.http.delete(f"/v1/office/closures/{day.isoformat()}", headers=manager), 404)
    assert book(99, "08:00")["status"] == "BOOKED"


def test_an_office_left_with_fewer_licensed_counters_cancels_the_latest_booked(client):
    day = next_open_day()
    now = calendar.now_tehran()  # booked a second apart: booking times are kept to the second
    ids = [book(n, "09:00", office="OF-A", now=now + timedelta(seconds=n))["booking_id"] for n in (1, 2, 3)]
    licence = {"licence_number": "L-1001", "licence_expiry": (day.replace(year=day.year + 1)).isoformat(),
               "training_hours": 60, "insured": True}
    # The first operator registered: one licensed counter from now on.
    resp = put(client, "/v1/admin/offices/OF-A/operators/op-1", licence, as_admin())
    assert resp.status_code == 200, resp.body
    from chalicelib.services import closures
    closures.sweep_office_days()  # finishes what a loaded machine's request left (normally nothing)
    assert statuses(ids) == ["BOOKED", "CANCELLED", "CANCELLED"]
    assert sorted(m.booking_id for m in closure_sms()) == sorted(ids[1:])
    assert seats("OF-A", day) == 1
    kept = BookingItem.get(f"BK#{ids[0]}", "BOOKING", consistent_read=True)
    assert int(kept.counter) == 1
    assert closures.sweep_office_days()["bookings_cancelled"] == 0 and len(closure_sms()) == 2


def test_closures_racing_each_other_and_the_job_cancel_each_booking_once(api, network):
    """Two managers' requests, the association's office closure and its network closure of the same
    day, released together over the real HTTP stack: each booking is cancelled by exactly one of
    them, with exactly one SMS (counted in the tables)."""
    from chalicelib.dal.booking_store import office_day_counts
    from chalicelib.services import closures
    from tests.integration.remote_support import fire
    day = next_open_day()
    ids = fifty()
    manager = as_operator("OF-C", "mgr-1", manager=True)
    office_body = json.dumps({"name_fa": "تعمیرات ساختمان"}, ensure_ascii=False).encode()
    calls = [("PUT", f"{api}/v1/office/closures/{day.isoformat()}", office_body, manager),
             ("PUT", f"{api}/v1/office/closures/{day.isoformat()}", office_body, manager),
             ("PUT", f"{api}/v1/admin/offices/OF-C/closures/{day.isoformat()}", office_body, as_admin()),
             ("PUT", f"{api}/v1/admin/calendar/{day.isoformat()}",
              json.dumps({"closed": True, "name_fa": "عزای عمومی"}, ensure_ascii=False).encode(), as_admin())]
    results = fire(calls)
    assert [getattr(r, "status_code", r) for r in results] == [200] * 4, [getattr(r, "text", r) for r in results]
    by_requests = sum(r.json()["bookings_cancelled"] for r in results)
    by_job = closures.sweep_office_days()["bookings_cancelled"]  # whatever a request left pending
    assert by_requests + by_job == 50
    assert_all_cancelled_with_one_sms_each(ids, day)
    assert office_day_counts(["OF-C"], day, consistent=True) == {"OF-C": 0}
