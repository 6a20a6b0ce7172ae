"""Catalogue use cases on the fakes: search, offices, free slots and the association's calendar."""
from __future__ import annotations

import pytest

from chalicelib.domain import calendar
from chalicelib.domain.catalogue import Service
from chalicelib.errors import InvalidInput, NotFound, ServiceRetired
from chalicelib.schemas import BookingIn
from chalicelib.services import bookings, catalogue
from tests.unit.services.conftest import NOW, at, mobile, national_id, open_day

DAY = open_day()


def test_search_by_words_in_either_language(fakes):
    found = catalogue.search_services("دادخواست", None, None, 50, 0)
    assert [s["service_id"] for s in found["items"]] == ["S0001"]
    assert [s["service_id"] for s in catalogue.search_services("sana", None, None, 50, 0)["items"]] == ["S0002"]


def test_search_filters_and_pages(fakes):
    # S0005 is retired: it takes no new bookings, so search does not offer it.
    assert [s["service_id"] for s in catalogue.search_services(None, None, "in_person", 50, 0)["items"]] == [
        "S0002", "S0004"]
    assert catalogue.search_services("منسوخ", None, None, 50, 0)["total"] == 0
    assert [s["service_id"] for s in catalogue.search_services(None, "petitions", None, 50, 0)["items"]] == ["S0001"]
    page = catalogue.search_services(None, None, None, 3, 0)
    assert page["total"] == 4 and page["next_cursor"] == 3 and len(page["items"]) == 3
    assert catalogue.search_services(None, None, None, 3, 3)["next_cursor"] is None
    with pytest.raises(InvalidInput):
        catalogue.search_services(None, None, "by_pigeon", 50, 0)


def test_search_ranks_whole_words_before_negated_mentions(fakes):
    fakes["catalogue"].save_all([
        Service("S0101", category="notices", name_en="Paper notice to a party without SANA",
                name_fa="ابلاغ کاغذی به طرف فاقد حساب ثنا", mode="in_person", duration_min=10, tariff_rials=1),
        Service("S0102", category="sana", name_en="SANA password recovery", name_fa="بازیابی رمز ثنا برای اشخاص حقیقی",
                mode="in_person", duration_min=10, tariff_rials=1)])
    for q in ("ثنا", "sana", "SANA"):
        assert [s["service_id"] for s in catalogue.search_services(q, None, None, 50, 0)["items"]] == [
            "S0002", "S0102", "S0101"], q
    for q in ("ثبت‌نام", "ثبت نام", "ثبتنام", "ثبت نام سامانه ثنا".replace("ی", "ي")):
        assert [s["service_id"] for s in catalogue.search_services(q, None, None, 50, 0)["items"]] == ["S0002"], q


def test_categories_count_services_taking_requests_by_mode(fakes):
    found = {c["category"]: c for c in catalogue.categories()["items"]}
    assert set(found) == {"petitions", "sana", "consulting", "notices"}
    assert found["sana"] == {"category": "sana", "name_en": "SANA registration", "name_fa": "ثبت‌نام سامانه ثنا",
                             "services": 1, "modes": {"in_person": 1, "remote_allowed": 0, "remote_only": 0}}
    assert found["petitions"]["services"] == 1  # its retired S0005 is not counted
    # the names file's order
    assert [c["category"] for c in catalogue.categories()["items"]] == [
        c for c in catalogue.category_names() if c in found]


def test_places_list_provinces_and_cities_with_offices(fakes):
    found = catalogue.places(None)
    assert found["offices"] == 2
    assert [(p["province_fa"], p["offices"]) for p in found["items"]] == [("البرز", 1), ("تهران", 1)]
    assert found["items"][0]["cities"] == [{"city": "Karaj", "city_fa": "کرج", "offices": 1,
                                            "location": {"lat": 35.8, "lon": 51.0}}]
    # only where an office offers the service: OF-B does not offer S0004
    assert [p["province"] for p in catalogue.places("S0004")["items"]] == ["Tehran"]
    with pytest.raises(NotFound):
        catalogue.places("S9999")


