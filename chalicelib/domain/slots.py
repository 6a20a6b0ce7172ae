"""The slot grid of an office day. An office day is cut into cells of `grid` minutes; each
counter of the office can hold one appointment per cell, and an appointment of a service
occupies as many consecutive cells of one counter as its standard duration needs."""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Slot:
    start: datetime
    cells: tuple[str, ...]  # HH:MM of each grid cell the appointment occupies
    free_counters: tuple[int, ...]


def cell_key(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def cells_needed(duration_min: int, grid: int) -> int:
    return max(1, math.ceil(duration_min / grid))


def cells_for(start: datetime, duration_min: int, grid: int) -> tuple[str, ...]:
    return tuple(cell_key(start + timedelta(minutes=grid * i)) for i in range(cells_needed(duration_min, grid)))


def candidate_starts(intervals: Iterable[tuple[datetime, datetime]], duration_min: int, grid: int) -> list[datetime]:
    """Grid-aligned starts whose whole appointment fits inside one opening interval."""
    length = timedelta(minutes=grid * cells_needed(duration_min, grid))
    starts = []
    for opens, closes in intervals:
        moment = opens
        while moment + length <= closes:
            starts.append(moment)
            moment += timedelta(minutes=grid)
    return starts


def free_counters(cells: tuple[str, ...], counters: int, taken: dict[str, set[int]]) -> tuple[int, ...]:
    """Counters (1-based) free in every cell of the appointment. `taken` maps cell → counters in use."""
    return tuple(k for k in range(1, counters + 1) if all(k not in taken.get(c, ()) for c in cells))


def is_on_grid(start: datetime, intervals: Iterable[tuple[datetime, datetime]], duration_min: int, grid: int) -> bool:
    """True when an appointment may start at `start`: on the grid of an opening interval and
    ending before it closes."""
    length = timedelta(minutes=grid * cells_needed(duration_min, grid))
    for opens, closes in intervals:
        offset = start - opens
        if opens <= start and start + length <= closes and offset % timedelta(minutes=grid) == timedelta(0):
            return True
    return False


def open_slots(intervals, duration_min: int, grid: int, counters: int, taken: dict[str, set[int]],
               not_before: datetime | None = None) -> list[Slot]:
    slots = []
    for start in candidate_starts(intervals, duration_min, grid):
        if not_before is not None and start < not_before:
            continue
        cells = cells_for(start, duration_min, grid)
        slots.append(Slot(start, cells, free_counters(cells, counters, taken)))
    return slots
