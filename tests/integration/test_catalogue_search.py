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
