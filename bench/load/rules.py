"""The load test's pure parts: who the simulated people are, and when a refusal was false."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping


def national_id(n: int) -> str:
    """A valid national ID (its check digit right) for person `n`, distinct for distinct n < 10**9."""
    body = f"{n % 10**9:09d}"
    total = sum(int(body[i]) * (10 - i) for i in range(9)) % 11
    nid = body + str(total if total < 2 else 11 - total)
    return nid if len(set(nid)) > 1 else national_id(n + 7_000_000)  # 1111111111 and the like are refused


def free_counters(cells: Iterable[str], counters: int, taken: Mapping[str, set[int]]) -> list[int]:
    """Counters 1..counters with no seat taken in any of `cells`."""
    cells = tuple(cells)
    return [k for k in range(1, counters + 1) if all(k not in taken.get(c, ()) for c in cells)]


def false_refusals(refusals: Iterable[dict], offices: Mapping[str, dict],
                   cells_of: Callable[[dict], tuple[str, ...]]) -> list[dict]:
    """The `409 slot-full` answers that were wrong: at the end, a counter open to bookings had no
    seat taken in every cell of the time refused, and no cancelled booking of that office-day
    covered any of those cells (a seat freed by a cancellation was full when refused).
    `offices[id]` holds `counters`, `taken` (cell -> counters) and `cancelled_cells` (sets)."""
    false = []
    for refusal in refusals:
        office = offices[refusal["office_id"]]
        cells = cells_of(refusal)
        free = free_counters(cells, office["counters"], office["taken"])
        explained = any(set(cells) & set(cancelled) for cancelled in office["cancelled_cells"])
        if free and not explained:
            false.append({**refusal, "free_counters": free, "cells": list(cells)})
    return false
