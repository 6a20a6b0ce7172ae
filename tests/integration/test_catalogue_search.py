"""Search, categories and places through the HTTP API on the real seeded catalogue (the demo
network's ~1,470 services and its offices), on DynamoDB Local."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest


@pytest.fixture(scope="module")
def seeded(tables):
    from chalice.test import Client

    from app import app
    from chalicelib.dal import catalogue_store
    from chalicelib.services import router
    from infra.local import demo_network
    from infra.local.bootstrap import office_entity, service_entity
    from tests.integration.support import empty_tables

    empty_tables()
    services, offices = demo_network.services(), demo_network.offices()
    catalogue_store.save_all([service_entity(s) for s in services] + [office_entity(o) for o in offices])
    catalogue_store.clear_cache()
    router.reset_views()
    with Client(app, stage_name="test") as client:
        yield client, services, offices
    empty_tables()
    catalogue_store.clear_cache()


def search(client, q: str, limit: int = 100, **extra) -> dict:
    query = "&".join([f"q={quote(q)}", f"limit={limit}", *(f"{k}={quote(v)}" for k, v in extra.items())])
    resp = client.http.get(f"/v1/services?{query}")
    assert resp.status_code == 200, resp.body
    return json.loads(resp.body)


def test_spelling_variants_find_the_same_services(seeded):
    client, services, _ = seeded
    variants = ["ثبت‌نام", "ثبت نام", "ثبتنام", "ثبت‌نام".replace("ت", "ت\u0640")]
    found = [[s["service_id"] for s in search(client, v)["items"]] for v in variants]
    expected = sorted(s["service_id"] for s in services if "ثبت‌نام" in s["name_fa"])
    assert len(expected) >= 6 and sorted(found[0]) == expected
    assert all(f == found[0] for f in found[1:])
    criminal = [[s["service_id"] for s in search(client, v)["items"]] for v in ("سوء پیشینه", "سوءپیشینه", "سو پیشینه")]
    assert len(criminal[0]) >= 5 and criminal[0] == criminal[1] == criminal[2]
    # Arabic letters and Persian digits in the query
    assert search(client, "ثبت‌نام سامانه ثنا".replace("ی", "ي"))["total"] >= 1
    under_18 = search(client, "زیر ۱۸ سال")
    assert under_18["total"] >= 1 and all("۱۸" in s["name_fa"] for s in under_18["items"])


def test_sana_registration_comes_before_services_for_people_without_sana(seeded):
    client, services, _ = seeded
    found = search(client, "ثنا")
    names = [s["name_fa"] for s in found["items"]]
    without = [i for i, name in enumerate(names) if "فاقد" in name]
    registration = [i for i, name in enumerate(names) if name.startswith("ثبت‌نام سامانه ثنا")]
    assert without and registration and found["total"] == sum("ثنا" in s["name_fa"] for s in services)
    assert names[0] == "ثبت‌نام سامانه ثنا"  # the shortest whole-word match first
    assert max(registration) < min(without)
    assert [s["category"] for s in found["items"][:5]] == ["sana"] * 5
    # The same in English
    english = [s["name_en"] for s in search(client, "SANA")["items"]]
    assert english[0].startswith("SANA") and "without SANA" in english[-1]


def test_search_pages_keep_the_ranking_and_filters_apply(seeded):
    client, _, _ = seeded
    whole = [s["service_id"] for s in search(client, "ثنا", limit=100)["items"]]
    first, second = search(client, "ثنا", limit=10), search(client, "ثنا", limit=10, cursor="10")
    assert [s["service_id"] for s in first["items"] + second["items"]] == whole[:20]
    only_notices = search(client, "ثنا", category="notices")
    assert only_notices["total"] >= 1 and {s["category"] for s in only_notices["items"]} == {"notices"}


def test_categories_of_the_seeded_catalogue(seeded):
    client, services, _ = seeded
    resp = client.http.get("/v1/categories")
    assert resp.status_code == 200
    found = json.loads(resp.body)["items"]
    assert sum(c["services"] for c in found) == len(services)
    by_code = {c["category"]: c for c in found}
    assert set(by_code) == {s["category"] for s in services}
    for code, category in by_code.items():
        assert category["name_fa"] and category["name_en"] and category["name_fa"] != code
        assert sum(category["modes"].values()) == category["services"]
        # each category's count is what browsing it finds
        assert search(client, "", limit=1, category=code)["total"] == category["services"]
    assert by_code["sana"]["name_fa"] == "ثبت‌نام سامانه ثنا"


def test_places_of_the_seeded_network(seeded):
    client, _, offices = seeded
    resp = client.http.get("/v1/places")
    assert resp.status_code == 200
    places = json.loads(resp.body)
    assert places["offices"] == len(offices) == sum(p["offices"] for p in places["items"])
    assert len(places["items"]) == 31  # every province has offices
    tehran = next(p for p in places["items"] if p["province"] == "Tehran")
    assert tehran["offices"] == sum(c["offices"] for c in tehran["cities"])
    assert tehran["offices"] == sum(o["province"] == "Tehran" for o in offices)
    # every city listed is one the suggestions know
    for city in (tehran["cities"][0], places["items"][-1]["cities"][-1]):
        for name in (city["city"], city["city_fa"]):
            got = client.http.get(f"/v1/suggestions?service=S0261&city={quote(name)}")
            assert got.status_code == 200, got.body
    # arbitration is offered by some offices only: fewer places, exactly those offering it
    arbitration = next(s for s in seeded[1] if s["category"] == "arbitration")
    narrow = json.loads(client.http.get(f"/v1/places?service={arbitration['service_id']}").body)
    offering = [o for o in offices if "arbitration" in o["offered_categories"]
                and arbitration["service_id"] not in o.get("not_offered", [])]
    assert 0 < narrow["offices"] == len(offering) < places["offices"]
    assert client.http.get("/v1/places?service=S9999").status_code == 404
