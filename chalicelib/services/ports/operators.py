"""The operators registry: an office's operators, their licences, training and insurance."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from chalicelib.domain.ranking_live import OperatorRecord


class OperatorStore(Protocol):
    def office_operators(self, office_id: str) -> list[OperatorRecord]:
        """The office's operators, by operator id."""

    def get(self, office_id: str, operator_id: str) -> OperatorRecord | None: ...

    def save(self, record: OperatorRecord) -> None:
        """Create or replace the record (the office's licences are read afresh next time)."""

    def save_all(self, records: Iterable[OperatorRecord]) -> int:
        """Bulk load (the demo seed); returns how many."""

    def delete(self, office_id: str, operator_id: str) -> bool:
        """False when no such operator was registered."""

    def licence_expiries(self, office_id: str, *, fresh: bool = False) -> tuple[date, ...]:
        """Each registered operator's licence expiry, sorted (empty: none registered). Kept per
        container for a short time; `fresh=True` reads now and keeps that for the next callers."""

    def all_operators(self) -> dict[str, list[OperatorRecord]]:
        """office_id -> its operators (the ranking reads the whole registry once per run)."""
