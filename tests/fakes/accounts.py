"""In-memory accounts (ports.accounts.AccountsStore): the same conditions as the DynamoDB store."""
from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from chalicelib.domain.config import StaleVersion
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.tariffs import FEE, BookVersion, FeeRecord, FeeTotals, Receipt, Volume
from chalicelib.errors import TxConditionFailed


class FakeAccountsStore:
    def __init__(self, outbox: list | None = None) -> None:
        self.versions: list[BookVersion] = []
        self.records: dict[tuple[str, str], dict[str, FeeRecord]] = {}  # (office, month) -> key -> record
        self.totals: dict[str, dict[str, FeeTotals]] = {}
        self.volumes: dict[str, dict[tuple[str, str], int]] = {}
        self.receipts: dict[str, Receipt] = {}
        self.proposals: dict[str, dict] = {}
        self.outbox = outbox if outbox is not None else []
        self._lock = threading.RLock()

    def book_head(self, *, cached: bool = True) -> int:
        return len(self.versions)

    def book_versions(self, *, cached: bool = True) -> list[BookVersion]:
        return list(self.versions)

    def adopt_versions(self, versions: Sequence[BookVersion], expected: int, *, proposal_id: str | None = None) -> int:
        with self._lock:
            if not versions or [v.number for v in versions] != list(range(expected + 1, expected + 1 + len(versions))):
                raise ValueError("versions must follow the head in order")
            if len(self.versions) != expected:
                raise StaleVersion("tariffs")
            if proposal_id is not None:
                found = self.proposals.get(proposal_id)
                if found is None or found["adopted_version"] is not None:
                    raise StaleVersion("tariffs")
                found["adopted_version"] = versions[-1].number
            self.versions.extend(versions)
            return versions[-1].number

    def forget_cache(self) -> None:
        pass

    def _count(self, r: FeeRecord) -> None:
        month = self.totals.setdefault(r.period, {})
        month[r.office_id] = month.get(r.office_id, FeeTotals(r.office_id)).plus(r)
        if r.kind == FEE:
            vol = self.volumes.setdefault(r.period, {})
            vol[(r.office_id, r.service_id)] = vol.get((r.office_id, r.service_id), 0) + 1

    def check_fee(self, record: FeeRecord) -> set[str]:
        """The labels a fee write would fail on now (for stores writing it in their own transaction)."""
        taken = record.record_key in self.records.get((record.office_id, record.period), {})
        return {"fee"} if taken or record.receipt_id in self.receipts else set()

    def apply_fee(self, record: FeeRecord, access_code_hash: str | None, citizen_key: str | None,
                  messages: Sequence[OutboxMessage] = ()) -> None:
        with self._lock:
            self.records.setdefault((record.office_id, record.period), {})[record.record_key] = record
            self.receipts[record.receipt_id] = Receipt(record.receipt_id, record, access_code_hash, citizen_key)
            self._count(record)
            self.outbox.extend(messages)

    def record_fee(self, record: FeeRecord, *, access_code_hash: str | None, citizen_key: str | None,
                   messages: Sequence[OutboxMessage] = ()) -> None:
        with self._lock:
            failed = self.check_fee(record)
            if failed:
                raise TxConditionFailed(failed)
            self.apply_fee(record, access_code_hash, citizen_key, messages)

    def record_adjustment(self, record: FeeRecord, receipt: Receipt) -> None:
        with self._lock:
            failed = set()
            if record.record_key in self.records.get((record.office_id, record.period), {}):
                failed.add("duplicate")
            stored = self.receipts.get(receipt.receipt_id)
            if stored is None or stored.adjusted_rials != receipt.adjusted_rials:
                failed.add("receipt")
            if failed:
                raise TxConditionFailed(failed)
            self.records.setdefault((record.office_id, record.period), {})[record.record_key] = record
            self._count(record)
            self.receipts[receipt.receipt_id] = replace(stored, adjusted_rials=stored.adjusted_rials
                                                        + record.total_rials)

    def get_receipt(self, receipt_id: str) -> Receipt | None:
        return self.receipts.get(receipt_id)

    def office_records(self, office_id: str, period: str) -> list[FeeRecord]:
        found = self.records.get((office_id, period), {})
        return [found[k] for k in sorted(found)]

    def month_totals(self, period: str) -> dict[str, FeeTotals]:
        return dict(self.totals.get(period, {}))

    def month_volumes(self, period: str) -> list[Volume]:
        return [Volume(period, o, s, n) for (o, s), n in sorted(self.volumes.get(period, {}).items())]

    def save_proposal(self, proposal_id: str, document: dict, actor: str, now: datetime) -> None:
        with self._lock:
            if proposal_id in self.proposals:
                raise TxConditionFailed({"proposal"})
            self.proposals[proposal_id] = {"document": document, "created_by": actor,
                                           "created_at": now.isoformat(timespec="seconds"), "adopted_version": None}

    def get_proposal(self, proposal_id: str) -> dict | None:
        found = self.proposals.get(proposal_id)
        return dict(found) if found else None
