"""Abuse limits on DynamoDB Local with the stage's own policies (settings DEFAULT_RATE_LIMITS):
500 holds from one client released together through the real HTTP stack, refused with 429 past
the client's bucket, and the granted takes counted in the database too; then the per-client
limit of remote requests and the per-citizen limit of refused bookings through the in-process
handler."""
from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from chalicelib.settings import DEFAULT_RATE_LIMITS
from tests.integration.fixtures import at, next_open_day
from tests.integration.remote_support import LocalApi, fire
from tests.integration.support import as_citizen, post, problem

HOLD = DEFAULT_RATE_LIMITS["hold-client"]


@pytest.fixture(scope="module")
def stage_api(tables):
    """`chalice local` with the stage's policies (the concurrency tests' server lifts them)."""
    server = LocalApi()
    yield server.base
    server.stop()


def bucket(policy: str, subject: str):
    from chalicelib.dal import limit_store
    from chalicelib.services import limits
    return limit_store.read(limits.bucket(policy, subject))


def holds_stored() -> int:
    from chalicelib.dal.models import HoldItem
    return sum(1 for _ in HoldItem.scan(HoldItem.pk.startswith("HD#"), consistent_read=True))


def test_500_holds_from_one_client_get_429_past_the_bucket(stage_api, network):
    day = next_open_day()
    body = json.dumps({"office_id": "OF-A", "service_id": "S0001", "start": at(day, "09:00").isoformat()}).encode()
    started = time.monotonic()
    # 500 citizens behind one address (each with their session: one live hold per citizen is another rule).
    results = fire([("POST", f"{stage_api}/v1/holds", body, {"Content-Type": "application/json", **as_citizen(1000 + i)})
                    for i in range(500)])
    elapsed = time.monotonic() - started
    counts = Counter(r.status_code for r in results)  # an exception here fails the test: none expected
    passed = counts[201] + counts[409]  # through the limit: a hold, or the slot already full
    refills = int(elapsed * HOLD.rate / HOLD.per_s) + 1  # tokens that came back while the 500 ran
    print(f"500 holds from one client in {elapsed:.1f} s: {dict(counts)}")
    assert set(counts) <= {201, 409, 429} and counts[201] == 3, counts  # OF-A has three counters
    assert HOLD.burst <= passed <= HOLD.burst + refills, (counts, elapsed)
    assert counts[429] == 500 - passed >= 500 - HOLD.burst - refills
    # The database agrees: the bucket granted exactly the takes that went through, three holds live.
    stored = bucket("hold-client", "127.0.0.1")
    assert stored is not None and stored.granted == passed
    assert holds_stored() == 3
    refused = next(r for r in results if r.status_code == 429)
    assert refused.headers["Content-Type"] == "application/problem+json"
    retry = int(refused.headers["Retry-After"])
    doc = refused.json()
    assert 1 <= retry <= HOLD.per_s / HOLD.rate + 1 and doc["type"].endswith("/rate-limited")
    assert doc["detail_fa"] and doc["title_fa"] and "127.0.0.1" not in refused.text
    # After Retry-After seconds the client is served again (the slot is full: 409, not 429).
    # Responses come back in submission order, not in the order they were refused: the refusal made
    # last carries the longest wait, so the client waits the longest Retry-After it was given.
    time.sleep(max(int(r.headers["Retry-After"]) for r in results if r.status_code == 429))
    again = fire([("POST", f"{stage_api}/v1/holds", body, {"Content-Type": "application/json", **as_citizen(2000)})])[0]
    assert again.status_code == 409, again.text


def test_remote_requests_are_limited_per_client(client):
    burst = DEFAULT_RATE_LIMITS["remote-client"].burst
    headers = {"Idempotency-Key": "limit-test-0001"}
    # Bad bodies spend tokens too: the bucket is spent before the body is read.
    answers = [post(client, "/v1/requests", {"office_id": "nope"}, headers).status_code for _ in range(burst)]
    assert set(answers) == {422}, answers
    doc = problem(post(client, "/v1/requests", {"office_id": "nope"}, headers), 429, "rate-limited")
    assert "ثانیه" in doc["detail_fa"]
    assert bucket("remote-client", "127.0.0.1").granted == burst


def test_a_citizens_refused_bookings_spend_their_own_bucket_and_accepted_ones_none(client, network):
    from tests.integration.fixtures import mobile, national_id
    burst = DEFAULT_RATE_LIMITS["booking-citizen"].burst
    citizen, key = as_citizen(4100), citizen_key_of(4100)
    day = next_open_day()
    booked = post(client, "/v1/bookings", {"office_id": "OF-A", "service_id": "S0001", "start": at(day, "10:00").isoformat(),
                                          "national_id": national_id(4100), "mobile": mobile(4100)}, citizen)
    assert booked.status_code == 201, booked.body
    assert bucket("booking-citizen", key) is None  # an accepted booking costs no take
    answers = [post(client, "/v1/bookings", {"office_id": "nope"}, citizen).status_code for _ in range(burst)]
    assert set(answers) == {422}, answers
    doc = problem(post(client, "/v1/bookings", {"office_id": "nope"}, citizen), 429, "rate-limited")
    assert "ثانیه" in doc["detail_fa"]
    assert bucket("booking-citizen", key).granted == burst
    # Remembered in this container: refused again without spending or reading anything.
    problem(post(client, "/v1/bookings", {"office_id": "nope"}, citizen), 429, "rate-limited")
    assert bucket("booking-citizen", key).granted == burst
    # Another citizen at the same address is not held back by it.
    assert post(client, "/v1/bookings", {"office_id": "nope"}, as_citizen(4101)).status_code == 422


def citizen_key_of(n: int) -> str:
    from chalicelib.domain.booking import citizen_key
    from chalicelib.settings import get_settings
    from tests.integration.fixtures import national_id
    return citizen_key(national_id(n), get_settings().citizen_pepper)
