"""Idempotent creates: a retry under the same key returns the first result."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class IdempotencyStore(Protocol):
    def register_context(self, lambda_context: Any) -> None:
        """The running Lambda's context (None outside Lambda), so a key held by an invocation that
        timed out is released when that invocation's time is up."""

    def run_once(self, scope: str, key: str, body: dict, fn: Callable[[dict], dict]) -> dict:
        """`fn(body)` the first time `key` is seen in `scope`, its stored result afterwards.
        Raises IdempotencyKeyReused when `key` comes back with another body, RequestInProgress
        while the first call is still running. A failed `fn` stores nothing."""
