"""The citizen store's contract, on the in-memory fake and on DynamoDB Local: a challenge with its
resend gate and hourly counters is written all or nothing; tries are spent one at a time and
never below zero; a verified challenge is closed once; the first mobile paired wins."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain import calendar
from chalicelib.domain.citizen import Challenge, Sending
from chalicelib.errors import TxConditionFailed
from tests.fakes.citizens import FakeCitizenStore
from tests.integration.contract.conftest import BACKENDS, delete_tagged

NOW = calendar.now_tehran().replace(microsecond=0)


@pytest.fixture(params=BACKENDS)
def store(request, tag):
    if request.param == "fake":
        yield FakeCitizenStore()
        return
    request.getfixturevalue("dynamodb")
    from chalicelib.dal import citizen_store
    yield citizen_store
    delete_tagged("citizens", tag)


def sending(tag: str, n: int = 1, *, mobile: str = "m", client: str = "cl", now=NOW, per_mobile: int = 5,
            per_client: int = 20) -> Sending:
    challenge = Challenge(f"{tag}X{n}", f"{tag}citizen", f"{tag}{mobile}", f"hash{n}", now + timedelta(minutes=2), 5,
                          "*******899", "+98912*****67")
    return Sending(challenge, now + timedelta(seconds=60), "2026112918", f"{tag}{client}", per_mobile, per_client)


def test_a_challenge_reads_back_and_its_tries_are_spent_one_by_one(store, tag):
    sent = sending(tag)
    store.open_challenge(sent, NOW)
    assert store.get_challenge(sent.challenge.challenge_id) == sent.challenge
    for left in (4, 3, 2, 1, 0):
        assert store.spend_try(sent.challenge.challenge_id, NOW).tries_left == left
    assert store.spend_try(sent.challenge.challenge_id, NOW) is None  # never below zero
    assert store.spend_try(f"{tag}nothing", NOW) is None


def test_an_expired_challenge_has_no_try_left_to_spend(store, tag):
    sent = sending(tag)
    store.open_challenge(sent, NOW)
    assert store.spend_try(sent.challenge.challenge_id, sent.challenge.expires_at) is None
    assert store.spend_try(sent.challenge.challenge_id, sent.challenge.expires_at - timedelta(seconds=1)).tries_left == 4


def test_the_resend_gate_and_the_hourly_caps_refuse_all_or_nothing(store, tag):
    store.open_challenge(sending(tag, 1), NOW)
    with pytest.raises(TxConditionFailed) as err:
        store.open_challenge(sending(tag, 2), NOW + timedelta(seconds=59))
    assert err.value.labels == {"resend"}
    assert store.get_challenge(f"{tag}X2") is None  # nothing of the refused send was written
    store.open_challenge(sending(tag, 3), NOW + timedelta(seconds=60))
    # The mobile's hour: a cap of 2 is reached by the two sends above.
    with pytest.raises(TxConditionFailed) as err:
        store.open_challenge(sending(tag, 4, per_mobile=2), NOW + timedelta(seconds=120))
    assert err.value.labels == {"mobile_hour"}
    # The client's hour, another mobile: 2 sends counted for the client too.
    with pytest.raises(TxConditionFailed) as err:
        store.open_challenge(sending(tag, 5, mobile="m2", per_client=2), NOW)
    assert err.value.labels == {"client_hour"}
    store.open_challenge(sending(tag, 6, mobile="m2", per_client=3), NOW)


def test_a_withdrawn_send_reopens_the_gate_only_if_it_is_still_its_own(store, tag):
    first = sending(tag, 1)
    store.open_challenge(first, NOW)
    store.withdraw_challenge(first)
    assert store.get_challenge(first.challenge.challenge_id) is None
    second = sending(tag, 2)
    store.open_challenge(second, NOW)  # at once: the gate opened again
    late = sending(tag, 3, now=NOW + timedelta(seconds=61))
    store.open_challenge(late, NOW + timedelta(seconds=61))
    store.withdraw_challenge(second)  # the gate is the late send's now: it stays closed
    with pytest.raises(TxConditionFailed) as err:
        store.open_challenge(sending(tag, 4), NOW + timedelta(seconds=62))
    assert err.value.labels == {"resend"}


def test_closing_pairs_once_and_the_first_mobile_wins(store, tag):
    first = sending(tag, 1)
    other = sending(tag, 2, mobile="m2")
    store.open_challenge(first, NOW)
    store.open_challenge(other, NOW)
    assert store.paired_mobile(f"{tag}citizen") is None
    store.close_challenge(first.challenge, NOW)
    assert store.paired_mobile(f"{tag}citizen") == f"{tag}m"
    assert store.get_challenge(first.challenge.challenge_id) is None
    with pytest.raises(TxConditionFailed) as err:
        store.close_challenge(first.challenge, NOW)  # used once
    assert "challenge" in err.value.labels
    with pytest.raises(TxConditionFailed) as err:
        store.close_challenge(other.challenge, NOW)  # another mobile for the same citizen
    assert err.value.labels == {"pairing"}
    assert store.paired_mobile(f"{tag}citizen") == f"{tag}m"
    again = replace(sending(tag, 3, now=NOW + timedelta(seconds=61)).challenge)
    store.open_challenge(sending(tag, 3, now=NOW + timedelta(seconds=61)), NOW + timedelta(seconds=61))
    store.close_challenge(again, NOW + timedelta(seconds=61))  # the same mobile again is fine
