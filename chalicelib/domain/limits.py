"""Token buckets, pure arithmetic. A bucket of `burst` tokens refilled at `rate` tokens per
`per_s` seconds is kept as one number, its theoretical arrival time (GCRA, the virtual-scheduling
form of the token bucket): `tat` is when the bucket will be full again. A take at `now` is
granted when the bucket holds a whole token, that is when `tat - now <= (burst - 1) * interval`,
and moves `tat` to `max(tat, now) + interval`. Storing `tat` instead of (tokens, last refill)
makes every take one conditional write of one number: no read first, nothing to recompute
under contention."""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """`rate` tokens every `per_s` seconds, at most `burst` at once (what a quiet client may
    spend in one go)."""
    rate: float
    per_s: float
    burst: int

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.per_s <= 0 or self.burst < 1:
            raise ValueError("a policy needs a positive rate and period and a burst of at least 1")

    @property
    def interval_ms(self) -> int:
        """Milliseconds to refill one token (at least 1)."""
        return max(1, round(self.per_s * 1000 / self.rate))

    @property
    def tolerance_ms(self) -> int:
        """How far ahead of now `tat` may be for a take to be granted: `burst - 1` tokens' worth."""
        return (self.burst - 1) * self.interval_ms


@dataclass(frozen=True)
class Bucket:
    """A bucket as stored: its `tat` (epoch ms) and how many takes it has granted in all."""
    tat_ms: int
    granted: int


@dataclass(frozen=True)
class Take:
    """The outcome of one take: granted or not, and the bucket's `tat` after it (epoch ms)."""
    granted: bool
    tat_ms: int


def take(tat_ms: int | None, now_ms: int, policy: Policy) -> Take:
    """One take on a bucket whose `tat` is `tat_ms` (None: never used, or expired: full)."""
    if tat_ms is None or tat_ms <= now_ms:
        return Take(True, now_ms + policy.interval_ms)
    if tat_ms - now_ms <= policy.tolerance_ms:
        return Take(True, tat_ms + policy.interval_ms)
    return Take(False, tat_ms)


def retry_after_s(tat_ms: int, now_ms: int, policy: Policy) -> int:
    """Whole seconds (at least 1) until a refused take would be granted."""
    wait_ms = tat_ms - now_ms - policy.tolerance_ms
    return max(1, math.ceil(wait_ms / 1000))


def tokens(tat_ms: int | None, now_ms: int, policy: Policy) -> float:
    """Tokens the bucket holds at `now` (for reading and tests; takes never need it)."""
    if tat_ms is None or tat_ms <= now_ms:
        return float(policy.burst)
    return max(0.0, policy.burst - (tat_ms - now_ms) / policy.interval_ms)
