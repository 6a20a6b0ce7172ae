"""What needs a verified mobile, on DynamoDB Local: no hold, booking or remote request without a
citizen session (and nothing written when refused); the body must be the session's citizen; one
live hold per citizen, also under parallel attempts (counted in the answers and in the database);
a live hold takes a place under the daily cap; a hold is the holder's alone."""
from __future__ import annotations

import json
from collections import Counter

from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.remote_support import fire, request_body, statuses
from tests.integration.support import as_citizen, post, problem


def booking(day, hhmm="09:00", n=1, office="OF-C", service="S0001", **extra) -> dict:
    return {"office_id": office, "service_id": service, "start": at(day, hhmm).isoformat(),
            "national_id": national_id(n), "mobile": mobile(n), **extra}


def hold(day, hhmm="09:00", office="OF-C", service="S0001") -> dict:
    return {"office_id": office, "service_id": service, "start": at(day, hhmm).isoformat()}


def stored() -> dict:
    from chalicelib.dal.models import BookingItem, HoldItem, RemoteRequestItem, SeatItem
    return {"bookings": sum(1 for i in BookingItem.scan(BookingItem.sk == "BOOKING", consistent_read=True)),
            "holds": sum(1 for i in HoldItem.scan(HoldItem.sk == "HOLD", consistent_read=True)
                         if i.pk.startswith("HD#")),
            "held_seats": sum(1 for i in SeatItem.scan(SeatItem.status == "HELD", consistent_read=True)),
            "requests": sum(1 for i in RemoteRequestItem.scan(RemoteRequestItem.sk == "REQUEST", consistent_read=True))}


def test_no_hold_booking_or_remote_request_without_a_verified_session(client):
    day = next_open_day()
    bad = {"none": None, "not bearer": "Basic dXNlcjpwYXNz", "garbage": "Bearer not-a-session",
           "staff token": "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}
    for name, value in bad.items():
        headers = {"Authorization": value} if value else {}
        for path, body in (("/v1/holds", hold(day)), ("/v1/bookings", booking(day)),
                           ("/v1/requests", request_body(1))):
            resp = post(client, path, body, {**headers, "Idempotency-Key": f"anon-{name.replace(' ', '-')}-1"},
                        anonymous=True)
            doc = problem(resp, 401, "citizen-session-required")
            assert doc["detail_fa"] and resp.headers["WWW-Authenticate"].startswith("Bearer"), name
    assert stored() == {"bookings": 0, "holds": 0, "held_seats": 0, "requests": 0}


def test_the_body_must_be_the_sessions_citizen_and_mobile(client):
    day = next_open_day()
    mine = as_citizen(1)
    for other in (booking(day, n=2), booking(day) | {"mobile": mobile(2)}):
        problem(post(client, "/v1/bookings", other, mine), 403, "session-mismatch")
    problem(post(client, "/v1/requests", request_body(2), {**mine, "Idempotency-Key": "mismatch-0001"}), 403,
            "session-mismatch")
    assert stored()["bookings"] == 0 and stored()["requests"] == 0
    assert post(client, "/v1/bookings", booking(day), mine).status_code == 201


def test_a_hold_is_its_holders_alone(client):
    day = next_open_day()
    held = json.loads(post(client, "/v1/holds", hold(day, office="OF-B"), as_citizen(1)).body)
    problem(post(client, "/v1/bookings", booking(day, n=2, office="OF-B", hold_id=held["hold_id"]), as_citizen(2)),
            409, "hold-expired")
    assert post(client, "/v1/bookings", booking(day, n=1, office="OF-B", hold_id=held["hold_id"]),
                as_citizen(1)).status_code == 201
    # Booked, the hold is over: the citizen may hold again at once.
    assert post(client, "/v1/holds", hold(day, "10:00"), as_citizen(1)).status_code == 201


def test_one_live_hold_per_citizen_and_it_counts_against_the_daily_cap(client):
    day = next_open_day()
    me = as_citizen(3)
    assert post(client, "/v1/holds", hold(day, "08:00"), me).status_code == 201
    problem(post(client, "/v1/holds", hold(day, "10:00", office="OF-A"), me), 409, "hold-in-progress")
    # The cap is 2 a day: one booking beside the live hold fits, a second does not.
    assert post(client, "/v1/bookings", booking(day, "09:00", n=3, service="S0002"), me).status_code == 201
    problem(post(client, "/v1/bookings", booking(day, "11:00", n=3, service="S0004", office="OF-A"), me), 409,
            "daily-cap-reached")
    # Another day is not touched by this hold.
    later = next_open_day(day)
    assert post(client, "/v1/bookings", booking(later, "11:00", n=3, service="S0004", office="OF-A"),
                me).status_code == 201
    # A citizen with the day's two bookings cannot hold a third slot that day.
    full = as_citizen(4)
    for hhmm, service in (("08:00", "S0001"), ("09:00", "S0002")):
        assert post(client, "/v1/bookings", booking(later, hhmm, n=4, service=service), full).status_code == 201
    problem(post(client, "/v1/holds", hold(later, "11:00", office="OF-A"), full), 409, "daily-cap-reached")


def test_a_citizen_holding_in_parallel_gets_one_hold(api, network):
    """Fifty holds on fifty different slots by one citizen, released together: one hold."""
    day, later = next_open_day(), next_open_day(skip=1)
    slots = [(d, f"{h:02d}:{m:02d}", office) for d in (day, later) for office in ("OF-A", "OF-C")
             for h in range(8, 12) for m in (0, 15, 30, 45)][:50]
    me = {"Content-Type": "application/json", **as_citizen(5)}
    results = fire([("POST", f"{api}/v1/holds", json.dumps(hold(d, hhmm, office)).encode(), me)
                    for d, hhmm, office in slots])
    counts = statuses(results)
    assert counts == Counter({201: 1, 409: 49}), counts
    assert {r.json()["type"].rsplit("/", 1)[1] for r in results if r.status_code == 409} == {"hold-in-progress"}
    assert stored() == {"bookings": 0, "holds": 1, "held_seats": 1, "requests": 0}
