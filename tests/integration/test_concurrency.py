"""Concurrency, proven through the real HTTP stack (`chalice local`) on DynamoDB Local:
clients are released together by a barrier, and outcomes are counted in responses and in
the database."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.remote_support import fire as fire_calls
from tests.integration.remote_support import statuses
from tests.integration.support import citizen_headers


def fire(base: str, bodies: list[dict], headers: list[dict] | None = None) -> list:
    """POST every booking at once, each with its citizen's session (the shared helper connects
    each client, then a barrier)."""
    headers = headers or [{}] * len(bodies)
    return fire_calls([("POST", f"{base}/v1/bookings", json.dumps(body).encode(),
                        {"Content-Type": "application/json", **citizen_headers(body), **h})
                       for body, h in zip(bodies, headers, strict=True)])


def stored(office: str, day) -> dict:
    from chalicelib.dal.booking_store import office_day_counts, office_day_pk
    from chalicelib.dal.models import BookingItem, CitizenDayItem, OutboxItem, SeatItem
    pk = office_day_pk(office, day)
    bookings = [b for b in BookingItem.office_day_index.query(pk) if b.status != "CANCELLED"]
    seats = [s for s in SeatItem.query(pk, SeatItem.sk.startswith("SEAT#"), consistent_read=True)
             if s.status == "BOOKED"]
    count = office_day_counts([office], day, consistent=True)[office]
    # Losing attempts must leave nothing behind: no citizen counters, guards or SMS of theirs.
    citizen = list(CitizenDayItem.scan(CitizenDayItem.pk.startswith("CZ#"), consistent_read=True))
    guards = sum("#SVC#" in i.sk for i in citizen)
    active = sum(int(i.attribute_values.get("active", 0)) for i in citizen if "#SVC#" not in i.sk)
    messages = list(OutboxItem.scan(consistent_read=True))
    return {"bookings": len(bookings), "seats": len(seats), "counter": count,
            "guards": guards, "citizen_active": active,
            "confirmations": sum(m.template == "booking_confirmed" for m in messages)}


@pytest.mark.parametrize("office, capacity", [("OF-A", 3), ("OF-B", 1)])
def test_many_citizens_one_slot(api, network, office, capacity):
    day = next_open_day()
    n = 200
    bodies = [{"office_id": office, "service_id": "S0001", "start": at(day, "09:00").isoformat(),
               "national_id": national_id(1000 + i), "mobile": mobile(1000 + i)} for i in range(n)]
    counts = statuses(fire(api, bodies))
    assert counts == Counter({201: capacity, 409: n - capacity}), counts
    assert stored(office, day) == {"bookings": capacity, "seats": capacity, "counter": capacity,
                                   "guards": capacity, "citizen_active": capacity, "confirmations": capacity}


def test_one_citizen_double_clicking(api, network):
    day = next_open_day()
    body = {"office_id": "OF-C", "service_id": "S0001", "start": at(day, "09:00").isoformat(),
            "national_id": national_id(7), "mobile": mobile(7)}
    counts = statuses(fire(api, [body] * 40))
    assert counts == Counter({201: 1, 409: 39}), counts
    assert stored("OF-C", day) == {"bookings": 1, "seats": 1, "counter": 1, "guards": 1, "citizen_active": 1,
                                   "confirmations": 1}


def test_one_idempotency_key_many_retries(api, network):
    day = next_open_day()
    body = {"office_id": "OF-C", "service_id": "S0001", "start": at(day, "10:00").isoformat(),
            "national_id": national_id(8), "mobile": mobile(8)}
    results = fire(api, [body] * 40, [{"Idempotency-Key": "same-key-123456"}] * 40)
    counts = statuses(results)
    assert set(counts) <= {201, 409} and counts[201] >= 1, counts
    ids = {r.json()["booking_id"] for r in results if r.status_code == 201}
    assert len(ids) == 1  # every success is the same, first booking
    for r in results:
        if r.status_code == 409:
            assert r.json()["type"].endswith("request-in-progress")
    assert stored("OF-C", day) == {"bookings": 1, "seats": 1, "counter": 1, "guards": 1, "citizen_active": 1,
                                   "confirmations": 1}
