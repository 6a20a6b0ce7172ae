"""Connections and transactions: one connection (one shared botocore client) for every model and
every transaction, the labelled transaction `Tx`, and `Shape`s for items built without a model."""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ConnectionClosedError, ReadTimeoutError
from pynamodb.attributes import ListAttribute, MapAttribute, VersionAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError

from chalicelib.errors import Conflict, ServiceUnavailable, TxConditionFailed, TxConflict, database_unavailable
from chalicelib.settings import get_settings


@functools.lru_cache(maxsize=1)
def _connection() -> Connection:
    s = get_settings()
    return Connection(
        region=s.region, host=s.dynamodb_endpoint,
        connect_timeout_seconds=s.db_connect_timeout_s, read_timeout_seconds=s.db_read_timeout_s,
        retry_configuration={"mode": "standard", "total_max_attempts": s.db_max_attempts},
        max_pool_connections=50,
    )


_client_lock = threading.Lock()


def connection() -> Connection:
    """The one connection, its botocore client built once (under a lock: a burst of threads in
    `chalice local` would each load the service model) and never retrying a call once sent."""
    conn = _connection()
    if conn._client is None:
        with _client_lock:
            if conn._client is None:
                no_retry_once_sent(conn.client)
    return conn


def shared_client():
    """One botocore client for every model and transaction. PynamoDB builds a client per model
    class (and a botocore session per thread); sharing one saves cold-start time in Lambda."""
    return connection().client


def _refuse_retry_once_sent(caught_exception=None, **_) -> None:
    # Raising the failure botocore would raise once out of attempts: the first handler that answers
    # decides, and None would let the standard handler retry.
    if isinstance(caught_exception, (ReadTimeoutError, ConnectionClosedError)):
        raise caught_exception


def no_retry_once_sent(client):
    """botocore retries a call whose request may have reached the database (it timed out waiting
    for the answer, or the connection closed before it): that doubles a hung database's wait past
    the stage's budget, and repeats a write that may have been applied (an ADD counted twice, a
    conditional put that fails against its own first attempt). Such a call fails at once, as
    unavailable (503, the client retries with its Idempotency-Key); calls that never left (refused,
    connect timeout) and answers DynamoDB refused (throttling, 5xx) are still retried."""
    client.meta.events.register_first("needs-retry.dynamodb", _refuse_retry_once_sent)
    return client


is_unavailable = database_unavailable  # the one classification, in chalicelib/errors.py


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


