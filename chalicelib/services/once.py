"""Idempotent creates whose first answer carries a secret (an access code): the idempotency
record keeps the answer without it, so no code is ever at rest in clear. The caller that created
the item gets the code; a retry under the same key gets the same item without one. The code went
out in that first answer and in the confirmation SMS; issuing a new one on a replay would let
anyone holding a request body and its key reset the code."""
from __future__ import annotations

import contextvars
from collections.abc import Callable

from chalicelib.services.stores import stores

CODE_FIELD = "access_code"
_issued: contextvars.ContextVar[str | None] = contextvars.ContextVar("issued_access_code", default=None)


def without_secret(result: dict) -> dict:
    """The answer to store: the code set aside for this call's caller only."""
    _issued.set(result.get(CODE_FIELD))
    return {k: v for k, v in result.items() if k != CODE_FIELD}


def run(scope: str, key: str, body: dict, create: Callable[[dict], dict]) -> dict:
    """`create` (which returns `without_secret(...)`) once per key; its code added back for the
    caller that ran it, absent on a replay."""
    token = _issued.set(None)
    try:
        result = stores.idempotency.run_once(scope, key, body, create)
        code = _issued.get()
    finally:
        _issued.reset(token)
    return {**result, CODE_FIELD: code} if code else result
