"""The versioned configuration store's contract, on the in-memory fake and on DynamoDB Local."""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta

import pytest

from chalicelib.domain import calendar
from chalicelib.domain.config import StaleVersion
from tests.fakes.config import FakeConfigStore

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=calendar.TEHRAN)


@pytest.fixture(params=["fake", "dynamodb"])
def store(request):
    if request.param == "fake":
        return FakeConfigStore()
    request.getfixturevalue("tables")
    from chalicelib.dal import config_store
    return config_store


@pytest.fixture()
def name() -> str:
    return f"contract-{uuid.uuid4().hex[:8]}"  # its own configuration: nothing to clean between tests


def test_nothing_is_adopted_at_first(store, name):
    assert store.current(name, cached=False) is None
    assert store.history(name) == []


def test_versions_follow_each_other_and_stay_in_the_history(store, name):
    assert store.adopt(name, {"a": 1}, 0, "admin-1", NOW) == 1
    assert store.adopt(name, {"a": 2, "b": [1, 2]}, 1, "admin-2", NOW + timedelta(minutes=1)) == 2
    current = store.current(name, cached=False)
    assert (current.number, dict(current.document), current.adopted_by) == (2, {"a": 2, "b": [1, 2]}, "admin-2")
    assert current.adopted_at == (NOW + timedelta(minutes=1)).isoformat(timespec="seconds")
    assert [(v.number, v.document["a"], v.adopted_by) for v in store.history(name)] == [(2, 2, "admin-2"),
                                                                                         (1, 1, "admin-1")]
    assert [v.number for v in store.history(name, limit=1)] == [2]


@pytest.mark.parametrize("expected", [0, 2, 7])
def test_adopting_over_a_version_that_is_not_current_adopts_nothing(store, name, expected):
    store.adopt(name, {"a": 1}, 0, "admin-1", NOW)
    if expected == 2:
        store.adopt(name, {"a": 2}, 1, "admin-1", NOW)
        expected = 1  # read version 1, but 2 is current now
    with pytest.raises(StaleVersion):
        store.adopt(name, {"a": "lost"}, expected, "admin-2", NOW)
    assert all(v.document["a"] != "lost" for v in store.history(name))
    assert store.current(name, cached=False).document["a"] != "lost"


def test_two_admins_adopting_over_the_same_version_one_wins(store, name):
    store.adopt(name, {"a": 0}, 0, "admin-0", NOW)
    barrier, won, stale = threading.Barrier(4), [], []

    def adopt(k: int):
        barrier.wait(timeout=10)
        try:
            won.append(store.adopt(name, {"a": k}, 1, f"admin-{k}", NOW))
        except StaleVersion:
            stale.append(k)

    threads = [threading.Thread(target=adopt, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert won == [2] and len(stale) == 3
    history = store.history(name)
    assert [v.number for v in history] == [2, 1]  # the store holds one version 2, the winner's
    assert store.current(name, cached=False).adopted_by == history[0].adopted_by
