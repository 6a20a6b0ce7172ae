"""The routing routes against openapi.yaml: the suggestions and parameter views the code really
produces match the documented schemas. No database: data-layer calls are replaced."""
from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.dal import booking_store, catalogue_store, config_store, load_store
from chalicelib.domain import calendar
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.load import LoadSnapshot, OfficeLoad
from chalicelib.services import catalogue, router
from tests.unit.test_openapi import check_shape

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=calendar.TEHRAN)  # a Tuesday, offices open
HOURS = {d: [["08:00", "14:00"]] for d in ("sat", "sun", "mon", "tue", "wed")}


@pytest.fixture
def no_database(monkeypatch):
    service = Service("S0001", category="petitions", name_en="Petition filing", name_fa="ثبت دادخواست",
                          mode="remote_allowed", duration_min=15, tariff_rials=500_000, active=True)
    offices = {o.office_id: o for o in (
        Office(f"OF-{n}", name_en=f"Office {n}", name_fa=f"دفتر {n}", province="Tehran", province_fa="تهران",
                   city="Tehran", city_fa="تهران", lat=35.7 + n / 100, lon=51.4, counters=2, hours=HOURS,
                   offered_categories=frozenset({"petitions"}), tier=n + 2, deprived=False)
        for n in range(3))}
    snapshot = LoadSnapshot(day=NOW.date(), at=NOW, queue_remote=4,
                            offices={o: OfficeLoad(open=2, busy=1, waiting=0, remote_claimed=0, booked=3) for o in offices})
    monkeypatch.setattr(catalogue_store, "get_service", lambda service_id: service)
    monkeypatch.setattr(catalogue_store, "all_offices", lambda: offices)
    monkeypatch.setattr(load_store, "snapshot", lambda: snapshot)
    monkeypatch.setattr(catalogue_store, "calendar_corrections", lambda: {})
    monkeypatch.setattr(config_store, "current", lambda name, cached=True: None)
    monkeypatch.setattr(config_store, "history", lambda name, limit=50: [])
    monkeypatch.setattr(booking_store, "taken_seats", lambda office_id, day, now, consistent=False: {})
    monkeypatch.setattr(catalogue, "bookable_counters", lambda office, day: int(office.counters))
    router.reset_views()
    yield
    router.reset_views()


def test_suggestion_views_match(doc, no_database):
    in_person = router.suggest("S0001", None, 35.7, 51.4, None, 3, NOW)
    assert [i["office"]["office_id"] for i in in_person["items"]][0] == "OF-2"  # best tier, all else alike
    check_shape(doc, "suggestions", 200, in_person)
    assert in_person["items"][0]["next_free_slot"]["at"] == "2026-11-25T08:00+03:30"  # tomorrow, at opening
    remote = router.suggest("S0001", "remote", None, None, None, 2, NOW)
    assert remote["network_option"]["office"] is None and len(remote["items"]) == 2
    check_shape(doc, "suggestions", 200, remote)
    for item in in_person["items"]:
        parts = (item["expected_wait_min"], item["expected_service_min"], item["quality_penalty_min"],
                 item["travel_min"])
        assert abs(sum(parts) - item["score_min"]) < 0.25  # each part rounded to 0.1


def test_routing_params_view_matches(doc, no_database):
    check_shape(doc, "routing_params", 200, router.params_view())
