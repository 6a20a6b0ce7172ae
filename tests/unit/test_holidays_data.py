"""The shipped holiday data (chalicelib/data/holidays.json, made by tools/gen_holidays.py)."""
from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jdatetime
import pytest

ROOT = Path(__file__).resolve().parents[2]
HOLIDAYS = ROOT / "chalicelib" / "data" / "holidays.json"

SOLAR = {  # Jalali month/day -> English name
    (1, 1): "Nowruz", (1, 2): "Nowruz", (1, 3): "Nowruz", (1, 4): "Nowruz", (1, 12): "Islamic Republic Day",
    (1, 13): "Nature Day", (3, 14): "Death of Imam Khomeini", (3, 15): "15 Khordad uprising",
    (11, 22): "Revolution Day", (12, 29): "Oil Nationalisation Day",
}
LUNAR_NAMES = {
    "Tasua", "Ashura", "Arbaeen", "Death of the Prophet and martyrdom of Imam Hasan", "Martyrdom of Imam Reza",
    "Martyrdom of Imam Hasan Askari", "Birthday of the Prophet and Imam Sadegh", "Martyrdom of Fatima",
    "Birthday of Imam Ali", "Mab'ath", "Birthday of Imam Mahdi", "Martyrdom of Imam Ali", "Eid al-Fitr",
    "Eid al-Fitr holiday", "Martyrdom of Imam Sadegh", "Eid al-Adha", "Eid al-Ghadir",
}


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return json.loads(HOLIDAYS.read_text(encoding="utf-8"))


def jalali_bounds(year: int) -> tuple[date, date]:
    """First and last Gregorian day of a Jalali year."""
    return jdatetime.date(year, 1, 1).togregorian(), jdatetime.date(year + 1, 1, 1).togregorian() - timedelta(days=1)


def test_both_years_present(data):
    assert {"1405", "1406"} <= set(data["years"])
    assert "hijridate" in data["source"]


def test_entries_well_formed_and_sorted(data):
    for year, entries in data["years"].items():
        first, last = jalali_bounds(int(year))
        dates = [e["date"] for e in entries]
        assert dates == sorted(dates)
        for e in entries:
            day = date.fromisoformat(e["date"])
            assert first <= day <= last, e
            assert e["jalali"] == jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d")
            assert e["jalali"].startswith(f"{year}/")
            assert e["kind"] in ("solar", "lunar")
            assert ("hijri" in e) == (e["kind"] == "lunar")
            if e["kind"] == "lunar":
                assert re.fullmatch(r"14\d\d/(0[1-9]|1[0-2])/[0-3]\d", e["hijri"])
            assert e["name_en"] and e["name_fa"] and not re.search("[\u064a\u0643]", e["name_fa"])


def test_every_solar_holiday_on_its_jalali_date(data):
    for year, entries in data["years"].items():
        solar = [e for e in entries if e["kind"] == "solar"]
        assert len(solar) == len(SOLAR)  # four Nowruz days kept as four entries
        found = {(int(e["jalali"][5:7]), int(e["jalali"][8:10])): e["name_en"] for e in solar}
        assert found == SOLAR, year
        for e in solar:
            jy, jm, jd = (int(x) for x in e["jalali"].split("/"))
            assert jdatetime.date(jy, jm, jd).togregorian().isoformat() == e["date"]


def test_known_solar_dates(data):
    solar = {(e["jalali"], e["date"]) for entries in data["years"].values() for e in entries if e["kind"] == "solar"}
    assert ("1405/01/01", "2026-03-21") in solar
    assert ("1405/11/22", "2027-02-11") in solar  # Revolution Day, a Wednesday
    assert ("1405/12/29", "2027-03-20") in solar
    assert ("1406/01/01", "2027-03-21") in solar


def test_every_lunar_holiday_each_year(data):
    for year, entries in data["years"].items():
        names = Counter(e["name_en"] for e in entries if e["kind"] == "lunar")
        assert set(names) == LUNAR_NAMES, year
        assert all(1 <= n <= 2 for n in names.values())


def test_ashura_1448(data):
    ashura = [e for e in data["years"]["1405"] if e["name_en"] == "Ashura"]
    assert [e["hijri"] for e in ashura] == ["1448/01/10"]
    assert ashura[0]["date"] in ("2026-06-24", "2026-06-25", "2026-06-26")


def test_lunar_holidays_come_earlier_next_year(data):
    def eid(year: str) -> jdatetime.date:
        [entry] = [e for e in data["years"][year] if e["name_en"] == "Eid al-Fitr"]
        jy, jm, jd = (int(x) for x in entry["jalali"].split("/"))
        return jdatetime.date(jy, jm, jd)

    def day_of_year(day: jdatetime.date) -> int:
        return (day - jdatetime.date(day.year, 1, 1)).days

    earlier_by = day_of_year(eid("1405")) - day_of_year(eid("1406"))
    assert 10 <= earlier_by <= 12
    gap = (eid("1406").togregorian() - eid("1405").togregorian()).days
    assert 353 <= gap <= 356  # one lunar year


def test_file_matches_the_generator(data):
    spec = importlib.util.spec_from_file_location("gen_holidays", ROOT / "tools" / "gen_holidays.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build([int(y) for y in data["years"]]) == data
