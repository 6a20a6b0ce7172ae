"""Remote requests end to end through the Chalice handler on DynamoDB Local: citizen intake
and status read, the office's pull of the queue, its transitions and counters."""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime

import jwt

from tests.integration.fixtures import national_id
from tests.integration.remote_support import PNG, cited, grant, request_body, upload
from tests.integration.staff import issue_token
from tests.integration.support import as_operator, post, problem


def submit(client, n=1, key=None, **extra):
    resp = post(client, "/v1/requests", request_body(n, **extra), {"Idempotency-Key": key or f"key-{n:08d}"})
    assert resp.status_code == 201, resp.body
    return json.loads(resp.body)


def test_intake_then_status_read_with_the_access_code(client):
    granted = grant(lambda path, body: (lambda r: (r.status_code, json.loads(r.body)))(post(client, path, body)),
                    [("scan.png", "image/png", PNG)])
    assert upload(granted["documents"][0], PNG) == 204
    resp = post(client, "/v1/requests", request_body(1, upload_id=granted["upload_id"], documents=[
        {"name": "draft.pdf", "media_type": "application/pdf", "size": 4, "content_base64": "JVBERg=="},
        *cited(granted)["documents"]]), {"Idempotency-Key": "intake-0001"})
    assert resp.status_code == 201, resp.body
    created = json.loads(resp.body)
    assert created["status"] == "RECEIVED" and created["queue"] == "national" and created["office"] is None
    assert created["tracking_code"].startswith("RQ") and len(created["access_code"]) == 8
    assert resp.headers["Location"] == f"/v1/requests/{created['tracking_code']}"
    assert datetime.fromisoformat(created["sla_deadline"]["at"]) > datetime.fromisoformat(created["created_at"])
    assert national_id(1) not in resp.body.decode() and "content_base64" not in resp.body.decode()

    read = client.http.get(f"/v1/requests/{created['tracking_code']}",
                           headers={"X-Access-Code": created["access_code"]})
    assert read.status_code == 200
    view = json.loads(read.body)
    assert view["status"] == "RECEIVED" and "access_code" not in view
    assert [t["status"] for t in view["timeline"]] == ["RECEIVED"]
    problem(client.http.get(f"/v1/requests/{created['tracking_code']}", headers={"X-Access-Code": "WRONG123"}), 404)
    problem(client.http.get(f"/v1/requests/{created['tracking_code']}"), 404)
    problem(client.http.get("/v1/requests/nonsense", headers={"X-Access-Code": created["access_code"]}), 404)

    from chalicelib.dal import request_store
    stored = request_store.get(created["tracking_code"])
    assert national_id(1) not in json.dumps(dataclasses.asdict(stored), default=str)


def test_idempotency_key_required_replayed_and_reuse_refused(client):
    problem(post(client, "/v1/requests", request_body(2)), 400, "idempotency-key-required")
    problem(post(client, "/v1/requests", request_body(2), {"Idempotency-Key": "short"}), 422)
    first = submit(client, 2, key="same-key-0002")
    again = submit(client, 2, key="same-key-0002")
    # The first result without its access code (never stored in clear, never re-issued).
    assert first["access_code"] and again == {k: v for k, v in first.items() if k != "access_code"}
    problem(post(client, "/v1/requests", request_body(3), {"Idempotency-Key": "same-key-0002"}), 422,
            "idempotency-key-reused")
    from chalicelib.dal.models import RemoteRequestItem
    assert sum(1 for _ in RemoteRequestItem.scan(RemoteRequestItem.sk == "REQUEST")) == 1


def test_intake_rules(client):
    # An in-person-only service cannot be requested remotely; an unknown one is 404.
    problem(post(client, "/v1/requests", request_body(4, service="S0002"), {"Idempotency-Key": "rules-0001"}), 422)
    problem(post(client, "/v1/requests", request_body(4, service="S9999"), {"Idempotency-Key": "rules-0002"}), 404)
    # A citizen abroad: an international mobile and a time zone; an Iranian number needs country IR.
    abroad = submit(client, 5, key="rules-0003", mobile="+49 151 1234 5678", country="de", time_zone="Europe/Berlin")
    assert (abroad["country"], abroad["time_zone"]) == ("DE", "Europe/Berlin")
    # A bad mobile is reported on its field (the page shows it there), at home and abroad.
    for key, extra in (("rules-0004", {"mobile": "+4915112345678"}),
                       ("rules-0014", {"mobile": "12", "country": "DE"})):
        refused = problem(post(client, "/v1/requests", request_body(6, **extra), {"Idempotency-Key": key}), 422)
        assert [e["field"] for e in refused["errors"]] == ["mobile"], refused
        assert refused["errors"][0]["message_fa"] == "شماره همراه نامعتبر است"
    problem(post(client, "/v1/requests", request_body(6, time_zone="Mars/Olympus"), {"Idempotency-Key": "rules-0005"}),
            422)
    # Inline content must match its size, and exactly one of content and upload_ref.
    bad_doc = {"name": "a.pdf", "media_type": "application/pdf", "size": 5, "content_base64": "JVBERg=="}
    problem(post(client, "/v1/requests", request_body(6, documents=[bad_doc]), {"Idempotency-Key": "rules-0006"}), 422)
    # A preferred office that serves the service remotely gets it in its own queue; otherwise national.
    own = submit(client, 7, key="rules-0007", preferred_office_id="OF-C")
    assert own["queue"] == "office" and own["preferred_office_id"] == "OF-C"
    assert submit(client, 8, key="rules-0008", preferred_office_id="OF-NOPE")["queue"] == "national"


