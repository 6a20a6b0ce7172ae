"""The operators registry's use cases on the in-memory fakes, and the registry's effect on the
counters open to bookings."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.errors import NotFound
from chalicelib.schemas import OperatorIn
from chalicelib.services import catalogue, operators
from tests.unit.services.network import NOW, fake_network, office

VALID, EXPIRED = NOW.date() + timedelta(days=400), NOW.date() - timedelta(days=3)


def body(expiry: date = VALID, hours: int = 60, insured: bool = True) -> OperatorIn:
    return OperatorIn(licence_number="LC-123456", licence_expiry=expiry.isoformat(), training_hours=hours,
                      insured=insured)


def test_a_registered_operator_is_listed_with_its_compliance():
    with fake_network([office("OF-A", counters=3)]) as fakes:
        view = operators.register("OF-A", "U1", body(), "manager:mgr-a", NOW)
        operators.register("OF-A", "U2", body(hours=10), "association:a-1", NOW)  # short of training
        operators.register("OF-A", "U0", body(insured=False), "association:a-1", NOW)
        registry = operators.office_registry("OF-A", NOW)
        saved = fakes["operators"].get("OF-A", "U1")
    assert (view["licence_valid"], view["compliant"], view["updated_at"]) == (True, True, "2026-11-24T09:00:00+03:30")
    assert view["licence_expiry"]["date"] == VALID.isoformat()
    assert (saved.updated_by, saved.licence_expiry) == ("manager:mgr-a", VALID)
    assert [i["operator_id"] for i in registry["items"]] == ["U0", "U1", "U2"]
    assert (registry["operators"], registry["compliant"], registry["compliance_share"]) == (3, 1, 0.3333)
    assert (registry["declared_counters"], registry["bookable_counters"]) == (3, 3)


def test_expired_licences_take_counters_out_of_booking():
    with fake_network([office("OF-A", counters=3), office("OF-C", counters=6)]):
        for operator_id, expiry in (("U1", VALID), ("U2", EXPIRED), ("U3", EXPIRED)):
            operators.register("OF-A", operator_id, body(expiry), "manager:mgr-a", NOW)
        registry = operators.office_registry("OF-A", NOW)
        slots = catalogue.free_slots("OF-A", "S-SANA", NOW.date() + timedelta(days=1), NOW)["slots"]
        unregistered = catalogue.bookable_counters(catalogue.get_office("OF-C"), NOW.date())
        operators.register("OF-A", "U2", body(VALID), "manager:mgr-a", NOW)  # licence renewed
        renewed = catalogue.bookable_counters(catalogue.get_office("OF-A"), NOW.date())
    assert (registry["bookable_counters"], registry["compliant"]) == (1, 1)
    assert slots and {s["free"] for s in slots} == {1}
    assert unregistered == 6  # an office with no registry keeps its declared counters
    assert renewed == 2


def test_removing_an_operator_and_unknown_offices():
    with fake_network([office("OF-A")]) as fakes:
        operators.register("OF-A", "U1", body(), "manager:mgr-a", NOW)
        operators.remove("OF-A", "U1")
        assert fakes["operators"].office_operators("OF-A") == []
        with pytest.raises(NotFound):
            operators.remove("OF-A", "U1")
        with pytest.raises(NotFound):
            operators.register("OF-NOPE", "U1", body(), "association:a-1", NOW)
        with pytest.raises(NotFound):
            operators.office_registry("OF-NOPE", NOW)
        assert operators.office_registry("OF-A", NOW)["compliance_share"] is None
