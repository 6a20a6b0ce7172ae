"""The operators registry (table `operators`: pk office_id, sk operator_id). The booking path
asks only for an office's licence expiries, cached per container under the "licences" stamp
(catalogue_store.cached): every write here moves it, in the write's own transaction."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pynamodb.exceptions import DoesNotExist

from chalicelib.dal import catalogue_store
from chalicelib.dal.db import Tx, TxConditionFailed, unavailable_guard
from chalicelib.dal.models import OperatorItem
from chalicelib.domain.ranking_live import OperatorRecord


def record(item: OperatorItem) -> OperatorRecord:
    return OperatorRecord(item.operator_id, item.office_id, item.licence_number, date.fromisoformat(item.licence_expiry),
                          int(item.training_hours), bool(item.insured), item.updated_at, item.updated_by)


def _item(record: OperatorRecord) -> OperatorItem:
    return OperatorItem(record.office_id, record.operator_id, licence_number=record.licence_number,
                        licence_expiry=record.licence_expiry.isoformat(), training_hours=record.training_hours,
                        insured=record.insured, updated_at=record.updated_at or "", updated_by=record.updated_by or "")


@unavailable_guard
def office_operators(office_id: str) -> list[OperatorRecord]:
    """The office's operators, by operator id (the sort key)."""
    return [record(i) for i in OperatorItem.query(office_id)]


@unavailable_guard
def licence_expiries(office_id: str, *, fresh: bool = False) -> tuple[date, ...]:
    """The licence expiry of each registered operator of the office (empty: none registered).
    Cached for CATALOGUE_CACHE_SECONDS: one Query per office per container and period; `fresh`
    reads now and keeps that for the next callers."""
    def read():
        return tuple(sorted(date.fromisoformat(i.licence_expiry)
                            for i in OperatorItem.query(office_id, attributes_to_get=["licence_expiry"])))
    if fresh:
        catalogue_store.forget(f"licences:{office_id}")
    return catalogue_store.cached(f"licences:{office_id}", read, kind="licences")


@unavailable_guard
def get(office_id: str, operator_id: str) -> OperatorRecord | None:
    try:
        return record(OperatorItem.get(office_id, operator_id, consistent_read=True))
    except DoesNotExist:
        return None


@unavailable_guard
def save(record: OperatorRecord) -> None:
    """Create or replace the operator's record."""
    tx = Tx()
    tx.put("operator", _item(record))
    catalogue_store.commit_stamped(tx, "licences", f"licences:{record.office_id}")


@unavailable_guard
def save_all(records: Iterable[OperatorRecord]) -> int:
    """Bulk load (the demo seed): batches, then the "licences" stamp moved once (a load cut short
    before it is seen elsewhere when the next write of licences moves it; run it again)."""
    count = 0
    with OperatorItem.batch_write() as writer:
        for rec in records:
            writer.save(_item(rec))
            count += 1
            catalogue_store.forget(f"licences:{rec.office_id}")
    catalogue_store.move_stamps_now("licences")
    return count


@unavailable_guard
def delete(office_id: str, operator_id: str) -> bool:
    tx = Tx()
    tx.delete("operator", OperatorItem(office_id, operator_id), condition=OperatorItem.operator_id.exists(),
              versioned=False)
    try:
        catalogue_store.commit_stamped(tx, "licences", f"licences:{office_id}")
    except TxConditionFailed:
        return False
    return True


@unavailable_guard
def all_operators() -> dict[str, list[OperatorRecord]]:
    """office_id -> its operators: one paginated Scan (the registry is O(offices))."""
    out: dict[str, list[OperatorRecord]] = {}
    for item in OperatorItem.scan():
        out.setdefault(item.office_id, []).append(record(item))
    return out
