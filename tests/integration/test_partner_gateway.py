"""The partner gateway end to end through the Chalice handler on DynamoDB Local: the registry
and secret rotation, Standard Webhooks verification (every failure a 401 with no side effect),
replays processed once, the per-partner quota and the signed status read."""
from __future__ import annotations

import json
import time

from tests.integration.fixtures import national_id
from tests.integration.remote_support import dumps, request_body, signed
from tests.integration.support import as_admin, as_operator

ADMIN = as_admin()


def register(client, partner_id="call-1470", quota=None, callback="https://partner.example/cb"):
    body = {"name": "مرکز تماس ۱۴۷۰", "kind": "call_centre_1470", "callback_url": callback}
    if quota:
        body["quota_per_minute"] = quota
    resp = client.http.put(f"/v1/admin/partners/{partner_id}", body=json.dumps(body), headers=ADMIN)
    assert resp.status_code == 201, resp.body
    return json.loads(resp.body)["new_secret"]["secret"]


def deliver(client, partner_id, secret, payload: bytes, **kw):
    return client.http.post(f"/v1/partners/{partner_id}/requests", body=payload, headers=signed(secret, payload, **kw))


def partner_body(n=1, ref="1470-CALL-000001", **extra) -> bytes:
    return dumps({**request_body(n), "partner_ref": ref, **extra})


def side_effects() -> dict:
    from chalicelib.dal.models import RemoteRequestItem
    items = list(RemoteRequestItem.scan(consistent_read=True))
    return {"requests": sum(i.sk == "REQUEST" for i in items), "queued": sum(i.pk.startswith("Q") for i in items),
            "seen": sum(i.pk.startswith("WH#") for i in items)}


def unauthorised(resp):
    assert resp.status_code == 401, resp.body
    assert resp.headers["Content-Type"] == "application/problem+json"
    assert json.loads(resp.body)["type"].endswith("/invalid-signature")
    assert "WWW-Authenticate" in resp.headers


def test_registry_is_for_the_association_and_never_shows_secrets(client):
    operator = as_operator("OF-A")
    body = json.dumps({"name": "Consulate Berlin", "kind": "consulate"})
    assert client.http.put("/v1/admin/partners/consulate-berlin", body=body, headers=operator).status_code == 403
    assert client.http.put("/v1/admin/partners/consulate-berlin", body=body,
                           headers={"Content-Type": "application/json"}).status_code == 401
    secret = register(client, "consulate-berlin")
    assert secret.startswith("whsec_")
    read = client.http.get("/v1/admin/partners/consulate-berlin", headers=ADMIN)
    assert read.status_code == 200 and secret not in read.body.decode() and "whsec_" not in read.body.decode()
    # Updating keeps the secret; a private callback address is refused (SSRF).
    again = client.http.put("/v1/admin/partners/consulate-berlin", body=json.dumps(
        {"name": "Consulate Berlin", "kind": "consulate", "quota_per_minute": 30}), headers=ADMIN)
    assert again.status_code == 200 and json.loads(again.body)["quota_per_minute"] == 30
    assert "new_secret" not in json.loads(again.body)
    for url in ("https://169.254.169.254/latest", "http://partner.example/cb", "https://10.1.2.3/cb",
                "https://localhost/cb"):
        refused = client.http.put("/v1/admin/partners/consulate-berlin", body=json.dumps(
            {"name": "Consulate Berlin", "kind": "consulate", "callback_url": url}), headers=ADMIN)
        assert refused.status_code == 422, url


def test_two_administrators_saving_one_partner_at_once_the_later_save_is_refused(client, monkeypatch):
    """Each administrator's save is conditional on the version they read: when another's save lands
    between the read and the write, the write is refused (409) and the other's details stand."""
    from dataclasses import replace

    from chalicelib.dal import partner_store
    register(client, "consulate-paris")
    read = partner_store.get

    def read_while_another_saves(partner_id):
        found = read(partner_id)
        partner_store.save(replace(found, name="سرکنسولگری پاریس"))  # the other administrator's save lands first
        return found

    monkeypatch.setattr(partner_store, "get", read_while_another_saves)
    late = client.http.put("/v1/admin/partners/consulate-paris", headers=ADMIN,
                           body=json.dumps({"name": "Consulate Paris", "kind": "consulate"}))
    monkeypatch.undo()
    assert late.status_code == 409, late.body
    assert late.headers["Content-Type"] == "application/problem+json"
    assert json.loads(client.http.get("/v1/admin/partners/consulate-paris", headers=ADMIN).body)["name"] == \
        "سرکنسولگری پاریس"


