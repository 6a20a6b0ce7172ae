"""The catalogue store's contract, on the fake and on DynamoDB: entities read back as saved,
unknown ids are None, calendar corrections come and go."""
from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain.catalogue import Office, Service
from chalicelib.errors import Conflict
from tests.fakes.catalogue import FakeCatalogueStore
from tests.integration.contract.conftest import BACKENDS, delete_tagged

HOURS = {"sat": [["08:00", "12:00"], ["16:00", "18:00"]], "thu": [["08:00", "10:00"]]}


@pytest.fixture(params=BACKENDS)
def store(request, tag):
    if request.param == "fake":
        yield FakeCatalogueStore()
        return
    request.getfixturevalue("dynamodb")
    from chalicelib.dal import catalogue_store
    catalogue_store.clear_cache()
    yield catalogue_store
    for table in ("offices", "services"):
        delete_tagged(table, tag)
    catalogue_store.clear_cache()


def entities(tag: str) -> tuple[Office, Office, Service]:
    full = Office(f"OF-{tag}-1", name_en="Office 1", name_fa="دفتر ۱", province="Tehran", province_fa="تهران",
                  city="Tehran", city_fa="تهران", lat=35.66, lon=51.36, counters=4, hours=HOURS,
                  offered_categories=frozenset({"petitions", "sana"}), not_offered=frozenset({"S0004"}),
                  in_person_required=frozenset({"S0001"}), closures=frozenset({"2026-12-20"}), deprived=True, tier=2)
    bare = Office(f"OF-{tag}-2", name_en="Office 2", name_fa="دفتر ۲", province="Alborz", province_fa="البرز",
                  city="Karaj", city_fa="کرج", lat=35.8, lon=51.0, counters=1, hours={})
    service = Service(f"S-{tag}", category="petitions", name_en="Petition filing", name_fa="ثبت دادخواست",
                      mode="remote_allowed", duration_min=15, tariff_rials=500_000, active=False)
    return full, bare, service


def test_entities_read_back_as_saved(store, tag):
    full, bare, service = entities(tag)
    assert store.save_all([full, bare, service]) == 3
    assert store.get_office(full.office_id) == full
    assert store.get_office(bare.office_id) == bare  # empty declarations read back empty
    assert store.get_service(service.service_id) == service
    assert {full.office_id: full, bare.office_id: bare}.items() <= store.all_offices().items()
    assert store.all_services()[service.service_id] == service


def test_saving_again_replaces(store, tag):
    full, _, service = entities(tag)
    store.save_all([full, service])
    store.save_all([Office(**{**full.__dict__, "counters": 6, "tier": None})])
    assert (store.get_office(full.office_id).counters, store.get_office(full.office_id).tier) == (6, None)


def test_unknown_ids_are_none(store, tag):
    assert store.get_office(f"OF-{tag}-X") is None
    assert store.get_service(f"S-{tag}-X") is None


def test_calendar_corrections_come_and_go(store, tag):
    day = "2199-03-21"  # far from any day another test books
    try:
        store.save_calendar_correction(day, {"closed": True, "name_en": "Test", "name_fa": "آزمون", "by": tag},
                                       "2026-11-01T10:00:00+03:30")
        assert store.calendar_corrections()[day] == {"closed": True, "name_en": "Test", "name_fa": "آزمون", "by": tag}
        assert store.delete_calendar_correction(day) is True
        assert day not in store.calendar_corrections()
        assert store.delete_calendar_correction(day) is False
    finally:
        store.delete_calendar_correction(day)


def test_cached_reads_can_be_forgotten(store, tag):
    calls = []
    assert store.cached(f"contract:{tag}", lambda: calls.append(1) or len(calls)) == 1
    store.forget(f"contract:{tag}")
    assert store.cached(f"contract:{tag}", lambda: calls.append(1) or len(calls)) == 2


def test_an_office_closes_and_reopens_a_day_under_its_names(store, tag):
    full, bare, _ = entities(tag)
    store.save_all([full, bare])
    assert store.close_office_day(bare.office_id, "2026-12-21", "Repairs", "تعمیرات") is True
    assert store.close_office_day(bare.office_id, "2026-12-21", "Building repairs", "تعمیرات") is False  # renamed
    assert store.close_office_day(full.office_id, "2026-12-22", "Mourning", "سوگواری") is True
    assert store.close_office_day(f"OF-{tag}-X", "2026-12-21", "x", "x") is None
    office = store.get_office(bare.office_id)
    assert office.closures == frozenset({"2026-12-21"})
    assert office.closure_names == {"2026-12-21": ("Building repairs", "تعمیرات")}
    full_now = store.get_office(full.office_id)
    assert full_now.closures == frozenset({"2026-12-20", "2026-12-22"})  # the older, unnamed closure kept
    assert full_now.closure_names == {"2026-12-22": ("Mourning", "سوگواری")}
    assert store.all_offices()[bare.office_id].closures == frozenset({"2026-12-21"})
    assert store.reopen_office_day(bare.office_id, "2026-12-21") is True
    assert store.reopen_office_day(bare.office_id, "2026-12-21") is False
    assert store.get_office(bare.office_id).closures == frozenset() and store.get_office(bare.office_id).closure_names == {}


def test_every_change_is_one_catalogue_version_with_its_record(store, tag):
    full, bare, service = entities(tag)
    store.save_all([full, bare, service])
    start = store.version()
    before, after = store.change_office(bare.office_id, lambda o: replace(o, in_person_required=frozenset({"S0001"})),
                                        "declare", f"manager:{tag}", "2026-11-30T10:00:00+03:30")
    assert before.in_person_required == frozenset() and after.in_person_required == frozenset({"S0001"})
    assert store.version() == start + 1
    assert store.all_offices()[bare.office_id].in_person_required == frozenset({"S0001"})  # at once, here
    assert store.get_office(bare.office_id).in_person_required == frozenset({"S0001"})
    # Nothing to change: no new version.
    assert store.change_office(bare.office_id, lambda o: o, "declare", tag, "x") == (after, after)
    assert store.change_office(f"OF-{tag}-X", lambda o: o, "declare", tag, "x") is None
    assert store.version() == start + 1
    edited = store.change_service(service.service_id, lambda s: replace(s, max_duration_min=25), "edit", tag, "y")
    assert edited[1].max_duration_min == 25 and store.get_service(service.service_id).max_duration_min == 25
    added = Service(f"S-{tag}-N", category="sana", name_en="New", name_fa="نو", mode="in_person", duration_min=20,
                    tariff_rials=0, min_duration_min=10)
    store.add_service(added, tag, "z")
    with pytest.raises(Conflict):
        store.add_service(added, tag, "z")
    assert store.all_services()[added.service_id] == added and store.version() == start + 3
    newest = store.history(limit=3)
    assert [(c.number, c.kind, c.action, c.ids) for c in newest] == [
        (start + 3, "service", "add", (added.service_id,)), (start + 2, "service", "edit", (service.service_id,)),
        (start + 1, "office", "declare", (bare.office_id,))]
    assert newest[2].before["in_person_required"] == [] and newest[2].after["in_person_required"] == ["S0001"]
    assert newest[2].by == f"manager:{tag}" and newest[0].before is None
    assert [c.number for c in store.history(limit=5, before=start + 3, entity_id=bare.office_id)] == [start + 1]
    assert store.note_changed([full.office_id], "tiers", "ranking", "w") == start + 4
    assert store.version() == start + 4
