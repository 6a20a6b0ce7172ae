"""Token buckets in the `limits` table (pk `bucket`). A take is one conditional UpdateItem of
the bucket's `tat` (domain/limits.py), so concurrent takes are serialised by DynamoDB itself:

- idle (no item, or `tat <= now`): set `tat = now + interval`;
- busy but within the burst (`now < tat <= now + tolerance`): add `interval` to `tat`;
- otherwise refused, and nothing is written.

The write is tried in the bucket's likely state; a failed condition returns the stored item
(ReturnValuesOnConditionCheckFailure), which says which case holds. `tat` only grows while an item
lives, so at most three writes decide a take.

Within a container, takes on one bucket go one at a time (striped locks), and a refusal is
remembered until the bucket could next grant (`tat - tolerance`): `tat` only grows, so no other
container can make a token appear sooner. A Lambda container serves one request at a time, so
this costs nothing there; a threaded server (`chalice local`) flooded by one client would
otherwise pile hundreds of writes onto one item, and a flood costs one write per refill interval
per container instead of one per request. Atomicity across containers is DynamoDB's alone."""
from __future__ import annotations

import threading
import time

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from chalicelib.dal.db import shared_client, unavailable_guard
from chalicelib.dal.models import LimitBucketItem
from chalicelib.domain.limits import Bucket, Policy, Take
from chalicelib.errors import DATABASE_BUSY, ServiceUnavailable

_IDLE = "attribute_not_exists(#b) OR #t <= :now"
_BUSY = "#t > :now AND #t <= :limit"
KEEP_IDLE_S = 60  # an item outlives the moment its bucket is full again by this much (TTL is lazy anyway)
_MAX_REMEMBERED = 10_000

_refused: dict[tuple[str, int, int], int] = {}  # (bucket, interval, tolerance) -> the tat seen
_refused_lock = threading.Lock()
_stripes = tuple(threading.Lock() for _ in range(64))


def _table() -> str:
    return LimitBucketItem.Meta.table_name


def _write(bucket: str, condition: str, update: str, values: dict) -> tuple[bool, dict | None]:
    """(True, new item) or (False, the stored item or None) when the condition failed."""
    try:
        out = shared_client().update_item(
            TableName=_table(), Key={"bucket": {"S": bucket}}, UpdateExpression=update,
            ConditionExpression=condition, ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ExpressionAttributeNames={**({"#b": "bucket"} if "#b" in condition else {}),
                                      "#t": "tat", "#g": "granted", "#x": "ttl"},
            ExpressionAttributeValues={k: {"N": str(v)} for k, v in values.items()})
        return True, out["Attributes"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "ConditionalCheckFailedException":
            return False, exc.response.get("Item")
        if code in DATABASE_BUSY:
            raise ServiceUnavailable() from exc
        raise
    except (BotoConnectionError, HTTPClientError) as exc:
        raise ServiceUnavailable() from exc


def _tat(item: dict | None) -> int | None:
    return int(item["tat"]["N"]) if item and "tat" in item else None


def forget() -> None:
    """Drop the remembered refusals and unavailability (tests that empty the table)."""
    global _unavailable_until
    with _refused_lock:
        _refused.clear()
    _unavailable_until = 0.0


def _remember(key: tuple[str, int, int], tat: int) -> Take:
    with _refused_lock:
        if len(_refused) >= _MAX_REMEMBERED:
            _refused.clear()
        _refused[key] = max(tat, _refused.get(key, 0))
    return Take(False, tat)


# The takes of one bucket queue on a stripe lock. When the database does not answer one (a hung or
# throttled table: a 503 after the read timeout), those queued behind it and those that come in the
# next second answer 503 at once instead of each waiting a timeout of its own in turn (eight
# requests would have waited 8 x 2.2 s); then a take tries the database again.
UNAVAILABLE_FOR_S = 1.0
_unavailable_until = 0.0  # time.monotonic()


def take(bucket: str, now_ms: int, policy: Policy) -> Take:
    global _unavailable_until
    with _stripes[hash(bucket) % len(_stripes)]:
        if time.monotonic() < _unavailable_until:
            raise ServiceUnavailable()
        try:
            return _take(bucket, now_ms, policy)
        except ServiceUnavailable:
            _unavailable_until = time.monotonic() + UNAVAILABLE_FOR_S
            raise


def _take(bucket: str, now_ms: int, policy: Policy) -> Take:
    limit = now_ms + policy.tolerance_ms
    key = (bucket, policy.interval_ms, policy.tolerance_ms)
    seen = refused_until(bucket, now_ms, policy)
    if seen is not None:
        return Take(False, seen)
    ttl = (limit + policy.interval_ms) // 1000 + KEEP_IDLE_S  # past the latest `tat` this take can set
    tat: int | None = None
    for _ in range(4):
        if tat is None or tat <= now_ms:
            done, item = _write(bucket, _IDLE, "SET #t = :next, #x = :ttl ADD #g :one",
                                {":now": now_ms, ":next": now_ms + policy.interval_ms, ":ttl": ttl, ":one": 1})
        else:
            if tat > limit:
                return _remember(key, tat)
            done, item = _write(bucket, _BUSY, "SET #t = #t + :i, #x = :ttl ADD #g :one",
                                {":now": now_ms, ":limit": limit, ":i": policy.interval_ms, ":ttl": ttl, ":one": 1})
        if done:
            return Take(True, _tat(item))
        tat = _tat(item)
    # Unreachable while `tat` only grows; a bucket deleted and re-created under us twice ends here.
    raise ServiceUnavailable()


def refused_until(bucket: str, now_ms: int, policy: Policy) -> int | None:
    """The `tat` a refusal seen in this container remembers for `bucket`, while it still refuses
    at `now_ms`; None otherwise. No database call: a route spent only by refused requests checks
    this first, so a client refused here is refused again without a round trip."""
    with _refused_lock:
        seen = _refused.get((bucket, policy.interval_ms, policy.tolerance_ms))
    return seen if seen is not None and seen > now_ms + policy.tolerance_ms else None


@unavailable_guard
def read(bucket: str) -> Bucket | None:
    try:
        item = LimitBucketItem.get(bucket, consistent_read=True)
    except LimitBucketItem.DoesNotExist:
        return None
    return Bucket(int(item.tat), int(item.granted))