@dataclass(frozen=True)
class Expr:
    """A condition in DynamoDB's own syntax, for items built as `Shape`s: the text with `#name`
    and `:value` placeholders, and what they stand for (values already in wire format)."""
    text: str
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, dict] = field(default_factory=dict)

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ConditionExpression": self.text}
        if self.names:
            out["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            out["ExpressionAttributeValues"] = dict(self.values)
        return out


class Shape:
    """New items of one model in DynamoDB's wire format, built without a model instance: the same
    attribute names, types, serializers and defaults, and version 1 for a versioned model. A
    booking's transaction built its items through PynamoDB models at about a third of the
    handler's own time; tests/unit/dal/test_shapes.py holds every item equal to the model's own
    serialization, so the table never sees two formats."""

    def __init__(self, model_cls: type) -> None:
        self.model = model_cls

    @functools.cached_property
    def _attributes(self) -> tuple[tuple[str, Any, Any, bool], ...]:
        """(name, attribute, default, is the version) of every attribute, in the model's order."""
        out = []
        for name, attr in self.model.get_attributes().items():
            default = attr.default_for_new if attr.default_for_new is not None else attr.default
            out.append((name, attr, default, isinstance(attr, VersionAttribute)))
        return tuple(out)

    @property
    def table(self) -> str:
        return self.model.Meta.table_name

    def item(self, **values: Any) -> dict[str, dict]:
        item: dict[str, dict] = {}
        for name, attr, default, is_version in self._attributes:
            value = values.pop(name, None)
            if value is None:
                value = 1 if is_version else (default() if callable(default) else default)
            if value is None:
                if not attr.null:
                    raise ValueError(f"{self.model.__name__}.{name} is required")
                continue
            wire = (attr.serialize(value, null_check=True) if isinstance(attr, (ListAttribute, MapAttribute))
                    else attr.serialize(value))
            if wire is not None:
                item[attr.attr_name] = {attr.attr_type: wire}
        if values:
            raise TypeError(f"{self.model.__name__} has no attribute {sorted(values)}")
        return item

    def wire(self, name: str, value: Any) -> dict:
        """One attribute's value in wire format (for a condition's placeholder)."""
        attr = self.model.get_attributes()[name]
        return {attr.attr_type: attr.serialize(value)}

    @functools.cached_property
    def _key_attributes(self) -> tuple[Any, ...]:
        return tuple(a for a in self.model.get_attributes().values() if a.is_hash_key or a.is_range_key)

    def key(self, hash_key: Any, range_key: Any = None) -> dict[str, dict]:
        """An item's key in wire format."""
        return {a.attr_name: {a.attr_type: a.serialize(hash_key if a.is_hash_key else range_key)}
                for a in self._key_attributes}


class Tx:
    """A TransactWriteItems whose actions carry labels, so a cancellation reason maps back to
    a domain meaning (slot taken, duplicate, cap reached) instead of an index. Actions are given
    as PynamoDB models and conditions, or as `Shape` items with an `Expr`."""

    # The order PynamoDB sends them in: condition checks, then deletes, then puts, then updates.
    _ORDER = ("check", "delete", "put", "update")

    def __init__(self, client_request_token: str | None = None):
        self.token = client_request_token
        self._actions: dict[str, list[tuple[str, dict]]] = {k: [] for k in self._ORDER}
        self._versioned: list = []  # models whose local version follows a commit

    def __len__(self) -> int:
        return sum(len(v) for v in self._actions.values())

    def check(self, label: str, model_cls, hash_key, range_key, condition) -> None:
        self._actions["check"].append(
            (label, model_cls.get_operation_kwargs_from_class(hash_key, range_key=range_key, condition=condition)))

    def put(self, label: str, model, condition=None) -> None:
        self._actions["put"].append((label, model.get_save_kwargs_from_instance(condition=condition)))
        self._versioned.append(model)

    def put_item(self, label: str, shape: Shape, item: dict[str, dict], condition: Expr | None = None) -> None:
        self._actions["put"].append((label, {"TableName": shape.table, "Item": item,
                                             **(condition.kwargs() if condition else {})}))

    def update_item(self, label: str, shape: Shape, key: dict[str, dict], update: Expr,
                    condition: Expr | None = None) -> None:
        """An update of an unversioned item in DynamoDB's own syntax (`update.text` the
        UpdateExpression, the placeholders of both expressions merged)."""
        kwargs = {"TableName": shape.table, "Key": key, "UpdateExpression": update.text}
        names, values = {**update.names}, {**update.values}
        if condition is not None:
            kwargs["ConditionExpression"] = condition.text
            names.update(condition.names)
            values.update(condition.values)
        if names:
            kwargs["ExpressionAttributeNames"] = names
        if values:
            kwargs["ExpressionAttributeValues"] = values
        self._actions["update"].append((label, kwargs))

    def check_item(self, label: str, shape: Shape, key: dict[str, dict], condition: Expr) -> None:
        self._actions["check"].append((label, {"TableName": shape.table, "Key": key, **condition.kwargs()}))

    def update(self, label: str, model, actions, condition=None, *, versioned: bool = True) -> None:
        self._actions["update"].append((label, model.get_update_kwargs_from_instance(
            actions=actions, condition=condition, add_version_condition=versioned)))
        self._versioned.append(model)

    def delete(self, label: str, model, condition=None, *, versioned: bool = True) -> None:
        self._actions["delete"].append(
            (label, model.get_delete_kwargs_from_instance(condition=condition, add_version_condition=versioned)))

    def commit(self) -> None:
        labels = [label for kind in self._ORDER for label, _ in self._actions[kind]]
        lists = {kind: [kwargs for _, kwargs in self._actions[kind]] for kind in self._ORDER}
        try:
            connection().transact_write_items(
                condition_check_items=lists["check"], delete_items=lists["delete"], put_items=lists["put"],
                update_items=lists["update"], client_request_token=self.token)
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
        for model in self._versioned:
            model.update_local_version_attribute()