def test_a_withdrawn_service_is_retired_and_an_unknown_one_or_office_not_found(fakes):
    with pytest.raises(ServiceRetired):
        catalogue.get_service("S0005")
    assert catalogue.known_service("S0005").active is False  # what an existing booking of it reads
    with pytest.raises(NotFound):
        catalogue.get_service("S9999")
    with pytest.raises(NotFound):
        catalogue.get_office("OF-Z")
    assert catalogue.get_office("OF-B").city == "Karaj"


def out(day, hhmm: str) -> str:
    return calendar.datetime_out(at(day, hhmm))["at"]


def test_free_slots_count_the_free_counters(fakes):
    before = catalogue.free_slots("OF-A", "S0002", DAY, NOW)
    assert before["open"] and before["slots"][0]["at"] == out(DAY, "08:00")
    assert {s["free"] for s in before["slots"]} == {3}
    # A 30-minute booking at 09:00 takes two cells: starts at 08:45, 09:00 and 09:15 lose a counter.
    bookings.book(BookingIn(office_id="OF-A", service_id="S0002", start=at(DAY, "09:00"),
                                 national_id=national_id(1), mobile=mobile(1)), now=NOW)
    after = {s["at"]: s["free"] for s in catalogue.free_slots("OF-A", "S0002", DAY, NOW)["slots"]}
    assert {t: f for t, f in after.items() if f < 3} == {
        out(DAY, hhmm): 2 for hhmm in ("08:45", "09:00", "09:15")}


def test_a_full_slot_is_not_listed(fakes):
    bookings.book(BookingIn(office_id="OF-B", service_id="S0001", start=at(DAY, "09:00"),
                                 national_id=national_id(1), mobile=mobile(1)), now=NOW)
    listed = [s["at"] for s in catalogue.free_slots("OF-B", "S0001", DAY, NOW)["slots"]]
    assert out(DAY, "09:00") not in listed and out(DAY, "09:15") in listed


def test_slots_only_where_the_service_is_bookable(fakes):
    with pytest.raises(NotFound):
        catalogue.free_slots("OF-B", "S0004", DAY, NOW)  # not offered there
    with pytest.raises(InvalidInput):
        catalogue.free_slots("OF-A", "S0003", DAY, NOW)  # remote only
    with pytest.raises(InvalidInput):
        catalogue.free_slots("OF-A", "S0001", NOW.date(), NOW)  # no same-day booking


def test_a_day_the_association_closes_has_no_slots(fakes):
    catalogue.correct_day(DAY, True, "Mourning", "عزای عمومی", "admin")
    closed = catalogue.free_slots("OF-A", "S0001", DAY, NOW)
    assert closed["open"] is False and closed["slots"] == [] and closed["holidays"] == [
        {"name_en": "Mourning", "name_fa": "عزای عمومی", "kind": "correction"}]
    # a closure the association did not name is still named, in both languages
    catalogue.correct_day(DAY, True, "", "", "admin")
    assert catalogue.free_slots("OF-A", "S0001", DAY, NOW)["holidays"] == [
        {"name_en": "Closed by the association", "name_fa": "تعطیل به اعلام کانون", "kind": "correction"}]
    assert catalogue.holidays(DAY, DAY)["items"][0]["name_fa"] == "تعطیل به اعلام کانون"
    with pytest.raises(InvalidInput):
        bookings.book(BookingIn(office_id="OF-A", service_id="S0001", start=at(DAY, "09:00"),
                                     national_id=national_id(1), mobile=mobile(1)), now=NOW)
    catalogue.remove_correction(DAY)
    assert catalogue.free_slots("OF-A", "S0001", DAY, NOW)["open"] is True
    with pytest.raises(NotFound):
        catalogue.remove_correction(DAY)


def test_next_free_slot_skips_full_starts(fakes):
    office, service = catalogue.get_office("OF-B"), catalogue.get_service("S0001")
    assert catalogue.next_free_slot(office, service, NOW) == at(DAY, "08:00")
    bookings.book(BookingIn(office_id="OF-B", service_id="S0001", start=at(DAY, "08:00"),
                                 national_id=national_id(1), mobile=mobile(1)), now=NOW)
    assert catalogue.next_free_slot(office, service, NOW) == at(DAY, "08:15")
