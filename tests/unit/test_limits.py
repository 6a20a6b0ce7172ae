"""Token-bucket arithmetic (domain/limits.py) and the limits service on the in-memory store."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import calendar
from chalicelib.domain import limits as rules
from chalicelib.domain.limits import Policy
from chalicelib.errors import TooManyRequests, problem
from chalicelib.services import limits
from chalicelib.services.stores import stores
from tests.fakes.limits import FakeLimitStore

P = Policy(rate=20, per_s=60, burst=5)  # a token every 3 s, five at once


def test_interval_and_tolerance():
    assert P.interval_ms == 3000 and P.tolerance_ms == 12_000
    assert Policy(rate=3, per_s=3600, burst=1).tolerance_ms == 0
    with pytest.raises(ValueError):
        Policy(rate=0, per_s=60, burst=1)
    with pytest.raises(ValueError):
        Policy(rate=1, per_s=60, burst=0)


def test_a_burst_then_one_token_per_interval():
    now, tat, granted = 1_000_000, None, []
    for _ in range(7):
        taken = rules.take(tat, now, P)
        granted.append(taken.granted)
        tat = taken.tat_ms
    assert granted == [True] * 5 + [False] * 2
    assert tat == now + 5 * 3000
    assert rules.tokens(tat, now, P) == 0
    assert rules.retry_after_s(tat, now, P) == 3
    assert not rules.take(tat, now + 2999, P).granted
    assert rules.take(tat, now + 3000, P) == rules.Take(True, now + 6 * 3000)


def test_an_idle_bucket_refills_to_its_burst_and_no_further():
    tat = 1_000_000 + 5 * 3000
    assert rules.tokens(tat, 1_000_000 + 6000, P) == 2
    assert rules.tokens(tat, 10**9, P) == 5
    assert rules.take(tat, 10**9, P) == rules.Take(True, 10**9 + 3000)  # from now, not from the old tat


def test_retry_after_rounds_up_to_whole_seconds():
    assert rules.retry_after_s(1_000_000 + 12_001, 1_000_000, P) == 1  # 1 ms away: still one second
    slow = Policy(rate=3, per_s=3600, burst=3)  # one token every 20 min
    tat = 0 + 3 * 1_200_000
    assert rules.retry_after_s(tat, 0, slow) == 1200


@pytest.fixture()
def store():
    fake = FakeLimitStore()
    with stores.use(limits=fake):
        yield fake


def test_the_service_raises_429_with_retry_after_and_hashes_its_subjects(store):
    now = calendar.now_tehran()
    for _ in range(20):
        limits.take("hold-client", "198.51.100.7", now)
    with pytest.raises(TooManyRequests) as refused:
        limits.take("hold-client", "198.51.100.7", now)
    assert refused.value.retry_after_s == 3
    status, headers, body = problem(refused.value)
    assert status == 429 and headers["Retry-After"] == "3" and "ثانیه" in body
    limits.take("hold-client", "198.51.100.8", now)  # another client, another bucket
    limits.take("hold-client", "198.51.100.7", now + timedelta(seconds=3))
    assert all("198.51" not in key and key.startswith("hold-client#") for key in store.buckets)
    assert limits.remaining("hold-client", "198.51.100.8", now) == 19


def test_a_partners_own_quota_replaces_the_policys_rate(store):
    now = calendar.now_tehran()
    for _ in range(2):
        limits.take("partner", "call-1470", now, per_minute=2)
    with pytest.raises(TooManyRequests) as refused:
        limits.take("partner", "call-1470", now, per_minute=2)
    assert refused.value.retry_after_s == 30


def test_an_unknown_policy_is_a_programming_error(store):
    with pytest.raises(KeyError):
        limits.take("no-such-policy", "x")
