"""The front desk's call rule, as the routing benchmark simulates it at every office. Pure Python.

In-person visitors wait at an office in two queues: routed visitors (sent by the router, due on arrival
like an appointment) and walk-ins (who chose the office themselves). When a counter frees, the desk calls
a routed visitor first, else the first walk-in, but never more than `cap` routed visitors in a row while
a walk-in waits, so walk-ins are never starved. Remote work starts only when nobody waits in person.
This is the live desk's `chalicelib.domain.desk.pick_next` for appointments checked in on time, kept
as two queues and a counter so a simulated day of 90,000 visitors stays fast.
"""
from __future__ import annotations

from collections import deque

from chalicelib.domain.desk import DeskRules

# Routed visitors called in a row while a walk-in waits: the live desk's published default (its pick_next
# is the same rule over tickets; tests/unit/test_bench_desk.py checks the two agree).
WALK_IN_CAP = DeskRules().walk_in_cap


class Desks:
    """The in-person queues of `n_offices` offices under the call rule."""

    __slots__ = ("cap", "routed", "streak", "walk")

    def __init__(self, n_offices: int, cap: int = WALK_IN_CAP) -> None:
        if cap < 0:
            raise ValueError("the walk-in cap is not negative")
        self.cap = cap
        self.routed: list[deque] = [deque() for _ in range(n_offices)]
        self.walk: list[deque] = [deque() for _ in range(n_offices)]
        self.streak = [0] * n_offices  # routed visitors called in a row while a walk-in waited

    def waiting(self, office: int) -> int:
        return len(self.routed[office]) + len(self.walk[office])

    def call(self, office: int) -> int:
        """The next visitor at `office` (and removes them from its queue), or -1 when nobody waits."""
        walk, routed = self.walk[office], self.routed[office]
        if walk and (not routed or self.streak[office] >= self.cap):
            self.streak[office] = 0
            return walk.popleft()
        if routed:
            self.streak[office] = self.streak[office] + 1 if walk else 0
            return routed.popleft()
        return -1
