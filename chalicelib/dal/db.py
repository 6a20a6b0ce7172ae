"""Connections and transactions. PynamoDB commits a TransactWrite through the connection it
is given (not the model's host), so every transaction gets the connection built here."""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.errors import Conflict, ServiceUnavailable, TxConditionFailed, TxConflict
from chalicelib.settings import get_settings

# Error codes DynamoDB uses when it cannot serve now: the client should retry later (503).
_TRANSIENT = {
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "InternalServerError", "ServiceUnavailable", "LimitExceededException",
}


@functools.lru_cache(maxsize=1)
def connection() -> Connection:
    s = get_settings()
    return Connection(
        region=s.region, host=s.dynamodb_endpoint,
        connect_timeout_seconds=s.db_connect_timeout_s, read_timeout_seconds=s.db_read_timeout_s,
        retry_configuration={"mode": "standard", "total_max_attempts": s.db_max_attempts},
        max_pool_connections=50,
    )


_client_lock = threading.Lock()


def shared_client():
    """One botocore client for every model and transaction. PynamoDB builds a client per model
    class (and a botocore session per thread); sharing one saves cold-start time in Lambda and
    keeps a burst of threads in `chalice local` from each loading the service model."""
    conn = connection()
    if conn._client is None:
        with _client_lock:
            return conn.client
    return conn.client


def is_unavailable(exc: BaseException) -> bool:
    """True when the database could not be reached or refused for load (not a logical failure)."""
    cause = getattr(exc, "cause", None) or exc.__cause__
    if isinstance(cause, (BotoConnectionError, HTTPClientError)) or isinstance(exc, (BotoConnectionError, HTTPClientError)):
        return True
    return getattr(exc, "cause_response_code", None) in _TRANSIENT


def unavailable_guard(fn: Callable) -> Callable:
    """Turn 'database unreachable or overloaded' into a 503 with Retry-After."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except PynamoDBException as exc:
            if is_unavailable(exc):
                raise ServiceUnavailable() from exc
            raise
    return wrapper


class Tx:
    """A TransactWriteItems whose actions carry labels, so a cancellation reason maps back to
    a domain meaning (slot taken, duplicate, cap reached) instead of an index."""

    # PynamoDB sends condition checks, then deletes, then puts, then updates.
    _ORDER = ("check", "delete", "put", "update")

    def __init__(self, client_request_token: str | None = None):
        self.token = client_request_token
        self._actions: dict[str, list[tuple[str, Callable[[TransactWrite], None]]]] = {k: [] for k in self._ORDER}

    def __len__(self) -> int:
        return sum(len(v) for v in self._actions.values())

    def check(self, label: str, model_cls, hash_key, range_key, condition) -> None:
        self._actions["check"].append((label, lambda tw: tw.condition_check(model_cls, hash_key, range_key, condition)))

    def put(self, label: str, model, condition=None) -> None:
        self._actions["put"].append((label, lambda tw: tw.save(model, condition=condition)))

    def update(self, label: str, model, actions, condition=None, *, versioned: bool = True) -> None:
        self._actions["update"].append(
            (label, lambda tw: tw.update(model, actions, condition=condition, add_version_condition=versioned)))

    def delete(self, label: str, model, condition=None, *, versioned: bool = True) -> None:
        self._actions["delete"].append(
            (label, lambda tw: tw.delete(model, condition=condition, add_version_condition=versioned)))

    def commit(self) -> None:
        labels = [label for kind in self._ORDER for label, _ in self._actions[kind]]
        try:
            with TransactWrite(connection=connection(), client_request_token=self.token) as tw:
                for kind in self._ORDER:
                    for _, add in self._actions[kind]:
                        add(tw)
        except TransactWriteError as exc:
            if is_unavailable(exc):
                raise ServiceUnavailable() from exc
            reasons = exc.cancellation_reasons or []
            codes = [r.code if r else None for r in reasons]
            if "TransactionConflict" in codes:
                raise TxConflict() from exc
            failed = {labels[i] for i, code in enumerate(codes) if code == "ConditionalCheckFailed"}
            if failed:
                raise TxConditionFailed(failed) from exc
            if exc.cause_response_code == "IdempotentParameterMismatchException":
                raise Conflict("The same request token was used for a different change") from exc
            raise
