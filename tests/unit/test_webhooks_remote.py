"""Standard Webhooks verification (pure), the SSRF rule for callback URLs, and the remote-request
domain: transitions, SLA deadline in network work hours, queue keys, inputs of citizens abroad."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.domain import remote, webhooks
from chalicelib.schemas import RemoteRequestIn

# The published test vector (standard-webhooks, libraries/python/tests/test_webhooks.py::test_sign_function).
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TS = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
NOW = VECTOR_TS + 10


def headers(msg_id=VECTOR_ID, ts=VECTOR_TS, sig=VECTOR_SIGNATURE) -> dict:
    return {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": sig}


def test_published_vector_signs_and_verifies():
    assert webhooks.signature(VECTOR_SECRET, VECTOR_ID, VECTOR_TS, VECTOR_BODY) == VECTOR_SIGNATURE
    assert webhooks.verify(headers(), VECTOR_BODY, [VECTOR_SECRET], NOW) == VECTOR_ID
    # The secret works with and without its whsec_ prefix (as the reference library accepts).
    assert webhooks.verify(headers(), VECTOR_BODY, [VECTOR_SECRET.removeprefix("whsec_")], NOW) == VECTOR_ID
    # Independently recomputed with hmac/hashlib.
    key = base64.b64decode(VECTOR_SECRET.removeprefix("whsec_"))
    mac = hmac.new(key, f"{VECTOR_ID}.{VECTOR_TS}.".encode() + VECTOR_BODY, hashlib.sha256).digest()
    assert "v1," + base64.b64encode(mac).decode() == VECTOR_SIGNATURE


@pytest.mark.parametrize("case, hdrs, body, secrets, now", [
    ("tampered body", headers(), b'{"test": 2432232315}', [VECTOR_SECRET], NOW),
    ("re-serialised body", headers(), b'{"test":2432232314}', [VECTOR_SECRET], NOW),
    ("wrong secret", headers(), VECTOR_BODY, [webhooks.new_secret()], NOW),
    ("no secrets", headers(), VECTOR_BODY, [], NOW),
    ("id changed", headers(msg_id="msg_other"), VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("stale by 301 s", headers(), VECTOR_BODY, [VECTOR_SECRET], VECTOR_TS + 301),
    ("future by 301 s", headers(), VECTOR_BODY, [VECTOR_SECRET], VECTOR_TS - 301),
    ("timestamp not a number", headers(ts="abc"), VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("timestamp float", headers(ts="1614265330.0"), VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("timestamp 20 digits", headers(ts="1" * 20), VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("signature without comma", headers(sig="v1"), VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("empty signature", headers(sig=""), VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("blank signature", headers(sig=" "), VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("garbage base64", headers(sig="v1,!!!"), VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("other version only", headers(sig=VECTOR_SIGNATURE.replace("v1,", "v2,")), VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("8 KB header", headers(sig="v1," + "A" * 8192), VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("id with a dot", headers(msg_id="msg.1"), VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("id not ascii", headers(msg_id="پیام"), VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("id too long", headers(msg_id="m" * 257), VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("missing id", {k: v for k, v in headers().items() if k != "webhook-id"}, VECTOR_BODY, [VECTOR_SECRET], NOW),
    ("missing timestamp", {k: v for k, v in headers().items() if k != "webhook-timestamp"}, VECTOR_BODY,
     [VECTOR_SECRET], NOW),
    ("missing signature", {k: v for k, v in headers().items() if k != "webhook-signature"}, VECTOR_BODY,
     [VECTOR_SECRET], NOW),
    ("broken stored secret", headers(), VECTOR_BODY, ["whsec_***"], NOW),
])
def test_every_failure_is_a_webhook_error(case, hdrs, body, secrets, now):
    with pytest.raises(webhooks.WebhookError):
        webhooks.verify(hdrs, body, secrets, now)


def test_tolerance_is_inclusive_both_ways_and_rotation_works():
    for now in (VECTOR_TS - 299, VECTOR_TS + 299, VECTOR_TS - 300, VECTOR_TS + 300):
        assert webhooks.verify(headers(), VECTOR_BODY, [VECTOR_SECRET], now) == VECTOR_ID
    old, new = VECTOR_SECRET, webhooks.new_secret()
    both = webhooks.sign_headers([old, new], VECTOR_ID, VECTOR_TS, VECTOR_BODY)
    assert webhooks.verify(both, VECTOR_BODY, [new], NOW)  # (a) sender signs old+new, receiver holds new
    only_old = webhooks.sign_headers([old], VECTOR_ID, VECTOR_TS, VECTOR_BODY)
    assert webhooks.verify(only_old, VECTOR_BODY, [new, old], NOW)  # (b) receiver holds both
    with pytest.raises(webhooks.WebhookError):
        webhooks.verify(only_old, VECTOR_BODY, [new], NOW)  # (c) old retired


@given(st.binary(max_size=64), st.integers(min_value=0, max_value=len(VECTOR_BODY) - 1))
def test_any_mutation_of_the_body_is_refused(noise, where):
    mutated = VECTOR_BODY[:where] + noise + VECTOR_BODY[where + 1:]
    if mutated == VECTOR_BODY:
        return
    with pytest.raises(webhooks.WebhookError):
        webhooks.verify(headers(), mutated, [VECTOR_SECRET], NOW)


@given(st.dictionaries(st.sampled_from(["webhook-id", "webhook-timestamp", "webhook-signature", "x"]),
                       st.text(max_size=80)))
def test_arbitrary_headers_never_raise_anything_else(hdrs):
    try:
        webhooks.verify(hdrs, VECTOR_BODY, [VECTOR_SECRET], NOW)
    except webhooks.WebhookError:
        pass


def test_macs_are_compared_in_constant_time_only():
    import inspect
    source = inspect.getsource(webhooks)
    assert "compare_digest" in source and "expected ==" not in source and "== expected" not in source


@pytest.mark.parametrize("url, ok", [
    ("https://partner.example/callbacks", True),
    ("https://93.184.216.34/cb", True),
    ("http://partner.example/callbacks", False),
    ("https://169.254.169.254/latest/meta-data", False),
    ("https://10.0.0.1/cb", False),
    ("https://127.0.0.1:8443/cb", False),
    ("https://[::1]/cb", False),
    ("https://[::ffff:10.0.0.1]/cb", False),
    ("https://localhost/cb", False),
    ("https://user:pw@partner.example/cb", False),
    ("not a url", False),
])
def test_callback_urls_are_https_to_public_addresses(url, ok):
    assert (webhooks.callback_url_problem(url) is None) == ok


# --- the remote-request domain ---------------------------------------------------------------

def test_lifecycle_transitions():
    assert remote.allowed("assign", remote.RECEIVED) and not remote.allowed("assign", remote.ASSIGNED)
    assert remote.allowed("start", remote.ASSIGNED) and not remote.allowed("complete", remote.ASSIGNED)
    assert remote.allowed("reject", remote.IN_PROGRESS) and not remote.allowed("reject", remote.COMPLETED)
    assert remote.releases_counter("complete", remote.IN_PROGRESS)
    assert remote.releases_counter("reject", remote.ASSIGNED)
    assert not remote.releases_counter("start", remote.ASSIGNED)
    for action, (sources, _) in remote.TRANSITIONS.items():
        assert not set(sources) & set(remote.FINAL), f"{action} leaves a final state"


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00+03:30")


def test_sla_deadline_counts_network_work_hours_only():
    # Saturday 2026-11-21 10:00 + 8 work hours: 6 h on Saturday (to 16:00), 2 h on Sunday.
    assert remote.sla_deadline(at("2026-11-21", "10:00"), 8) == at("2026-11-22", "10:00")
    # Arriving at night starts the clock next morning.
    assert remote.sla_deadline(at("2026-11-21", "22:00"), 2) == at("2026-11-22", "10:00")
    # Wednesday 15:00 + 3 h: 1 h Wednesday, Thursday 08-12 gives 2 h (Friday closed).
    assert remote.sla_deadline(at("2026-11-25", "15:00"), 3) == at("2026-11-26", "10:00")
    assert remote.sla_deadline(at("2026-11-25", "15:00"), 6) == at("2026-11-28", "09:00")
    assert remote.sla_deadline(at("2026-11-25", "15:00"), 3, thursday_open=False) == at("2026-11-28", "10:00")
    # A network holiday is skipped.
    closed = {at("2026-11-22", "00:00").date()}
    assert remote.sla_deadline(at("2026-11-21", "10:00"), 8, is_closed=closed.__contains__) == at("2026-11-23", "10:00")
    assert remote.sla_deadline(at("2026-11-21", "10:00"), 8).tzinfo is not None


def test_queue_keys_order_by_deadline_and_leases_spread_over_shards():
    from chalicelib.dal import queue_keys
    early = queue_keys.sort_key(at("2026-11-22", "10:00"), "RQ2222222222")
    late = queue_keys.sort_key(at("2026-11-22", "10:01"), "RQ2222222222")
    assert early < late
    entry = remote.QueueEntry("RQ2222222222", "S0001", "petitions", at("2026-11-22", "10:00"))
    assert entry.order < remote.QueueEntry("RQ2222222221", "S0001", "petitions", at("2026-11-22", "10:01")).order
    shards = {queue_keys.lease_key(remote.new_tracking_code(), at("2026-11-22", "10:00"))[0] for _ in range(400)}
    assert shards == {f"AS#{n}" for n in range(queue_keys.LEASE_SHARDS)}
    assert queue_keys.queue("petitions", None) != queue_keys.queue("notices", None)  # a partition per category
    assert queue_keys.queue("petitions", "OF-A") == queue_keys.office_queue("OF-A")
    assert remote.is_tracking_code(remote.new_tracking_code()) and not remote.is_tracking_code("RQ1")


def body(**extra) -> dict:
    return {"service_id": "S0001", "national_id": "0012345679", "mobile": "09121234567", **extra}


def test_intake_body_rules():
    assert RemoteRequestIn.model_validate(body()).mobile == "+989121234567"
    abroad = RemoteRequestIn.model_validate(body(mobile="0049 151 12345678", country="de", time_zone="Europe/Berlin"))
    assert (abroad.mobile, abroad.country) == ("+4915112345678", "DE")
    for bad in (body(mobile="+4915112345678"), body(time_zone="Mars/Base"), body(country="IRN"),
                body(documents=[{"name": "a", "media_type": "application/pdf", "size": 1}]),
                body(documents=[{"name": "a", "media_type": "text/html", "size": 1, "upload_ref": "uploads/abc"}]),
                body(documents=[{"name": "a", "media_type": "image/png", "size": 1, "upload_ref": "uploads/abc"}] * 6),
                body(national_id="0012345678"), body(extra="x")):
        with pytest.raises(ValidationError):
            RemoteRequestIn.model_validate(bad)


def test_retry_schedule_backoff_jitter_throttling_and_410():
    assert sum(webhooks.RETRY_DELAYS) / 3600 == pytest.approx(75.6, abs=1)  # the Standard Webhooks horizon
    assert webhooks.next_delay(0, 500, None, 1.0) == 5
    assert webhooks.next_delay(1, None, None, 1.2) == pytest.approx(360)
    assert webhooks.next_delay(0, 429, 900, 1.0) == 900  # Retry-After honoured on throttling
    assert webhooks.next_delay(0, 500, 900, 1.0) == 5  # ...and only then
    assert webhooks.next_delay(0, 410, None, 1.0) is None  # gone: stop
    assert webhooks.next_delay(len(webhooks.RETRY_DELAYS), 500, None, 1.0) is None
    event = webhooks.status_event("RQ2222222222", "COMPLETED", "2026-11-23T10:00:00+03:30")
    assert set(event) == {"type", "timestamp", "data"} and "national_id" not in json.dumps(event)


def test_sender_refuses_names_that_resolve_to_private_addresses(monkeypatch):
    import socket

    from chalicelib.services import remote_jobs
    for address in ("10.0.0.5", "127.0.0.1", "169.254.169.254", "::1", "fd00::1"):
        monkeypatch.setattr(socket, "getaddrinfo", lambda *a, _ip=address, **k: [(None, None, None, "", (_ip, 443))])
        with pytest.raises(remote_jobs.CallbackRefused):
            remote_jobs.http_sender()("https://partner.example/cb", b"{}", {})
    with pytest.raises(remote_jobs.CallbackRefused):
        remote_jobs.http_sender()("http://partner.example/cb", b"{}", {})
