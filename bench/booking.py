"""The request path's cost, in one run on one DynamoDB Local (`make bench`), each figure a ratio
of medians measured side by side, printed with PASS/FAIL against its target:

1. a booking without an Idempotency-Key vs the raw TransactWriteItems it performs (<= 1.1x);
2. a booking with an Idempotency-Key vs the raw TransactWriteItems it performs (<= 1.2x);
3. a booking right after the container's caches expired vs a warm booking (<= 1.5x);
4. a cold start, `import app` in a fresh process, vs a bare Chalice app importing boto3 and
   PynamoDB (bench/bare_app.py), in pairs (<= 1.5x).

    python -m bench.booking [--n 300] [--starts 30] [--smoke]

The raw side replays, with boto3 directly, exactly the TransactWriteItems call the handler made
(every parameter, captured at the client), into a second set of identical tables, so items and
sizes match. The bookings of the three series are interleaved, so all see the same machine state.
The catalogue is at national size (1,300 offices, 1,470 services), so a scan on the request path
would show in the expiry figure."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infra.local.ddb_local import DynamoDBLocal  # noqa: E402

RAW_PREFIX = "ejso-bench-raw"
OFFICES, SERVICES = 1300, 1470
TARGETS = {"no_key": 1.1, "with_key": 1.2, "expired": 1.5, "cold_start": 1.5}
EXPIRED_EVERY = 4  # one booking in this many is made right after the caches expired
HOURS = {d: [["08:00", "20:00"]] for d in ("sat", "sun", "mon", "tue", "wed", "thu")}


def _env(endpoint: str) -> None:
    os.environ.update({
        "STAGE": "test", "TABLE_PREFIX": "ejso-bench", "DDB_ENDPOINT": endpoint, "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "me-central-1", "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING", "CATALOGUE_CACHE_SECONDS": "3600",
        "BOOKING_HORIZON_DAYS": "60",
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


def _national_network():
    """The bench office and service, among a national-size catalogue."""
    from chalicelib.domain.catalogue import Office, Service
    services = [Service("S0001", category="petitions", name_en="Petition filing", name_fa="ثبت دادخواست",
                        mode="remote_allowed", duration_min=15, tariff_rials=500_000)]
    services += [Service(f"S{i:04d}", category=f"c{i % 30}", name_en=f"Service {i}", name_fa=f"خدمت {i}",
                         mode="remote_allowed", duration_min=15, tariff_rials=100_000) for i in range(2, SERVICES + 1)]
    offices = [Office("OF-BENCH", name_en="Bench office", name_fa="دفتر آزمون", province="Tehran", province_fa="تهران",
                      city="Tehran", city_fa="تهران", lat=35.7, lon=51.4, counters=6, hours=HOURS,
                      offered_categories=frozenset({"petitions"}))]
    offices += [Office(f"OF-{i:04d}", name_en=f"Office {i}", name_fa=f"دفتر {i}", province="Tehran",
                       province_fa="تهران", city="Tehran", city_fa="تهران", lat=35.0 + i / 1000, lon=51.0,
                       counters=4, hours=HOURS, offered_categories=frozenset({"petitions", *(f"c{k}" for k in range(30))}))
                for i in range(1, OFFICES)]
    return [*services, *offices]


def _expire_caches() -> None:
    """What a container sees once CATALOGUE_CACHE_SECONDS (and so CATALOGUE_CHECK_SECONDS) have
    passed: every cached value (configuration, licences, calendar, tariff head) is due for its
    check, the last read of the version item is too old to share and the catalogue's version is
    due for its check. Time is moved, nothing is forgotten: forgetting would measure a cold
    container, not an expiry."""
    from chalicelib.dal import catalogue_store
    from chalicelib.settings import get_settings
    catalogue_store.age(max(get_settings().catalogue_cache_seconds, get_settings().catalogue_check_seconds))


def run(n: int) -> dict:
    import boto3
    from botocore.config import Config
    from chalice.test import Client

    from app import app
    from chalicelib.dal import catalogue_store
    from chalicelib.dal.db import connection
    from chalicelib.services.citizens import signed_session_for
    from infra.local.bootstrap import create_tables

    create_tables()
    catalogue_store.save_all(_national_network())
    raw = boto3.client("dynamodb", endpoint_url=os.environ["DDB_ENDPOINT"], region_name="me-central-1",
                       config=Config(retries={"mode": "standard", "total_max_attempts": 2}))
    _create_raw_tables(raw)

    captured: list = []
    calls: list[str] | None = None  # the DynamoDB calls of the booking being counted
    # A JSON snapshot is much cheaper than a deepcopy, so capturing barely touches the handler's time.
    connection().client.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems",
        lambda params, **_: captured.append(json.dumps(params)))
    connection().client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.append(model.name) if calls is not None else None)
    expired_calls: list[str] = []

    def replay(params) -> float:
        # Every parameter the handler sent (PynamoDB adds ReturnConsumedCapacity, for instance).
        for item in params["TransactItems"]:
            for action in item.values():
                action["TableName"] = action["TableName"].replace("ejso-bench", RAW_PREFIX, 1)
        started = time.perf_counter()
        raw.transact_write_items(**params)
        return (time.perf_counter() - started) * 1000

    series = {name: [] for name in ("no_key", "no_key_raw", "with_key", "with_key_raw", "expired")}
    statuses = []
    with Client(app, stage_name="test") as client:
        gateway = client.http._local_gateway  # builds the API Gateway event, as API Gateway would
        slots = _slots(3 * (n + 10) + (n + 10) // EXPIRED_EVERY + 10)

        def booking(i: int, key: str | None) -> float:
            start = next(slots)
            body = json.dumps({"office_id": "OF-BENCH", "service_id": "S0001", "start": start.isoformat(),
                               "national_id": _national_id(i), "mobile": f"0912{i:07d}"}).encode()
            # The citizen's session, as the web client sends it after the mobile check (its check is timed too).
            headers = {"content-type": "application/json",
                       "authorization": f"Bearer {signed_session_for(_national_id(i), f'+98912{i:07d}')}"}
            if key:
                headers["idempotency-key"] = key
            event = gateway._generate_lambda_event("POST", "/v1/bookings", headers, body)
            context = gateway._generate_lambda_context()
            # Timed: the Lambda entry point itself, app(event, context), as the Lambda runtime calls it.
            t0 = time.perf_counter()
            resp = app(event, context)
            elapsed = (time.perf_counter() - t0) * 1000
            statuses.append(resp["statusCode"])
            if resp["statusCode"] != 201:
                raise SystemExit(f"booking {i} answered {resp['statusCode']}: {resp['body']}")
            return elapsed

        citizen = 0
        for i in range(n + 10):
            warm = i >= 10  # warm-up: connections, caches, the catalogue's first load, DynamoDB Local's JIT
            citizen += 1
            handler = booking(citizen, None)
            raw_ms = replay(json.loads(captured.pop()))
            if warm:
                series["no_key"].append(handler)
                series["no_key_raw"].append(raw_ms)
            citizen += 1
            handler = booking(citizen, f"bench-{citizen:08d}")
            raw_ms = replay(json.loads(captured.pop()))
            if warm:
                series["with_key"].append(handler)
                series["with_key_raw"].append(raw_ms)
            if i % EXPIRED_EVERY == 0:
                citizen += 1
                _expire_caches()
                calls = []
                handler = booking(citizen, None)
                expired_calls, calls = calls, None
                captured.pop()
                if warm:
                    series["expired"].append(handler)
    med = {name: statistics.median(values) for name, values in series.items()}
    return {"n": len(series["no_key"]), "n_expired": len(series["expired"]), "ok": statuses.count(201),
            "bookings": len(statuses), "median_ms": med, "expired_calls": expired_calls,
            "ratios": {"no_key": med["no_key"] / med["no_key_raw"], "with_key": med["with_key"] / med["with_key_raw"],
                       "expired": med["expired"] / med["no_key"]}}


def _timed(code: str, env: dict) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)  # noqa: S603 - our own code
    return time.perf_counter() - started


def cold_starts(pairs: int) -> dict:
    """`import app` and `import bench.bare_app`, each in a fresh process, in pairs (the order
    alternating), with a deployed function's environment (CDK sets the stream ARNs on every
    function). Also, for the record: `import app` plus what a booking's first request imports."""
    env = {**os.environ, "BOOKINGS_STREAM_ARN": "arn:aws:dynamodb:me-central-1:000000000000:table/b/stream/x",
           "REQUESTS_STREAM_ARN": "arn:aws:dynamodb:me-central-1:000000000000:table/r/stream/x"}
    app_code, bare_code = "import app", "import bench.bare_app"
    first_booking = "import app\nfrom chalicelib.api import booking_routes\nbooking_routes.bookings.book\n" \
                    "from chalicelib.api.http import schema\nschema('BookingIn'), schema('BookingCreatedOut')"
    for code in (app_code, bare_code, first_booking):  # warm-up: bytecode caches, the page cache
        _timed(code, env)
    app_s, bare_s, first_s, ratios, first_ratios = [], [], [], [], []
    for k in range(pairs):
        if k % 2:
            bare, a, f = _timed(bare_code, env), _timed(app_code, env), _timed(first_booking, env)
        else:
            f, a, bare = _timed(first_booking, env), _timed(app_code, env), _timed(bare_code, env)
        app_s.append(a)
        bare_s.append(bare)
        first_s.append(f)
        ratios.append(a / bare)
        first_ratios.append(f / bare)
    return {"pairs": pairs, "app_ms": statistics.median(app_s) * 1000, "bare_ms": statistics.median(bare_s) * 1000,
            "first_booking_ms": statistics.median(first_s) * 1000, "ratio": statistics.median(ratios),
            "first_booking_ratio": statistics.median(first_ratios)}


