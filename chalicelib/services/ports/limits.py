"""Token buckets (abuse limits): one atomic take per request."""
from __future__ import annotations

from typing import Protocol

from chalicelib.domain.limits import Bucket, Policy, Take


class LimitStore(Protocol):
    def take(self, bucket: str, now_ms: int, policy: Policy) -> Take:
        """One take on `bucket` at `now_ms` under `policy` (chalicelib/domain/limits.py `take`),
        decided and recorded atomically: concurrent takes never grant more than the policy
        allows. `bucket` is already hashed; it never holds a mobile, a national ID or an IP."""

    def read(self, bucket: str) -> Bucket | None:
        """The bucket as stored (None: never used, or forgotten after it was full again)."""

    def refused_until(self, bucket: str, now_ms: int, policy: Policy) -> int | None:
        """Without asking the database: the bucket's `tat` when a refusal already seen (here,
        in this container) says it cannot grant at `now_ms`, else None (unknown, or may grant)."""
