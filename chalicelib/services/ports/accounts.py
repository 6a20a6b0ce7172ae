"""The association's accounts: the versioned tariff book, fee records with their monthly totals
and volumes, receipts, tariff proposals."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.tariffs import BookVersion, FeeRecord, FeeTotals, Receipt, Volume


class AccountsStore(Protocol):
    def book_head(self, *, cached: bool = True) -> int:
        """The tariff book's latest version number (0: nothing written, the seed is implied)."""

    def book_versions(self, *, cached: bool = True) -> list[BookVersion]:
        """Every adopted version, oldest first."""

    def adopt_versions(self, versions: Sequence[BookVersion], expected: int, *, proposal_id: str | None = None) -> int:
        """Adopt `versions` (numbered from expected + 1) over head `expected`, marking `proposal_id`
        adopted if given; `StaleVersion` when the head moved or the proposal was adopted already."""

    def forget_cache(self) -> None: ...

    def record_fee(self, record: FeeRecord, *, access_code_hash: str | None, citizen_key: str | None,
                   messages: Sequence[OutboxMessage] = ()) -> None:
        """The fee, its receipt, totals and volumes at once; `TxConditionFailed({'fee'})` when the
        delivered item already has its fee."""

    def record_adjustment(self, record: FeeRecord, receipt: Receipt) -> None:
        """A refund or correction of `receipt` as read; labels `duplicate` (the reference was
        used) and `receipt` (adjusted meanwhile)."""

    def get_receipt(self, receipt_id: str) -> Receipt | None: ...

    def office_records(self, office_id: str, period: str) -> list[FeeRecord]:
        """The office's records of the month (fees and adjustments), by record key."""

    def month_totals(self, period: str) -> dict[str, FeeTotals]: ...

    def month_volumes(self, period: str) -> list[Volume]: ...

    def save_proposal(self, proposal_id: str, document: dict, actor: str, now: datetime) -> None: ...

    def get_proposal(self, proposal_id: str) -> dict | None: ...
