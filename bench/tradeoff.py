"""The knee of a trade-off curve, to place a default weight where more of it stops paying. Pure Python.

The curve is a weight's sweep: at each weight a cost (what it costs, lower is better: E[T] / E[T_ref])
and a benefit (what it buys, higher is better: top-tier share over capacity share). The method is the
maximum distance to the chord (Kneedle's difference curve, Satopää et al. 2011): both axes are scaled
to [0, 1] over the sweep, so units do not matter, and the knee is the point lying farthest *above* the
straight line from the first point (least weight) to the last (most weight), i.e. the point where the
benefit bought per unit of cost falls from better than average to worse. A curve with no point above
its chord has no knee: every step costs at least as much as the average, so the least weight is kept.
"""
from __future__ import annotations

from collections.abc import Sequence


def chord_distances(cost: Sequence[float], benefit: Sequence[float]) -> list[float]:
    """Signed distance of each point to the chord from the first point to the last, both axes scaled to
    [0, 1] over the points; positive above the chord (more benefit for the cost than the straight line)."""
    if len(cost) != len(benefit):
        raise ValueError("cost and benefit need one value per weight")
    n = len(cost)
    if n < 3:
        return [0.0] * n

    def scaled(values: Sequence[float]) -> list[float]:
        low, high = min(values), max(values)
        return [0.0] * n if high == low else [(v - low) / (high - low) for v in values]

    x, y = scaled(cost), scaled(benefit)
    dx, dy = x[-1] - x[0], y[-1] - y[0]
    length = (dx * dx + dy * dy) ** 0.5
    if length == 0:
        return [0.0] * n
    # cross product of the chord with (point - first point): > 0 when the point is to the chord's left,
    # which is above it for a chord going right and up (more cost, more benefit)
    return [(dx * (y[k] - y[0]) - dy * (x[k] - x[0])) / length for k in range(n)]


def knee(cost: Sequence[float], benefit: Sequence[float]) -> int:
    """Index of the knee: the point farthest above the chord; the first (least weight) when none lies
    above it; the earlier of equally distant points."""
    distances = chord_distances(cost, benefit)
    best = 0
    for k, d in enumerate(distances):
        if d > distances[best] + 1e-12:
            best = k
    return best if distances[best] > 1e-12 else 0
