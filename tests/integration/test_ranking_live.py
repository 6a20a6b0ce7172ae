"""The live ranking on DynamoDB Local: stream records folded through the real handlers into
monthly aggregates (once per event), the daily recompute (O(offices) reads, one snapshot per
month however it fires), the public scorecard adding up, and the association's routes."""
from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from chalice.test import Client

from chalicelib.dal import catalogue_store, ranking_store
from chalicelib.dal.db import shared_client
from chalicelib.dal.models import AggregateItem, OfficeItem, SnapshotItem
from chalicelib.domain import calendar
from chalicelib.domain import ranking_live as live
from chalicelib.services import ranking
from chalicelib.settings import get_settings
from tests.integration.support import as_admin, as_operator, empty_tables

READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
NOW = calendar.now_tehran()
PERIOD = live.closed_period(NOW, get_settings().ranking_grace_days)  # the month the job ranks now
FIRST_DAY, _ = live.period_bounds(PERIOD)
ADMIN = as_admin()


def _moment(k: int, minutes: int = 0) -> datetime:
    """A working-hours instant inside PERIOD, spread over its days."""
    day = FIRST_DAY + timedelta(days=k % 25)
    return datetime.combine(day, datetime.min.time(), calendar.TEHRAN) + timedelta(hours=9, minutes=minutes)


def _record(table: str, eid: str, new: dict, old: dict, i: int) -> dict:
    from boto3.dynamodb.types import TypeSerializer
    ser = TypeSerializer()
    return {"eventID": eid, "eventName": "MODIFY", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
            "awsRegion": "me-central-1",
            "eventSourceARN": f"arn:aws:dynamodb:me-central-1:000000000000:table/ejso-test-{table}/stream/local",
            "dynamodb": {"ApproximateCreationDateTime": 1_790_000_000, "SequenceNumber": str(100 + i),
                         "SizeBytes": 100, "StreamViewType": "NEW_AND_OLD_IMAGES",
                         "Keys": {"pk": {"S": new["pk"]}, "sk": {"S": new["sk"]}},
                         "NewImage": {k: ser.serialize(v) for k, v in new.items()},
                         "OldImage": {k: ser.serialize(v) for k, v in old.items()}}}


def booking_records(n: int, tag: str = "") -> list[dict]:
    """n bookings completed (every 4th checked in late, every 5th a no-show), over three offices."""
    out = []
    for k in range(n):
        office = ("OF-A", "OF-B", "OF-C")[k % 3]
        start = _moment(k)
        late = 30 if k % 4 == 0 else 5
        status = "NO_SHOW" if k % 5 == 0 else "COMPLETED"
        at = start + timedelta(minutes=late)
        new = {"pk": f"BK#T{tag}{k}", "sk": "BOOKING", "office_id": office, "service_id": "S0002",
               "day": start.date().isoformat(), "start": start.isoformat(), "status": status,
               "history": [{"at": at.isoformat(), "actor": "operator:op-1", "from": "BOOKED", "to": status}]}
        out.append(_record("bookings", f"b{tag}{k}", new, dict(new, status="BOOKED", history=[]), k))
    return out


def request_records(n: int, tag: str = "") -> list[dict]:
    """n remote requests: completed (some after their SLA), rejected, or taken back by the sweep."""
    out = []
    for k in range(n):
        office = ("OF-A", "OF-B", "OF-C")[k % 3]
        at = _moment(k, 60)
        deadline = at + timedelta(minutes=-10 if k % 6 == 0 else 90)
        base = {"pk": f"RQ#T{tag}{k}", "sk": "REQUEST", "service_id": "S0001", "office_id": office,
                "sla_deadline": deadline.isoformat(), "updated_at": at.isoformat()}
        if k % 7 == 3:  # not accepted in time: the sweep took it back
            new = dict(base, status="RECEIVED", office_id=None)
            new.pop("office_id")
            old = dict(base, status="ASSIGNED")
        else:
            to = "REJECTED" if k % 5 == 2 else "COMPLETED"
            new = dict(base, status=to, history=[{"at": at.isoformat(), "from": "IN_PROGRESS", "to": to}])
            old = dict(base, status="IN_PROGRESS")
        out.append(_record("requests", f"r{tag}{k}", new, old, k))
        if k % 4 == 1 and new["status"] == "COMPLETED":  # an invited, verified rating arrives later
            rated = dict(new, rating=json.dumps({"score": 3 + k % 3, "at": (at + timedelta(hours=2)).isoformat()}))
            out.append(_record("requests", f"r{tag}{k}-rating", rated, new, k))
    return out


