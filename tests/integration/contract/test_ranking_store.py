"""The ranking store's contract, on the in-memory fake and on DynamoDB Local: aggregates folded
once per event, one rating per citizen, office and month, the latest inspection, and one
published snapshot per month whatever runs race to publish it."""
from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from chalicelib.domain import calendar
from chalicelib.domain import ranking_live as live
from chalicelib.domain.ranking import TierState
from chalicelib.domain.ranking_live import Delta, OncePerCitizen, RankingRow, RankingSnapshot
from tests.fakes.catalogue import FakeCatalogueStore
from tests.fakes.ranking import FakeRankingStore
from tests.integration import fixtures

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=calendar.TEHRAN)
PERIOD = "1405-08"


class Backend:
    def __init__(self, store, catalogue):
        self.store, self.catalogue = store, catalogue


@pytest.fixture(params=["fake", "dynamodb"])
def backend(request):
    if request.param == "fake":
        catalogue = FakeCatalogueStore(fixtures.items())
        return Backend(FakeRankingStore(catalogue), catalogue)
    # The known offices, for tiers, on an empty database: the ranking table holds this test's
    # aggregates, markers and snapshots only.
    request.getfixturevalue("network")
    from chalicelib.dal import catalogue_store, ranking_store
    return Backend(ranking_store, catalogue_store)


def head(period: str, fingerprint: str, offices: int = 2) -> RankingSnapshot:
    return RankingSnapshot(period, policy_version="policy-v1", fingerprint=fingerprint, offices=offices,
                           schedule={"policy_version": "policy-v1", "base_share": "1/10"},
                           policy={"number": 0, "version": "policy-v1"}, created_at=NOW)


def rows(tiers: dict[str, int], score: str = "61.25") -> list[RankingRow]:
    return [RankingRow(o, province="Tehran", tier=t, score=Decimal(score), provisional=False, rank=k + 1,
                       state=TierState(t, reason="initial", policy_version="policy-v1"),
                       previous=TierState(3) if k else None, card={"score": score, "lines": []},
                       aggregate={"office_id": o, "transactions": 10 * (k + 1)}, fees_rials=1_000 * k)
            for k, (o, t) in enumerate(sorted(tiers.items()))]


# --- folding -------------------------------------------------------------------------------------

def test_an_event_folds_once(backend):
    store = backend.store
    deltas = [Delta("OF-A", PERIOD, {"in_person_total": 1, "fees_rials": 300}),
              Delta("OF-A", PERIOD, {"in_person_total": 1}), Delta("OF-B", PERIOD, {"no_show": 1})]
    assert store.fold(live.BOOKING_EVENT, "e-1", deltas, NOW, 7) is True
    assert store.fold(live.BOOKING_EVENT, "e-1", deltas, NOW, 7) is False  # redelivered
    assert store.fold(live.REQUEST_EVENT, "e-1", [Delta("OF-A", PERIOD, {"remote_total": 1})], NOW, 7) is True
    month = store.period_aggregates(PERIOD)
    assert dict(month["OF-A"].counts) == {"in_person_total": 2, "fees_rials": 300, "remote_total": 1}
    assert dict(month["OF-B"].counts) == {"no_show": 1} and month["OF-B"].inspection is None
    assert store.period_aggregates(live.shift_period(PERIOD, -1)) == {}
    assert store.fold(live.BOOKING_EVENT, "e-2", [], NOW, 7) is False  # nothing to add


def test_a_citizen_counts_once_per_office_and_month(backend):
    store = backend.store

    def rate(event: str, citizen: str, office: str = "OF-C", score: int = 5) -> bool:
        delta = Delta(office, PERIOD, {"ratings_count": 1, "ratings_sum": score})
        return store.fold(live.REQUEST_EVENT, event, [delta], NOW, 7, once_per=OncePerCitizen(office, PERIOD, citizen))
    assert rate("r-1", "c-1") is True
    assert rate("r-2", "c-1") is False  # the same citizen's second rating that month
    assert rate("r-3", "c-2", score=2) is True
    assert rate("r-4", "c-1", office="OF-A") is True  # another office
    assert dict(store.period_aggregates(PERIOD)["OF-C"].counts) == {"ratings_count": 2, "ratings_sum": 7}
    assert rate("r-2", "c-3") is True  # the refused event left no marker of its own


def test_the_latest_inspection_of_a_month_counts(backend):
    store = backend.store

    def inspect(ref: str, day: str, score: float) -> bool:
        return store.fold(live.INSPECTION_RECORD, ref, [Delta("OF-A", PERIOD, inspection=(day, score))], NOW, 3650)
    assert inspect("in-1", "2026-11-10", 70) is True
    assert inspect("in-2", "2026-11-05", 20) is False  # older than the one recorded
    assert store.period_aggregates(PERIOD)["OF-A"].inspection == 70
    assert inspect("in-3", "2026-11-12", 55.5) is True
    assert store.period_aggregates(PERIOD)["OF-A"].inspection == 55.5
    assert inspect("in-2", "2026-11-20", 90) is True  # the refused record may come again, newer


