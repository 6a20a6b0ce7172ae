"""Deterministic demo network: the 1,470-service catalogue and ~1,300 offices in 31 provinces.

Development only (never shipped to Lambda). Pure functions: the only I/O is reading the
provinces CSV and, at import, the vocabulary under infra/local/data/. Every random choice comes
from a `random.Random` built from the seed, never the global generator, so the same seed always
yields the same network (the bootstrap calls `services()` and `offices()` separately and relies
on that). Persian text uses the Persian letters ی and ک only: the catalogue is the reference the
search normalises towards.
"""
from __future__ import annotations

import csv
import itertools
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

PROVINCES_CSV = Path(__file__).resolve().parents[2] / "chalicelib" / "data" / "provinces.csv"
DATA = Path(__file__).resolve().parent / "data"

SERVICE_COUNT = 1470  # the figure the Judiciary's IT centre announced
OFFICE_TARGET = 1300  # "about 1,300 points" in the network
MIN_OFFICES_PER_PROVINCE = 8
TEHRAN_WEIGHT = 1.3  # the capital attracts more offices than its population alone explains

MODES = ("in_person", "remote_allowed", "remote_only")
WEEKDAYS = ("sat", "sun", "mon", "tue", "wed")

# --- the vocabulary, read from infra/local/data/ -------------------------------------------
# categories.json: each category's names, how widely offices offer it ("everywhere": the
# long-standing front-desk services; "optional": new competences only a share of offices take
# on; "usually": the rest), and how its services are composed: a flagship, then action
# templates with a {s} slot filled from the subject lists of subjects.csv.
# province_codes.csv: the code in office ids, and whether the brief names the province as
# poorer (its town offices are then mostly flagged deprived). towns.csv: real towns other than
# the capital, in the order the generator draws from.


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _pairs_by(rows: list[dict[str, str]], key: str, en: str, fa: str) -> dict[str, tuple[tuple[str, str], ...]]:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append((row[en], row[fa]))
    return {name: tuple(pairs) for name, pairs in grouped.items()}


_CATALOGUE: dict[str, dict[str, Any]] = json.loads((DATA / "categories.json").read_text(encoding="utf-8"))
SUBJECTS: dict[str, tuple[tuple[str, str], ...]] = _pairs_by(_read_csv("subjects.csv"), "list", "en", "fa")
TOWNS: dict[str, tuple[tuple[str, str], ...]] = _pairs_by(_read_csv("towns.csv"), "province", "town", "town_fa")
_PROVINCE_ROWS = _read_csv("province_codes.csv")

CATEGORIES: dict[str, tuple[str, str]] = {code: (c["name_en"], c["name_fa"]) for code, c in _CATALOGUE.items()}
CORE_CATEGORIES = tuple(code for code, c in _CATALOGUE.items() if c["offered"] == "everywhere")
OPTIONAL_CATEGORIES: dict[str, float] = {code: c["share_of_offices"] for code, c in _CATALOGUE.items()
                                         if c["offered"] == "optional"}
PROVINCE_CODES: dict[str, str] = {row["province"]: row["code"] for row in _PROVINCE_ROWS}
DEPRIVED_PROVINCES = frozenset(row["province"] for row in _PROVINCE_ROWS if row["deprived"] == "yes")


@dataclass(frozen=True)
class _Action:
    """A sentence with a `{s}` slot for the subject, in both languages; `mode` pins the mode."""
    en: str
    fa: str
    mode: str | None = None
    session: tuple[str, ...] = ()  # contact modes it may be held in as a remote session


@dataclass(frozen=True)
class _Flagship:
    """The long-standing service that opens its category (lowest id of the category)."""
    en: str
    fa: str
    mode: str
    duration_min: int
    tariff_rials: int
    session: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Spec:
    quota: int  # services of the category, flagship included
    flagship: _Flagship
    actions: tuple[_Action, ...]
    subjects: tuple[tuple[str, str], ...]
    mode_weights: tuple[float, float, float]  # in_person, remote_allowed, remote_only
    durations: tuple[int, ...]
    tariff_range: tuple[int, int]  # rials


