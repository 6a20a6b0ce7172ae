"""The token-bucket store's contract, on the fake and on DynamoDB Local: the GCRA rule of
domain/limits.py decided atomically, refills with time, buckets apart, and concurrent takes
never granting more than the burst."""
from __future__ import annotations

import threading

import pytest

from chalicelib.domain.limits import Policy
from tests.fakes.limits import FakeLimitStore
from tests.integration.contract.conftest import BACKENDS, delete_tagged

T0 = 1_800_000_000_000  # epoch ms
FIVE_A_MINUTE = Policy(rate=5, per_s=60, burst=3)  # a token every 12 s, 3 at once


@pytest.fixture(params=BACKENDS)
def store(request, tag):
    if request.param == "fake":
        yield FakeLimitStore()
        return
    request.getfixturevalue("dynamodb")
    from chalicelib.dal import limit_store
    yield limit_store
    delete_tagged("limits", tag)


def test_a_full_bucket_grants_its_burst_then_refuses_until_a_token_refills(store, tag):
    bucket = f"test#{tag}"
    assert store.read(bucket) is None
    taken = [store.take(bucket, T0, FIVE_A_MINUTE) for _ in range(4)]
    assert [t.granted for t in taken] == [True, True, True, False]
    assert taken[-1].tat_ms == T0 + 3 * 12_000  # refused: the stored tat, unchanged
    assert store.read(bucket).granted == 3
    assert not store.take(bucket, T0 + 11_999, FIVE_A_MINUTE).granted
    assert store.take(bucket, T0 + 12_000, FIVE_A_MINUTE).granted  # one token back after 12 s
    assert not store.take(bucket, T0 + 12_000, FIVE_A_MINUTE).granted
    # Idle long enough, the bucket is full again (not fuller): three more, then refused.
    later = T0 + 3_600_000
    assert [store.take(bucket, later, FIVE_A_MINUTE).granted for _ in range(4)] == [True, True, True, False]
    assert store.read(bucket).granted == 7


def test_a_refusal_seen_is_remembered_until_the_bucket_could_grant(store, tag):
    bucket = f"seen#{tag}"
    assert store.refused_until(bucket, T0, FIVE_A_MINUTE) is None  # never used
    for _ in range(3):
        assert store.take(bucket, T0, FIVE_A_MINUTE).granted
    assert not store.take(bucket, T0, FIVE_A_MINUTE).granted
    assert store.refused_until(bucket, T0 + 11_999, FIVE_A_MINUTE) == T0 + 3 * 12_000
    assert store.refused_until(bucket, T0 + 12_000, FIVE_A_MINUTE) is None  # a token is back by then


def test_buckets_are_apart(store, tag):
    for _ in range(3):
        assert store.take(f"a#{tag}", T0, FIVE_A_MINUTE).granted
    assert not store.take(f"a#{tag}", T0, FIVE_A_MINUTE).granted
    assert store.take(f"b#{tag}", T0, FIVE_A_MINUTE).granted


def test_concurrent_takes_never_exceed_the_burst(store, tag):
    bucket, threads, policy = f"race#{tag}", 40, Policy(rate=1, per_s=3600, burst=7)
    barrier = threading.Barrier(threads)
    granted: list[bool] = []
    lock = threading.Lock()

    def one():
        barrier.wait()
        ok = store.take(bucket, T0, policy).granted
        with lock:
            granted.append(ok)

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(granted) == threads and granted.count(True) == 7
    assert store.read(bucket).granted == 7 and store.read(bucket).tat_ms == T0 + 7 * 3_600_000


def _take_in_a_process(bucket: str, barrier, results) -> None:
    from chalicelib.dal import limit_store
    policy = Policy(rate=1, per_s=3600, burst=5)
    barrier.wait()
    results.put([limit_store.take(bucket, T0, policy).granted for _ in range(3)])


def test_containers_taking_at_once_never_exceed_the_burst(dynamodb, tag):
    """The store serialises takes within a process; across processes (Lambda containers) only
    DynamoDB's conditional writes stand between them: 10 processes x 3 takes, burst 5."""
    import multiprocessing

    from chalicelib.dal import limit_store
    ctx = multiprocessing.get_context("spawn")  # fresh clients: no sockets shared across a fork
    barrier, results = ctx.Barrier(10), ctx.Queue()
    bucket = f"procs#{tag}"
    procs = [ctx.Process(target=_take_in_a_process, args=(bucket, barrier, results)) for _ in range(10)]
    try:
        for p in procs:
            p.start()
        granted = [ok for _ in procs for ok in results.get(timeout=120)]
    finally:
        for p in procs:
            p.join(timeout=30)
    assert len(granted) == 30 and granted.count(True) == 5
    assert limit_store.read(bucket).granted == 5
    delete_tagged("limits", tag)
