"""The ranking's use cases on the in-memory fakes: outcome events folded once, the monthly
recompute publishing one snapshot and applying its tiers, and the scorecard adding up."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain import calendar
from chalicelib.domain import ranking_live as live
from chalicelib.errors import Conflict, NotFound
from chalicelib.services import ranking
from chalicelib.settings import get_settings
from tests.unit.services.network import fake_network, office

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=calendar.TEHRAN)
PERIOD = live.closed_period(NOW, get_settings().ranking_grace_days)
OFFICES = [office("OF-A"), office("OF-B", province="Alborz", province_fa="البرز"), office("OF-C")]


def seed_quality(store, offices=("OF-A", "OF-B", "OF-C"), period: str = PERIOD) -> None:
    """Enough data for every indicator, three different qualities (as the streams would fold)."""
    for q, office_id in enumerate(offices):
        counts = {"remote_total": 120, "remote_within_sla": 80 + 15 * q, "in_person_total": 150,
                  "in_person_on_time": 100 + 20 * q, "filed_total": 120, "filed_returned": 20 - 6 * q,
                  "ratings_count": 40, "ratings_sum": 40 * (3 + q), "ratings_sumsq": 40 * (3 + q) ** 2 + 10,
                  "transactions": 900, "complaints_upheld": 4 - q, "routed_offered": 60, "routed_accepted": 40 + 8 * q,
                  "fees_rials": 50_000_000 * (q + 1)}
        store.fold(live.COMPLAINT_RECORD, f"seed-{period}-{office_id}", [live.Delta(office_id, period, counts)], NOW, 7)


def booking_change(status: str, office_id: str = "OF-A", pk: str = "BK#B1") -> tuple[dict, dict]:
    start = datetime.combine(live.period_bounds(PERIOD)[0] + timedelta(days=3), datetime.min.time(),
                             calendar.TEHRAN) + timedelta(hours=9)
    new = {"pk": pk, "sk": "BOOKING", "office_id": office_id, "service_id": "S-SANA", "day": start.date().isoformat(),
           "start": start.isoformat(), "status": status,
           "history": [{"at": (start + timedelta(minutes=5)).isoformat(), "actor": "operator:op-1", "from": "BOOKED",
                        "to": status}]}
    return new, dict(new, status="BOOKED", history=[])


def request_change(pk: str) -> tuple[dict, dict]:
    at = datetime.combine(live.period_bounds(PERIOD)[0] + timedelta(days=4), datetime.min.time(),
                          calendar.TEHRAN) + timedelta(hours=10)
    new = {"pk": pk, "sk": "REQUEST", "office_id": "OF-A", "service_id": "S-PET", "status": "COMPLETED",
           "sla_deadline": (at + timedelta(hours=1)).isoformat(), "updated_at": at.isoformat(),
           "history": [{"at": at.isoformat(), "to": "COMPLETED"}]}
    return new, dict(new, status="IN_PROGRESS")


def test_outcomes_fold_once_per_stream_event_and_only_from_bookings_and_requests():
    with fake_network(OFFICES) as fakes:
        new, old = booking_change("COMPLETED")
        assert ranking.fold_booking_change("ev-1", new, old, NOW) is True
        assert ranking.fold_booking_change("ev-1", new, old, NOW) is False  # redelivered by the stream
        assert ranking.fold_booking_change("ev-2", new, new, NOW) is False  # no change of status
        seat = dict(new, pk="OD#OF-A#2026-11-01", sk="SEAT#09:00#1")
        assert ranking.fold_booking_change("ev-3", seat, old, NOW) is False  # not a booking
        done, started = request_change("RQ#R1")
        assert ranking.fold_request_change("ev-4", done, started, NOW) is True
        lookalike, was = request_change("Q#3")  # another item of the requests table, whatever it holds
        assert ranking.fold_request_change("ev-5", lookalike, was, NOW) is False
        counts = fakes["ranking"].period_aggregates(PERIOD)["OF-A"].counts
    assert (counts["in_person_total"], counts["in_person_on_time"], counts["transactions"]) == (1, 1, 2)
    assert counts["fees_rials"] == 300_000 + 500_000  # the services' tariffs
    assert (counts["remote_total"], counts["c|petitions|remote_total"]) == (1, 1)  # the lookalike added nothing


def ticket_change(kind: str, waited_min: int, status: str = "SERVED") -> tuple[dict, dict]:
    """A desk ticket's stream images (dal/desk_store.py's item, as the stream delivers it)."""
    arrived = datetime.combine(live.period_bounds(PERIOD)[0] + timedelta(days=5), datetime.min.time(),
                               calendar.TEHRAN) + timedelta(hours=9)
    called = arrived + timedelta(minutes=waited_min)
    new = {"pk": f"OD#OF-B#{arrived.date().isoformat()}", "sk": "DS#TK#00007", "kind": kind, "service_id": "S-SANA",
           "status": status, "arrived_at": arrived.isoformat(), "called_at": called.isoformat(),
           "ended_at": (called + timedelta(minutes=9)).isoformat(), "counter": 2}
    return new, dict(new, status="CALLED", ended_at=None)


def test_a_served_walk_in_counts_as_a_served_visit_of_its_office():
    on_time = get_settings().ranking_on_time_minutes
    with fake_network(OFFICES) as fakes:
        quick, was = ticket_change("walk_in", on_time)
        slow, _ = ticket_change("walk_in", on_time + 1)
        assert ranking.fold_booking_change("ev-w1", quick, was, NOW) is True
        assert ranking.fold_booking_change("ev-w1", quick, was, NOW) is False  # redelivered
        assert ranking.fold_booking_change("ev-w2", slow, was, NOW) is True
        assert ranking.fold_booking_change("ev-w3", *ticket_change("walk_in", 1, "NOT_PRESENT"), NOW) is False
        # an appointment's ticket is counted through its booking, never twice
        assert ranking.fold_booking_change("ev-w4", *ticket_change("appointment", 1), NOW) is False
        counts = fakes["ranking"].period_aggregates(PERIOD)["OF-B"].counts
    assert (counts["in_person_total"], counts["in_person_on_time"], counts["transactions"]) == (2, 1, 2)
    assert counts["fees_rials"] == 2 * 300_000


def test_the_recompute_publishes_one_snapshot_a_month_and_applies_its_tiers():
    with fake_network(OFFICES) as fakes:
        seed_quality(fakes["ranking"])
        first = ranking.rank_offices(NOW)
        tiers = {o.office_id: o.tier for o in fakes["catalogue"].all_offices().values()}
        fakes["ranking"].fold(live.BOOKING_EVENT, "late", [live.Delta("OF-A", PERIOD, {"no_show": 3})], NOW, 7)
        again = ranking.rank_offices(NOW + timedelta(hours=24))  # the daily schedule fires again
        heads = fakes["ranking"].snapshots()
        rows = fakes["ranking"].rows(heads[0])
    assert first["ranked"] == [PERIOD] and first["period"] == PERIOD and first["offices"] == 3
    assert first["tiers_changed"] == 3 and None not in tiers.values()
    assert (again["ranked"], again["fingerprint"], again["tiers_changed"]) == ([], first["fingerprint"], 0)
    assert [h.period for h in heads] == [PERIOD] and heads[0].fingerprint == first["fingerprint"]
    assert tiers == {o: r.tier for o, r in rows.items()}
    assert sorted(r.rank for r in rows.values()) == [1, 2, 3]
    assert min(rows.values(), key=lambda r: r.rank).office_id == "OF-C"  # the best of the three by construction


def test_a_resumed_schedule_ranks_the_months_it_missed_each_from_the_one_before():
    with fake_network(OFFICES) as fakes:
        months = live.window_periods(PERIOD, 4)
        for month in months:
            seed_quality(fakes["ranking"], period=month)
        then = NOW - timedelta(days=62)  # the schedule then stopped for two months
        first = ranking.rank_offices(then)
        done = ranking.rank_offices(NOW)
        heads = fakes["ranking"].snapshots()
        rows = [fakes["ranking"].rows(h) for h in heads]
    missed = [m for m in months if m > first["period"]]
    assert first["ranked"] == [live.closed_period(then, get_settings().ranking_grace_days)]
    assert len(missed) >= 2 and done["ranked"] == missed and done["period"] == PERIOD
    assert [h.period for h in heads] == [*missed[::-1], first["period"]]
    for newer, older in zip(rows, rows[1:], strict=False):
        assert {o: r.previous for o, r in newer.items()} == {o: r.state for o, r in older.items()}


def test_the_scorecard_adds_up_to_the_published_score():
    with fake_network(OFFICES) as fakes:
        seed_quality(fakes["ranking"])
        ranking.rank_offices(NOW)
        table = ranking.ranking_table(None, None)
        cards = {o: ranking.scorecard(o) for o in ("OF-A", "OF-B", "OF-C")}
        alborz = ranking.ranking_table("البرز", PERIOD.replace("-", "/"))
    assert [i["rank"] for i in table["items"]] == [1, 2, 3] and table["period"]["month"] == PERIOD
    for item in table["items"]:
        card = cards[item["office_id"]]
        total = sum((Decimal(str(line["points"])) for line in card["lines"]), Decimal("0"))
        assert total == Decimal(str(card["score"])) == Decimal(str(item["score"]))
        assert card["tier"] == item["tier"] == card["tier_history"][0]["tier"]
    assert [i["office_id"] for i in alborz["items"]] == ["OF-B"]


def test_nothing_published_yet_is_not_found():
    with fake_network(OFFICES):
        with pytest.raises(NotFound):
            ranking.ranking_table(None, None)
        with pytest.raises(NotFound):
            ranking.scorecard("OF-A")
        with pytest.raises(NotFound):
            ranking.statements(PERIOD, None)


def test_statements_levy_the_share_of_the_tier_in_force():
    with fake_network(OFFICES) as fakes:
        seed_quality(fakes["ranking"])
        ranking.rank_offices(NOW)
        month = live.shift_period(PERIOD, 1)
        fakes["ranking"].fold(live.COMPLAINT_RECORD, "fees", [live.Delta("OF-A", month, {"fees_rials": 10_000_000})],
                              NOW, 7)
        statement = ranking.statements(month, None)
    a = next(i for i in statement["items"] if i["office_id"] == "OF-A")
    assert statement["ranking_period"]["month"] == PERIOD
    assert a["fees_collected_rials"] == 10_000_000 and a["levy_rials"] > 0
    assert statement["total_levy_rials"] == sum(i["levy_rials"] for i in statement["items"]) == a["levy_rials"]


def test_a_policy_is_adopted_only_over_the_version_read():
    with fake_network(OFFICES) as fakes:
        current = ranking.current_policy()
        adopted = ranking.adopt_policy({"version": "policy-x", "cut_points": [30, 40, 50, 60]}, 0, "assoc-1", NOW)
        with pytest.raises(Conflict):
            ranking.adopt_policy({"version": "policy-y"}, 0, "assoc-2", NOW)
        in_force = ranking.current_policy()
        seed_quality(fakes["ranking"])
        ranking.rank_offices(NOW)
        published = fakes["ranking"].snapshots()[0]
    assert current["number"] == 0 and adopted["number"] == 1 == in_force["number"]
    assert in_force["version"] == "policy-x" and in_force["cut_points"] == [30, 40, 50, 60]
    assert published.policy_version == "policy-x" and published.policy["number"] == 1


def test_tiers_follow_the_snapshot_even_after_an_office_edit_lost_them():
    with fake_network(OFFICES) as fakes:
        seed_quality(fakes["ranking"])
        ranking.rank_offices(NOW)
        catalogue = fakes["catalogue"]
        catalogue.offices["OF-B"] = replace(catalogue.offices["OF-B"], tier=None)
        repaired = ranking.rank_offices(NOW)
        rows = fakes["ranking"].rows(fakes["ranking"].snapshots()[0])
    assert repaired["tiers_changed"] == 1 and catalogue.offices["OF-B"].tier == rows["OF-B"].tier
