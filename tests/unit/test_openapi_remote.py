"""The remote-request, office-queue and partner routes against openapi.yaml: the views the code
really produces match the documented schemas, and problems over HTTP are documented. No database:
data-layer calls are replaced."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from chalice.test import Client

from app import app
from chalicelib.dal import catalogue_store, partner_store
from chalicelib.dal.models import PartnerItem, RemoteRequestItem
from chalicelib.domain import calendar, remote
from chalicelib.domain.catalogue import Office, Service
from chalicelib.services import partners, remote_requests
from tests.unit.test_openapi import PROBLEM_REF, assert_valid, check_shape, deref, documented_keys, op_of, response_ref

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=calendar.TEHRAN)


@pytest.fixture
def no_database(monkeypatch):
    service = Service("S0001", category="petitions", name_en="Petition filing", name_fa="ثبت دادخواست",
                          mode="remote_allowed", duration_min=30, tariff_rials=1_250_000, active=True)
    office = Office("OF-THR-0001", name_en="Office 1", name_fa="دفتر ۱", province="Tehran", province_fa="تهران",
                        city="Tehran", city_fa="تهران", lat=35.6, lon=51.3, counters=3, hours={}, deprived=False)
    monkeypatch.setattr(catalogue_store, "get_service", lambda service_id: service)
    monkeypatch.setattr(catalogue_store, "all_offices", lambda: {office.office_id: office})
    monkeypatch.setattr(partner_store, "get", lambda partner_id: None)


def item(status="RECEIVED", office_id=None, **extra) -> RemoteRequestItem:
    stamp = NOW.isoformat(timespec="seconds")
    deadline = remote.sla_deadline(NOW, 8)
    history = [{"at": stamp, "actor": "citizen", "from": None, "to": "RECEIVED"}]
    if status != "RECEIVED":
        history.append({"at": stamp, "actor": "operator:op-1", "from": "RECEIVED", "to": status, "office": office_id})
    return RemoteRequestItem(
        "RQ#RQ7K3M9QX2PL", "REQUEST", service_id="S0001", status=status, source="citizen", citizen_key="k" * 32,
        national_id_masked="*******679", mobile="+989121234567", country="IR", time_zone="Asia/Tehran",
        description="درخواست", documents=[{"name": "a.pdf", "media_type": "application/pdf", "size": 4,
                                            "content_base64": "JVBERg=="}],
        preferred_office_id=None, queue="Q#3", queue_sk=remote.queue_sort_key(deadline, "RQ7K3M9QX2PL"),
        office_id=office_id, access_code_hash="h" * 64, sla_deadline=deadline.isoformat(timespec="seconds"),
        accept_by=stamp if office_id else None, created_at=stamp, updated_at=stamp, history=history, **extra)


def test_request_views_match(doc, no_database):
    view = remote_requests.request_view(item())
    check_shape(doc, "read_remote_request", 200, remote_requests.citizen_view(item()))
    rated = item("COMPLETED", "OF-THR-0001", rating={"score": 5, "comment": None, "at": NOW.isoformat(), "office_id": "x"})
    check_shape(doc, "rate_remote_request", 201, remote_requests.citizen_view(rated))
    invited = remote_requests.citizen_view(item("COMPLETED", "OF-THR-0001", rating_token="Q7M2K9XP"))
    assert invited["rating_invitation"]["token"] == "Q7M2K9XP"
    check_shape(doc, "read_remote_request", 200, invited)
    check_shape(doc, "create_remote_request", 201, {**view, "access_code": "7K3M9QX2"})
    assert set(view) | {"access_code"} == documented_keys(doc, deref(doc, "#/components/schemas/RemoteRequestCreated"))
    assigned = remote_requests.office_view(item("ASSIGNED", "OF-THR-0001"))
    check_shape(doc, "pull_next_request", 200, assigned)
    check_shape(doc, "reject_remote_request", 200, remote_requests.office_view(
        item("REJECTED", "OF-THR-0001", reason="مدارک ناقص است")))
    assert set(assigned) == documented_keys(doc, deref(doc, "#/components/schemas/OfficeRemoteRequest"))


def test_office_work_list_matches(doc, no_database, monkeypatch):
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
    counters = remote_requests.counters_view("OF-THR-0001", type("C", (), {"open": 2, "busy": 1})())
    check_shape(doc, "office_counters", 200, counters)


def test_partner_views_match(doc):
    stamp = NOW.isoformat(timespec="seconds")
    secret = {"id": "sk_5f2b9c0a1d3e", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "created_at": stamp}
    p = PartnerItem("call-1470", name="1470", kind="call_centre_1470", callback_url=None, quota_per_minute=120,
                    secrets=[secret], active=True, created_at=stamp, updated_at=stamp)
    view = partners.partner_view(p)
    check_shape(doc, "read_partner", 200, view)
    assert "whsec_" not in json.dumps(view)
    check_shape(doc, "upsert_partner", 201, {**view, "new_secret": {"id": secret["id"], "secret": secret["secret"]}})


@pytest.fixture(scope="module")
def client():
    with Client(app) as c:
        yield c


CASES = [
    ("create_remote_request", "post", "/v1/requests", {"Content-Type": "application/json"}, b"{}", 400),
    ("create_remote_request", "post", "/v1/requests", {"Content-Type": "application/json",
                                                       "Idempotency-Key": "k" * 9}, b"{}", 422),
    ("partner_create_request", "post", "/v1/partners/call-1470/requests", {"Content-Type": "application/json"},
     b"{}", 401),
    ("partner_create_request", "post", "/v1/partners/call-1470/requests",
     {"Content-Type": "application/json", "webhook-id": "m", "webhook-timestamp": "1", "webhook-signature": "v1"},
     b"{}", 401),
    ("partner_read_request", "get", "/v1/partners/call-1470/requests/RQ7K3M9QX2PL", {}, b"", 401),
    ("pull_next_request", "post", "/v1/office/queue/next", {}, b"", 401),
    ("upsert_partner", "put", "/v1/admin/partners/call-1470", {"Content-Type": "application/json"}, b"{}", 401),
]


@pytest.mark.parametrize(("operation_id", "method", "url", "headers", "body", "status"), CASES,
                         ids=[f"{c[0]}-{c[5]}" for c in CASES])
def test_problems_over_http(doc, client, no_database, operation_id, method, url, headers, body, status):
    response = getattr(client.http, method)(url, headers=headers, body=body)
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    _, _, op = op_of(doc, operation_id)
    assert str(status) in op["responses"]
    payload = json.loads(response.body)
    assert_valid(doc, response_ref(doc, operation_id, status, "application/problem+json"), payload, operation_id)
    assert set(payload) <= documented_keys(doc, deref(doc, PROBLEM_REF))
    if status == 401:
        assert "WWW-Authenticate" in response.headers
