"""Abuse limits: token buckets per client, per citizen or per partner, kept in DynamoDB
(`stores.limits`). `take(policy, subject)` spends one token of the subject's bucket under the
named policy (settings `rate_limits`) or raises TooManyRequests (429 with Retry-After).

Subjects (a source IP, a mobile, a national ID, a partner id) are keyed with an HMAC under the
service's pepper before they reach the database or a log line: a bucket's key says which policy
it belongs to and nothing about whom."""
from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime

from chalicelib.domain import limits as rules
from chalicelib.errors import TooManyRequests
from chalicelib.observability import logger, metrics
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings


def policy_named(name: str, *, per_minute: int | None = None) -> rules.Policy:
    """The named policy; `per_minute` replaces its rate (a partner's own quota), burst alike."""
    found = get_settings().rate_limits.get(name)
    if found is None:
        raise KeyError(f"no rate limit named {name!r}")
    if per_minute is not None:
        return rules.Policy(rate=per_minute, per_s=60, burst=per_minute)
    return rules.Policy(rate=found.rate, per_s=found.per_s, burst=found.burst)


def bucket(name: str, subject: str) -> str:
    """The stored key of `subject`'s bucket under policy `name`: the policy, then a keyed hash."""
    digest = hmac.new(get_settings().citizen_pepper.encode(), f"{name}\x00{subject}".encode(), hashlib.sha256)
    return f"{name}#{digest.hexdigest()[:32]}"


def _ms(now: datetime | None) -> int:
    # The wall clock, not the service's calendar clock: buckets refill with elapsed time.
    return int(now.timestamp() * 1000) if now is not None else time.time_ns() // 1_000_000


def take(policy: str, subject: str, now: datetime | None = None, *, per_minute: int | None = None) -> None:
    """Spend one token of `subject`'s bucket under `policy`, or raise TooManyRequests."""
    chosen = policy_named(policy, per_minute=per_minute)
    now_ms = _ms(now)
    taken = stores.limits.take(bucket(policy, subject), now_ms, chosen)
    if not taken.granted:
        _refuse(policy, chosen, taken.tat_ms, now_ms)


def _refuse(policy: str, chosen: rules.Policy, tat_ms: int, now_ms: int) -> None:
    retry = rules.retry_after_s(tat_ms, now_ms, chosen)
    metrics.add_metric(name="RateLimited", unit="Count", value=1)
    logger.info("rate limited", extra={"policy": policy, "retry_after_s": retry})
    raise TooManyRequests(retry)


def refuse_if_remembered(policy: str, subject: str, now: datetime | None = None) -> None:
    """TooManyRequests when this container already saw `subject`'s bucket refuse and it has not
    refilled since; no database call (a bucket spent only by refused requests is checked so)."""
    chosen = policy_named(policy)
    now_ms = _ms(now)
    tat = stores.limits.refused_until(bucket(policy, subject), now_ms, chosen)
    if tat is not None:
        _refuse(policy, chosen, tat, now_ms)


def remaining(policy: str, subject: str, now: datetime | None = None) -> float:
    """Tokens left in `subject`'s bucket (for tests and support; a take never needs it)."""
    chosen = policy_named(policy)
    now_ms = _ms(now)
    found = stores.limits.read(bucket(policy, subject))
    return rules.tokens(found.tat_ms if found else None, now_ms, chosen)