def test_office_pulls_works_and_frees_its_counter(client):
    first = submit(client, 11)
    second = submit(client, 12)
    problem(post(client, "/v1/office/queue/next"), 401)
    assert json.loads(post(client, "/v1/office/counters", {"open": 1}, as_operator("OF-B")).body) == {
        "office_id": "OF-B", "open": 1, "busy": 0}
    problem(post(client, "/v1/office/counters", {"open": 2}, as_operator("OF-B")), 422)  # OF-B has one counter

    resp = post(client, "/v1/office/queue/next", None, as_operator("OF-B"))
    assert resp.status_code == 200, resp.body
    claimed = json.loads(resp.body)
    assert claimed["status"] == "ASSIGNED" and claimed["office"]["office_id"] == "OF-B"
    assert claimed["tracking_code"] in (first["tracking_code"], second["tracking_code"])
    assert claimed["description"] and claimed["national_id"].startswith("***")
    problem(post(client, "/v1/office/queue/next", None, as_operator("OF-B")), 409, "no-free-counter")

    # Another office cannot see or touch it.
    code = claimed["tracking_code"]
    problem(client.http.get(f"/v1/office/requests/{code}", headers=as_operator("OF-A")), 404)
    problem(post(client, f"/v1/office/requests/{code}/start", None, as_operator("OF-A")), 404)

    problem(post(client, f"/v1/office/requests/{code}/complete", None, as_operator("OF-B")), 409, "invalid-transition")
    assert json.loads(post(client, f"/v1/office/requests/{code}/start", None, as_operator("OF-B")).body)[
        "status"] == "IN_PROGRESS"
    # Completed with the operator's result note, which the citizen reads with the status.
    problem(post(client, f"/v1/office/requests/{code}/complete", {"note": "ok"}, as_operator("OF-B")), 422)
    done = json.loads(post(client, f"/v1/office/requests/{code}/complete", {"note": "دادخواست ثبت شد"},
                           as_operator("OF-B")).body)
    assert done["status"] == "COMPLETED" and done["reason"] == "دادخواست ثبت شد"
    assert json.loads(client.http.get("/v1/office/counters", headers=as_operator("OF-B")).body)["busy"] == 0

    # The citizen sees the whole timeline.
    mine = first if first["tracking_code"] == code else second
    view = json.loads(client.http.get(f"/v1/requests/{code}", headers={"X-Access-Code": mine["access_code"]}).body)
    assert [t["status"] for t in view["timeline"]] == ["RECEIVED", "ASSIGNED", "IN_PROGRESS", "COMPLETED"]
    assert view["reason"] == "دادخواست ثبت شد"

    # The next one, rejected with a reason; then the queue is empty: 204.
    other = json.loads(post(client, "/v1/office/queue/next", None, as_operator("OF-B")).body)["tracking_code"]
    assert other != code
    problem(post(client, f"/v1/office/requests/{other}/reject", {}, as_operator("OF-B")), 422)
    rejected = json.loads(post(client, f"/v1/office/requests/{other}/reject",
                               {"reason": "مدارک ناقص است"}, as_operator("OF-B")).body)
    assert rejected["status"] == "REJECTED" and rejected["reason"] == "مدارک ناقص است"
    assert post(client, "/v1/office/queue/next", None, as_operator("OF-B")).status_code == 204

    from chalicelib.dal import request_store
    history = request_store.get(other).history
    assert [(h["from"], h["to"]) for h in history] == [(None, "RECEIVED"), ("RECEIVED", "ASSIGNED"),
                                                       ("ASSIGNED", "REJECTED")]
    operator = jwt.decode(issue_token("op-1", "OF-B"), options={"verify_signature": False})["sub"]  # the pool's id
    assert all(h["actor"] for h in history) and history[-1]["actor"] == f"operator:{operator}"


def test_preferred_office_queue_and_qualification(client):
    own = submit(client, 21, preferred_office_id="OF-A")
    national = submit(client, 22)
    # OF-C does not get OF-A's request; it takes the national one.
    got = json.loads(post(client, "/v1/office/queue/next", None, as_operator("OF-C")).body)
    assert got["tracking_code"] == national["tracking_code"]
    assert post(client, "/v1/office/queue/next", None, as_operator("OF-C")).status_code == 204
    got = json.loads(post(client, "/v1/office/queue/next", None, as_operator("OF-A")).body)
    assert got["tracking_code"] == own["tracking_code"]