def deliver(client, handler: str, records: list[dict], batch: int = 100) -> None:
    for i in range(0, len(records), batch):
        result = client.lambda_.invoke(handler, {"Records": records[i:i + batch]})
        assert result.payload == {"batchItemFailures": []}


def fold_all(client, scale: int) -> None:
    deliver(client, "fold_booking_ranking", booking_records(12 * scale))
    deliver(client, "fold_request_ranking", request_records(12 * scale))


def run_job(client) -> dict:
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                            resources=["arn:aws:events:me-central-1:000000000000:rule/rank_offices"])
    client.lambda_.invoke("rank_offices", event)
    return {h.sk: h for h in SnapshotItem.query(ranking_store.SNAPSHOTS, consistent_read=True)}


class ReadCounter:
    """Counts DynamoDB read calls on the one shared botocore client (every model and store uses it)."""

    def __init__(self):
        self.calls: list[str] = []

    def __call__(self, model, **kwargs):
        if model.name in READS:
            self.calls.append(model.name)

    def __enter__(self):
        shared_client().meta.events.register("before-call.dynamodb.*", self)
        return self

    def __exit__(self, *exc):
        shared_client().meta.events.unregister("before-call.dynamodb.*", self)


# --- folding -------------------------------------------------------------------------------------

def test_stream_records_fold_into_the_months_aggregates(client):
    deliver(client, "fold_booking_ranking", booking_records(12))
    deliver(client, "fold_request_ranking", request_records(12))
    counts = ranking_store.period_aggregates(PERIOD)
    a, b = (defaultdict(int, counts[o].counts) for o in ("OF-A", "OF-B"))  # a counter never added is absent
    # bookings: OF-A got k = 0, 3, 6, 9 (0 a no-show, the rest on time); OF-B k = 1, 4, 7, 10
    # (4 checked in 30 min late, 10 a no-show)
    assert (a["in_person_total"], a["in_person_on_time"], a["no_show"]) == (3, 3, 1)
    # requests k = 0 (late, completed), 3 (taken back), 6 (late, completed), 9 (completed)
    assert (a["remote_total"], a["remote_within_sla"], a["routed_offered"], a["routed_accepted"]) == (3, 1, 1, 0)
    assert a["transactions"] == 3 + 3 and a["fees_rials"] == 3 * 300_000 + 3 * 500_000
    assert a["c|petitions|remote_total"] == 3
    assert (a["ratings_count"], a["ratings_sum"], a["ratings_sumsq"]) == (1, 3, 9)  # k = 9
    assert (b["in_person_total"], b["in_person_on_time"], b["no_show"]) == (3, 2, 1)
    # requests OF-B: k = 1 completed and rated 4, 4 completed, 7 rejected (filed work returned), 10 taken back
    assert (b["ratings_count"], b["ratings_sum"]) == (1, 4)
    assert (b["filed_total"], b["filed_returned"], b["routed_offered"], b["routed_accepted"]) == (3, 1, 1, 0)


