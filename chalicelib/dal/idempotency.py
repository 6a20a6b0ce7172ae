"""Idempotent creates with Powertools Idempotency on DynamoDB: a retry after a lost response
returns the first result; the same key with another body is refused; a key still in flight
is reported as in progress (409), never as a 500."""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable

import boto3
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from botocore.config import Config

from chalicelib.dal.db import no_retry_once_sent
from chalicelib.errors import IdempotencyKeyReused, RequestInProgress, ServiceUnavailable
from chalicelib.settings import get_settings

CONFIG = IdempotencyConfig(
    event_key_jmespath="key",
    payload_validation_jmespath="body",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=24 * 3600,
)


_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _store() -> DynamoDBPersistenceLayer:
    with _lock:
        return _make_store()


def _make_store() -> DynamoDBPersistenceLayer:
    s = get_settings()
    client = boto3.client(
        "dynamodb", region_name=s.region, endpoint_url=s.dynamodb_endpoint,
        config=Config(connect_timeout=s.db_connect_timeout_s, read_timeout=s.db_read_timeout_s,
                      retries={"mode": "standard", "total_max_attempts": s.db_max_attempts}),
    )
    no_retry_once_sent(client)
    return DynamoDBPersistenceLayer(table_name=s.table_name("idempotency"), boto3_client=client)


@functools.cache
def _wrapped(scope: str, fn: Callable[[dict], dict]) -> Callable[..., dict]:
    def call(request: dict) -> dict:
        return fn(request["body"])
    call.__qualname__ = call.__name__ = f"idempotent_{scope}"  # part of the stored key: keep stable
    return idempotent_function(data_keyword_argument="request", config=CONFIG, persistence_store=_store(),
                               key_prefix=f"ejso.{scope}")(call)


def register_context(lambda_context) -> None:
    """Lets Powertools expire an in-flight record when the Lambda times out."""
    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        CONFIG.register_lambda_context(lambda_context)


def run_once(scope: str, key: str, body: dict, fn: Callable[[dict], dict]) -> dict:
    try:
        return _wrapped(scope, fn)(request={"key": key, "body": body})
    except IdempotencyValidationError as exc:
        raise IdempotencyKeyReused() from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise RequestInProgress(headers={"Retry-After": "1"}) from exc
    except IdempotencyPersistenceLayerError as exc:
        raise ServiceUnavailable() from exc
