"""Booking latency benchmark: the full handler vs the raw TransactWriteItems it performs, on
the same DynamoDB Local, in one run (interleaved, so both see the same machine state).

    python -m bench.booking [--n 300] [--smoke]

The raw side replays, with boto3 directly, exactly the TransactWriteItems call the handler made
(every parameter, captured at the client), into a second set of identical tables, so items and sizes match."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infra.local.ddb_local import DynamoDBLocal  # noqa: E402

RAW_PREFIX = "ejso-bench-raw"
HOURS = {d: [["08:00", "20:00"]] for d in ("sat", "sun", "mon", "tue", "wed", "thu")}


def _env(endpoint: str) -> None:
    os.environ.update({
        "STAGE": "test", "TABLE_PREFIX": "ejso-bench", "DDB_ENDPOINT": endpoint, "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "me-central-1", "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING", "CATALOGUE_CACHE_SECONDS": "3600",
        "BOOKING_HORIZON_DAYS": "60",
        # Hundreds of citizens from one address: the per-address bucket is lifted, not skipped, so
        # its conditional update stays in the handler's time as in production.
        "RATE_LIMITS": json.dumps({"booking-client": {"rate": 1_000_000, "per_s": 1, "burst": 1_000_000}}),
    })


def _national_id(n: int) -> str:
    body = f"{n + 100_000_000:09d}"
    total = sum(int(body[i]) * (10 - i) for i in range(9)) % 11
    return body + str(total if total < 2 else 11 - total)


def _slots(count: int):
    from chalicelib.domain import calendar
    day = calendar.now_tehran().date()
    found = 0
    while found < count:
        day += timedelta(days=1)
        for interval in calendar.opening_intervals(day, HOURS):
            moment = interval[0]
            while moment < interval[1] and found < count:
                yield moment
                found += 1
                moment += timedelta(minutes=15)


def _create_raw_tables(client) -> None:
    from chalicelib.dal.models import table_specs
    for spec in table_specs().values():
        keys = [{"AttributeName": spec["hash_key"], "KeyType": "HASH"}]
        if spec["range_key"]:
            keys.append({"AttributeName": spec["range_key"], "KeyType": "RANGE"})
        kwargs = {
            "TableName": spec["table_name"].replace("ejso-bench", RAW_PREFIX, 1), "KeySchema": keys,
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in spec["attribute_types"].items()],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if spec["indexes"]:
            kwargs["GlobalSecondaryIndexes"] = [{
                "IndexName": i["name"], "Projection": {"ProjectionType": i["projection"]},
                "KeySchema": [{"AttributeName": i["hash_key"], "KeyType": "HASH"}]
                + ([{"AttributeName": i["range_key"], "KeyType": "RANGE"}] if i["range_key"] else []),
            } for i in spec["indexes"]]
        if spec["stream"]:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": spec["stream"]}
        client.create_table(**kwargs)
        if spec["ttl_attribute"]:
            client.update_time_to_live(TableName=kwargs["TableName"], TimeToLiveSpecification={
                "Enabled": True, "AttributeName": spec["ttl_attribute"]})


def run(n: int) -> dict:
    import boto3
    from botocore.config import Config
    from chalice.test import Client

    from app import app
    from chalicelib.dal import catalogue_store
    from chalicelib.dal.db import connection
    from chalicelib.domain.catalogue import Office, Service
    from chalicelib.services.citizens import signed_session_for
    from infra.local.bootstrap import create_tables

    create_tables()
    catalogue_store.save_all([
        Service("S0001", category="petitions", name_en="Petition filing", name_fa="ثبت دادخواست",
                mode="remote_allowed", duration_min=15, tariff_rials=500_000),
        Office("OF-BENCH", name_en="Bench office", name_fa="دفتر آزمون", province="Tehran", province_fa="تهران",
               city="Tehran", city_fa="تهران", lat=35.7, lon=51.4, counters=6, hours=HOURS,
               offered_categories=frozenset({"petitions"})),
    ])
    raw = boto3.client("dynamodb", endpoint_url=os.environ["DDB_ENDPOINT"], region_name="me-central-1",
                       config=Config(retries={"mode": "standard", "total_max_attempts": 2}))
    _create_raw_tables(raw)

    captured: list = []
    # A JSON snapshot is much cheaper than a deepcopy, so capturing barely touches the handler's time.
    connection().client.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems",
        lambda params, **_: captured.append(json.dumps(params)))

    def replay(params) -> None:
        # Every parameter the handler sent (PynamoDB adds ReturnConsumedCapacity, for instance).
        for item in params["TransactItems"]:
            for action in item.values():
                action["TableName"] = action["TableName"].replace("ejso-bench", RAW_PREFIX, 1)
        raw.transact_write_items(**params)

    handler_ms, raw_ms, statuses = [], [], []
    with Client(app, stage_name="test") as client:
        gateway = client.http._local_gateway  # builds the API Gateway event, as API Gateway would
        for i, start in enumerate(_slots(n + 10)):
            body = json.dumps({"office_id": "OF-BENCH", "service_id": "S0001", "start": start.isoformat(),
                               "national_id": _national_id(i), "mobile": f"0912{i:07d}"}).encode()
            # The citizen's session, as the web client sends it after the mobile check (its check is timed too).
            session = signed_session_for(_national_id(i), f"+98912{i:07d}")
            event = gateway._generate_lambda_event("POST", "/v1/bookings", {"content-type": "application/json",
                                                                            "authorization": f"Bearer {session}"}, body)
            context = gateway._generate_lambda_context()
            # Timed: the Lambda entry point itself, app(event, context), as the Lambda runtime calls it.
            t0 = time.perf_counter()
            resp = app(event, context)
            t1 = time.perf_counter()
            statuses.append(resp["statusCode"])
            if resp["statusCode"] != 201:
                raise SystemExit(f"booking {i} answered {resp['statusCode']}: {resp['body']}")
            items = json.loads(captured.pop())
            t2 = time.perf_counter()
            replay(items)
            t3 = time.perf_counter()
            if i >= 10:  # warm-up: connections, caches, JIT of DynamoDB Local
                handler_ms.append((t1 - t0) * 1000)
                raw_ms.append((t3 - t2) * 1000)
    handler_med, raw_med = statistics.median(handler_ms), statistics.median(raw_ms)
    return {"n": len(handler_ms), "ok": statuses.count(201), "handler_median_ms": round(handler_med, 2),
            "raw_median_ms": round(raw_med, 2), "ratio": round(handler_med / raw_med, 3),
            "handler_p90_ms": round(statistics.quantiles(handler_ms, n=10)[-1], 2),
            "raw_p90_ms": round(statistics.quantiles(raw_ms, n=10)[-1], 2)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="booking latency: handler vs raw TransactWriteItems")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--smoke", action="store_true", help="a few iterations, to prove the benchmark runs")
    args = parser.parse_args(argv)
    n = 20 if args.smoke else args.n
    with DynamoDBLocal() as ddb:
        _env(ddb.endpoint)
        result = run(n)
    print(f"booking benchmark ({'smoke' if args.smoke else 'full'}), DynamoDB Local, {result['n']} bookings "
          "(handler = app(event, context) as Lambda calls it; raw = the same TransactWriteItems call with boto3)")
    for label, key in (("handler (POST /v1/bookings)   ", "handler"), ("raw TransactWriteItems (boto3)", "raw")):
        print(f"  {label} median {result[key + '_median_ms']:7.2f} ms   p90 {result[key + '_p90_ms']:7.2f} ms")
    print(f"  ratio handler/raw = {result['ratio']:.2f}x   (target <= 1.20x)")
    if result["ok"] != result["n"] + 10:
        print(f"  ERROR: only {result['ok']} bookings succeeded", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
