"""The local same-origin front: static client with deep links, `/v1/*` forwarded faithfully."""
from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from infra.local import web_front


class EchoApi(BaseHTTPRequestHandler):
    """Answers with what it received, so the test can see what the front forwarded."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/v1/stream"):
            # No Content-Length: the body ends when the connection closes.
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            for i in range(3):
                self.wfile.write(f"part{i};".encode())
            self.close_connection = True
            return
        data = json.dumps({"method": self.command, "path": self.path, "body": body.decode(),
                           "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(422 if self.path.startswith("/v1/problem") else 201)
        self.send_header("Content-Type", "application/problem+json" if self.path.startswith("/v1/problem")
                         else "application/json")
        self.send_header("Location", "/v1/bookings/BK1")
        self.send_header("Retry-After", "3")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer


@pytest.fixture()
def front(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>app</title>", encoding="utf-8")
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)", encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("outside", encoding="utf-8")
    api = ThreadingHTTPServer(("127.0.0.1", 0), EchoApi)
    server = web_front.serve(0, f"http://127.0.0.1:{api.server_address[1]}", tmp_path)
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True) for s in (api, server)]
    for t in threads:
        t.start()
    yield server.server_address[1]
    for s in (server, api):
        s.shutdown()
        s.server_close()


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


def test_api_calls_are_forwarded_with_body_query_and_headers(front):
    body = json.dumps({"national_id": "۰۰۱۲۳۴۵۶۷۹"}, ensure_ascii=False).encode()
    resp, data = request(front, "POST", "/v1/bookings?x=%DA%A9", body,
                         {"Content-Type": "application/json", "Idempotency-Key": "k-1", "X-Access-Code": "7K3M9QX2"})
    seen = json.loads(data)
    assert resp.status == 201
    assert resp.getheader("Location") == "/v1/bookings/BK1"
    assert resp.getheader("Retry-After") == "3"
    assert seen["method"] == "POST" and seen["path"] == "/v1/bookings?x=%DA%A9"
    assert json.loads(seen["body"]) == {"national_id": "۰۰۱۲۳۴۵۶۷۹"}
    assert seen["headers"]["idempotency-key"] == "k-1"
    assert seen["headers"]["x-access-code"] == "7K3M9QX2"
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"


def test_chunked_upload_is_sent_on_with_its_length(front):
    conn = http.client.HTTPConnection("127.0.0.1", front, timeout=5)
    conn.request("PUT", "/v1/thing", body=iter([b'{"a":', b' 1}']), headers={"Content-Type": "application/json"},
                 encode_chunked=True)
    seen = json.loads(conn.getresponse().read())
    conn.close()
    assert seen["body"] == '{"a": 1}'
    assert seen["headers"]["content-length"] == "8"
    assert "transfer-encoding" not in seen["headers"]


def test_problem_json_passes_through_unchanged(front):
    resp, data = request(front, "GET", "/v1/problem")
    assert resp.status == 422
    assert resp.getheader("Content-Type") == "application/problem+json"
    assert json.loads(data)["path"] == "/v1/problem"


def test_a_body_without_length_is_streamed_to_the_end(front):
    resp, data = request(front, "GET", "/v1/stream")
    assert resp.status == 200
    assert data == b"part0;part1;part2;"


def test_deep_links_serve_the_app_and_missing_assets_do_not(front):
    resp, data = request(front, "GET", "/offices/OF-A/services/S0001/days")
    assert resp.status == 200 and b"<title>app</title>" in data
    assert resp.getheader("Cache-Control") == "no-cache"
    assert "default-src 'self'" in resp.getheader("Content-Security-Policy")
    resp, _ = request(front, "GET", "/assets/missing-123.js")
    assert resp.status == 404
    resp, data = request(front, "GET", "/assets/index-abc.js")
    assert resp.status == 200 and data == b"console.log(1)"
    assert resp.getheader("Content-Type").startswith("text/javascript")
    assert "immutable" in resp.getheader("Cache-Control")


def test_text_assets_are_gzipped_for_clients_that_accept_it(front):
    import gzip
    resp, data = request(front, "GET", "/assets/index-abc.js", headers={"Accept-Encoding": "gzip, br"})
    assert resp.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(data) == b"console.log(1)"
    resp, data = request(front, "GET", "/assets/index-abc.js")
    assert resp.getheader("Content-Encoding") is None and data == b"console.log(1)"


def test_paths_outside_the_build_are_never_served(front):
    resp, data = request(front, "GET", "/../secret.txt")
    assert b"outside" not in data
    resp, data = request(front, "GET", "/assets/..%2F..%2Fsecret.txt")
    assert b"outside" not in data and resp.status == 404


def test_an_unreachable_api_is_a_502_problem(tmp_path):
    (tmp_path / "index.html").write_text("x", encoding="utf-8")
    from infra.local.ddb_local import free_port
    server = web_front.serve(0, f"http://127.0.0.1:{free_port()}", tmp_path)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        resp, data = request(server.server_address[1], "GET", "/v1/health")
        assert resp.status == 502
        assert json.loads(data)["status"] == 502
    finally:
        server.shutdown()
        server.server_close()


def test_the_page_may_reach_only_its_origin_the_documents_bucket_and_the_staff_pool():
    from infra.local.web_front import security_headers
    alone = security_headers()["Content-Security-Policy"]
    assert "connect-src 'self';" in alone
    with_bucket = security_headers("http://127.0.0.1:8200")["Content-Security-Policy"]
    assert "connect-src 'self' http://127.0.0.1:8200;" in with_bucket
    assert with_bucket.replace(" http://127.0.0.1:8200", "") == alone  # nothing else opens
    both = security_headers("http://127.0.0.1:8200", "http://127.0.0.1:9229")["Content-Security-Policy"]
    assert "connect-src 'self' http://127.0.0.1:8200 http://127.0.0.1:9229;" in both
    assert both.replace(" http://127.0.0.1:9229", "") == with_bucket
