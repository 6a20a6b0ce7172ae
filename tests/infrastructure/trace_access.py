"""Run each event handler once over moto and print, as JSON, the tables each one read and wrote.

Run in its own process by test_cdk.py (it sets the environment before chalicelib is imported).
The grants in infra/stacks/service.py FUNCTION_ACCESS must cover what this observes: a missing
grant would otherwise show up only as AccessDenied in AWS. Data is seeded so that each job takes
its working path (an office to snapshot, a due reminder and partner callback, a booking outcome on
the stream)."""
from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PREFIX = "ejso-trace"
os.environ.update({
    "STAGE": "test", "TABLE_PREFIX": PREFIX, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "me-central-1", "AWS_REGION": "me-central-1", "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true", "CATALOGUE_CACHE_SECONDS": "0", "SMS_MODE": "log",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
})
os.environ.pop("DDB_ENDPOINT", None)

import botocore.client  # noqa: E402
from moto import mock_aws  # noqa: E402

READ_OPS = {"GetItem", "Query", "Scan", "BatchGetItem"}  # DescribeTable comes with either grant
WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}
_seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
_current = ["setup"]


def _table(name: str) -> str:
    return name.removeprefix(PREFIX + "-")


def _record(operation: str, params: dict) -> None:
    seen = _seen[_current[0]]
    if operation in READ_OPS | WRITE_OPS and "TableName" in params:
        seen.add(("read" if operation in READ_OPS else "write", _table(params["TableName"])))
    for table in params.get("RequestItems", {}):
        seen.add(("read" if operation == "BatchGetItem" else "write", _table(table)))
    for item in params.get("TransactItems", []):
        for kind, body in item.items():
            seen.add(("read" if kind in ("ConditionCheck", "Get") else "write", _table(body["TableName"])))


_original = botocore.client.BaseClient._make_api_call


def _traced(self, operation_name, api_params):
    if self.meta.service_model.service_name == "dynamodb":
        _record(operation_name, api_params)
    return _original(self, operation_name, api_params)


def main() -> None:
    botocore.client.BaseClient._make_api_call = _traced
    with mock_aws():
        from chalice.test import Client

        from app import app
        from chalicelib.dal import catalogue_store, outbox_store
        from chalicelib.domain import calendar, outbox
        from infra.local import demo_network
        from infra.local.bootstrap import create_tables, office_entity

        create_tables()
        catalogue_store.save_all([office_entity(office) for office in demo_network.offices()[:3]])
        now = calendar.now_tehran()
        outbox_store.put([
            outbox.sms("booking_reminder", "09120000000", now - timedelta(minutes=1), booking_id="BK-TRACE",
                       params={"start": (now + timedelta(hours=20)).isoformat()}),
            outbox.status_callback("P-TRACE", "RQTRACE00001", "ASSIGNED", now - timedelta(minutes=1))])

        image = {"pk": {"S": "BK#BK-TRACE"}, "sk": {"S": "BOOKING"}, "office_id": {"S": "OF-TRACE"},
                 "day": {"S": now.date().isoformat()}}
        stream_event = {"Records": [{
            "eventID": "trace-1", "eventName": "MODIFY", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
            "awsRegion": "me-central-1",
            "eventSourceARN": f"arn:aws:dynamodb:me-central-1:000000000000:table/{PREFIX}-bookings/stream/x",
            "dynamodb": {"ApproximateCreationDateTime": 1_700_000_000, "SequenceNumber": "1", "SizeBytes": 100,
                         "StreamViewType": "NEW_AND_OLD_IMAGES", "Keys": {"pk": image["pk"], "sk": image["sk"]},
                         "NewImage": {**image, "status": {"S": "COMPLETED"}},
                         "OldImage": {**image, "status": {"S": "BOOKED"}}},
        }]}
        # A remote request completed by an office (the requests stream's consumers fold it).
        stamp = now.isoformat(timespec="seconds")
        request = {"pk": {"S": "RQ#RQTRACE00001"}, "sk": {"S": "REQUEST"}, "office_id": {"S": "OF-TRACE"},
                   "service_id": {"S": "S-TRACE"}, "sla_deadline": {"S": stamp}, "updated_at": {"S": stamp}}
        request_stream_event = json.loads(json.dumps(stream_event).replace(f"{PREFIX}-bookings/", f"{PREFIX}-requests/"))
        request_stream_event["Records"][0]["dynamodb"].update(
            Keys={"pk": request["pk"], "sk": request["sk"]}, NewImage={**request, "status": {"S": "COMPLETED"}},
            OldImage={**request, "status": {"S": "IN_PROGRESS"}})
        # A booking cancelled: the waitlist's consumer checks whether its seat may be offered.
        cancelled_event = json.loads(json.dumps(stream_event))
        slot = {"office_id": {"S": demo_network.offices()[0]["office_id"]},
                "service_id": {"S": "S-TRACE"}, "start": {"S": (now + timedelta(days=2)).isoformat()},
                "day": {"S": (now + timedelta(days=2)).date().isoformat()}, "cells": {"L": [{"S": "09:00"}]},
                "counter": {"N": "1"}}
        cancelled_event["Records"][0]["dynamodb"].update(NewImage={**image, **slot, "status": {"S": "CANCELLED"}},
                                                         OldImage={**image, **slot, "status": {"S": "BOOKED"}})
        with Client(app, stage_name="test", project_dir=str(ROOT)) as client:
            for source in app.event_sources:
                kind = type(source).__name__
                if kind == "ScheduledEventConfig":
                    payload = client.events.generate_cw_event(
                        source="aws.events", detail_type="Scheduled Event", detail={},
                        resources=[f"arn:aws:events:me-central-1:000000000000:rule/{source.name}"])
                elif kind == "DynamoDBEventConfig" and f"{PREFIX}-requests/" in source.stream_arn:
                    payload = request_stream_event
                elif kind == "DynamoDBEventConfig" and source.name == "offer_freed_seats":
                    payload = cancelled_event
                elif kind == "DynamoDBEventConfig":
                    payload = stream_event
                else:
                    raise SystemExit(f"{source.name}: no trace for event kind {kind}; add one here")
                _current[0] = source.name
                result = client.lambda_.invoke(source.name, payload)
                if isinstance(result.payload, dict) and result.payload.get("batchItemFailures"):
                    raise SystemExit(f"{source.name} failed its batch: {result.payload}")
    print(json.dumps({name: {"read": sorted(t for k, t in seen if k == "read"),
                             "write": sorted(t for k, t in seen if k == "write")}
                      for name, seen in _seen.items() if name != "setup"}))


if __name__ == "__main__":
    main()