def test_earliest_deadline_first(client, monkeypatch):
    from chalicelib.domain import calendar
    early = datetime(2026, 11, 21, 9, 0, tzinfo=calendar.TEHRAN)  # a Saturday
    late = datetime(2026, 11, 22, 9, 0, tzinfo=calendar.TEHRAN)
    monkeypatch.setattr(calendar, "now_tehran", lambda: late)
    b = submit(client, 31)
    monkeypatch.setattr(calendar, "now_tehran", lambda: early)
    a = submit(client, 32)
    monkeypatch.undo()
    assert a["sla_deadline"]["at"] < b["sla_deadline"]["at"]
    first = json.loads(post(client, "/v1/office/queue/next", None, as_operator("OF-C")).body)
    assert first["tracking_code"] == a["tracking_code"]


def test_needs_in_person_becomes_a_booking_offer(client):
    created = submit(client, 41)
    assert post(client, "/v1/office/queue/next", None, as_operator("OF-B")).status_code == 200
    code = created["tracking_code"]
    problem(post(client, f"/v1/office/requests/{code}/needs-in-person", {"reason": "x"}, as_operator("OF-B")), 422)
    resp = post(client, f"/v1/office/requests/{code}/needs-in-person", {"reason": "اصل سند باید رؤیت شود"},
                as_operator("OF-B"))
    assert resp.status_code == 200, resp.body
    view = json.loads(resp.body)
    assert view["status"] == "NEEDS_IN_PERSON"
    offer = view["in_person_offer"]
    assert [o["office_id"] for o in offer] == ["OF-A", "OF-B", "OF-C"]  # all at one spot: ties by id
    assert offer[0]["slots"] == "/v1/offices/OF-A/slots?service=S0001"
    assert json.loads(client.http.get("/v1/office/counters", headers=as_operator("OF-B")).body)["busy"] == 0
    citizen = json.loads(client.http.get(f"/v1/requests/{code}", headers={"X-Access-Code": created["access_code"]}).body)
    assert citizen["in_person_offer"] == offer and citizen["reason"] == "اصل سند باید رؤیت شود"
    # A remote-only service cannot be sent in person.
    only_remote = submit(client, 42, service="S0003")
    assert json.loads(post(client, "/v1/office/queue/next", None, as_operator("OF-C")).body)["tracking_code"] == \
        only_remote["tracking_code"]
    problem(post(client, f"/v1/office/requests/{only_remote['tracking_code']}/needs-in-person",
                 {"reason": "حضوری لازم است"}, as_operator("OF-C")), 422)


def test_ratings_invited_sample_one_time_token_one_per_request(client, monkeypatch):
    from chalicelib.domain import remote
    invited, skipped = submit(client, 51), submit(client, 52)
    draws = iter([True, False])
    monkeypatch.setattr(remote, "invited_to_rate", lambda draw, rate: next(draws))
    done = []
    for _ in range(2):
        code = json.loads(post(client, "/v1/office/queue/next", None, as_operator("OF-C")).body)["tracking_code"]
        post(client, f"/v1/office/requests/{code}/start", None, as_operator("OF-C"))
        assert json.loads(post(client, f"/v1/office/requests/{code}/complete", None, as_operator("OF-C")).body)[
            "status"] == "COMPLETED"
        done.append(code)
    by_code = {invited["tracking_code"]: invited, skipped["tracking_code"]: skipped}
    views = {c: json.loads(client.http.get(f"/v1/requests/{c}", headers={
        "X-Access-Code": by_code[c]["access_code"]}).body) for c in done}
    first, second = done
    token = views[first]["rating_invitation"]["token"]
    assert views[second]["rating_invitation"] is None

    def rate(code, token, score=5, access=None):
        return post(client, f"/v1/requests/{code}/rating", {"score": score, "comment": "سريع"},
                    {"X-Access-Code": access or by_code[code]["access_code"], "X-Rating-Token": token})

    problem(rate(first, "WRONG123"), 404)
    problem(rate(first, token, access="WRONG123"), 404)
    problem(rate(first, token, score=6), 422)
    problem(rate(second, token), 404)  # not invited: no token works
    resp = rate(first, token)
    assert resp.status_code == 201, resp.body
    view = json.loads(resp.body)
    assert view["rating"]["score"] == 5 and view["rating_invitation"] is None
    problem(rate(first, token, score=1), 409, "already-rated")
    from chalicelib.dal import request_store
    stored = request_store.get(first)
    assert stored.rating["score"] == 5 and stored.rating["comment"] == "سریع" and stored.rating_token is None
