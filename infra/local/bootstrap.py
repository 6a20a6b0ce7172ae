"""Create the tables in DynamoDB Local from the PynamoDB models (the one source of table
definitions) and seed the demo network when it is empty. Developer tooling, never deployed.

    python -m infra.local.bootstrap [--seed-if-empty] [--reset]
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from pynamodb.exceptions import TableError

from chalicelib.dal import catalogue_store, operator_store, ranking_store
from chalicelib.dal.db import is_unavailable
from chalicelib.dal.models import TABLE_MODELS
from chalicelib.domain import calendar, ranking_live
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.ranking_live import OperatorRecord
from chalicelib.services import tariffs


def create_tables(models=TABLE_MODELS) -> list[str]:
    created = []
    for model in models:
        if not model.exists():
            _create(model)
            created.append(model.Meta.table_name)
    return created


def _create(model, tries: int = 5) -> None:
    """PynamoDB reads keys, indexes, stream and billing mode from the model, and sets TTL. A cold
    DynamoDB Local on a busy machine can answer CreateTable (or the DescribeTable of the wait) after
    the client's read timeout, which the client does not retry (it may have been applied); the next
    try finds the table the first one made and finishes the job (wait, TTL): create_table skips the
    creation of an existing table."""
    for attempt in range(1, tries + 1):
        try:
            model.create_table(wait=True)
            return
        except TableError as exc:
            if attempt == tries or not (is_unavailable(exc) or exc.cause_response_code == "ResourceInUseException"):
                raise


def drop_tables(models=TABLE_MODELS) -> None:
    for model in models:
        if model.exists():
            model.delete_table()


def service_entity(s: dict) -> Service:
    return Service(s["service_id"], category=s["category"], name_en=s["name_en"], name_fa=s["name_fa"],
                   mode=s["mode"], duration_min=s["duration_min"], tariff_rials=s["tariff_rials"], active=True,
                   session_modes=frozenset(s.get("session_modes", ())))


def office_entity(o: dict) -> Office:
    return Office(
        o["office_id"], name_en=o["name_en"], name_fa=o["name_fa"], province=o["province"],
        province_fa=o["province_fa"], city=o["city"], city_fa=o["city_fa"], lat=o["lat"], lon=o["lon"],
        counters=o["counters"], hours=o["hours"], offered_categories=frozenset(o["offered_categories"]),
        not_offered=frozenset(o.get("not_offered", [])), in_person_required=frozenset(o.get("in_person_required", [])),
        closures=frozenset(o.get("closures", [])), deprived=bool(o.get("deprived")), tier=None)


def operator_record(o: dict) -> OperatorRecord:
    return OperatorRecord(o["operator_id"], o["office_id"], licence_number=o["licence_number"],
                          licence_expiry=date.fromisoformat(o["licence_expiry"]), training_hours=o["training_hours"],
                          insured=o["insured"], updated_at="2026-11-22T00:00:00+03:30", updated_by="demo-seed")


def seed_demo(seed: int = 1405, out=sys.stdout) -> dict:
    from infra.local import demo_network  # dev-only generator

    services = demo_network.services(seed)
    offices = demo_network.offices(seed)
    total = len(services) + len(offices)
    started = time.monotonic()

    def progress(done: int) -> None:
        width = 30
        filled = int(width * done / total)
        out.write(f"\r  seeding demo network [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        out.flush()

    catalogue_store.save_all([service_entity(s) for s in services] + [office_entity(o) for o in offices], progress)
    progress(total)
    head = tariffs.migrate_seed()  # the seed's tariffs become version 1 of the tariff book
    out.write(f"\n  tariff book at version {head}")
    staff = operator_store.save_all(operator_record(o) for o in demo_network.operators(offices, seed))
    out.write(f"\n  registered {staff} operators")
    # Six months of outcomes, as the streams would have folded them: `make job NAME=rank_offices`
    months = ranking_live.window_periods(ranking_live.closed_period(calendar.now_tehran(), 0), 6)
    folded = ranking_store.save_aggregates((r["period"], r["office_id"], r["counts"])
                                           for r in demo_network.outcomes(offices, months, seed))
    out.write(f"\n  folded {folded} office-months of outcomes ({months[0]} to {months[-1]})")
    out.write(f"\n  seeded {len(services)} services and {len(offices)} offices in {time.monotonic() - started:.1f}s\n")
    return demo_network.summary(offices, services)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-if-empty", action="store_true")
    parser.add_argument("--reset", action="store_true", help="drop and recreate every table first")
    args = parser.parse_args(argv)
    if args.reset:
        drop_tables()
    created = create_tables()
    print(f"  tables ready ({len(created)} created, {len(TABLE_MODELS) - len(created)} already there)")
    if args.seed_if_empty:
        if catalogue_store.is_empty():
            seed_demo()
        else:
            print("  demo network already seeded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
