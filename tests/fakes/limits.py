"""In-memory token buckets: the same rule as the DynamoDB store (domain/limits.py `take`),
decided under a lock so concurrent takes never grant more than the policy allows."""
from __future__ import annotations

import threading

from chalicelib.domain import limits
from chalicelib.domain.limits import Bucket, Policy, Take


class FakeLimitStore:
    def __init__(self) -> None:
        self.buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def take(self, bucket: str, now_ms: int, policy: Policy) -> Take:
        with self._lock:
            found = self.buckets.get(bucket)
            taken = limits.take(found.tat_ms if found else None, now_ms, policy)
            if taken.granted:
                self.buckets[bucket] = Bucket(taken.tat_ms, (found.granted if found else 0) + 1)
            return taken

    def read(self, bucket: str) -> Bucket | None:
        with self._lock:
            return self.buckets.get(bucket)

    def refused_until(self, bucket: str, now_ms: int, policy: Policy) -> int | None:
        with self._lock:
            found = self.buckets.get(bucket)
        return found.tat_ms if found and found.tat_ms > now_ms + policy.tolerance_ms else None
