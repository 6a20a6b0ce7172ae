"""The live ranking's pure parts: Jalali-month periods, what a stream change adds to the
aggregates, bookable counters and operator compliance, the policy as a stored document."""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain import calendar, ranking
from chalicelib.domain import ranking_live as live

T = calendar.TEHRAN


# --- periods -------------------------------------------------------------------------------------

def test_periods_are_jalali_months_in_tehran_time():
    assert live.period_of(date(2026, 11, 22)) == "1405-09"  # 1 Azar 1405
    assert live.period_of(date(2026, 11, 21)) == "1405-08"
    # 23:50 UTC on 21 Nov is already 22 Nov (03:20) in Tehran
    assert live.period_of(datetime(2026, 11, 21, 23, 50, tzinfo=calendar.ZoneInfo("UTC"))) == "1405-09"
    assert live.period_bounds("1405-12") == (date(2027, 2, 20), date(2027, 3, 20))  # Esfand, 29 days in 1405
    assert live.shift_period("1405-01", -1) == "1404-12" and live.shift_period("1405-12", 1) == "1406-01"
    assert live.window_periods("1405-02", 3) == ["1404-12", "1405-01", "1405-02"]
    assert live.parse_period("۱۴۰۵/۹") == "1405-09"


@pytest.mark.parametrize("bad", ["1405-13", "1405", "05-09", "abc", "1405-00", "2026-11"])
def test_bad_months_are_refused(bad):
    with pytest.raises(ValueError):
        live.parse_period(bad)


def test_a_month_is_ranked_once_it_has_closed_and_the_grace_has_passed():
    first_of_azar = datetime(2026, 11, 22, 10, 0, tzinfo=T)
    assert live.closed_period(first_of_azar, 1) == "1405-07"  # Aban closed less than a day ago
    assert live.closed_period(first_of_azar + timedelta(days=1), 1) == "1405-08"
    assert live.closed_period(first_of_azar, 0) == "1405-08"


def test_a_stopped_schedule_catches_up_the_months_it_missed():
    assert live.periods_to_rank(None, "1405-08", 6) == ["1405-08"]
    assert live.periods_to_rank("1405-08", "1405-08", 6) == []
    assert live.periods_to_rank("1405-05", "1405-08", 6) == ["1405-06", "1405-07", "1405-08"]
    assert live.periods_to_rank("1404-11", "1405-08", 3) == ["1405-06", "1405-07", "1405-08"]


# --- bookings ------------------------------------------------------------------------------------

def _booking(status: str, at: datetime, start: datetime) -> dict:
    return {"pk": "BK#1", "sk": "BOOKING", "office_id": "OF-A", "service_id": "S1", "start": start.isoformat(),
            "status": status, "history": [{"at": at.isoformat(), "from": "BOOKED", "to": status}]}


START = datetime(2026, 11, 24, 9, 0, tzinfo=T)


@pytest.mark.parametrize("late, on_time", [(0, 1), (15, 1), (16, 0), (-20, 1)])
def test_check_in_within_n_minutes_of_the_start_is_on_time(late, on_time):
    new = _booking("CHECKED_IN", START + timedelta(minutes=late), START)
    [d] = live.booking_deltas(new, dict(new, status="BOOKED"), 300_000, 15)
    assert d.counts == {k: v for k, v in {"in_person_total": 1, "in_person_on_time": on_time}.items() if v}
    assert (d.office_id, d.period) == ("OF-A", "1405-09")


def test_completion_after_check_in_is_a_transaction_not_a_second_visit():
    new = _booking("COMPLETED", START + timedelta(minutes=40), START)
    [d] = live.booking_deltas(new, dict(new, status="CHECKED_IN"), 300_000, 15)
    assert d.counts == {"transactions": 1, "fees_rials": 300_000}
    [direct] = live.booking_deltas(new, dict(new, status="BOOKED"), 300_000, 15)  # completed without check-in
    assert direct.counts == {"in_person_total": 1, "transactions": 1, "fees_rials": 300_000}


def test_no_show_is_counted_but_is_not_a_timeliness_miss():
    new = _booking("NO_SHOW", START + timedelta(minutes=20), START)
    [d] = live.booking_deltas(new, dict(new, status="BOOKED"), 300_000, 15)
    assert d.counts == {"no_show": 1}