def test_duplicate_stream_records_change_nothing(client):
    records = booking_records(9)
    deliver(client, "fold_booking_ranking", records)
    once = ranking_store.period_aggregates(PERIOD)
    deliver(client, "fold_booking_ranking", records)  # the stream redelivers the whole batch
    deliver(client, "fold_booking_ranking", records[2:5])  # and a retried slice of it
    twice = ranking_store.period_aggregates(PERIOD)
    strip = {o: v.counts | {"updated": None} for o, v in once.items()}
    assert {o: v.counts | {"updated": None} for o, v in twice.items()} == strip
    assert sum(v.counts.get("in_person_total", 0) + v.counts.get("no_show", 0) for v in twice.values()) == 9


def test_a_citizen_rates_an_office_once_a_month(client):
    at = _moment(3, 60)
    done = {"pk": "RQ#R1", "sk": "REQUEST", "service_id": "S0001", "office_id": "OF-C", "status": "COMPLETED",
            "sla_deadline": (at + timedelta(hours=1)).isoformat(), "updated_at": at.isoformat(), "citizen_key": "c-1"}

    def rated(pk: str, citizen: str, score: int) -> tuple[dict, dict]:
        before = dict(done, pk=pk, citizen_key=citizen)
        return dict(before, rating=json.dumps({"score": score, "at": at.isoformat()})), before
    records = [_record("requests", f"rate-{i}", *rated(pk, citizen, score), i) for i, (pk, citizen, score) in
               enumerate([("RQ#R1", "c-1", 5), ("RQ#R2", "c-1", 5), ("RQ#R3", "c-2", 2)])]
    deliver(client, "fold_request_ranking", records)
    c = ranking_store.period_aggregates(PERIOD)["OF-C"].counts
    assert (c["ratings_count"], c["ratings_sum"]) == (2, 5 + 2)  # c-1's second rating does not count


def test_complaint_and_inspection_records_count_once(client):
    body = json.dumps({"reference": "CMP-1", "month": PERIOD.replace("-", "/"), "upheld": 2})
    for _ in range(2):
        r = client.http.post("/v1/admin/ranking/offices/OF-A/complaints", headers=ADMIN, body=body)
        assert r.status_code == 200
    assert json.loads(r.body)["recorded"] is False
    day = calendar.to_jalali(FIRST_DAY + timedelta(days=3))
    r = client.http.post("/v1/admin/ranking/offices/OF-A/inspections", headers=ADMIN,
                         body=json.dumps({"reference": "INS-1", "date": day, "score": 35}))
    assert r.status_code == 200 and json.loads(r.body)["jalali"] == day
    agg = ranking_store.period_aggregates(PERIOD)["OF-A"]
    assert agg.counts["complaints_upheld"] == 2 and agg.inspection == 35


# --- the recompute ------------------------------------------------------------------------------

def _reads_of_a_recompute(client, scale: int) -> tuple[list[str], dict]:
    empty_tables((AggregateItem,))
    catalogue_store.save_all(replace(o, tier=None) for o in catalogue_store.all_offices().values())
    fold_all(client, scale)
    with ReadCounter() as reads:
        heads = run_job(client)
    return reads.calls, heads


@pytest.fixture()
def checks_untimed(monkeypatch):
    """The catalogue's version checked once a minute: a fold ten times as long must not make the
    count differ by a check that only the clock called for (the reads of the work are the point)."""
    from chalicelib import settings
    monkeypatch.setenv("CATALOGUE_CHECK_SECONDS", "60")
    settings.get_settings.cache_clear()
    yield
    monkeypatch.undo()
    settings.get_settings.cache_clear()
    catalogue_store.clear_cache()


def test_recompute_reads_the_same_with_ten_times_the_events(client, checks_untimed):
    small, heads_small = _reads_of_a_recompute(client, 1)
    large, heads_large = _reads_of_a_recompute(client, 10)
    assert list(heads_small) == list(heads_large) == [PERIOD]
    assert heads_small[PERIOD].fingerprint != heads_large[PERIOD].fingerprint  # it did see 10x the data
    assert sorted(small) == sorted(large), (sorted(small), sorted(large))
    assert len(small) > 0


