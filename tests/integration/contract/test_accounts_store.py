"""The accounts store's contract (tariff book, fee records, totals, receipts, proposals), on the
in-memory fake and on DynamoDB Local."""
from __future__ import annotations

import threading
from datetime import date, datetime

import pytest

from chalicelib.domain import calendar
from chalicelib.domain import tariffs as t
from chalicelib.domain.config import StaleVersion
from chalicelib.errors import TxConditionFailed
from tests.fakes.accounts import FakeAccountsStore

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=calendar.TEHRAN)
LINE = t.TariffLine(100_000, 500_000, 450_000)


@pytest.fixture(params=["fake", "dynamodb"])
def store(request):
    if request.param == "fake":
        yield FakeAccountsStore()
        return
    request.getfixturevalue("network")  # an empty accounts table
    from chalicelib.dal import accounts_store
    accounts_store.forget_cache()
    yield accounts_store
    accounts_store.forget_cache()


def version(number: int, effective: date = date(2026, 12, 1), **lines: t.TariffLine) -> t.BookVersion:
    return t.BookVersion(number, effective, lines or {"S0001": LINE}, "admin-1", NOW.isoformat(), "test")


def fee(key: str, office: str = "OF-A", period: str = "1405-09", line: t.TariffLine = LINE,
        service: str = "S0001") -> t.FeeRecord:
    return t.fee_record(key, office_id=office, province="Tehran", service_id=service, tariff=None, version=2,
                        line=line, channel="web", period=period, at=NOW, subject=key.split(":")[1],
                        actor="operator:op-1")


def test_the_book_starts_empty_and_versions_follow_the_head(store):
    assert store.book_head(cached=False) == 0 and store.book_versions(cached=False) == []
    assert store.adopt_versions([version(1), version(2, S0002=t.TariffLine(0, 1, 1))], 0) == 2
    assert store.book_head(cached=False) == 2
    got = store.book_versions(cached=False)
    assert [(v.number, v.effective_from, dict(v.lines)) for v in got] == [
        (1, date(2026, 12, 1), {"S0001": LINE}), (2, date(2026, 12, 1), {"S0002": t.TariffLine(0, 1, 1)})]
    with pytest.raises(StaleVersion):
        store.adopt_versions([version(2)], 1)
    with pytest.raises(ValueError):
        store.adopt_versions([version(5)], 2)
    assert store.book_head(cached=False) == 2


def test_two_admins_adopting_at_once_make_one_version(store):
    store.adopt_versions([version(1)], 0)
    barrier, won, lost = threading.Barrier(4), [], []

    def adopt(n: int) -> None:
        barrier.wait()
        try:
            store.adopt_versions([version(2, S0003=t.TariffLine(0, n, n))], 1)
            won.append(n)
        except StaleVersion:
            lost.append(n)

    threads = [threading.Thread(target=adopt, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(won) == 1 and len(lost) == 3
    assert store.book_head(cached=False) == 2
    assert store.book_versions(cached=False)[1].lines["S0003"].office_rials == won[0]


def test_a_fee_is_recorded_once_with_its_receipt_totals_and_volume(store):
    first = fee("booking:BK1")
    store.record_fee(first, access_code_hash="h", citizen_key="ck")
    with pytest.raises(TxConditionFailed) as err:
        store.record_fee(first, access_code_hash="h", citizen_key="ck")
    assert err.value.labels == {"fee"}
    store.record_fee(fee("booking:BK2", service="S0002"), access_code_hash=None, citizen_key="ck2")
    store.record_fee(fee("request:RQ1", office="OF-B"), access_code_hash=None, citizen_key="ck3")
    assert [r.record_key for r in store.office_records("OF-A", "1405-09")] == ["booking:BK1", "booking:BK2"]
    assert store.office_records("OF-A", "1405-08") == []
    totals = store.month_totals("1405-09")
    assert totals["OF-A"].amounts() == (2, 200_000, 1_000_000, 900_000)
    assert totals["OF-B"].amounts() == (1, 100_000, 500_000, 450_000) and totals["OF-B"].province == "Tehran"
    assert sorted((v.office_id, v.service_id, v.count) for v in store.month_volumes("1405-09")) == [
        ("OF-A", "S0001", 1), ("OF-A", "S0002", 1), ("OF-B", "S0001", 1)]
    receipt = store.get_receipt(first.receipt_id)
    assert (receipt.record, receipt.access_code_hash, receipt.citizen_key, receipt.adjusted_rials) == (
        first, "h", "ck", 0)
    assert store.get_receipt("RC2345678923") is None


def test_adjustments_are_new_records_guarded_by_the_receipt_read(store):
    first = fee("booking:BK1")
    store.record_fee(first, access_code_hash="h", citizen_key="ck")
    receipt = store.get_receipt(first.receipt_id)
    refund = t.adjustment(first, "REF-1", t.REFUND, -100_000, -500_000, -450_000, "1405-10", NOW, "admin-1",
                          "refund", receipt.adjusted_rials)
    store.record_adjustment(refund, receipt)
    with pytest.raises(TxConditionFailed) as err:
        store.record_adjustment(refund, receipt)  # the same reference, and the receipt moved
    assert err.value.labels == {"duplicate", "receipt"}
    assert store.get_receipt(first.receipt_id).adjusted_rials == -600_000
    assert store.month_totals("1405-10")["OF-A"].amounts() == (0, -100_000, -500_000, -450_000)
    assert store.month_totals("1405-09")["OF-A"].amounts() == (1, 100_000, 500_000, 450_000)  # never edited
    assert [r.kind for r in store.office_records("OF-A", "1405-10")] == ["refund"]


def test_proposals_are_kept_and_adopted_once(store):
    store.save_proposal("TP1", {"rules": []}, "admin-1", NOW)
    assert store.get_proposal("TP1") == {"document": {"rules": []}, "created_by": "admin-1",
                                         "created_at": NOW.isoformat(timespec="seconds"), "adopted_version": None}
    assert store.adopt_versions([version(1)], 0, proposal_id="TP1") == 1
    assert store.get_proposal("TP1")["adopted_version"] == 1
    with pytest.raises(StaleVersion):
        store.adopt_versions([version(2)], 1, proposal_id="TP1")
    assert store.book_head(cached=False) == 1
