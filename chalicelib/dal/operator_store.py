"""The operators registry (table `operators`: pk office_id, sk operator_id). The booking path
asks only for an office's licence expiries, cached per container like the catalogue."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pynamodb.exceptions import DeleteError, DoesNotExist

from chalicelib.dal import catalogue_store
from chalicelib.dal.db import unavailable_guard
from chalicelib.dal.models import OperatorItem
from chalicelib.domain.ranking_live import OperatorRecord


def record(item: OperatorItem) -> OperatorRecord:
    return OperatorRecord(item.operator_id, item.office_id, item.licence_number, date.fromisoformat(item.licence_expiry),
                          int(item.training_hours), bool(item.insured))


@unavailable_guard
def office_operators(office_id: str) -> list[OperatorItem]:
    return list(OperatorItem.query(office_id))


@unavailable_guard
def licence_expiries(office_id: str) -> tuple[date, ...]:
    """The licence expiry of each registered operator of the office (empty: none registered).
    Cached for CATALOGUE_CACHE_SECONDS: one Query per office per container and period."""
    def read():
        return tuple(sorted(date.fromisoformat(i.licence_expiry)
                            for i in OperatorItem.query(office_id, attributes_to_get=["licence_expiry"])))
    return catalogue_store.cached(f"licences:{office_id}", read)


@unavailable_guard
def get(office_id: str, operator_id: str) -> OperatorItem | None:
    try:
        return OperatorItem.get(office_id, operator_id, consistent_read=True)
    except DoesNotExist:
        return None


@unavailable_guard
def save(item: OperatorItem) -> None:
    item.save()
    catalogue_store.forget(f"licences:{item.office_id}")


@unavailable_guard
def save_all(items: Iterable[OperatorItem]) -> int:
    """Bulk load (the demo seed)."""
    count = 0
    with OperatorItem.batch_write() as writer:
        for item in items:
            writer.save(item)
            count += 1
    return count


@unavailable_guard
def delete(office_id: str, operator_id: str) -> bool:
    try:
        OperatorItem(office_id, operator_id).delete(condition=OperatorItem.operator_id.exists())
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    finally:
        catalogue_store.forget(f"licences:{office_id}")
    return True


@unavailable_guard
def all_operators() -> dict[str, list[OperatorRecord]]:
    """office_id -> its operators: one paginated Scan (the registry is O(offices))."""
    out: dict[str, list[OperatorRecord]] = {}
    for item in OperatorItem.scan():
        out.setdefault(item.office_id, []).append(record(item))
    return out
