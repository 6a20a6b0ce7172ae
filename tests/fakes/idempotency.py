"""In-memory idempotent creates: the first result per (scope, key), the body compared on reuse."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalicelib.errors import IdempotencyKeyReused


class FakeIdempotencyStore:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], tuple[str, str]] = {}  # (scope, key) -> (body, result) as JSON
        self.context: Any = None

    def register_context(self, lambda_context: Any) -> None:
        self.context = lambda_context

    def run_once(self, scope: str, key: str, body: dict, fn: Callable[[dict], dict]) -> dict:
        body_json = json.dumps(body, sort_keys=True)
        stored = self.records.get((scope, key))
        if stored is not None:
            if stored[0] != body_json:
                raise IdempotencyKeyReused()
            return json.loads(stored[1])  # the stored result, as a retry reads it back
        result = fn(body)
        self.records[(scope, key)] = (body_json, json.dumps(result))
        return result
