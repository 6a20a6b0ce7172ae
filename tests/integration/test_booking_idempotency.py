"""A booking under an Idempotency-Key on DynamoDB Local: its first answer is written in the
booking's own transaction (no round trip of its own), a retry after a lost response gets that
answer again (even when the hold it booked on is gone), another body under the key is a 422, and
copies of one request racing each other make one booking."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.support import post


@pytest.fixture()
def calls(monkeypatch):
    """Every DynamoDB call any client makes, as (operation, tables)."""
    from botocore.client import BaseClient
    made: list[tuple[str, tuple[str, ...]]] = []
    real = BaseClient._make_api_call

    def recording(self, operation, params):
        if self.meta.service_model.service_name == "dynamodb":
            items = params.get("TransactItems", [])
            tables = {next(iter(i.values()))["TableName"] for i in items} or {params.get("TableName", "")}
            made.append((operation, tuple(sorted(t.rsplit("-", 1)[-1] for t in tables))))
        return real(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return made


def body(day, n: int, hhmm: str = "09:00", **extra) -> dict:
    return {"office_id": "OF-A", "service_id": "S0001", "start": at(day, hhmm).isoformat(),
            "national_id": national_id(n), "mobile": mobile(n), **extra}


def test_a_keyed_booking_costs_the_round_trips_of_one_without(client, calls):
    day = next_open_day()
    post(client, "/v1/bookings", body(day, 70, "08:00"))  # warm: catalogue, limits, keys
    booking_tables = {"bookings", "idempotency", "outbox"}

    def booking_calls(n: int, hhmm: str, headers: dict | None = None) -> list:
        calls.clear()
        assert post(client, "/v1/bookings", body(day, n, hhmm), headers).status_code == 201
        return [(op, tables) for op, tables in calls if booking_tables & set(tables)]

    plain = booking_calls(71, "09:00")
    keyed = booking_calls(72, "10:00", {"Idempotency-Key": "round-trips-1"})
    assert plain == [("TransactWriteItems", ("bookings", "outbox"))]
    # The answer rides in the booking's own transaction: no read or write of its own.
    assert keyed == [("TransactWriteItems", ("bookings", "idempotency", "outbox"))]


def test_a_retry_after_a_lost_response_gets_the_first_answer(client):
    from chalicelib.dal.models import BookingItem, OutboxItem
    day = next_open_day()
    held = post(client, "/v1/holds", {"office_id": "OF-A", "service_id": "S0001", "start": at(day, "11:00").isoformat()},
                {"Authorization": _session(73)})
    assert held.status_code == 201, held.body
    hold_id = json.loads(held.body)["hold_id"]
    key = {"Idempotency-Key": "lost-response-1"}
    first = post(client, "/v1/bookings", body(day, 73, "11:00", hold_id=hold_id), key)
    assert first.status_code == 201, first.body
    created = json.loads(first.body)
    # The response is lost; the client sends the same request again. The hold is gone (the booking
    # used it), yet the answer is the first one, without the access code.
    again = post(client, "/v1/bookings", body(day, 73, "11:00", hold_id=hold_id), key)
    assert again.status_code == 201, again.body
    assert json.loads(again.body) == {k: v for k, v in created.items() if k != "access_code"}
    assert again.headers["Location"] == first.headers["Location"]
    problem = post(client, "/v1/bookings", body(day, 73, "11:15"), key)  # another body under the key
    assert problem.status_code == 422 and json.loads(problem.body)["type"].endswith("idempotency-key-reused")
    mine = [b for b in BookingItem.scan(consistent_read=True) if b.pk == f"BK#{created['booking_id']}"]
    assert len(mine) == 1 and mine[0].status == "BOOKED"
    sms = [m for m in OutboxItem.scan(consistent_read=True) if m.template == "booking_confirmed"]
    assert len(sms) == 1


def _session(n: int) -> str:
    from tests.integration.support import citizen_headers
    return citizen_headers({"national_id": national_id(n), "mobile": mobile(n)})["Authorization"]


def test_copies_of_one_request_racing_make_one_booking(api, network):
    from chalicelib.dal.booking_store import office_day_counts
    from chalicelib.dal.models import OutboxItem
    from tests.integration.remote_support import fire, statuses
    from tests.integration.support import citizen_headers
    day = next_open_day()
    sent = body(day, 74, "10:30")
    headers = {"Content-Type": "application/json", "Idempotency-Key": "racing-copies-1", **citizen_headers(sent)}
    results = fire([("POST", f"{api}/v1/bookings", json.dumps(sent).encode(), headers)] * 30)
    assert statuses(results) == Counter({201: 30}), [getattr(r, "text", r) for r in results]
    answers = [r.json() for r in results]
    assert len({a["booking_id"] for a in answers}) == 1
    assert sum("access_code" in a for a in answers) == 1  # the code went to one caller (and the SMS)
    assert office_day_counts(["OF-A"], day, consistent=True) == {"OF-A": 1}
    assert sum(m.template == "booking_confirmed" for m in OutboxItem.scan(consistent_read=True)) == 1
