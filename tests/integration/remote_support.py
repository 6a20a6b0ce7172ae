"""Helpers shared by the remote-request and concurrency tests: request bodies, signed partner
deliveries, and the real HTTP stack with clients released together."""
from __future__ import annotations

import json
import time
import uuid

from tests.integration.fixtures import mobile, national_id


def request_body(n: int = 1, service: str = "S0001", **extra) -> dict:
    return {"service_id": service, "national_id": national_id(n), "mobile": mobile(n),
            "description": "درخواست ثبت دادخواست", **extra}


# Small but real files: a PDF header and a PNG signature are enough for the bucket and the checks.
PDF = b"%PDF-1.4\n" + "وکالت‌نامه".encode() + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def grant(post_json, files: list[tuple[str, str, bytes]]) -> dict:
    """An upload grant for `files` (name, media type, content) through `post_json(path, body)`,
    which returns (status, parsed body)."""
    status, body = post_json("/v1/uploads", {"documents": [
        {"name": name, "media_type": media_type, "size": len(content)} for name, media_type, content in files]})
    assert status == 201, body
    return body


def upload(form: dict, content: bytes, media_type: str | None = None) -> int:
    """The browser's upload: the form's fields, then the file, as multipart/form-data over real
    HTTP to the bucket. Returns the bucket's status (204 stored). With `media_type`, the upload
    claims another type than the granted one."""
    import requests
    fields = {**form["fields"], **({"Content-Type": media_type} if media_type else {})}
    resp = requests.post(form["url"], data=fields, timeout=10,
                         files={"file": (form["name"], content, media_type or form["media_type"])})
    return resp.status_code


def cited(granted: dict) -> dict:
    """The request body's part that cites every document of the grant."""
    return {"upload_id": granted["upload_id"], "documents": [
        {k: d[k] for k in ("name", "media_type", "size", "upload_ref")} for d in granted["documents"]]}


def signed(secret: str | list[str], payload: bytes, *, msg_id: str | None = None, timestamp: int | None = None) -> dict:
    from chalicelib.domain import webhooks
    secrets = [secret] if isinstance(secret, str) else secret
    headers = webhooks.sign_headers(secrets, msg_id or f"msg_{uuid.uuid4().hex}",
                                    int(time.time()) if timestamp is None else timestamp, payload)
    return {"Content-Type": "application/json", **headers}


def dumps(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


class LocalApi:
    """`python -m infra.local.chalice_local` on a free port: the real HTTP stack, shared by the
    booking and remote-request concurrency tests."""

    def __init__(self, env: dict[str, str] | None = None):
        import os
        import subprocess
        import sys
        from pathlib import Path

        import requests

        from infra.local.ddb_local import free_port
        root = Path(__file__).resolve().parents[2]
        port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "infra.local.chalice_local", "--stage", "test", "--host", "127.0.0.1", "--port",
             str(port), "--no-autoreload"], cwd=root, env={**os.environ, "PYTHONPATH": str(root), **(env or {})},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.base}/v1/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline and self.proc.poll() is None, "chalice local did not start"
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def fire(calls: list[tuple[str, str, bytes, dict]], timeout: float = 120) -> list:
    """Send every (method, url, body, headers) at once: each thread connects, then all wait at a
    barrier. Exceptions are returned in place of responses, never ignored."""
    import threading

    import requests

    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def one(i: int) -> None:
        method, url, data, headers = calls[i]
        session = requests.Session()
        barrier.wait()
        try:
            results[i] = session.request(method, url, data=data, headers=headers, timeout=timeout)
        except requests.RequestException as exc:
            results[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def statuses(results) -> dict:
    from collections import Counter

    import requests
    return Counter(r.status_code if isinstance(r, requests.Response) else type(r).__name__ for r in results)


class ReadCounter:
    """Every DynamoDB call PynamoDB makes, and the items each read call touched (scanned or
    returned), so a test can compare what a job reads."""

    def __init__(self, monkeypatch):
        from pynamodb.connection.base import Connection
        self.calls: list[tuple[str, int]] = []
        self.queried: list[tuple[str | None, int]] = []  # each Query's (Scan's) key value and items read
        real = Connection._make_api_call

        def counted(conn, operation_name, operation_kwargs):
            data = real(conn, operation_name, operation_kwargs)
            if operation_name in ("Scan", "Query"):
                self.calls.append((operation_name, int(data.get("ScannedCount", 0))))
                values = operation_kwargs.get("ExpressionAttributeValues") or {}
                self.queried.append((next(iter(values.get(":0", {}).values()), None), self.calls[-1][1]))
            elif operation_name == "BatchGetItem":
                self.calls.append((operation_name, sum(len(v) for v in data.get("Responses", {}).values())))
            elif operation_name == "GetItem":
                self.calls.append((operation_name, 1 if data.get("Item") else 0))
            return data
        monkeypatch.setattr(Connection, "_make_api_call", counted)

    def items(self) -> int:
        return sum(n for _, n in self.calls)
