"""What the use cases return, as each route writes it, is accepted by the route's response model and
valid against the documented schema (openapi.yaml): catalogue, bookings, remote requests, partners,
routing. No database: data-layer calls are replaced."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from pydantic import BaseModel

from chalicelib.dal import accounts_store, booking_store, catalogue_store, config_store, load_store, operator_store, partner_store
from chalicelib.domain import calendar, remote
from chalicelib.domain.booking import Booking
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.load import LoadSnapshot, OfficeLoad
from chalicelib.domain.partner import Partner, PartnerSecret
from chalicelib.domain.remote import OfficeCounters, RemoteRequest
from chalicelib.schemas import (
    BookingCreatedOut,
    HoldIn,
    OfficeDetailOut,
    OfficeOut,
    OfficeRemoteRequestOut,
    RemoteRequestCreatedOut,
)
from chalicelib.services import bookings, catalogue, office_day, partners, remote_requests, router
from tests.unit.test_contract import check_shape


def keys_of(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=calendar.TEHRAN)
HOURS = {day: [["08:00", "12:00"], ["13:00", "15:00"]] for day in ("sat", "sun", "mon", "tue", "wed")} | {
    "thu": [["08:00", "12:00"]]}


def open_day() -> date:
    day = NOW.date() + timedelta(days=1)
    while not calendar.opening_intervals(day, HOURS):
        day += timedelta(days=1)
    return day


@pytest.fixture
def service() -> Service:
    return Service("S0001", category="petitions", name_en="Petition filing", name_fa="ثبت دادخواست",
                       mode="remote_allowed", duration_min=30, tariff_rials=1_250_000, active=True)


@pytest.fixture
def office() -> Office:
    return Office("OF-THR-0001", name_en="EJSO office 1001 (Tehran)", name_fa="دفتر ۱۰۰۱", province="Tehran",
                      province_fa="تهران", city="Tehran", city_fa="تهران", lat=35.66, lon=51.36, counters=3,
                      hours=HOURS, offered_categories=frozenset({"petitions"}), in_person_required=frozenset({"S0173"}),
                      closures=frozenset({"2026-12-20"}), deprived=False, tier=None)


@pytest.fixture
def booking() -> Booking:
    start = datetime.combine(open_day(), datetime.min.time().replace(hour=9, minute=30), calendar.TEHRAN)
    return Booking("BK7K3M9QX2PLRT", office_id="OF-THR-0001", service_id="S0001", day=start.date(), start=start,
                   cells=("0930", "0945"), counter=2, status="BOOKED", citizen_key="k" * 32,
                   national_id_masked="*******679", mobile="+989121234567", name=None, access_code_hash="h" * 64,
                   created_at=NOW.replace(microsecond=0), updated_at=NOW)


@pytest.fixture
def no_database(monkeypatch, office, service, booking):
    monkeypatch.setattr(catalogue, "get_office", lambda office_id: office)
    monkeypatch.setattr(catalogue, "get_service", lambda service_id: service)
    monkeypatch.setattr(catalogue_store, "get_service", lambda service_id: service)
    monkeypatch.setattr(catalogue_store, "all_offices", lambda: {office.office_id: office})
    monkeypatch.setattr(booking_store, "taken_seats", lambda *args, **kwargs: {})
    monkeypatch.setattr(operator_store, "licence_expiries", lambda office_id: ())  # no registry: declared counters
    monkeypatch.setattr(catalogue_store, "calendar_corrections", lambda: {})
    monkeypatch.setattr(booking_store, "create_hold", lambda *args, **kwargs: None)
    monkeypatch.setattr(booking_store, "office_day_bookings", lambda office_id, day: [booking])
    monkeypatch.setattr(accounts_store, "book_versions", lambda cached=True: [])  # the seed tariffs only


def test_catalogue_views_match(doc, no_database, office, service):
    check_shape(doc, "get_service", 200, catalogue.service_view(service))
    check_shape(doc, "get_office", 200, catalogue.office_view(office, OfficeLoad(ratio=0.4, booked=4, capacity=10),
                                                              detail=True))
    page = catalogue._page([catalogue.service_view(service)], 3, 0, 1)
    check_shape(doc, "search_services", 200, page)
    offices = catalogue._page([catalogue.office_view(office)], 1, 0, 50)
    check_shape(doc, "list_offices", 200, offices)
    item_keys = keys_of(OfficeDetailOut)
    assert set(catalogue.office_view(office, detail=True)) == item_keys
    assert set(catalogue.office_view(office)) == keys_of(OfficeOut)
    slots = catalogue.free_slots(office.office_id, service.service_id, open_day(), NOW)
    assert slots["slots"], "the fixture day should have free slots"
    check_shape(doc, "office_slots", 200, slots)


def test_booking_views_match(doc, no_database, office, service, booking):
    view = bookings.booking_view(booking, office, service)
    check_shape(doc, "read_booking", 200, view)
    check_shape(doc, "cancel_booking", 200, {**view, "status": "CANCELLED"})
    check_shape(doc, "create_booking", 201, {**view, "access_code": "7K3M9QX2"})
    assert set(view) | {"access_code"} == keys_of(BookingCreatedOut)
    start = booking.start
    held = bookings.hold(HoldIn(office_id=office.office_id, service_id=service.service_id, start=start), NOW)
    check_shape(doc, "create_hold", 201, held)
    check_shape(doc, "todays_bookings", 200, office_day.day_list(office.office_id, start.date(), NOW))



@pytest.fixture
def remote_no_database(monkeypatch):
    service = Service("S0001", category="petitions", name_en="Petition filing", name_fa="ثبت دادخواست",
                          mode="remote_allowed", duration_min=30, tariff_rials=1_250_000, active=True)
    office = Office("OF-THR-0001", name_en="Office 1", name_fa="دفتر ۱", province="Tehran", province_fa="تهران",
                        city="Tehran", city_fa="تهران", lat=35.6, lon=51.3, counters=3, hours={}, deprived=False)
    monkeypatch.setattr(catalogue_store, "get_service", lambda service_id: service)
    monkeypatch.setattr(catalogue_store, "all_offices", lambda: {office.office_id: office})
    monkeypatch.setattr(partner_store, "get", lambda partner_id: None)


def item(status="RECEIVED", office_id=None, **extra) -> RemoteRequest:
    stamp = NOW.isoformat(timespec="seconds")
    deadline = remote.sla_deadline(NOW, 8)
    history = [{"at": stamp, "actor": "citizen", "from": None, "to": "RECEIVED"}]
    if status != "RECEIVED":
        history.append({"at": stamp, "actor": "operator:op-1", "from": "RECEIVED", "to": status, "office": office_id})
    return RemoteRequest(
        "RQ7K3M9QX2PL", service_id="S0001", status=status, source="citizen", citizen_key="k" * 32,
        national_id_masked="*******679", mobile="+989121234567", country="IR", time_zone="Asia/Tehran",
        description="درخواست", documents=[{"name": "a.pdf", "media_type": "application/pdf", "size": 4,
                                            "content_base64": "JVBERg=="}],
        preferred_office_id=None, office_id=office_id, access_code_hash="h" * 64, sla_deadline=deadline,
        accept_by=NOW if office_id else None, created_at=NOW, updated_at=NOW, history=history, **extra)


def test_request_views_match(doc, remote_no_database):
    view = remote_requests.request_view(item())
    check_shape(doc, "read_remote_request", 200, remote_requests.citizen_view(item()))
    rated = item("COMPLETED", "OF-THR-0001", rating={"score": 5, "comment": None, "at": NOW.isoformat(), "office_id": "x"})
    check_shape(doc, "rate_remote_request", 201, remote_requests.citizen_view(rated))
    invited = remote_requests.citizen_view(item("COMPLETED", "OF-THR-0001", rating_token="Q7M2K9XP"))
    assert invited["rating_invitation"]["token"] == "Q7M2K9XP"
    check_shape(doc, "read_remote_request", 200, invited)
    check_shape(doc, "create_remote_request", 201, {**view, "access_code": "7K3M9QX2"})
    assert set(view) | {"access_code"} == keys_of(RemoteRequestCreatedOut)
    assigned = remote_requests.office_view(item("ASSIGNED", "OF-THR-0001"))
    check_shape(doc, "pull_next_request", 200, assigned)
    check_shape(doc, "reject_remote_request", 200, remote_requests.office_view(
        item("REJECTED", "OF-THR-0001", reason="مدارک ناقص است")))
    assert set(assigned) == keys_of(OfficeRemoteRequestOut)


def test_office_work_list_matches(doc, remote_no_database, monkeypatch):
    from chalicelib.dal import request_store
    held = [item("IN_PROGRESS", "OF-THR-0001"), item("ASSIGNED", "OF-THR-0001")]
    monkeypatch.setattr(request_store, "in_hand", lambda office_id: held)
    listed = remote_requests.work_list("OF-THR-0001")
    assert [i["status"] for i in listed["items"]] == ["ASSIGNED", "IN_PROGRESS"]  # to start first, on top
    check_shape(doc, "office_work_list", 200, listed)
    offer = [{"office_id": "OF-THR-0002", "name_fa": "دفتر ۲", "name_en": "Office 2", "distance_km": 1.4,
              "slots": "/v1/offices/OF-THR-0002/slots?service=S0001"}]
    check_shape(doc, "send_request_in_person", 200, remote_requests.office_view(
        item("NEEDS_IN_PERSON", "OF-THR-0001", reason="اصل سند", in_person_offer=offer)))
    from_partner = remote_requests.partner_view(item(partner_id="call-1470", partner_ref="1470-CALL-1"))
    check_shape(doc, "partner_create_request", 201, from_partner)
    check_shape(doc, "partner_read_request", 200, from_partner)
    assert "national_id" not in from_partner and "mobile" not in from_partner
    counters = remote_requests.counters_view(OfficeCounters("OF-THR-0001", open=2, busy=1))
    check_shape(doc, "office_counters", 200, counters)


def test_partner_views_match(doc):
    stamp = NOW.isoformat(timespec="seconds")
    secret = PartnerSecret("sk_5f2b9c0a1d3e", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", stamp)
    p = Partner("call-1470", name="1470", kind="call_centre_1470", callback_url=None, quota_per_minute=120,
                secrets=(secret,), active=True, created_at=stamp, updated_at=stamp)
    view = partners.partner_view(p)
    check_shape(doc, "read_partner", 200, view)
    assert "whsec_" not in json.dumps(view)
    check_shape(doc, "upsert_partner", 201, {**view, "new_secret": {"id": secret.id, "secret": secret.secret}})



ROUTING_NOW = datetime(2026, 11, 24, 9, 30, tzinfo=calendar.TEHRAN)  # a Tuesday, offices open
ROUTING_HOURS = {d: [["08:00", "14:00"]] for d in ("sat", "sun", "mon", "tue", "wed")}


@pytest.fixture
def routing_no_database(monkeypatch):
    service = Service("S0001", category="petitions", name_en="Petition filing", name_fa="ثبت دادخواست",
                          mode="remote_allowed", duration_min=15, tariff_rials=500_000, active=True)
    offices = {o.office_id: o for o in (
        Office(f"OF-{n}", name_en=f"Office {n}", name_fa=f"دفتر {n}", province="Tehran", province_fa="تهران",
                   city="Tehran", city_fa="تهران", lat=35.7 + n / 100, lon=51.4, counters=2, hours=ROUTING_HOURS,
                   offered_categories=frozenset({"petitions"}), tier=n + 2, deprived=False)
        for n in range(3))}
    snapshot = LoadSnapshot(day=ROUTING_NOW.date(), at=ROUTING_NOW, queue_remote=4,
                            offices={o: OfficeLoad(open=2, busy=1, waiting=0, remote_claimed=0, booked=3) for o in offices})
    monkeypatch.setattr(catalogue_store, "get_service", lambda service_id: service)
    monkeypatch.setattr(catalogue_store, "all_offices", lambda: offices)
    monkeypatch.setattr(catalogue_store, "version", lambda: 0)
    monkeypatch.setattr(load_store, "snapshot", lambda: snapshot)
    monkeypatch.setattr(catalogue_store, "calendar_corrections", lambda: {})
    monkeypatch.setattr(config_store, "current", lambda name, cached=True: None)
    monkeypatch.setattr(config_store, "history", lambda name, limit=50: [])
    monkeypatch.setattr(accounts_store, "book_versions", lambda cached=True: [])  # the seed tariffs only
    monkeypatch.setattr(booking_store, "taken_seats", lambda office_id, day, now, consistent=False: {})
    monkeypatch.setattr(catalogue, "bookable_counters", lambda office, day: int(office.counters))
    router.reset_views()
    yield
    router.reset_views()


def test_suggestion_views_match(doc, routing_no_database):
    in_person = router.suggest("S0001", None, 35.7, 51.4, None, 3, ROUTING_NOW)
    assert [i["office"]["office_id"] for i in in_person["items"]][0] == "OF-2"  # best tier, all else alike
    check_shape(doc, "suggestions", 200, in_person)
    assert in_person["items"][0]["next_free_slot"]["at"] == "2026-11-25T08:00+03:30"  # tomorrow, at opening
    remote = router.suggest("S0001", "remote", None, None, None, 2, ROUTING_NOW)
    assert remote["network_option"]["office"] is None and len(remote["items"]) == 2
    check_shape(doc, "suggestions", 200, remote)
    for item in in_person["items"]:
        parts = (item["expected_wait_min"], item["expected_service_min"], item["quality_penalty_min"],
                 item["travel_min"])
        assert abs(sum(parts) - item["score_min"]) < 0.25  # each part rounded to 0.1


def test_routing_params_view_matches(doc, routing_no_database):
    check_shape(doc, "routing_params", 200, router.params_view())
