"""What keeping the catalogue current costs a container, on DynamoDB Local at national size
(1,300 offices, 1,470 services):

* a version check (one consistent GetItem of the pointer), paid at most every CATALOGUE_CHECK_SECONDS;
* catching up after one office's declaration (the check, one Query of the change records, one
  BatchGetItem of the changed office);
* the full load (two scans), which a container pays once, and which the old cache paid every minute.

    python -m bench.catalogue [--n 200]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infra.local.ddb_local import DynamoDBLocal  # noqa: E402

OFFICES, SERVICES = 1300, 1470


def _env(endpoint: str) -> None:
    os.environ.update({
        "STAGE": "test", "TABLE_PREFIX": "ejso-bench-cat", "DDB_ENDPOINT": endpoint, "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "me-central-1", "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"})


def _ms(samples: list[float]) -> str:
    samples = sorted(samples)
    return (f"median {statistics.median(samples) * 1000:7.2f} ms   p95 "
            f"{samples[int(0.95 * (len(samples) - 1))] * 1000:7.2f} ms")


def run(n: int) -> None:
    from chalicelib.dal import catalogue_store as store
    from chalicelib.domain.catalogue import Office, Service
    from infra.local.bootstrap import create_tables

    create_tables()
    hours = {d: [["08:00", "14:00"]] for d in ("sat", "sun", "mon", "tue", "wed")}
    services = [Service(f"S{i:04d}", category=f"c{i % 30}", name_en=f"Service {i}", name_fa=f"خدمت {i}",
                        mode="remote_allowed", duration_min=15, tariff_rials=100_000) for i in range(SERVICES)]
    offices = [Office(f"OF-{i:04d}", name_en=f"Office {i}", name_fa=f"دفتر {i}", province="Tehran",
                      province_fa="تهران", city="Tehran", city_fa="تهران", lat=35.0 + i / 1000, lon=51.0,
                      counters=4, hours=hours, offered_categories=frozenset(f"c{k}" for k in range(30)),
                      in_person_required=frozenset({"S0002", "S0007"})) for i in range(OFFICES)]
    store.save_all([*services, *offices])

    loads = []
    for _ in range(max(3, n // 20)):
        store.clear_cache()
        started = time.perf_counter()
        store.all_offices()
        loads.append(time.perf_counter() - started)

    checks = []
    for _ in range(n):
        store._view.checked = float("-inf")  # the check interval has passed
        started = time.perf_counter()
        store.all_offices()
        checks.append(time.perf_counter() - started)

    catch_ups = []
    for i in range(n):
        office_id = f"OF-{i % OFFICES:04d}"
        view = store._view
        stale = (view.version, view.offices, view.services)
        store.change_office(office_id, lambda o, i=i: replace(o, in_person_required=o.in_person_required ^ {"S0001"}),
                            "declare", "bench", "2026-11-30T10:00:00+03:30")
        view.version, view.offices, view.services = stale  # another container, one change behind
        view.checked = float("-inf")
        started = time.perf_counter()
        offices_now = store.all_offices()
        catch_ups.append(time.perf_counter() - started)
        assert offices_now[office_id] == store.get_office(office_id)

    warm = []
    for _ in range(n):
        started = time.perf_counter()
        store.all_offices()
        warm.append(time.perf_counter() - started)

    print(f"catalogue: {OFFICES} offices, {SERVICES} services, {n} samples each")
    print(f"  full load (two scans; once per container, was every 60 s) {_ms(loads)}")
    print(f"  version check, nothing changed (one GetItem)              {_ms(checks)}")
    print(f"  catch-up after one declaration (GetItem+Query+BatchGet)   {_ms(catch_ups)}")
    print(f"  read within the check interval (no I/O)                   {_ms(warm)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args(argv)
    with DynamoDBLocal() as ddb:
        _env(ddb.endpoint)
        run(args.n)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
