"""A small network for integration tests: three offices, a handful of services."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from chalicelib.domain import calendar
from chalicelib.domain.catalogue import Office, Service

HOURS = {day: [["08:00", "12:00"]] for day in ("sat", "sun", "mon", "tue", "wed")} | {"thu": [["08:00", "10:00"]]}

SERVICES = [
    Service("S0001", category="petitions", name_en="Petition filing", name_fa="ثبت دادخواست",
            mode="remote_allowed", duration_min=15, tariff_rials=500_000),
    Service("S0002", category="sana", name_en="SANA e-account registration", name_fa="ثبت‌نام سامانه ثنا",
            mode="in_person", duration_min=30, tariff_rials=300_000),
    Service("S0003", category="consulting", name_en="Legal consulting by phone", name_fa="مشاوره حقوقی تلفنی",
            mode="remote_only", duration_min=30, tariff_rials=1_000_000, session_modes=frozenset({"video", "phone"})),
    Service("S0004", category="notices", name_en="Judicial notice receipt", name_fa="دریافت ابلاغیه",
            mode="in_person", duration_min=10, tariff_rials=200_000),
]


def office(office_id: str, counters: int, **extra) -> Office:
    attrs = {"name_en": f"Office {office_id}", "name_fa": f"دفتر {office_id}", "province": "Tehran",
             "province_fa": "تهران", "city": "Tehran", "city_fa": "تهران", "lat": 35.7, "lon": 51.4,
             "counters": counters, "hours": HOURS, "deprived": False,
             "offered_categories": {"petitions", "sana", "consulting", "notices"}}
    values = attrs | extra
    for declared in ("offered_categories", "not_offered", "in_person_required", "closures"):
        values[declared] = frozenset(values.get(declared) or ())
    return Office(office_id, **values)


OFFICES = [
    office("OF-A", 3),
    office("OF-B", 1, city="Karaj", city_fa="کرج", province="Alborz", province_fa="البرز"),
    office("OF-C", 6, not_offered={"S0004"}),
]


def items():
    return [*SERVICES, *OFFICES]


def next_open_day(after: date | None = None, skip: int = 0) -> date:
    """The first day after `after` (default today, Tehran) on which the fixture offices open."""
    day = (after or calendar.now_tehran().date()) + timedelta(days=1)
    found = 0
    while True:
        if calendar.opening_intervals(day, HOURS):
            if found == skip:
                return day
            found += 1
        day += timedelta(days=1)


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, calendar.parse_hhmm(hhmm), calendar.TEHRAN)


# Valid national IDs (check digit computed), distinct citizens.
def national_id(n: int) -> str:
    body = f"{n:09d}"
    total = sum(int(body[i]) * (10 - i) for i in range(9)) % 11
    nid = body + str(total if total < 2 else 11 - total)
    return nid if len(set(nid)) > 1 else national_id(n + 1)


def mobile(n: int) -> str:
    return f"0912{n:07d}"
