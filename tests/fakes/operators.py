"""In-memory operators registry (ports.operators.OperatorStore)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from chalicelib.domain.ranking_live import OperatorRecord


class FakeOperatorStore:
    def __init__(self, records: Iterable[OperatorRecord] = ()) -> None:
        self.records: dict[tuple[str, str], OperatorRecord] = {}
        self.save_all(records)

    def office_operators(self, office_id: str) -> list[OperatorRecord]:
        return [r for (o, _), r in sorted(self.records.items()) if o == office_id]

    def get(self, office_id: str, operator_id: str) -> OperatorRecord | None:
        return self.records.get((office_id, operator_id))

    def save(self, record: OperatorRecord) -> None:
        self.records[(record.office_id, record.operator_id)] = record

    def save_all(self, records: Iterable[OperatorRecord]) -> int:
        count = 0
        for record in records:
            self.save(record)
            count += 1
        return count

    def delete(self, office_id: str, operator_id: str) -> bool:
        return self.records.pop((office_id, operator_id), None) is not None

    def licence_expiries(self, office_id: str, *, fresh: bool = False) -> tuple[date, ...]:
        return tuple(sorted(r.licence_expiry for r in self.office_operators(office_id)))

    def all_operators(self) -> dict[str, list[OperatorRecord]]:
        out: dict[str, list[OperatorRecord]] = {}
        for (office_id, _), record in sorted(self.records.items()):
            out.setdefault(office_id, []).append(record)
        return out