def _verdict(ratio: float, target: float) -> str:
    return "PASS" if ratio <= target else "FAIL"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="the request path: bookings vs raw TransactWriteItems, cache expiry, "
                                                 "cold start")
    parser.add_argument("--n", type=int, default=300, help="bookings of each series")
    parser.add_argument("--starts", type=int, default=30, help="cold starts of each app, in pairs")
    parser.add_argument("--smoke", action="store_true", help="a few iterations, to prove the benchmark runs")
    args = parser.parse_args(argv)
    n, starts = (20, 3) if args.smoke else (args.n, args.starts)
    with DynamoDBLocal() as ddb:
        _env(ddb.endpoint)
        result = run(n)
    cold = cold_starts(starts)
    med, ratios = result["median_ms"], result["ratios"]
    print(f"request-path benchmark ({'smoke' if args.smoke else 'full'}), DynamoDB Local, national catalogue "
          f"({OFFICES} offices, {SERVICES} services); {result['n']} bookings per series, {result['n_expired']} after "
          f"expiry, {cold['pairs']} cold-start pairs")
    print("  handler = app(event, context) as Lambda calls it; raw = the same TransactWriteItems call with boto3")
    rows = [
        ("booking, no Idempotency-Key vs raw", med["no_key"], med["no_key_raw"], ratios["no_key"], "no_key"),
        ("booking, Idempotency-Key vs raw", med["with_key"], med["with_key_raw"], ratios["with_key"], "with_key"),
        ("booking after cache expiry vs warm", med["expired"], med["no_key"], ratios["expired"], "expired"),
        ("cold start: import app vs bare app", cold["app_ms"], cold["bare_ms"], cold["ratio"], "cold_start"),
    ]
    failed = False
    for label, a, b, ratio, key in rows:
        verdict = _verdict(ratio, TARGETS[key])
        failed |= verdict == "FAIL"
        print(f"  {label:<36} {a:8.2f} ms vs {b:8.2f} ms   ratio {ratio:5.2f}x   target <= {TARGETS[key]:.2f}x   {verdict}")
    print(f"  (for the record: the last booking after expiry called DynamoDB {len(result['expired_calls'])} times: "
          f"{', '.join(result['expired_calls'])})")
    print(f"  (for the record: import app + a booking's first imports {cold['first_booking_ms']:.0f} ms, "
          f"{cold['first_booking_ratio']:.2f}x the bare app)")
    if result["ok"] != result["bookings"]:
        print(f"  ERROR: only {result['ok']} of {result['bookings']} bookings succeeded", file=sys.stderr)
        return 1
    # Smoke runs prove the benchmark works; their few samples are too noisy to judge a target.
    return 1 if failed and not args.smoke else 0


if __name__ == "__main__":
    sys.exit(main())
