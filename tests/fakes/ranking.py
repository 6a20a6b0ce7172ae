"""In-memory ranking data (ports.ranking.RankingStore): aggregates folded once per event, one
snapshot per month. `set_tier` writes through to the catalogue fake it is given."""
from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from chalicelib.domain.ranking_live import Delta, MonthAggregate, OncePerCitizen, RankingRow, RankingSnapshot


class FakeRankingStore:
    def __init__(self, catalogue=None) -> None:
        self.catalogue = catalogue
        self.aggregates: dict[str, dict[str, MonthAggregate]] = {}  # period -> office -> aggregate
        self.inspected_on: dict[tuple[str, str], str] = {}  # (period, office) -> ISO date of the latest inspection
        self.seen: set[object] = set()  # events folded (the table's markers outlive their TTL until deleted)
        self.heads: dict[str, RankingSnapshot] = {}
        self.row_sets: dict[tuple[str, str], dict[str, RankingRow]] = {}  # (period, fingerprint) -> rows
        self._lock = threading.Lock()  # the table's conditional writes are atomic; so are these

    def fold(self, source: str, event_id: str, deltas: Iterable[Delta], now: datetime, keep_days: int, *,
             once_per: OncePerCitizen | None = None) -> bool:
        with self._lock:
            return self._fold(source, event_id, deltas, once_per)

    def _fold(self, source: str, event_id: str, deltas: Iterable[Delta], once_per: OncePerCitizen | None) -> bool:
        merged: dict[tuple[str, str], Delta] = {}
        for d in deltas:
            prev = merged.get((d.office_id, d.period))
            merged[(d.office_id, d.period)] = d if prev is None else Delta(d.office_id, d.period, {
                k: prev.counts.get(k, 0) + d.counts.get(k, 0) for k in {*prev.counts, *d.counts}},
                d.inspection or prev.inspection)
        if not merged:
            return False
        markers = [(source, event_id)] + ([once_per] if once_per else [])
        if any(m in self.seen for m in markers):
            return False
        for d in merged.values():  # an older inspection than the one recorded cancels the whole event
            if d.inspection is not None and self.inspected_on.get((d.period, d.office_id), "") > d.inspection[0]:
                return False
        self.seen.update(markers)
        for d in merged.values():
            month = self.aggregates.setdefault(d.period, {})
            agg = month.get(d.office_id) or MonthAggregate(d.office_id)
            counts = dict(agg.counts)
            for k, v in d.counts.items():
                counts[k] = counts.get(k, 0) + int(v)
            inspection = agg.inspection
            if d.inspection is not None:
                self.inspected_on[(d.period, d.office_id)] = d.inspection[0]
                inspection = float(d.inspection[1])
            month[d.office_id] = MonthAggregate(d.office_id, counts, inspection)
        return True

    def period_aggregates(self, period: str) -> dict[str, MonthAggregate]:
        return dict(self.aggregates.get(period, {}))

    def snapshot(self, period: str) -> RankingSnapshot | None:
        return self.heads.get(period)

    def snapshots(self, before: str | None = None, limit: int = 24) -> list[RankingSnapshot]:
        periods = sorted((p for p in self.heads if before is None or p < before), reverse=True)
        return [self.heads[p] for p in periods[:limit]]

    def rows(self, snapshot: RankingSnapshot, *, cached: bool = False) -> dict[str, RankingRow]:
        return dict(self.row_sets.get((snapshot.period, snapshot.fingerprint), {}))

    def office_rows(self, snapshots: Sequence[RankingSnapshot], office_id: str) -> dict[str, RankingRow]:
        found = {}
        for head in snapshots:
            row = self.row_sets.get((head.period, head.fingerprint), {}).get(office_id)
            if row is not None:
                found[head.period] = row
        return found

    def publish(self, snapshot: RankingSnapshot, rows: Sequence[RankingRow]) -> tuple[RankingSnapshot, bool]:
        with self._lock:
            winner = self.heads.get(snapshot.period)
            if winner is not None:
                return winner, False
            self.row_sets[(snapshot.period, snapshot.fingerprint)] = {r.office_id: r for r in rows}
            self.heads[snapshot.period] = snapshot
            return snapshot, True

    def set_tier(self, office_id: str, tier: int) -> None:
        office = self.catalogue.offices[office_id]
        self.catalogue.offices[office_id] = replace(office, tier=tier)