def test_other_booking_changes_add_nothing():
    new = _booking("CANCELLED", START, START)
    assert live.booking_deltas(new, dict(new, status="BOOKED"), 1, 15) == []
    assert live.booking_deltas(dict(new, status="BOOKED"), dict(new, status="BOOKED"), 1, 15) == []  # rescheduled
    assert live.booking_deltas({"pk": "OD#x", "sk": "COUNT"}, None, 1, 15) == []


# --- remote requests ---------------------------------------------------------------------------

def _request(status: str, at: datetime, deadline: datetime, **extra) -> dict:
    return {"pk": "RQ#1", "sk": "REQUEST", "office_id": "OF-B", "service_id": "S1", "status": status,
            "sla_deadline": deadline.isoformat(), "updated_at": at.isoformat(),
            "history": [{"at": at.isoformat(), "to": status}], **extra}


def test_completed_request_within_sla_by_category():
    at = START
    new = _request("COMPLETED", at, at + timedelta(minutes=1))
    [d] = live.request_deltas(new, dict(new, status="IN_PROGRESS"), "petitions", 500_000)
    assert d.counts == {"remote_total": 1, "remote_within_sla": 1, "filed_total": 1, "transactions": 1,
                        "fees_rials": 500_000, "c|petitions|remote_total": 1, "c|petitions|remote_within_sla": 1,
                        "c|petitions|filed_total": 1}


def test_rejection_is_filed_work_returned_and_late_work_misses_the_sla():
    new = _request("REJECTED", START, START - timedelta(minutes=1))
    [d] = live.request_deltas(new, dict(new, status="IN_PROGRESS"), "notices", 1)
    assert d.counts["filed_returned"] == 1 and "remote_within_sla" not in d.counts and "transactions" not in d.counts


def test_routed_work_accepted_or_taken_back_by_the_sweep():
    assigned = _request("ASSIGNED", START, START + timedelta(hours=8))
    [started] = live.request_deltas(dict(assigned, status="IN_PROGRESS"), assigned, "x", 1)
    assert started.counts == {"routed_offered": 1, "routed_accepted": 1}
    requeued = {k: v for k, v in assigned.items() if k != "office_id"} | {"status": "RECEIVED"}
    [taken_back] = live.request_deltas(requeued, assigned, "x", 1)
    assert (taken_back.office_id, taken_back.counts) == ("OF-B", {"routed_offered": 1})


def test_a_verified_rating_counts_once_when_it_appears():
    done = _request("COMPLETED", START, START + timedelta(hours=1))
    rated = dict(done, rating=json.dumps({"score": 4, "at": (START + timedelta(days=40)).isoformat()}))
    [d] = live.request_deltas(rated, done, "x", 1)
    assert d.counts == {"ratings_count": 1, "ratings_sum": 4, "ratings_sumsq": 16}
    assert d.period == live.period_of(START + timedelta(days=40))  # the month the rating arrived
    assert live.request_deltas(rated, rated, "x", 1) == []  # a later change of the same request


# --- aggregates, operators ----------------------------------------------------------------------

def test_aggregate_counters_become_an_office_period_and_back():
    counts = {"remote_total": 10, "remote_within_sla": 7, "transactions": 30, "fees_rials": 9,
              "c|petitions|remote_total": 10, "c|petitions|remote_within_sla": 7}
    agg = live.office_period("OF-A", counts, 80.0, (3, 2))
    assert (agg.remote_total, agg.inspection_score, agg.operators_total) == (10, 80.0, 3)
    assert agg.by_category == {"petitions": ranking.CategoryCounts(10, 7, 0, 0)}
    assert live.office_period_from_dict(json.loads(json.dumps(asdict(agg)))) == agg


def test_counters_need_licensed_operators():
    day = date(2026, 12, 1)
    assert live.bookable_counters(3, (), day) == 3  # nobody registered yet: declared counters
    assert live.bookable_counters(3, (day - timedelta(days=1), day, day + timedelta(days=9)), day) == 2
    assert live.bookable_counters(2, (day,) * 5, day) == 2
    assert live.bookable_counters(2, (day - timedelta(days=1),), day) == 0


