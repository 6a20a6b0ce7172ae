"""Access codes at rest, on DynamoDB Local: the code a booking or a remote request returns is
never written in clear, neither in its own item (a keyed hash) nor in the idempotency record
that answers retries. A retry under the same Idempotency-Key returns the same booking or request
without the code: the first answer and the confirmation SMS carried it, and re-issuing one
would make a replayed request a way to reset it."""
from __future__ import annotations

import json
import os

from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.remote_support import request_body
from tests.integration.support import post


def raw_items(table: str) -> list[dict]:
    import boto3

    from chalicelib.settings import get_settings
    client = boto3.client("dynamodb", endpoint_url=os.environ["DDB_ENDPOINT"])
    pages = client.get_paginator("scan").paginate(TableName=get_settings().table_name(table), ConsistentRead=True)
    return [item for page in pages for item in page["Items"]]


def test_a_booking_code_is_not_kept_in_its_idempotency_record_and_a_replay_returns_no_code(client):
    body = {"office_id": "OF-A", "service_id": "S0001", "start": at(next_open_day(), "09:00").isoformat(),
            "national_id": national_id(61), "mobile": mobile(61)}
    first = post(client, "/v1/bookings", body, {"Idempotency-Key": "secret-at-rest-1"})
    assert first.status_code == 201, first.body
    created = json.loads(first.body)
    code = created["access_code"]
    records = raw_items("idempotency")
    assert records and any(created["booking_id"] in json.dumps(r) for r in records)  # the record is there...
    assert all(code not in json.dumps(r) for r in records)  # ...without the code
    assert all(code not in json.dumps(i) for i in raw_items("bookings"))
    replay = post(client, "/v1/bookings", body, {"Idempotency-Key": "secret-at-rest-1"})
    assert replay.status_code == 201
    again = json.loads(replay.body)
    assert again["booking_id"] == created["booking_id"] and "access_code" not in again
    # The code of the first answer still opens the booking: the replay changed nothing.
    read = client.http.get(f"/v1/bookings/{created['booking_id']}", headers={"X-Access-Code": code})
    assert read.status_code == 200


def test_a_remote_request_code_is_not_kept_in_its_idempotency_record(client):
    first = post(client, "/v1/requests", request_body(62), {"Idempotency-Key": "secret-at-rest-2"})
    assert first.status_code == 201, first.body
    created = json.loads(first.body)
    code = created["access_code"]
    records = raw_items("idempotency")
    assert any(created["tracking_code"] in json.dumps(r) for r in records)
    assert all(code not in json.dumps(r) for r in records)
    assert all(code not in json.dumps(i) for i in raw_items("requests"))
    again = json.loads(post(client, "/v1/requests", request_body(62), {"Idempotency-Key": "secret-at-rest-2"}).body)
    assert again["tracking_code"] == created["tracking_code"] and "access_code" not in again
    read = client.http.get(f"/v1/requests/{created['tracking_code']}", headers={"X-Access-Code": code})
    assert read.status_code == 200