def test_a_twice_fired_schedule_publishes_one_snapshot(client):
    fold_all(client, 1)
    first = run_job(client)
    tiers = {o.office_id: o.tier for o in OfficeItem.scan(consistent_read=True)}
    assert set(tiers.values()) <= {1, 2, 3, 4, 5} and None not in tiers.values()
    deliver(client, "fold_booking_ranking", booking_records(6, tag="late"))  # late events change the inputs
    second = run_job(client)
    assert list(first) == list(second) == [PERIOD]
    assert second[PERIOD].fingerprint == first[PERIOD].fingerprint
    assert second[PERIOD].created_at == first[PERIOD].created_at
    assert {o.office_id: o.tier for o in OfficeItem.scan(consistent_read=True)} == tiers
    partitions = {r["pk"]["S"] for r in shared_client().scan(TableName=AggregateItem.Meta.table_name)["Items"]
                  if r["pk"]["S"].startswith("SN#")}
    assert partitions == {first[PERIOD].rows_pk}


def test_a_resumed_schedule_ranks_the_months_it_missed_in_order(client):
    _seed_quality()
    then = NOW - timedelta(days=62)  # the schedule then stopped for two months
    first = ranking.rank_offices(then)
    assert first["ranked"] == [live.closed_period(then, get_settings().ranking_grace_days)]
    done = ranking.rank_offices(NOW)
    missed = [m for m in live.window_periods(PERIOD, 4) if m > first["period"]]
    assert len(missed) >= 2 and done["ranked"] == missed and done["period"] == PERIOD
    heads = ranking_store.snapshots()
    assert [h.period for h in heads] == [*missed[::-1], first["period"]]
    for newer, older in zip(heads, heads[1:], strict=False):  # each month's tiers start from the month before
        before = {o: r.state for o, r in ranking_store.rows(older).items()}
        assert {o: r.previous for o, r in ranking_store.rows(newer).items()} == before


def test_two_overlapping_runs_publish_one_snapshot(network):
    from app import app
    with Client(app, stage_name="test") as c:
        fold_all(c, 1)
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(ranking.rank_offices(NOW))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    heads = list(SnapshotItem.query(ranking_store.SNAPSHOTS, consistent_read=True))
    assert [h.sk for h in heads] == [PERIOD]
    assert {r["fingerprint"] for r in results} == {heads[0].fingerprint}
    rows = ranking_store.rows(ranking_store.snapshot(PERIOD))
    assert {o.office_id: int(o.tier) for o in OfficeItem.scan(consistent_read=True)} == {
        o: int(r.tier) for o, r in rows.items()}


# --- public outputs --------------------------------------------------------------------------------

def _seed_quality(offices=("OF-A", "OF-B", "OF-C")) -> None:
    """Enough data for every indicator, three different qualities (deltas folded directly)."""
    for q, office in enumerate(offices):
        counts = {"remote_total": 120, "remote_within_sla": 80 + 15 * q, "in_person_total": 150,
                  "in_person_on_time": 100 + 20 * q, "filed_total": 120, "filed_returned": 20 - 6 * q,
                  "ratings_count": 40, "ratings_sum": 40 * (3 + q), "ratings_sumsq": 40 * (3 + q) ** 2 + 10,
                  "transactions": 900, "complaints_upheld": 4 - q, "routed_offered": 60, "routed_accepted": 40 + 8 * q,
                  "fees_rials": 50_000_000 * (q + 1), "c|petitions|remote_total": 120,
                  "c|petitions|remote_within_sla": 80 + 15 * q, "c|petitions|filed_total": 120,
                  "c|petitions|filed_returned": 20 - 6 * q}
        ranking_store.fold(live.COMPLAINT_RECORD, f"seed-{office}", [live.Delta(office, PERIOD, counts)], NOW, 7)