def test_lapsing_licences_show_the_days_the_counters_fall():
    day = date(2026, 12, 1)

    def op(op_id: str, expiry: date) -> live.OperatorRecord:
        return live.OperatorRecord(op_id, "OF-A", "L-1", expiry, 40, True)
    team = [op("U1", day + timedelta(days=9)), op("U2", day + timedelta(days=9)), op("U3", day + timedelta(days=30)),
            op("U4", day - timedelta(days=3)), op("U5", day + timedelta(days=400)), op("U6", day)]
    changes = live.capacity_changes(3, team, day, 90)
    # U4 lapsed already (today's figure), U5 is beyond the horizon; U6's licence ends today
    assert [(c.day, c.operator_ids, c.counters_before, c.counters_after) for c in changes] == [
        (day + timedelta(days=1), ("U6",), 3, 3),  # five licensed for three counters: no loss yet
        (day + timedelta(days=10), ("U1", "U2"), 3, 2),
        (day + timedelta(days=31), ("U3",), 2, 1)]
    assert live.capacity_changes(3, team, day, 5) == changes[:1]
    assert live.capacity_changes(3, [], day, 90) == []


def test_compliance_needs_licence_training_and_insurance():
    day = date(2026, 12, 1)
    ok = live.OperatorRecord("U1", "OF-A", "LC-1", day, 40, True)
    ops = [ok, live.OperatorRecord("U2", "OF-A", "LC-2", day, 39, True),
           live.OperatorRecord("U3", "OF-A", "LC-3", day, 80, False),
           live.OperatorRecord("U4", "OF-A", "LC-4", day - timedelta(days=1), 80, True)]
    assert live.compliance(ops, day, 40) == (4, 1)


# --- policy documents ------------------------------------------------------------------------------

def test_policy_document_round_trip():
    adopted = live.AdoptedPolicy(ranking.DEFAULT_POLICY, Decimal("0.10"))
    doc = json.loads(json.dumps(live.policy_to_doc(adopted)))
    back = live.policy_from_doc(doc)
    assert back.policy == ranking.DEFAULT_POLICY and back.base_share == Decimal("0.10")
    assert doc["hysteresis_z"] == ranking.DEFAULT_POLICY.hysteresis_z > 0


def test_a_policy_adopted_before_the_scaled_margin_keeps_its_fixed_margin():
    doc = live.policy_to_doc(live.AdoptedPolicy(ranking.DEFAULT_POLICY, Decimal("0.10")))
    del doc["hysteresis_z"]  # as stored by the first live version
    old = live.policy_from_doc(doc).policy
    assert old.hysteresis_z == 0.0 and old.hysteresis_margin == ranking.DEFAULT_POLICY.hysteresis_margin


@pytest.mark.parametrize("change", [{"weights": {"accuracy": 0.5}}, {"cut_points": [50, 40, 60, 70]},
                                    {"base_share": "1.5"}, {"base_share": "0.01"}, {"weights": {"unknown": 1.0}},
                                    {"anchors": {"accuracy": {"centre": 0, "scale": 0}}}])
def test_invalid_policies_are_refused(change):
    doc = {**live.policy_to_doc(live.DEFAULT), **change}
    with pytest.raises(ValueError):
        live.policy_from_doc(doc)


def test_demo_operators_are_deterministic_and_cover_every_office():
    from infra.local import demo_network
    offices = demo_network.offices()
    first, again = demo_network.operators(offices), demo_network.operators(offices)
    assert first == again
    assert {o["office_id"] for o in first} == {o["office_id"] for o in offices}
    per_office = {}
    for o in first:
        per_office[o["office_id"]] = per_office.get(o["office_id"], 0) + 1
    assert all(per_office[o["office_id"]] >= o["counters"] for o in offices)


@pytest.mark.parametrize("error", ["connection", "throttled"])
def test_raw_aggregate_calls_answer_503_when_the_database_cannot_serve(error):
    from botocore.exceptions import ClientError, EndpointConnectionError

    from chalicelib.dal.ranking_store import _raw_guard
    from chalicelib.errors import ServiceUnavailable

    @_raw_guard
    def call():
        if error == "connection":
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "Query")

    with pytest.raises(ServiceUnavailable):
        call()
