"""The ranking's data: monthly aggregates folded once per event, and the one published ranking
of each month with its per-office rows."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from chalicelib.domain.ranking_live import Delta, MonthAggregate, OncePerCitizen, RankingRow, RankingSnapshot


class RankingStore(Protocol):
    def fold(self, source: str, event_id: str, deltas: Iterable[Delta], now: datetime, keep_days: int, *,
             once_per: OncePerCitizen | None = None) -> bool:
        """Add one event's deltas exactly once (per `source` and `event_id`, remembered `keep_days`);
        False if it was folded before, or `once_per` already counted one, or an inspection is
        older than the one recorded for its month."""

    def period_aggregates(self, period: str) -> dict[str, MonthAggregate]:
        """office_id -> its aggregate of the month."""

    def snapshot(self, period: str) -> RankingSnapshot | None: ...

    def snapshots(self, before: str | None = None, limit: int = 24) -> list[RankingSnapshot]:
        """Published snapshots, newest first (only those of periods before `before`, if given)."""

    def rows(self, snapshot: RankingSnapshot, *, cached: bool = False) -> dict[str, RankingRow]:
        """office_id -> its row of the snapshot (rows never change once published)."""

    def office_rows(self, snapshots: Sequence[RankingSnapshot], office_id: str) -> dict[str, RankingRow]:
        """period -> the office's row, for each snapshot it has one in."""

    def publish(self, snapshot: RankingSnapshot, rows: Sequence[RankingRow]) -> tuple[RankingSnapshot, bool]:
        """Publish the month's ranking once: (the month's snapshot, True) if this call published
        it, (the one published before, False) otherwise; a loser's rows leave no trace."""

    def set_tier(self, office_id: str, tier: int) -> None:
        """The office's published tier (the catalogue's office shows it)."""
