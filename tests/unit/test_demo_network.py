"""The demo network generator: deterministic, the announced sizes, proportional allocation and
internally consistent office declarations."""
from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from infra.local import demo_network as dn

PROVINCES_CSV = Path(__file__).resolve().parents[2] / "chalicelib" / "data" / "provinces.csv"
ARABIC_YEH_KAF = re.compile("[\u064a\u0643]")  # ي ك: the catalogue must use Persian ی ک
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@pytest.fixture(scope="module")
def services() -> list[dict[str, Any]]:
    return dn.services()


@pytest.fixture(scope="module")
def offices() -> list[dict[str, Any]]:
    return dn.offices()


@pytest.fixture(scope="module")
def provinces() -> list[dict[str, str]]:
    with open(PROVINCES_CSV, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def strings(value: Any):
    """Every string inside a nested structure."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


# --- determinism ---------------------------------------------------------------------------

def test_same_seed_same_network(services, offices):
    assert dn.services() == services
    assert dn.offices() == offices
    assert dn.services(1405) == services and dn.offices(1405) == offices


def test_other_seed_other_network(services, offices):
    assert dn.services(7) != services
    assert dn.offices(7) != offices
    # ...but the same shape: ids and flagships do not depend on the seed.
    assert [s["service_id"] for s in dn.services(7)] == [s["service_id"] for s in services]


# The generated network, pinned by a digest of its JSON taken before the vocabulary moved from
# code to infra/local/data/: services, offices, operators, two months of outcomes and the
# summary for the default seed. Editing the vocabulary or the generator on purpose changes it;
# the failure shows the new digest to pin.
# Remote sessions added only each session service's `session_modes` (without that key the digest
# is the earlier ec51004c…5937421).
NETWORK_DIGEST = "d10a955fa8104d086adf32c21ca0f05a0e362514cb1af7695abacb6a8de5de9e"


def test_the_seeded_network_is_exactly_the_pinned_one(services, offices):
    generated = [services, offices, dn.operators(offices), dn.outcomes(offices, ["1405-06", "1405-07"]),
                 dn.summary(offices, services)]
    digest = hashlib.sha256(json.dumps(generated, ensure_ascii=False).encode()).hexdigest()
    assert digest == NETWORK_DIGEST


# --- services ------------------------------------------------------------------------------

def test_session_services_are_the_seeds_consulting_and_virtual_court(services):
    """Sessions are seeded for consulting (with that of citizens abroad) and the virtual court,
    never for a service that needs the citizen in person; a phone-only or video-only service
    keeps its one mode."""
    held = [s for s in services if s.get("session_modes")]
    assert {s["category"] for s in held} == {"consulting", "virtual_court", "citizens_abroad"}
    assert all(s["mode"] != "in_person" for s in held)
    assert all(set(s["session_modes"]) <= {"video", "phone"} for s in held)
    by_name = {s["name_en"]: s for s in services}
    assert by_name["Legal consulting"]["session_modes"] == ["video", "phone"]
    assert by_name["Virtual-court attendance"]["session_modes"] == ["video"]
    assert all(s["session_modes"] == ["phone"] for s in held if s["name_en"].startswith("Phone consulting"))
    assert not any(s.get("session_modes") for s in services if s["category"] in ("petitions", "sana"))


def test_exactly_1470_unique_services(services):
    ids = [s["service_id"] for s in services]
    assert len(ids) == 1470 == len(set(ids))
    assert ids == [f"S{i:04d}" for i in range(1, 1471)]
    assert len({s["name_en"] for s in services}) == 1470
    assert len({s["name_fa"] for s in services}) == 1470


def test_service_fields(services):
    for s in services:
        assert s["category"] in dn.CATEGORIES
        assert s["mode"] in ("in_person", "remote_allowed", "remote_only")
        assert s["duration_min"] in (10, 15, 20, 30, 45, 60, 90)
        assert isinstance(s["tariff_rials"], int)
        assert 200_000 <= s["tariff_rials"] <= 15_000_000 and s["tariff_rials"] % 10_000 == 0
        assert s["name_en"] and s["name_fa"] and re.search("[\u0600-\u06ff]", s["name_fa"])
    assert set(Counter(s["category"] for s in services)) == set(dn.CATEGORIES)


def test_categories_cover_the_brief():
    required = {"petitions", "notices", "sana", "certificates", "consulting", "arbitration", "virtual_court",
                "enforcement", "documents", "complaints", "family"}
    assert required <= set(dn.CATEGORIES)
    assert len(dn.CATEGORIES) > len(required)


def test_flagships_open_their_categories(services):
    first: dict[str, dict[str, Any]] = {}
    for s in services:
        first.setdefault(s["category"], s)
    assert services[0]["name_en"] == "Petition filing" and services[0]["service_id"] == "S0001"
    assert first["notices"]["name_en"] == "Judicial notice receipt"
    assert first["sana"]["name_en"] == "SANA e-account registration" and first["sana"]["mode"] == "in_person"
    assert first["certificates"]["name_fa"] == "گواهی عدم سوءپیشینه"
    assert first["consulting"]["name_en"] == "Legal consulting"
    assert first["arbitration"]["name_en"] == "Arbitration request"
    assert first["virtual_court"]["name_en"] == "Virtual-court attendance"


def test_mode_mix_is_realistic(services):
    share = {mode: n / len(services) for mode, n in Counter(s["mode"] for s in services).items()}
    assert 0.25 <= share["in_person"] <= 0.45
    assert 0.40 <= share["remote_allowed"] <= 0.60
    assert 0.08 <= share["remote_only"] <= 0.25
    for category in ("consulting", "arbitration", "virtual_court"):
        modes = [s["mode"] for s in services if s["category"] == category]
        assert sum(m != "in_person" for m in modes) / len(modes) > 0.6, category


# --- offices -------------------------------------------------------------------------------

def test_office_count_and_ids(offices):
    assert 1280 <= len(offices) <= 1320
    ids = [o["office_id"] for o in offices]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"OF-[A-Z]{3}-\d{4}", i) for i in ids)
    assert "OF-THR-0001" in ids
    # One three-letter code per province, stable.
    codes = {o["province"]: o["office_id"][3:6] for o in offices}
    assert len(set(codes.values())) == len(codes) and codes["Tehran"] == "THR"


def test_every_province_present(offices, provinces):
    counts = Counter(o["province"] for o in offices)
    assert set(counts) == {p["province"] for p in provinces} and len(counts) == 31
    assert min(counts.values()) >= 8
    fa = {p["province"]: p["province_fa"] for p in provinces}
    assert all(o["province_fa"] == fa[o["province"]] for o in offices)


def test_allocation_is_proportional(offices, provinces):
    counts = Counter(o["province"] for o in offices)
    population = {p["province"]: int(p["population_2016"]) for p in provinces}
    total_pop = sum(population.values())
    assert counts.most_common(1)[0][0] == "Tehran"
    assert counts["Tehran"] / len(offices) > population["Tehran"] / total_pop
    # More people, never fewer offices.
    by_population = sorted(population, key=population.get, reverse=True)
    assert [counts[p] for p in by_population] == sorted((counts[p] for p in by_population), reverse=True)
    others = {p: n for p, n in population.items() if p != "Tehran"}
    others_offices = len(offices) - counts["Tehran"]
    for province, pop in others.items():
        expected = others_offices * pop / sum(others.values())
        if expected >= 15:
            assert 0.8 <= counts[province] / expected <= 1.25, province


def test_allocate_pins_the_minimum():
    quotas = dn.allocate({"Tehran": 1000, "Big": 900, "Tiny": 1}, total=100, minimum=8)
    assert sum(quotas.values()) == 100 and quotas["Tiny"] == 8 and quotas["Tehran"] > quotas["Big"]


def test_counters_hours_and_places(offices, provinces):
    capitals = {p["province"]: (p["capital"], float(p["capital_lat"]), float(p["capital_lon"])) for p in provinces}
    for o in offices:
        assert isinstance(o["counters"], int) and 1 <= o["counters"] <= 6
        assert set(o["hours"]) == {"sat", "sun", "mon", "tue", "wed", "thu"}
        assert o["hours"]["sat"], "offices open on Saturday"
        for intervals in o["hours"].values():
            for start, end in intervals:
                assert HHMM.match(start) and HHMM.match(end) and start < end
        capital, lat, lon = capitals[o["province"]]
        limit = 0.06 if o["city"] == capital else 1.6
        assert abs(o["lat"] - lat) <= limit and abs(o["lon"] - lon) <= limit, o["office_id"]
    in_capital = sum(o["city"] == capitals[o["province"]][0] for o in offices)
    assert in_capital / len(offices) > 0.5
    assert any(len(o["hours"]["sat"]) == 2 for o in offices), "some offices keep an afternoon shift"
    assert any(o["hours"]["thu"] == [] for o in offices) and any(o["hours"]["thu"] for o in offices)


def test_declarations_are_consistent(offices, services):
    by_id = {s["service_id"]: s for s in services}
    optional_offered = Counter()
    for o in offices:
        offered = set(o["offered_categories"])
        assert offered <= set(dn.CATEGORIES) and {"petitions", "notices", "sana"} <= offered
        optional_offered.update(offered & {"consulting", "arbitration", "virtual_court"})
        assert 0 <= len(o["not_offered"]) <= 10 and 0 <= len(o["in_person_required"]) <= 15
        assert len(set(o["not_offered"])) == len(o["not_offered"])
        for sid in o["not_offered"]:
            assert by_id[sid]["category"] in offered
        for sid in o["in_person_required"]:
            assert by_id[sid]["mode"] == "remote_allowed" and by_id[sid]["category"] in offered
            assert sid not in o["not_offered"]
    # Consulting, arbitration and virtual court: a subset of offices only.
    for category in ("consulting", "arbitration", "virtual_court"):
        assert 0 < optional_offered[category] < 0.9 * len(offices), category


def test_deprived_and_closures(offices, provinces):
    capitals = {p["province"]: p["capital"] for p in provinces}
    deprived = [o for o in offices if o["deprived"]]
    assert deprived and len(deprived) < len(offices) / 4
    for o in deprived:
        assert o["province"] in dn.DEPRIVED_PROVINCES and o["city"] != capitals[o["province"]]
    assert any(o["province"] == "Sistan and Baluchestan" for o in deprived)
    for o in offices:
        assert isinstance(o["deprived"], bool) and len(o["closures"]) <= 2
        for day in o["closures"]:
            assert date(2026, 11, 1) <= date.fromisoformat(day) <= date(2027, 1, 31)
    assert any(o["closures"] for o in offices)


def test_no_arabic_letters_in_persian_text(offices, services):
    for text in strings([offices, services, dn.CATEGORIES]):
        assert not ARABIC_YEH_KAF.search(text), text


def test_summary(offices, services):
    result = dn.summary(offices, services)
    assert result["offices"] == len(offices) and result["services"] == 1470
    assert sum(result["offices_by_province"].values()) == len(offices)
    assert sum(result["services_by_category"].values()) == 1470
    assert set(result["services_by_mode"]) == {"in_person", "remote_allowed", "remote_only"}


def test_every_demo_category_has_the_names_the_api_serves():
    import json

    from chalicelib.services.catalogue import category_names
    demo = json.loads((dn.DATA / "categories.json").read_text(encoding="utf-8"))
    assert {c: {"name_en": v["name_en"], "name_fa": v["name_fa"]} for c, v in demo.items()} == category_names()