def _select(selection: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """One entry of a category's "subjects": a whole list, its `first` n, `only` the named
    subjects (in the order named), or each subject `for_each` purpose ("type for purpose")."""
    subjects = SUBJECTS[selection["list"]]
    if "for_each" in selection:
        return tuple((f"{t_en} for {p_en}", f"{t_fa} {p_fa}")
                     for (t_en, t_fa), (p_en, p_fa) in itertools.product(subjects, SUBJECTS[selection["for_each"]]))
    if "only" in selection:
        by_name = dict(subjects)
        return tuple((name, by_name[name]) for name in selection["only"])
    return subjects[:selection.get("first")]


def _spec(c: dict[str, Any]) -> _Spec:
    flag = c["flagship"]
    return _Spec(
        quota=c["quota"],
        flagship=_Flagship(flag["name_en"], flag["name_fa"], flag["mode"], flag["duration_min"], flag["tariff_rials"],
                           tuple(flag.get("session", ()))),
        actions=tuple(_Action(a["en"], a["fa"], a.get("mode"), tuple(a.get("session", ()))) for a in c["actions"]),
        subjects=tuple(pair for selection in c["subjects"] for pair in _select(selection)),
        mode_weights=tuple(c["mode_weights"][mode] for mode in MODES),
        durations=tuple(c["durations"]),
        tariff_range=tuple(c["tariff_range"]),
    )


SPECS: dict[str, _Spec] = {code: _spec(c) for code, c in _CATALOGUE.items()}


_A_BEFORE_VOWEL = re.compile(r"\ba (?=[aeio]|un)")


def _compose_en(template: str, subject: str) -> str:
    """Fill the English template: capitalised, with "an" before a vowel sound."""
    text = _A_BEFORE_VOWEL.sub("an ", template.format(s=subject))
    return text[0].upper() + text[1:]


def _round_rials(rng: random.Random, low: int, high: int) -> int:
    """A tariff in [low, high], rounded to 10,000 rials as tariffs are published."""
    return rng.randrange(low // 10_000, high // 10_000 + 1) * 10_000


def services(seed: int = 1405) -> list[dict[str, Any]]:
    """The national catalogue: exactly 1,470 services, ids S0001..S1470, grouped by category with
    the long-standing flagship first in each."""
    assert sum(spec.quota for spec in SPECS.values()) == SERVICE_COUNT, "category quotas must add up"
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for code, spec in SPECS.items():
        flag = spec.flagship
        items = [(flag.en, flag.fa, flag.mode, flag.duration_min, flag.tariff_rials, flag.session)]
        seen.add(flag.en)
        combos = [(action, subject) for action in spec.actions for subject in spec.subjects
                  if _compose_en(action.en, subject[0]) not in seen]
        # Which composed services exist depends on the seed; keep them in template order for readability.
        picked = sorted(rng.sample(range(len(combos)), spec.quota - 1))
        for index in picked:
            action, (subject_en, subject_fa) = combos[index]
            name_en = _compose_en(action.en, subject_en)
            seen.add(name_en)
            mode = action.mode or rng.choices(MODES, weights=spec.mode_weights)[0]
            items.append((name_en, action.fa.format(s=subject_fa), mode, rng.choice(spec.durations),
                          _round_rials(rng, *spec.tariff_range), action.session))
        for name_en, name_fa, mode, duration, tariff, session in items:
            service = {"service_id": f"S{len(out) + 1:04d}", "category": code, "name_en": name_en,
                       "name_fa": name_fa, "mode": mode, "duration_min": duration, "tariff_rials": tariff}
            if session and mode != "in_person":  # a session service: the contact modes it may be held in
                service["session_modes"] = list(session)
            out.append(service)
    return out


# --- the offices -------------------------------------------------------------------------

def _read_provinces(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["population_2016"] = int(row["population_2016"])
        row["capital_lat"] = float(row["capital_lat"])
        row["capital_lon"] = float(row["capital_lon"])
    return rows


def allocate(populations: dict[str, int], total: int = OFFICE_TARGET, minimum: int = MIN_OFFICES_PER_PROVINCE,
             tehran_weight: float = TEHRAN_WEIGHT) -> dict[str, int]:
    """Offices per province: proportional to population (Tehran weighted up), at least `minimum`
    each, summing to `total` (largest remainder). Provinces that would fall below the minimum are
    pinned to it and the rest re-shared among the others."""
    weights = {p: n * (tehran_weight if p == "Tehran" else 1.0) for p, n in populations.items()}
    pinned: dict[str, int] = {}
    while True:
        free = {p: w for p, w in weights.items() if p not in pinned}
        budget = total - sum(pinned.values())
        scale = budget / sum(free.values())
        low = [p for p, w in free.items() if w * scale < minimum]
        if not low:
            break
        pinned.update(dict.fromkeys(low, minimum))
    quotas = {p: int(w * scale) for p, w in free.items()}
    leftover = budget - sum(quotas.values())
    by_remainder = sorted(free, key=lambda p: (-(free[p] * scale - quotas[p]), p))
    for p in by_remainder[:leftover]:
        quotas[p] += 1
    return {p: pinned.get(p, quotas.get(p, 0)) for p in populations}


def _to_persian_digits(value: int | str) -> str:
    return str(value).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def _town_centres(province: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Where each town sits: 0.3-1.5 degrees from the capital in a direction fixed by the town's
    name, so a town's offices cluster together and do not move between seeds."""
    centres = {}
    for town_en, _ in TOWNS.get(province["province"], ()):
        rng = random.Random(f"town:{province['province']}:{town_en}")
        dlat = rng.uniform(0.3, 1.5) * rng.choice((-1, 1))
        dlon = rng.uniform(0.3, 1.5) * rng.choice((-1, 1))
        centres[town_en] = (province["capital_lat"] + dlat, province["capital_lon"] + dlon)
    return centres


def _hours(rng: random.Random, big_city: bool) -> dict[str, list[list[str]]]:
    morning = ["07:30", "14:30"] if rng.random() < 0.5 else ["08:00", "15:00"]
    # Afternoon shifts are a big-city habit: that is where the queues are.
    afternoon = rng.random() < (0.3 if big_city else 0.1)
    day = [morning] + ([["16:00", "19:00"]] if afternoon else [])
    hours = {key: [list(interval) for interval in day] for key in WEEKDAYS}
    hours["thu"] = [["08:00", "12:00"]] if rng.random() < 0.65 else []
    return hours


def _counters(rng: random.Random, in_capital: bool, population: int) -> int:
    if in_capital and population >= 3_000_000:
        return rng.choices((2, 3, 4, 5, 6), weights=(1, 3, 3, 2, 1))[0]
    if in_capital:
        return rng.choices((1, 2, 3, 4), weights=(1, 3, 3, 1))[0]
    return rng.choices((1, 2, 3), weights=(4, 4, 1))[0]


_CLOSURE_DAYS = tuple(date(2026, 11, 1) + timedelta(days=i) for i in range(92)
                      if (date(2026, 11, 1) + timedelta(days=i)).weekday() != 4)  # Friday is closed anyway


def _closures(rng: random.Random) -> list[str]:
    """0-2 one-off closure days of this office between November 2026 and January 2027 (not Fridays)."""
    count = rng.choices((0, 1, 2), weights=(70, 20, 10))[0]
    return sorted(d.isoformat() for d in rng.sample(_CLOSURE_DAYS, count))


def offices(seed: int = 1405, provinces_csv: str | Path = PROVINCES_CSV, total: int = OFFICE_TARGET) -> list[dict[str, Any]]:
    """About 1,300 offices (or `total`) in the 31 provinces, in province (CSV) order, each with its
    own declarations: hours, counters, offered categories, exceptions and in-person needs."""
    rng = random.Random(seed)
    provinces = _read_provinces(provinces_csv)
    quotas = allocate({row["province"]: row["population_2016"] for row in provinces}, total)
    catalogue = services(seed)
    by_category: dict[str, list[dict[str, Any]]] = {code: [] for code in CATEGORIES}
    for service in catalogue:
        by_category[service["category"]].append(service)
    # Per category once, not per office: exceptions never hit a flagship (every office that offers
    # a category offers its best-known service), and in-person needs are declared on
    # remote-allowed services only.
    exception_candidates = {code: [s["service_id"] for s in items[1:]] for code, items in by_category.items()}
    remote_allowed_ids = {code: [s["service_id"] for s in items if s["mode"] == "remote_allowed"]
                          for code, items in by_category.items()}

    out: list[dict[str, Any]] = []
    for province in provinces:
        name = province["province"]
        code = PROVINCE_CODES[name]
        towns = TOWNS.get(name, ())
        centres = _town_centres(province)
        # Most offices sit in the capital; the metropolitan provinces even more so.
        capital_share = 0.75 if name in ("Tehran", "Alborz", "Qom") else 0.6
        for number in range(1, quotas[name] + 1):
            national_code = 1000 + len(out) + 1
            in_capital = not towns or rng.random() < capital_share
            if in_capital:
                city, city_fa = province["capital"], province["capital_fa"]
                lat = province["capital_lat"] + rng.uniform(-0.05, 0.05)
                lon = province["capital_lon"] + rng.uniform(-0.05, 0.05)
            else:
                city, city_fa = rng.choice(towns)
                lat = centres[city][0] + rng.uniform(-0.03, 0.03)
                lon = centres[city][1] + rng.uniform(-0.03, 0.03)
            big_city = in_capital and province["population_2016"] >= 3_000_000

            offered = [c for c in CATEGORIES
                       if c in CORE_CATEGORIES
                       or (c in OPTIONAL_CATEGORIES and rng.random() < OPTIONAL_CATEGORIES[c] + (0.15 * big_city))
                       or (c not in OPTIONAL_CATEGORIES and rng.random() < 0.95)]
            candidates = list(itertools.chain.from_iterable(exception_candidates[c] for c in offered))
            not_offered = sorted(rng.sample(candidates, rng.randint(0, 10)))
            excluded = set(not_offered)
            remote_allowed = [sid for c in offered for sid in remote_allowed_ids[c] if sid not in excluded]
            in_person_required = sorted(rng.sample(remote_allowed, min(len(remote_allowed), rng.randint(0, 15))))
            deprived = (not in_capital) and name in DEPRIVED_PROVINCES and rng.random() < 0.7

            out.append({
                "office_id": f"OF-{code}-{number:04d}",
                "name_en": f"EJSO office {national_code} ({city})",
                "name_fa": f"دفتر خدمات الکترونیک قضایی کد {_to_persian_digits(national_code)} ({city_fa})",
                "province": name,
                "province_fa": province["province_fa"],
                "city": city,
                "city_fa": city_fa,
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "counters": _counters(rng, in_capital, province["population_2016"]),
                "hours": _hours(rng, big_city),
                "offered_categories": offered,
                "not_offered": not_offered,
                "in_person_required": in_person_required,
                "deprived": deprived,
                "closures": _closures(rng),
            })
    return out


def operators(offices_: list[dict[str, Any]], seed: int = 1405) -> list[dict[str, Any]]:
    """The operators registry of the demo: one operator per counter, sometimes a spare;
    about 1 in 25 with a licence that has run out (that office loses a bookable counter until
    it is renewed), some short of training hours or uninsured (lower operator compliance).
    Dates are fixed, not relative to today, so the same seed gives the same registry."""
    rng = random.Random(seed * 7 + 4)
    out = []
    for office in offices_:
        for k in range(1, office["counters"] + 1 + (rng.random() < 0.2)):
            expired = rng.random() < 0.04
            expiry = date(2026, 1, 1) + timedelta(days=rng.randint(0, 300)) if expired else \
                date(2027, 6, 1) + timedelta(days=rng.randint(0, 900))
            out.append({"office_id": office["office_id"], "operator_id": f"{office['office_id']}-U{k:02d}",
                        "licence_number": f"LC-{rng.randint(100000, 999999)}", "licence_expiry": expiry.isoformat(),
                        "training_hours": rng.choice((24, 40, 60, 80, 120)) if rng.random() < 0.9 else 16,
                        "insured": rng.random() < 0.92})
    return out


def outcomes(offices_: list[dict[str, Any]], months: list[str], seed: int = 1405) -> list[dict[str, Any]]:
    """Monthly outcome counters of every office, as the streams would have folded them,
    so `make job NAME=rank_offices` publishes a ranking worth reading. Each office has a hidden
    quality q ~ N(0, 1) that moves its rates; volume grows with its counters. Counts are drawn
    from normal approximations of the binomials (fast, deterministic for a seed and months)."""
    rng = random.Random(seed * 11 + 5)
    quality = {o["office_id"]: rng.gauss(0, 1) for o in offices_}

    def draw(n: int, p: float) -> int:
        p = min(max(p, 0.0002), 0.9998)
        return min(n, max(0, round(n * p + (n * p * (1 - p)) ** 0.5 * rng.gauss(0, 1))))

    out = []
    for office in offices_:
        q = quality[office["office_id"]]
        for month in months:
            visits = int(office["counters"] * rng.uniform(60, 140))
            remote = int(office["counters"] * rng.uniform(20, 60))
            ratings = draw(remote, 0.2)
            mean = min(4.8, max(1.5, 3.9 + 0.4 * q))
            stars = [min(5, max(1, round(rng.gauss(mean, 0.8)))) for _ in range(ratings)]
            within, returned = draw(remote, 0.85 + 0.05 * q), draw(remote, 0.08 - 0.025 * q)
            counts = {
                "in_person_total": visits, "in_person_on_time": draw(visits, 0.8 + 0.06 * q),
                "remote_total": remote, "remote_within_sla": within, "filed_total": remote, "filed_returned": returned,
                "c|petitions|remote_total": remote, "c|petitions|remote_within_sla": within,
                "c|petitions|filed_total": remote, "c|petitions|filed_returned": returned,
                "ratings_count": ratings, "ratings_sum": sum(stars), "ratings_sumsq": sum(x * x for x in stars),
                "transactions": visits + remote, "complaints_upheld": draw(visits + remote, 0.002 - 0.0008 * q),
                "routed_offered": remote, "routed_accepted": draw(remote, 0.9 + 0.04 * q),
                "no_show": draw(visits, 0.06), "fees_rials": (visits + remote) * 400_000,
            }
            out.append({"office_id": office["office_id"], "period": month, "counts": counts})
    return out


def summary(offices: list[dict[str, Any]], services: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts for progress output: offices per province, services per category and mode."""
    return {
        "offices": len(offices),
        "services": len(services),
        "counters": sum(o["counters"] for o in offices),
        "deprived_offices": sum(1 for o in offices if o["deprived"]),
        "offices_by_province": dict(Counter(o["province"] for o in offices)),
        "services_by_category": dict(Counter(s["category"] for s in services)),
        "services_by_mode": dict(Counter(s["mode"] for s in services)),
    }
