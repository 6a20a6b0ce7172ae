"""The operators registry's contract, on the in-memory fake and on DynamoDB Local."""
from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest

from chalicelib.domain.ranking_live import OperatorRecord
from tests.fakes.operators import FakeOperatorStore


@pytest.fixture(params=["fake", "dynamodb"])
def store(request):
    if request.param == "fake":
        return FakeOperatorStore()
    request.getfixturevalue("tables")
    from chalicelib.dal import operator_store
    return operator_store


@pytest.fixture()
def office() -> str:
    return f"OF-{uuid.uuid4().hex[:8]}"  # offices of its own: the table is shared with other tests


def record(office_id: str, operator_id: str, expiry: date = date(2027, 3, 1), **changes) -> OperatorRecord:
    rec = OperatorRecord(operator_id, office_id, "LC-123456", expiry, 40, True, "2026-11-24T10:00:00+03:30",
                         "manager:mgr-1")
    return replace(rec, **changes)


def test_a_record_reads_back_as_it_was_saved(store, office):
    saved = record(office, "U1")
    store.save(saved)
    assert store.get(office, "U1") == saved
    assert store.get(office, "U2") is None
    assert store.office_operators(office) == [saved]


def test_saving_again_replaces_the_record(store, office):
    store.save(record(office, "U1"))
    store.save(record(office, "U1", training_hours=80, insured=False, updated_by="association:a-1"))
    found = store.office_operators(office)
    assert len(found) == 1 and (found[0].training_hours, found[0].insured, found[0].updated_by) == (
        80, False, "association:a-1")


def test_an_office_lists_its_own_operators_by_id_and_their_licences(store, office):
    other = office + "-X"
    store.save_all([record(office, "U3", date(2026, 1, 1)), record(office, "U1", date(2028, 1, 1)),
                    record(other, "U2", date(2027, 1, 1))])
    assert [r.operator_id for r in store.office_operators(office)] == ["U1", "U3"]
    assert store.licence_expiries(office, fresh=True) == (date(2026, 1, 1), date(2028, 1, 1))
    assert store.licence_expiries(office + "-none", fresh=True) == ()
    registry = store.all_operators()
    assert [r.operator_id for r in registry[office]] == ["U1", "U3"]
    assert [r.operator_id for r in registry[other]] == ["U2"]


def test_delete_says_whether_there_was_a_record(store, office):
    store.save(record(office, "U1"))
    assert store.delete(office, "U1") is True
    assert store.delete(office, "U1") is False
    assert store.get(office, "U1") is None and store.office_operators(office) == []


def test_licences_are_read_afresh_after_a_change(store, office):
    store.save(record(office, "U1", date(2027, 1, 1)))
    assert store.licence_expiries(office) == (date(2027, 1, 1),)
    store.save(record(office, "U2", date(2026, 6, 1)))
    assert store.licence_expiries(office) == (date(2026, 6, 1), date(2027, 1, 1))
    store.delete(office, "U1")
    assert store.licence_expiries(office) == (date(2026, 6, 1),)