def test_concurrent_folds_of_one_office_and_month_all_count_once(backend):
    """Stream batches released together, each folding its own events for the same office and
    month: none is refused, and the month's counters are the exact sums."""
    store, threads_n, events_n = backend.store, 4, 8
    barrier, failures, outcomes = threading.Barrier(threads_n), [], []

    def batch(k: int):
        barrier.wait(timeout=30)
        for j in range(events_n):
            try:
                outcomes.append(store.fold(live.BOOKING_EVENT, f"c-{k}-{j}", [
                    Delta("OF-A", PERIOD, {"in_person_total": 1, "fees_rials": 100 + k}),
                    Delta("OF-B", PERIOD, {"no_show": 1})], NOW, 7))
            except Exception as exc:  # noqa: BLE001 - counted
                failures.append(exc)
    threads = [threading.Thread(target=batch, args=(k,)) for k in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert failures == [] and outcomes == [True] * threads_n * events_n
    month = store.period_aggregates(PERIOD)
    assert dict(month["OF-A"].counts) == {"in_person_total": threads_n * events_n,
                                          "fees_rials": sum(events_n * (100 + k) for k in range(threads_n))}
    assert dict(month["OF-B"].counts) == {"no_show": threads_n * events_n}
    assert not any(store.fold(live.BOOKING_EVENT, f"c-{k}-{j}", [Delta("OF-A", PERIOD, {"in_person_total": 1})],
                              NOW, 7) for k in range(threads_n) for j in range(events_n))  # each marked once


def _parts_of(office_id: str) -> dict[str, dict]:
    """The office's aggregate items as stored: sort key -> attributes."""
    from chalicelib.dal import ranking_store
    from chalicelib.dal.db import shared_client
    items = shared_client().query(TableName=ranking_store._table(), KeyConditionExpression="pk = :pk",
                                  ExpressionAttributeValues={":pk": {"S": ranking_store.aggregate_pk(PERIOD, office_id)}},
                                  ConsistentRead=True)["Items"]
    return {i["sk"]["S"]: i for i in items if i["office_id"]["S"] == office_id}


class Conflicts:
    """DynamoDB's answer to a transaction that meets another on one of its items (TransactionConflict),
    given to the next `times` TransactWriteItems calls. DynamoDB Local queues such transactions
    instead, so the answer is injected here, as the service gives it."""

    def __init__(self, times: int):
        self.times, self.calls = times, 0

    def __call__(self, params, **kwargs):
        from botocore.awsrequest import AWSResponse
        self.calls += 1
        if self.calls > self.times:
            return None
        sent = json.loads(params["body"])["TransactItems"]  # the request as serialised for the wire
        reasons = [{"Code": "None"}] * (len(sent) - 1) + [{"Code": "TransactionConflict"}]
        return AWSResponse("http://local", 400, {}, None), {
            "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": reasons, "ResponseMetadata": {"HTTPStatusCode": 400}}

    def __enter__(self):
        from chalicelib.dal.db import shared_client
        shared_client().meta.events.register_first("before-call.dynamodb.TransactWriteItems", self)
        return self

    def __exit__(self, *exc):
        from chalicelib.dal.db import shared_client
        shared_client().meta.events.unregister("before-call.dynamodb.TransactWriteItems", self)


def test_a_fold_meeting_another_on_its_part_moves_to_the_next_and_keeps_it(network, monkeypatch):
    from chalicelib.dal import ranking_store
    monkeypatch.setattr(ranking_store, "_part", 2)
    with Conflicts(times=1) as conflicts:
        assert ranking_store.fold(live.BOOKING_EVENT, "m-1", [Delta("OF-A", PERIOD, {"in_person_total": 1})], NOW, 7)
    assert conflicts.calls == 2  # the conflict, then the next part at once (no batch retry)
    assert ranking_store.fold(live.BOOKING_EVENT, "m-2", [Delta("OF-A", PERIOD, {"in_person_total": 1})], NOW, 7)
    parts = _parts_of("OF-A")
    assert set(parts) == {"OF-A#3"} and parts["OF-A#3"]["in_person_total"] == {"N": "2"}  # kept the new part
    assert ranking_store.period_aggregates(PERIOD)["OF-A"].counts == {"in_person_total": 2}


def test_a_fold_that_finds_every_part_busy_counts_nothing_and_is_retried(network):
    from chalicelib.dal import ranking_store
    from chalicelib.errors import TxConflict
    with Conflicts(times=ranking_store.PARTS) as conflicts, pytest.raises(TxConflict):
        ranking_store.fold(live.BOOKING_EVENT, "b-1", [Delta("OF-A", PERIOD, {"in_person_total": 1})], NOW, 7)
    assert conflicts.calls == ranking_store.PARTS and _parts_of("OF-A") == {}
    assert ranking_store.fold(live.BOOKING_EVENT, "b-1", [Delta("OF-A", PERIOD, {"in_person_total": 1})], NOW, 7)
    assert ranking_store.period_aggregates(PERIOD)["OF-A"].counts == {"in_person_total": 1}  # the stream's retry


def test_a_month_is_spread_over_partition_keys_and_read_in_one_query_each(network, monkeypatch):
    """What the fake cannot show: a month's aggregates are not one partition, an office's parts
    sum to its month, and the recompute's reads are one Query per partition key of the month."""
    from chalicelib.dal import ranking_store
    from chalicelib.dal.db import shared_client
    offices = [f"OF-P{k:03d}" for k in range(40)]
    for k, office in enumerate(offices):
        for j in range(3):
            monkeypatch.setattr(ranking_store, "_part", j % ranking_store.PARTS)  # as containers drawing different parts
            ranking_store.fold(live.BOOKING_EVENT, f"p-{k}-{j}", [Delta(office, PERIOD, {"in_person_total": 1})], NOW, 7)
    ranking_store.fold(live.INSPECTION_RECORD, "p-in", [Delta(offices[0], PERIOD, inspection=("2026-11-10", 80))],
                       NOW, 3650)
    client = shared_client()
    assert len({ranking_store.aggregate_pk(PERIOD, o) for o in offices}) == ranking_store.MONTH_SHARDS
    assert set(_parts_of(offices[0])) == {f"{offices[0]}#{p}" for p in range(3)} | {f"{offices[0]}#I"}
    calls = []

    def count(model, **kwargs):
        calls.append(model.name)
    client.meta.events.register("before-call.dynamodb.*", count)
    try:
        month = ranking_store.period_aggregates(PERIOD)
    finally:
        client.meta.events.unregister("before-call.dynamodb.*", count)
    assert calls == ["Query"] * ranking_store.MONTH_SHARDS
    assert {o: dict(a.counts) for o, a in month.items()} == {o: {"in_person_total": 3} for o in offices}
    assert month[offices[0]].inspection == 80 and month[offices[1]].inspection is None


# --- snapshots -----------------------------------------------------------------------------------

def test_a_month_is_published_once(backend):
    store = backend.store
    first, published = store.publish(head(PERIOD, "f" * 64), rows({"OF-A": 4, "OF-B": 2}))
    assert published is True and first == head(PERIOD, "f" * 64)
    again, published = store.publish(head(PERIOD, "e" * 64), rows({"OF-A": 1, "OF-B": 1}, "10.00"))
    assert published is False and again == first  # the first snapshot stays, with its rows
    assert store.snapshot(PERIOD) == first
    assert store.rows(first) == {r.office_id: r for r in rows({"OF-A": 4, "OF-B": 2})}
    assert store.rows(head(PERIOD, "e" * 64)) == {}  # the loser's rows are gone
    same, published = store.publish(head(PERIOD, "f" * 64), rows({"OF-A": 4, "OF-B": 2}))  # a rerun, same inputs
    assert published is False and store.rows(same) == store.rows(first)


def test_snapshots_newest_first_and_an_offices_history(backend):
    store = backend.store
    months = [live.shift_period(PERIOD, -k) for k in (3, 2, 1, 0)]
    for k, month in enumerate(months):
        store.publish(head(month, f"{k}" * 64), rows({"OF-A": 1 + k, **({"OF-B": 2} if k % 2 else {})}))
    heads = store.snapshots()
    assert [h.period for h in heads] == months[::-1]
    assert [h.period for h in store.snapshots(limit=2)] == months[:1:-1]
    assert [h.period for h in store.snapshots(before=PERIOD, limit=1)] == [months[2]]
    assert store.snapshot(live.shift_period(PERIOD, 1)) is None
    assert {p: r.tier for p, r in store.office_rows(heads, "OF-A").items()} == dict(zip(months, [1, 2, 3, 4],
                                                                                           strict=True))
    assert set(store.office_rows(heads, "OF-B")) == {months[1], months[3]}
    assert store.rows(heads[0], cached=True) == store.rows(heads[0])


def test_racing_runs_publish_one_snapshot(backend):
    store, barrier, outcomes = backend.store, threading.Barrier(4), []

    def run(k: int):
        barrier.wait(timeout=10)
        outcomes.append(store.publish(head(PERIOD, f"{k}" * 64), rows({"OF-A": 1 + k, "OF-B": 5 - k})))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    winners = [snap for snap, published in outcomes if published]
    assert len(outcomes) == 4 and len(winners) == 1
    assert all(snap == winners[0] for snap, _ in outcomes)
    assert store.snapshots() == winners
    k = int(winners[0].fingerprint[0])
    assert {o: r.tier for o, r in store.rows(winners[0]).items()} == {"OF-A": 1 + k, "OF-B": 5 - k}
    for loser in {0, 1, 2, 3} - {k}:
        assert store.rows(head(PERIOD, f"{loser}" * 64)) == {}


def test_a_tier_is_set_on_the_office(backend):
    backend.store.set_tier("OF-B", 4)
    backend.catalogue.clear_cache()
    assert backend.catalogue.get_office("OF-B") == replace(backend.catalogue.get_office("OF-B"), tier=4)
    assert backend.catalogue.get_office("OF-B").tier == 4
