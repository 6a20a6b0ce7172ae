"""Documents of remote requests on moto's S3 server over real HTTP: the upload grant, the
browser's upload through the presigned POST, the request citing it, and the office reading it
through a presigned GET."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import requests

from tests.integration.remote_support import PDF, PNG, cited, grant, request_body, upload
from tests.integration.support import as_operator, post, problem


def _post_json(client):
    def call(path, body):
        resp = post(client, path, body)
        return resp.status_code, json.loads(resp.body)
    return call


def _send(client, n: int, key: str, **extra):
    return post(client, "/v1/requests", request_body(n, **extra), {"Idempotency-Key": key})


def _policy(form: dict) -> dict:
    return json.loads(base64.b64decode(form["fields"]["policy"]))


def test_upload_cite_and_the_office_reads_it_through_a_presigned_get(client):
    granted = grant(_post_json(client), [("وکالت‌نامه.pdf", "application/pdf", PDF), ("گذرنامه.png", "image/png", PNG)])
    assert len({d["upload_ref"] for d in granted["documents"]}) == 2
    assert all(d["upload_ref"].startswith(f"documents/{granted['upload_id']}/") for d in granted["documents"])
    for form, content in zip(granted["documents"], (PDF, PNG), strict=True):
        assert upload(form, content) == 204

    resp = _send(client, 1, "docs-0001", preferred_office_id="OF-C", **cited(granted))
    assert resp.status_code == 201, resp.body
    created = json.loads(resp.body)
    # The citizen's view lists the documents, without any link to their content.
    assert [(d["name"], d["size"]) for d in created["documents"]] == [("وکالت‌نامه.pdf", len(PDF)),
                                                                      ("گذرنامه.png", len(PNG))]
    assert all("download_url" not in d or d["download_url"] is None for d in created["documents"])
    read = json.loads(client.http.get(f"/v1/requests/{created['tracking_code']}",
                                      headers={"X-Access-Code": created["access_code"]}).body)
    assert [d["upload_ref"] for d in read["documents"]] == [d["upload_ref"] for d in granted["documents"]]

    assert post(client, "/v1/office/counters", {"open": 1}, as_operator("OF-C")).status_code == 200
    pulled = json.loads(post(client, "/v1/office/queue/next", None, as_operator("OF-C")).body)
    assert pulled["tracking_code"] == created["tracking_code"]
    office = json.loads(client.http.get(f"/v1/office/requests/{created['tracking_code']}",
                                        headers=as_operator("OF-C")).body)
    for doc, content in zip(office["documents"], (PDF, PNG), strict=True):
        got = requests.get(doc["download_url"], timeout=10)
        assert got.status_code == 200 and got.content == content
        assert got.headers["Content-Type"] == doc["media_type"]
        assert got.headers["Content-Disposition"].startswith("attachment;")
        assert "filename*=UTF-8''" in got.headers["Content-Disposition"]
    # Another office cannot read the request, so it gets no link either.
    problem(client.http.get(f"/v1/office/requests/{created['tracking_code']}", headers=as_operator("OF-A")), 404)


def test_the_grant_puts_the_limits_in_the_signed_policy(client):
    granted = grant(_post_json(client), [("scan.png", "image/png", PNG)])
    form = granted["documents"][0]
    policy = _policy(form)
    conditions = policy["conditions"]
    assert {"key": form["upload_ref"]} in conditions  # exactly this key: nobody writes elsewhere
    assert {"Content-Type": "image/png"} in conditions
    assert ["content-length-range", len(PNG), len(PNG)] in conditions
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(0) < expires - datetime.now(expires.tzinfo) <= timedelta(minutes=15, seconds=5)
    assert form["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256" and form["fields"]["x-amz-signature"]


def test_an_upload_that_breaks_its_grant_cannot_be_cited(client):
    """S3 refuses such an upload by the policy; moto's server does not evaluate policies, so the
    API's own check at citation is what is proven here: a file larger than granted, a type other
    than granted, or no upload at all, each a 422 with its Persian message beside the document."""
    granted = grant(_post_json(client), [("a.pdf", "application/pdf", PDF), ("b.png", "image/png", PNG),
                                         ("c.pdf", "application/pdf", PDF)])
    too_big, other_type, _missing = granted["documents"]
    assert upload(too_big, PDF + b"x" * 1024) == 204  # moto stores it; S3 would answer 400 EntityTooLarge
    assert upload(other_type, PNG, media_type="text/html") == 204
    body = cited(granted)
    for index, why in ((0, "حجم سند"), (1, "نوع سند"), (2, "بارگذاری نشده")):
        only = {"upload_id": body["upload_id"], "documents": [body["documents"][index]]}
        doc = problem(_send(client, 2, f"docs-bad-{index:04d}", **only), 422, "invalid-input")
        assert why in doc["detail_fa"] and doc["errors"][0]["field"] == "documents.0"
        assert doc["errors"][0]["message_fa"] == doc["detail_fa"]
    from chalicelib.dal.models import RemoteRequestItem
    assert sum(1 for _ in RemoteRequestItem.scan(RemoteRequestItem.sk == "REQUEST")) == 0


def test_a_request_cites_only_keys_of_its_own_grant(client):
    mine = grant(_post_json(client), [("a.pdf", "application/pdf", PDF)])
    theirs = grant(_post_json(client), [("b.pdf", "application/pdf", PDF)])
    for granted in (mine, theirs):
        assert upload(granted["documents"][0], PDF) == 204
    stolen = {"upload_id": mine["upload_id"], "documents": cited(theirs)["documents"]}
    problem(_send(client, 3, "docs-own-0001", **stolen), 422)
    problem(_send(client, 3, "docs-own-0002", documents=cited(mine)["documents"]), 422)  # no upload_id
    made_up = {**cited(mine)["documents"][0], "upload_ref": "uploads/2026/abc-123"}
    problem(_send(client, 3, "docs-own-0003", upload_id=mine["upload_id"], documents=[made_up]), 422)
    assert _send(client, 3, "docs-own-0004", **cited(mine)).status_code == 201


def test_grant_limits_in_english_and_persian(client):
    from chalicelib.settings import get_settings
    limit = get_settings().document_max_bytes
    doc = problem(post(client, "/v1/uploads", {"documents": [
        {"name": "big.pdf", "media_type": "application/pdf", "size": limit + 1}]}), 422)
    assert doc["errors"][0]["field"] == "documents.0.size" and "مگابایت" in doc["errors"][0]["message_fa"]
    problem(post(client, "/v1/uploads", {"documents": [{"name": "x.html", "media_type": "text/html", "size": 10}]}), 422)
    problem(post(client, "/v1/uploads", {"documents": [
        {"name": f"{i}.pdf", "media_type": "application/pdf", "size": 10} for i in range(6)]}), 422)
    problem(post(client, "/v1/uploads", {"documents": []}), 422)
    granted = json.loads(post(client, "/v1/uploads", {"documents": [
        {"name": "ok.pdf", "media_type": "application/pdf", "size": limit}]}).body)
    assert granted["max_bytes"] == limit and granted["documents"][0]["size"] == limit
