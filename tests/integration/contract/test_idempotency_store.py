"""The idempotency store's contract, on the fake and on DynamoDB (Powertools): the first result
per key, the body compared on reuse, nothing kept from a failed call."""
from __future__ import annotations

import pytest

from chalicelib.errors import IdempotencyKeyReused
from tests.fakes.idempotency import FakeIdempotencyStore
from tests.integration.contract.conftest import BACKENDS, delete_tagged


@pytest.fixture(params=BACKENDS)
def store(request, tag):
    if request.param == "fake":
        yield FakeIdempotencyStore()
        return
    request.getfixturevalue("dynamodb")
    from chalicelib.dal import idempotency
    yield idempotency
    delete_tagged("idempotency", tag)


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self, body: dict) -> dict:
        self.calls += 1
        return {"id": f"R{self.calls}", "echo": body["n"], "nested": {"list": [1, 2]}}


def test_a_retry_returns_the_first_result(store, tag):
    fn = Counter()
    store.register_context(None)
    first = store.run_once(f"contract{tag}", "key-1", {"n": 1}, fn)
    assert first == {"id": "R1", "echo": 1, "nested": {"list": [1, 2]}}
    assert store.run_once(f"contract{tag}", "key-1", {"n": 1}, fn) == first
    assert fn.calls == 1
    assert store.run_once(f"contract{tag}", "key-2", {"n": 1}, fn)["id"] == "R2"  # another key, another call


def test_a_key_with_another_body_is_refused(store, tag):
    fn = Counter()
    store.run_once(f"contract{tag}", "key-1", {"n": 1}, fn)
    with pytest.raises(IdempotencyKeyReused):
        store.run_once(f"contract{tag}", "key-1", {"n": 2}, fn)
    assert fn.calls == 1


def test_scopes_do_not_share_keys(store, tag):
    fn = Counter()
    store.run_once(f"contract{tag}a", "key-1", {"n": 1}, fn)
    store.run_once(f"contract{tag}b", "key-1", {"n": 2}, fn)
    assert fn.calls == 2


def test_a_failed_call_keeps_nothing(store, tag):
    def fails(body: dict) -> dict:
        raise ValueError("no")

    with pytest.raises(ValueError):
        store.run_once(f"contract{tag}", "key-1", {"n": 1}, fails)
    assert store.run_once(f"contract{tag}", "key-1", {"n": 1}, Counter())["id"] == "R1"