def test_scorecard_adds_up_to_the_published_score(client):
    _seed_quality()
    run_job(client)
    table = json.loads(client.http.get("/v1/ranking").body)
    assert [i["rank"] for i in table["items"]] == [1, 2, 3]
    for item in table["items"]:
        card = json.loads(client.http.get(f"/v1/offices/{item['office_id']}/scorecard").body)
        total = sum((Decimal(str(line["points"])) for line in card["lines"]), Decimal("0"))
        assert total == Decimal(str(card["score"])) == Decimal(str(item["score"]))
        assert card["tier"] == item["tier"] and card["tier_history"][0]["tier"] == item["tier"]
        assert card["period"]["month"] == PERIOD and "jalali" in card["published_at"]
    assert table["items"][0]["office_id"] == "OF-C"  # the best of the three by construction
    alborz = json.loads(client.http.get("/v1/ranking?province=%D8%A7%D9%84%D8%A8%D8%B1%D8%B2").body)  # البرز
    assert [i["office_id"] for i in alborz["items"]] == ["OF-B"]
    # Each row names the office's city and whether it serves a deprived area (the console filters by them).
    assert (alborz["items"][0]["city"], alborz["items"][0]["city_fa"], alborz["items"][0]["deprived"]) == \
        ("Karaj", "کرج", False)


def test_equity_report_per_province(client):
    report = json.loads(client.http.get("/v1/reports/equity").body)
    assert len(report["items"]) == 31 and report["window"] is None
    tehran = next(p for p in report["items"] if p["province"] == "Tehran")
    assert tehran["offices"] == 2 and tehran["offices_per_100k"] == round(2 / tehran["population"] * 100_000, 3)
    # Each province is placed at its capital (the shipped province data), for a map drawn without tiles.
    assert (tehran["capital"], tehran["capital_lat"], tehran["capital_lon"]) == ("Tehran", 35.6892, 51.389)
    assert all(25 < p["capital_lat"] < 40 and 44 < p["capital_lon"] < 63.5 for p in report["items"])


def test_public_errors_are_problems(client):
    r = client.http.get("/v1/offices/OF-A/scorecard")
    assert r.status_code == 404 and r.headers["Content-Type"] == "application/problem+json"
    assert "title_fa" in json.loads(r.body)
    assert client.http.get("/v1/offices/NOPE/scorecard").status_code == 404
    r = client.http.get("/v1/ranking?month=1405-13")
    assert r.status_code == 422 and json.loads(r.body)["errors"][0]["field"] == "month"


# --- the association ---------------------------------------------------------------------------------

def test_association_routes_need_an_administrator(client):
    op = as_operator("OF-A")
    assert client.http.get(f"/v1/admin/ranking/statements?month={PERIOD}").status_code == 401
    assert client.http.get(f"/v1/admin/ranking/statements?month={PERIOD}", headers=op).status_code == 403
    r = client.http.put("/v1/admin/ranking/policy", headers=op, body="{}")
    assert r.status_code == 403


