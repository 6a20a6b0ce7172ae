"""The tariff book on the fakes: the seed as version 1, a change effective from a later day,
stale versions, what the catalogue shows, and what a booking is priced at."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.tariffs import TariffLine
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.schemas import BookingIn
from chalicelib.services import bookings, catalogue, tariffs
from tests.unit.services.conftest import NOW, at, mobile, national_id, open_day

TODAY, TOMORROW = NOW.date(), NOW.date() + timedelta(days=1)
NEW = {"government_rials": 100_000, "office_rials": 600_000, "share_base_rials": 550_000}


def change(service_id: str = "S0001", effective=TOMORROW, expected: int = 1, line: dict = NEW) -> dict:
    return tariffs.change_service(service_id, line, effective, expected, "admin-1", "بازنگری", now=NOW)


def test_without_a_book_the_catalogue_seed_is_version_one(fakes):
    view = catalogue.service_view(catalogue.get_service("S0001"), TODAY)
    assert view["tariff_rials"] == 500_000
    assert view["tariff"] | {} == {"version": 1, "effective_from": {"date": "2020-03-20", "jalali": "1399/01/01"},
                                   "government_rials": 0, "office_rials": 500_000, "share_base_rials": 500_000,
                                   "total_rials": 500_000, "total_fa": "۵۰۰٬۰۰۰ ریال"}
    assert tariffs.book_view()["head"] == 1


def test_a_change_effective_tomorrow_leaves_today_alone(fakes):
    out = change()
    assert (out["version"], out["total_rials"], out["effective_from"]["date"]) == (2, 700_000, TOMORROW.isoformat())
    service = catalogue.get_service("S0001")
    assert catalogue.service_view(service, TODAY)["tariff_rials"] == 500_000
    assert catalogue.service_view(service, TOMORROW)["tariff"]["version"] == 2
    assert catalogue.service_view(service, TOMORROW)["tariff_rials"] == 700_000
    # the first change froze the seed as version 1: every service has its line there
    versions = fakes["accounts"].versions
    assert [v.number for v in versions] == [1, 2] and len(versions[0].lines) == 5
    assert catalogue.service_view(catalogue.get_service("S0002"), TOMORROW)["tariff"]["version"] == 1


def test_today_and_the_past_cannot_be_repriced(fakes):
    for day in (TODAY, TODAY - timedelta(days=3)):
        with pytest.raises(InvalidInput):
            change(effective=day)
    assert fakes["accounts"].versions == []


def test_a_change_over_a_stale_version_is_refused(fakes):
    change()
    with pytest.raises(Conflict):
        change(expected=1, line={**NEW, "office_rials": 900_000})
    assert change(expected=2, effective=TOMORROW + timedelta(days=5))["version"] == 3


def test_bad_lines_and_unknown_services(fakes):
    with pytest.raises(InvalidInput):
        change(line={**NEW, "share_base_rials": 700_000})  # the base cannot exceed the office's fee
    with pytest.raises(NotFound):
        change(service_id="S9999")


def test_the_latest_effective_version_wins_whatever_the_order_of_adoption(fakes):
    change(effective=TOMORROW + timedelta(days=10))  # v2 from day 10
    change(effective=TOMORROW + timedelta(days=2), expected=2, line={**NEW, "office_rials": 800_000})  # v3 from day 2
    service = catalogue.get_service("S0001")
    assert tariffs.tariff_on(service, TOMORROW + timedelta(days=5)).version == 3
    assert tariffs.tariff_on(service, TOMORROW + timedelta(days=12)).version == 2
    history = tariffs.service_tariffs("S0001", now=NOW)["versions"]
    assert [v["version"] for v in history] == [1, 2, 3]


def test_a_booking_carries_the_version_of_its_day(fakes):
    first, later = open_day(skip=1), open_day(skip=3)
    tariffs.change_service("S0001", NEW, later, 1, "admin-1", "بازنگری", now=NOW)
    made = [bookings.book(BookingIn(office_id="OF-A", service_id="S0001", start=at(day, "09:00"),
                                    national_id=national_id(n), mobile=mobile(n)), now=NOW)
            for n, day in ((1, first), (2, later))]
    priced = [fakes["bookings"].get_booking(m["booking_id"]) for m in made]
    assert [(b.tariff_version, b.fee_rials) for b in priced] == [(1, 500_000), (2, 700_000)]


def test_line_of_a_version_that_did_not_touch_the_service(fakes):
    change()  # v2 changes S0001 only
    line = tariffs.line_for(catalogue.get_service("S0002"), 2, TOMORROW)
    assert line == (2, TariffLine(0, 300_000, 300_000))