def test_the_registry_lists_every_partner_without_secrets(client):
    assert client.http.get("/v1/admin/partners", headers=as_operator("OF-A")).status_code == 403
    empty = client.http.get("/v1/admin/partners", headers=ADMIN)
    assert empty.status_code == 200 and json.loads(empty.body) == {"items": []}
    secrets = [register(client, "court-tehran"), register(client, "call-1470")]
    retired = client.http.put("/v1/admin/partners/court-tehran", body=json.dumps(
        {"name": "Court", "kind": "court_system", "active": False}), headers=ADMIN)
    assert retired.status_code == 200
    listed = client.http.get("/v1/admin/partners", headers=ADMIN)
    items = json.loads(listed.body)["items"]
    assert [(p["partner_id"], p["active"], len(p["secrets"])) for p in items] == [
        ("call-1470", True, 1), ("court-tehran", False, 1)]
    assert not any(s in listed.body.decode() for s in secrets) and "whsec_" not in listed.body.decode()


def test_signed_delivery_creates_one_request_and_replays_create_nothing(client):
    secret = register(client)
    payload = partner_body()
    first = deliver(client, "call-1470", secret, payload, msg_id="msg_0001")
    assert first.status_code == 201, first.body
    created = json.loads(first.body)
    assert created["partner_ref"] == "1470-CALL-000001" and created["status"] == "RECEIVED"
    assert national_id(1) not in first.body.decode()
    # The partner retries the same delivery (same id, a new timestamp, re-signed) several times.
    for _ in range(5):
        replay = deliver(client, "call-1470", secret, payload, msg_id="msg_0001")
        assert replay.status_code == 200 and json.loads(replay.body)["tracking_code"] == created["tracking_code"]
    assert side_effects() == {"requests": 1, "queued": 1, "seen": 1}
    # The dedupe record outlives the Standard Webhooks retry horizon (~75.6 h).
    from chalicelib.dal.models import WebhookSeenItem
    seen = WebhookSeenItem.get("WH#call-1470#msg_0001", "SEEN")
    assert seen.ttl.timestamp() - time.time() >= 76 * 3600

    # The partner reads the status, signed over "GET <path>"; unsigned or another partner: refused.
    from chalicelib.services.partners import read_content
    path = f"/v1/partners/call-1470/requests/{created['tracking_code']}"
    status = client.http.get(path, headers=signed(secret, read_content("call-1470", created["tracking_code"])))
    assert status.status_code == 200 and json.loads(status.body)["partner_ref"] == "1470-CALL-000001"
    unauthorised(client.http.get(path, headers=signed(secret, b"")))
    unauthorised(client.http.get(path))
    other = register(client, "court-tehran")
    resp = client.http.get(f"/v1/partners/court-tehran/requests/{created['tracking_code']}",
                           headers=signed(other, read_content("court-tehran", created["tracking_code"])))
    assert resp.status_code == 404


