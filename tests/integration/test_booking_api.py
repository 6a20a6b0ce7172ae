"""The booking API end to end through the Chalice handler, on DynamoDB Local."""
from __future__ import annotations

import json

import pytest

from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.support import as_citizen, post, problem


def booking_body(day, hhmm="09:00", n=1, office="OF-A", service="S0001", **extra):
    return {"office_id": office, "service_id": service, "start": at(day, hhmm).isoformat(),
            "national_id": national_id(n), "mobile": mobile(n), **extra}


def test_search_and_slots_then_book_and_read(client):
    found = json.loads(client.http.get("/v1/services?q=دادخواست").body)
    assert [s["service_id"] for s in found["items"]] == ["S0001"]
    # Arabic yeh/kaf in the query are folded to Persian.
    assert json.loads(client.http.get("/v1/services?q=ثبت‌نام سامانه ثنا".replace("ی", "ي")).body)["total"] == 1

    day = next_open_day()
    slots = json.loads(client.http.get(f"/v1/offices/OF-A/slots?service=S0001&date={day.isoformat()}").body)
    assert slots["open"] and slots["slots"][0]["free"] == 3 and slots["jalali"].startswith("14")
    assert len(slots["slots"]) == 16  # 08:00-12:00 in 15-minute cells

    resp = post(client, "/v1/bookings", booking_body(day))
    assert resp.status_code == 201, resp.body
    created = json.loads(resp.body)
    assert created["status"] == "BOOKED" and len(created["access_code"]) == 8
    assert national_id(1) not in resp.body.decode() and created["national_id"].endswith(national_id(1)[-3:])

    slots = json.loads(client.http.get(f"/v1/offices/OF-A/slots?service=S0001&date={day.isoformat()}").body)
    assert slots["slots"][4]["free"] == 2  # 09:00 lost one counter

    read = client.http.get(f"/v1/bookings/{created['booking_id']}", headers={"X-Access-Code": created["access_code"]})
    assert read.status_code == 200 and json.loads(read.body)["booking_id"] == created["booking_id"]
    problem(client.http.get(f"/v1/bookings/{created['booking_id']}", headers={"X-Access-Code": "WRONG123"}), 404)


def test_jalali_start_with_persian_digits(client):
    from chalicelib.domain.calendar import to_jalali
    day = next_open_day()
    digits = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    body = booking_body(day, n=7) | {"start": f"{to_jalali(day)} 10:30".translate(digits),
                                     "national_id": national_id(7).translate(digits)}
    resp = post(client, "/v1/bookings", body)
    assert resp.status_code == 201, resp.body
    assert json.loads(resp.body)["start"]["at"].endswith("10:30+03:30")


@pytest.mark.parametrize("change, field", [
    ({"national_id": "0012345678"}, "national_id"),  # bad check digit
    ({"national_id": "1111111111"}, "national_id"),
    ({"national_id": 12345678}, "national_id"),
    ({"mobile": "0812345678"}, "mobile"),
    ({"start": "tomorrow"}, "start"),
    ({"office_id": "../etc"}, "office_id"),
    ({"unexpected": 1}, "unexpected"),
])
def test_invalid_input_is_422_with_fields(client, change, field):
    doc = problem(post(client, "/v1/bookings", booking_body(next_open_day()) | change), 422)
    assert field in [e["field"] for e in doc["errors"]]
    assert "0012345678" not in json.dumps(doc)


def test_malformed_bodies_are_problems_not_5xx(client):
    json_type = {"Content-Type": "application/json", **as_citizen(1)}  # a session: the body is read after it
    problem(client.http.post("/v1/bookings", body="{not json", headers=json_type), 400)
    problem(client.http.post("/v1/bookings", body="[]", headers=json_type), 400)
    problem(client.http.post("/v1/bookings", body="a=b", headers={**json_type, "Content-Type": "text/plain"}), 415)
    problem(client.http.post("/v1/bookings", body=json.dumps({"x": "y" * 20000}), headers=json_type), 413)
    problem(client.http.get("/v1/offices/OF-A/slots?service=S0001&date=1405/13/40"), 422)
    problem(client.http.get("/v1/offices/NOPE/slots?service=S0001&date=" + next_open_day().isoformat()), 404)


def test_window_same_day_and_horizon(client):
    from chalicelib.domain.calendar import now_tehran
    today = now_tehran().date()
    problem(client.http.get(f"/v1/offices/OF-A/slots?service=S0001&date={today.isoformat()}"), 422)
    problem(post(client, "/v1/bookings", booking_body(today)), 422)
    far = next_open_day(today.replace(year=today.year + 1))
    problem(post(client, "/v1/bookings", booking_body(far)), 422)


def test_service_rules(client):
    day = next_open_day()
    problem(post(client, "/v1/bookings", booking_body(day, service="S0003")), 422)  # remote only
    problem(post(client, "/v1/bookings", booking_body(day, office="OF-C", service="S0004")), 404)  # not offered
    problem(post(client, "/v1/bookings", booking_body(day, hhmm="07:00")), 422)  # before opening
    problem(post(client, "/v1/bookings", booking_body(day, hhmm="09:05")), 422)  # off grid
    problem(post(client, "/v1/bookings", booking_body(day, hhmm="11:45", service="S0002")), 422)  # runs past close


