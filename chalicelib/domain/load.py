"""The network's load as the router and the office list read it: each office's live counters and
one snapshot of all of them (taken every minute), plus the national remote queue. Plain values,
no I/O: the data layer keeps the counters and the snapshot."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class LiveLoad:
    """An office's live counters of one day, kept by the transactions that change them."""
    open: int | None = None  # remote-work counters declared open; None: never declared (installed ones serve)
    busy: int = 0  # open counters holding remote work
    waiting: int = 0  # visitors checked in, not yet served
    remote_claimed: int = 0  # remote requests the office took today


@dataclass(frozen=True)
class OfficeLoad(LiveLoad):
    """An office's line of the load snapshot: its live counters, today's bookings vs capacity, and
    its front desk: counters calling today, its measured pace and the live wait it gives."""
    booked: int = 0
    capacity: int = 0
    ratio: float | None = None  # booked / capacity; None when the office has no capacity today
    open_today: bool = False
    desk_counters: int = 0  # desk counters that called today and were not closed
    pace_min: float | None = None  # minutes per served visit at this office (prior: the catalogue's)
    wait_min: float | None = None  # a walk-in arriving now waits about this long; None when closed now

    @classmethod
    def of(cls, live: LiveLoad, booked: int, capacity: int, open_today: bool, *, desk_counters: int = 0,
           pace_min: float | None = None, wait_min: float | None = None) -> OfficeLoad:
        return cls(open=live.open, busy=live.busy, waiting=live.waiting, remote_claimed=live.remote_claimed,
                   booked=booked, capacity=capacity, ratio=round(booked / capacity, 3) if capacity else None,
                   open_today=open_today, desk_counters=desk_counters, pace_min=pace_min, wait_min=wait_min)


@dataclass(frozen=True)
class LoadSnapshot:
    """Every office's load at one instant, and the national queue's length."""
    day: date | None = None
    at: datetime | None = None
    offices: Mapping[str, OfficeLoad] = field(default_factory=dict)
    queue_remote: int = 0

    def loads_on(self, day: date) -> Mapping[str, OfficeLoad]:
        """The offices' loads if the snapshot is of `day` (yesterday's counts say nothing of today)."""
        return self.offices if self.day == day else {}


NO_SNAPSHOT = LoadSnapshot()


@dataclass(frozen=True)
class QueueSample:
    """The national remote queue's length at one instant (one a minute, taken with the snapshot)."""
    at: datetime
    length: int