def test_every_verification_failure_is_401_with_no_side_effect(client):
    secret = register(client)
    other_partners_secret = register(client, "court-tehran")
    payload = partner_body()
    now = int(time.time())
    good = signed(secret, payload)
    cases = {
        "tampered body": (payload.replace(b"000001", b"000002"), good),
        "wrong secret": (payload, signed("whsec_" + "QUJD" * 8, payload)),
        "another partner's secret": (payload, signed(other_partners_secret, payload)),
        # A minute past the 300 s tolerance either way: the cases are sent one after another, and a
        # timestamp only 1 s in the future was inside the window once the first few had taken a second.
        "stale timestamp": (payload, signed(secret, payload, timestamp=now - 360)),
        "future timestamp": (payload, signed(secret, payload, timestamp=now + 360)),
        "no headers": (payload, {"Content-Type": "application/json"}),
        "signature without comma": (payload, {**good, "webhook-signature": "v1"}),
        "empty signature": (payload, {**good, "webhook-signature": ""}),
        "garbage signature": (payload, {**good, "webhook-signature": "v1,!!!"}),
        "v2 only": (payload, {**good, "webhook-signature": good["webhook-signature"].replace("v1,", "v2,")}),
        "huge signature": (payload, {**good, "webhook-signature": "v1," + "A" * 8000}),
        "timestamp not a number": (payload, {**good, "webhook-timestamp": "abc"}),
        "id with a dot": (payload, signed(secret, payload, msg_id="msg.1")),
    }
    for case, (body, headers) in cases.items():
        resp = client.http.post("/v1/partners/call-1470/requests", body=body, headers=headers)
        assert resp.status_code == 401, (case, resp.status_code, resp.body)
        unauthorised(resp)
    # An unknown partner, and a partner's own secret used in another partner's path.
    unauthorised(deliver(client, "nobody", secret, payload))
    unauthorised(deliver(client, "court-tehran", secret, payload))
    assert side_effects() == {"requests": 0, "queued": 0, "seen": 0}
    # The body limit is checked before the signature.
    big = dumps({"partner_ref": "x", "description": "x" * 20_000})
    assert deliver(client, "call-1470", secret, big).status_code == 413


def test_rotation_without_dropping_deliveries(client):
    old = register(client)
    rotated = client.http.post("/v1/admin/partners/call-1470/secrets", headers=ADMIN)
    assert rotated.status_code == 201
    view = json.loads(rotated.body)
    new, new_id = view["new_secret"]["secret"], view["new_secret"]["id"]
    old_id = next(s["id"] for s in view["secrets"] if s["id"] != new_id)
    assert deliver(client, "call-1470", [old, new], partner_body(1, "r-1")).status_code == 201  # sender signs both
    assert deliver(client, "call-1470", old, partner_body(2, "r-2")).status_code == 201  # old still valid
    assert deliver(client, "call-1470", new, partner_body(3, "r-3")).status_code == 201
    retired = client.http.delete(f"/v1/admin/partners/call-1470/secrets/{old_id}", headers=ADMIN)
    assert retired.status_code == 200 and [s["id"] for s in json.loads(retired.body)["secrets"]] == [new_id]
    unauthorised(deliver(client, "call-1470", old, partner_body(4, "r-4")))
    assert client.http.delete(f"/v1/admin/partners/call-1470/secrets/{new_id}", headers=ADMIN).status_code == 409
    assert side_effects()["requests"] == 3


def test_quota_per_partner_and_bad_bodies_after_a_good_signature(client):
    secret = register(client, quota=3)
    assert deliver(client, "call-1470", secret, b"{not json").status_code == 400
    assert deliver(client, "call-1470", secret, dumps({"partner_ref": "r"})).status_code == 422
    assert deliver(client, "call-1470", secret, partner_body(5)).status_code == 201
    limited = deliver(client, "call-1470", secret, partner_body(6, "r-6"))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 0
    assert json.loads(limited.body)["type"].endswith("/rate-limited")
    assert side_effects()["requests"] == 1


def test_no_secret_national_id_or_mobile_in_logs(client):
    import logging

    from chalicelib.observability import logger
    from tests.integration.fixtures import mobile

    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    collect = Collect(level=logging.DEBUG)
    collect.setFormatter(logger.registered_handler.formatter)
    logger.addHandler(collect)
    level = logger.log_level
    logger.setLevel("DEBUG")
    try:
        secret = register(client)
        deliver(client, "call-1470", secret, partner_body(9))  # created
        deliver(client, "call-1470", "whsec_" + "QUJD" * 8, partner_body(9))  # refused, logged
        client.http.post("/v1/admin/partners/call-1470/secrets", headers=ADMIN)  # rotated, logged
    finally:
        logger.removeHandler(collect)
        logger.setLevel(level)
    logs = "\n".join(lines)
    assert "partner request received" in logs and "partner delivery rejected" in logs
    for value in (secret, secret.removeprefix("whsec_"), "whsec_", national_id(9), mobile(9)):
        assert value not in logs