def test_slot_full_duplicate_and_daily_cap(client):
    day = next_open_day()
    assert post(client, "/v1/bookings", booking_body(day, office="OF-B", n=1)).status_code == 201
    assert problem(post(client, "/v1/bookings", booking_body(day, office="OF-B", n=2)), 409)["type"].endswith(
        "slot-full")
    # Same citizen, same day, same service at another office.
    assert problem(post(client, "/v1/bookings", booking_body(day, office="OF-A", n=1)), 409)["type"].endswith(
        "duplicate-booking")
    # Cap of 2 live bookings a day across offices.
    assert post(client, "/v1/bookings", booking_body(day, office="OF-A", service="S0002", n=1)).status_code == 201
    assert problem(post(client, "/v1/bookings", booking_body(day, office="OF-A", service="S0004", n=1)),
                   409)["type"].endswith("daily-cap-reached")


def test_idempotency_key_replays_first_result(client):
    day = next_open_day()
    key = {"Idempotency-Key": "key-0001-abcdef"}
    first = post(client, "/v1/bookings", booking_body(day, n=3), key)
    again = post(client, "/v1/bookings", booking_body(day, n=3), key)
    assert first.status_code == again.status_code == 201
    created = json.loads(first.body)
    # The first result without its access code (never stored in clear, never re-issued).
    assert created["access_code"] and json.loads(again.body) == {k: v for k, v in created.items() if k != "access_code"}
    problem(post(client, "/v1/bookings", booking_body(day, hhmm="10:00", n=3), key), 422)


def test_cancel_and_reschedule(client):
    day, later = next_open_day(), next_open_day(skip=1)
    created = json.loads(post(client, "/v1/bookings", booking_body(day, office="OF-B", n=4)).body)
    code = {"X-Access-Code": created["access_code"], "Content-Type": "application/json"}
    moved = client.http.post(f"/v1/bookings/{created['booking_id']}/reschedule",
                             body=json.dumps({"start": at(later, "10:00").isoformat()}), headers=code)
    assert moved.status_code == 200, moved.body
    # The old slot is free again; the new one is taken.
    assert post(client, "/v1/bookings", booking_body(day, office="OF-B", n=5)).status_code == 201
    problem(post(client, "/v1/bookings", booking_body(later, "10:00", office="OF-B", n=6)), 409)
    # Same-day move that overlaps its own cells (30-minute service shifted by 15 minutes).
    sana = json.loads(post(client, "/v1/bookings", booking_body(later, "11:00", office="OF-B", service="S0002",
                                                                n=7)).body)
    shift = client.http.post(f"/v1/bookings/{sana['booking_id']}/reschedule",
                             body=json.dumps({"start": at(later, "11:15").isoformat()}),
                             headers={"X-Access-Code": sana["access_code"], "Content-Type": "application/json"})
    assert shift.status_code == 200, shift.body
    cancelled = client.http.post(f"/v1/bookings/{created['booking_id']}/cancel", headers=code)
    assert json.loads(cancelled.body)["status"] == "CANCELLED"
    problem(client.http.post(f"/v1/bookings/{created['booking_id']}/cancel", headers=code), 409)
    assert post(client, "/v1/bookings", booking_body(later, "10:00", office="OF-B", n=6)).status_code == 201


def test_hold_then_book(client):
    day = next_open_day()
    held = post(client, "/v1/holds", {"office_id": "OF-B", "service_id": "S0001", "start": at(day, "08:30").isoformat()},
                as_citizen(9))
    assert held.status_code == 201, held.body
    hold_id = json.loads(held.body)["hold_id"]
    # While held, nobody else can book it...
    problem(post(client, "/v1/bookings", booking_body(day, "08:30", office="OF-B", n=8)), 409)
    # ...but the holder can.
    resp = post(client, "/v1/bookings", booking_body(day, "08:30", office="OF-B", n=9, hold_id=hold_id))
    assert resp.status_code == 201, resp.body
    problem(post(client, "/v1/bookings", booking_body(day, "08:30", office="OF-B", n=10, hold_id=hold_id)), 409)


def test_no_booking_pays_a_scan_in_a_fresh_container_or_after_its_caches_expired(client):
    """A booking names its office and service: a container that has not loaded the catalogue reads
    those two (point reads), and one whose caches expired checks the catalogue's version; neither
    scans a table. A listing still loads the catalogue, once per container."""
    from chalicelib.dal import catalogue_store
    from chalicelib.dal.db import connection

    calls: list[str] = []
    client_events = connection().client.meta.events
    count = "before-call.dynamodb"

    def seen(model, **_):
        calls.append(model.name)

    day = next_open_day()
    client_events.register(count, seen)
    try:
        catalogue_store.clear_cache()  # a fresh container
        fresh = post(client, "/v1/bookings", booking_body(day, "09:00", n=31))
        fresh_calls = list(calls)
        calls.clear()
        listed = client.http.get("/v1/services")  # loads the catalogue
        listing_calls = list(calls)
        calls.clear()
        catalogue_store.age(3600)  # CATALOGUE_CACHE_SECONDS and CATALOGUE_CHECK_SECONDS passed
        expired = post(client, "/v1/bookings", booking_body(day, "09:15", n=32))
        expired_calls = list(calls)
    finally:
        client_events.unregister(count, seen)
    assert fresh.status_code == 201 and expired.status_code == 201 and listed.status_code == 200
    assert "Scan" not in fresh_calls and "TransactWriteItems" in fresh_calls
    assert "Scan" not in expired_calls and "TransactWriteItems" in expired_calls
    assert "Scan" in listing_calls  # the test's counting sees scans where there are some
