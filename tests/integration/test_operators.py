"""The operators registry on DynamoDB Local: who may keep it, Jalali/ISO dates, and expired
licences taking counters out of the slot listing and the booking path."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.domain import calendar
from chalicelib.errors import SlotFull
from chalicelib.schemas import BookingIn
from chalicelib.services import bookings, catalogue
from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.support import as_admin, as_operator

TODAY = calendar.now_tehran().date()
VALID = calendar.to_jalali(TODAY + timedelta(days=400))
EXPIRED = (TODAY - timedelta(days=3)).isoformat()


MANAGER_A = as_operator("OF-A", "mgr-a", manager=True)
OPERATOR_A = as_operator("OF-A", "op-a")
ADMIN = as_admin("assoc-1")


def operator(expiry: str = VALID, hours: int = 60, insured: bool = True) -> str:
    return json.dumps({"licence_number": "LC-۱۲۳۴۵۶", "licence_expiry": expiry, "training_hours": hours,
                       "insured": insured})


def test_manager_and_association_keep_the_registry(client):
    r = client.http.put("/v1/office/operators/U1", headers=MANAGER_A, body=operator())
    assert r.status_code == 200
    view = json.loads(r.body)
    assert view["licence_number"] == "LC-123456" and view["licence_expiry"]["jalali"] == VALID
    assert view["licence_valid"] and view["compliant"]
    r = client.http.put("/v1/admin/offices/OF-A/operators/U2", headers=ADMIN, body=operator(hours=10))
    assert r.status_code == 200 and json.loads(r.body)["compliant"] is False  # short of training hours
    registry = json.loads(client.http.get("/v1/office/operators", headers=MANAGER_A).body)
    assert [i["operator_id"] for i in registry["items"]] == ["U1", "U2"]
    assert (registry["operators"], registry["compliant"], registry["compliance_share"]) == (2, 1, 0.5)
    assert client.http.get("/v1/admin/offices/OF-A/operators", headers=ADMIN).status_code == 200
    assert client.http.delete("/v1/office/operators/U2", headers=MANAGER_A).status_code == 204
    assert client.http.delete("/v1/office/operators/U2", headers=MANAGER_A).status_code == 404


def test_only_the_manager_or_the_association(client):
    assert client.http.put("/v1/office/operators/U1", headers=OPERATOR_A, body=operator()).status_code == 403
    assert client.http.get("/v1/office/operators").status_code == 401
    assert client.http.put("/v1/admin/offices/OF-A/operators/U1", headers=MANAGER_A, body=operator()).status_code == 403
    assert client.http.put("/v1/admin/offices/NOPE/operators/U1", headers=ADMIN, body=operator()).status_code == 404


@pytest.mark.parametrize("body", [
    {"licence_number": "x", "licence_expiry": VALID, "training_hours": 1, "insured": True},
    {"licence_number": "LC-1", "licence_expiry": "1405/13/01", "training_hours": 1, "insured": True},
    {"licence_number": "LC-1", "licence_expiry": VALID, "training_hours": -1, "insured": True},
    {"licence_number": "LC-1", "licence_expiry": VALID, "training_hours": 1},
])
def test_bad_records_are_422_problems(client, body):
    r = client.http.put("/v1/office/operators/U1", headers=MANAGER_A, body=json.dumps(body))
    assert r.status_code == 422 and r.headers["Content-Type"] == "application/problem+json"
    assert json.loads(r.body)["errors"][0]["message_fa"]
    assert client.http.put("/v1/office/operators/bad%20id", headers=MANAGER_A, body=operator()).status_code == 422


def test_expired_licences_take_counters_out_of_slots_and_booking(client):
    day = next_open_day()
    # OF-A declares 3 counters; with operators registered, only licensed ones count
    for op_id, expiry in (("U1", VALID), ("U2", EXPIRED), ("U3", EXPIRED)):
        client.http.put(f"/v1/office/operators/{op_id}", headers=MANAGER_A, body=operator(expiry))
    slots = catalogue.free_slots("OF-A", "S0001", day)["slots"]
    assert slots and {s["free"] for s in slots} == {1}
    registry = json.loads(client.http.get("/v1/office/operators", headers=MANAGER_A).body)
    assert (registry["declared_counters"], registry["bookable_counters"]) == (3, 1)

    def book(n: int):
        return bookings.book(BookingIn(office_id="OF-A", service_id="S0001", start=at(day, "09:00").isoformat(),
                                            national_id=national_id(n), mobile=mobile(n)))
    book(1)
    with pytest.raises(SlotFull):  # the other two counters have no licensed operator
        book(2)
    client.http.put("/v1/office/operators/U2", headers=MANAGER_A, body=operator(VALID))  # licence renewed
    assert book(3)["counter"] == 2


def test_the_registry_shows_the_days_lapsing_licences_cut_the_counters(client):
    soon = TODAY + timedelta(days=20)
    for op_id, expiry in (("U1", VALID), ("U2", soon.isoformat()), ("U3", soon.isoformat())):
        assert client.http.put(f"/v1/office/operators/{op_id}", headers=MANAGER_A,
                               body=operator(expiry)).status_code == 200
    registry = json.loads(client.http.get("/v1/office/operators", headers=MANAGER_A).body)
    lapse = soon + timedelta(days=1)
    assert registry["bookable_counters"] == 3 and registry["capacity_horizon_days"] == 90
    assert registry["capacity_changes"] == [{"date": lapse.isoformat(), "jalali": calendar.to_jalali(lapse),
                                             "operator_ids": ["U2", "U3"], "counters_before": 3,
                                             "counters_after": 1}]
    client.http.put("/v1/office/operators/U3", headers=MANAGER_A, body=operator(VALID))  # renewed
    registry = json.loads(client.http.get("/v1/office/operators", headers=MANAGER_A).body)
    assert [(c["operator_ids"], c["counters_after"]) for c in registry["capacity_changes"]] == [(["U2"], 2)]


def test_an_office_with_no_registered_operator_keeps_its_declared_counters(client):
    day = next_open_day()
    assert {s["free"] for s in catalogue.free_slots("OF-C", "S0001", day)["slots"]} == {6}


def test_outputs_match_the_contract(client):
    import yaml

    from tests.unit.test_contract import DOC_PATH, check_shape
    doc = yaml.safe_load(DOC_PATH.read_text(encoding="utf-8"))
    r = client.http.put("/v1/admin/offices/OF-B/operators/U9", headers=ADMIN, body=operator(EXPIRED, insured=False))
    check_shape(doc, "register_operator", 200, json.loads(r.body))
    check_shape(doc, "list_operators", 200, json.loads(client.http.get("/v1/admin/offices/OF-B/operators",
                                                                       headers=ADMIN).body))
    empty = json.loads(client.http.get("/v1/office/operators", headers=MANAGER_A).body)
    check_shape(doc, "list_office_operators", 200, empty)
    assert (empty["bookable_counters"], empty["compliance_share"]) == (3, None)