def test_statement_simulation_and_policy_adoption(client):
    _seed_quality()
    run_job(client)
    month = live.shift_period(PERIOD, 1)
    ranking_store.fold(live.COMPLAINT_RECORD, "seed-fees", [live.Delta("OF-A", month, {"fees_rials": 10_000_000})],
                       NOW, 7)
    statement = json.loads(client.http.get(f"/v1/admin/ranking/statements?month={month}", headers=ADMIN).body)
    a = next(i for i in statement["items"] if i["office_id"] == "OF-A")
    assert a["fees_collected_rials"] == 10_000_000
    assert a["levy_rials"] == round(10_000_000 * Fraction(a["share"]))  # half-up; no tie here
    assert statement["ranking_period"]["month"] == PERIOD

    proposal = {"weights": {"timeliness_remote": 0.5, "timeliness_in_person": 0.5}, "base_share": "0.12"}
    r = client.http.post("/v1/admin/ranking/simulate", headers=ADMIN, body=json.dumps(proposal))
    sim = json.loads(r.body)
    assert r.status_code == 200 and sim["adopted"] is False
    assert sim["revenue_on_previous_fees_rials"] == round(0.12 * (50 + 100 + 150) * 1_000_000)
    # Side by side: the month as published under the policy in force, and as the proposal ranks it.
    published = {i["office_id"]: i for i in json.loads(client.http.get(f"/v1/ranking?month={PERIOD}").body)["items"]}
    side = {o["office_id"]: o for o in sim["offices"]}
    assert side.keys() == published.keys()
    assert all(side[o]["current_tier"] == published[o]["tier"] for o in side)
    assert all(side[m["office_id"]]["proposed_tier"] == m["to"] for m in sim["moved"])
    for side_name in ("current", "proposed"):
        counts = sim["tier_counts"][side_name]
        assert sum(counts.values()) == len(side) and all(
            counts[str(t)] == sum(1 for o in side.values() if o[f"{side_name}_tier"] == t) for t in range(1, 6))
    assert sum(o["levy_change_rials"] for o in side.values()) == sim["levy_change"]["net_rials"]
    policy = json.loads(client.http.get("/v1/admin/ranking/policy", headers=ADMIN).body)
    assert policy["number"] == 0  # nothing adopted

    bad = client.http.put("/v1/admin/ranking/policy", headers=ADMIN,
                          body=json.dumps({**proposal, "weights": {"accuracy": 0.4}, "version": "2027.1",
                                           "expected_number": 0}))
    assert bad.status_code == 422 and bad.headers["Content-Type"] == "application/problem+json"
    adopt = {**proposal, "version": "2027.1", "expected_number": 0}
    r = client.http.put("/v1/admin/ranking/policy", headers=ADMIN, body=json.dumps(adopt))
    assert r.status_code == 200 and json.loads(r.body)["number"] == 1
    again = client.http.put("/v1/admin/ranking/policy", headers=ADMIN, body=json.dumps({**adopt, "version": "x"}))
    assert again.status_code == 409  # adopted over version 0, but 1 is in force now
    policy = json.loads(client.http.get("/v1/admin/ranking/policy", headers=ADMIN).body)
    assert (policy["number"], policy["version"], policy["base_share"]) == (1, "2027.1", "0.12")


def test_outputs_match_the_contract(client):
    """Real outputs of every ranking route against their response models and openapi.yaml."""
    import yaml

    from tests.unit.test_contract import DOC_PATH, check_shape
    doc = yaml.safe_load(DOC_PATH.read_text(encoding="utf-8"))
    _seed_quality()
    check_shape(doc, "equity_report", 200, json.loads(client.http.get("/v1/reports/equity").body))
    run_job(client)
    month = live.shift_period(PERIOD, 1)
    calls = [("ranking_table", client.http.get("/v1/ranking")),
             ("office_scorecard", client.http.get("/v1/offices/OF-A/scorecard")),
             ("equity_report", client.http.get("/v1/reports/equity?province=Tehran")),
             ("ranking_statements", client.http.get(f"/v1/admin/ranking/statements?month={month}", headers=ADMIN)),
             ("simulate_ranking_policy", client.http.post("/v1/admin/ranking/simulate", headers=ADMIN,
                                                          body=json.dumps({"cut_points": [30, 40, 50, 60]}))),
             ("ranking_policy", client.http.get("/v1/admin/ranking/policy", headers=ADMIN)),
             ("record_complaints", client.http.post(
                 "/v1/admin/ranking/offices/OF-A/complaints", headers=ADMIN,
                 body=json.dumps({"reference": "C-9", "month": PERIOD, "upheld": 1}))),
             ("record_inspection", client.http.post(
                 "/v1/admin/ranking/offices/OF-A/inspections", headers=ADMIN,
                 body=json.dumps({"reference": "I-9", "date": FIRST_DAY.isoformat(), "score": 90})))]
    for operation, response in calls:
        assert response.status_code == 200, (operation, response.body)
        check_shape(doc, operation, 200, json.loads(response.body))
    card = json.loads(calls[1][1].body)
    check_shape(doc, "office_scorecard", 200, card)
    assert client.http.get("/v1/reports/equity?province=Atlantis").status_code == 404
