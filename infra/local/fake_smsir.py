"""A local stand-in for SMS.ir's REST API (`POST /v1/send/bulk`), for tests and the SMS benchmark:
it checks the key header and the body as the real service would, answers in the provider's
`{status, message, data}` shape after a configurable latency, and counts what it accepted.
Tests can script refusals (`fail_next`). Developer tooling, never deployed.

    with FakeSmsIr(api_key="k", latency_s=(0.05, 0.1)) as fake:
        SmsIrSender(line_number="3000", api_key=lambda: "k", base_url=fake.url).send(...)

Or as its own process (the benchmark does, so the receiver does not share the sender's CPU and
interpreter lock), with `GET /_stats` answering totals only, never a number:

    python -m infra.local.fake_smsir --port 8765 --api-key k --latency-ms 50 100
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeSmsIr:
    def __init__(self, api_key: str = "local-smsir-key", latency_s: tuple[float, float] = (0.0, 0.0),
                 port: int = 0, keep_requests: bool = True):
        self.api_key = api_key
        self.port = port
        self.keep_requests = keep_requests
        self.latency_s = latency_s
        self.accepted: Counter[str] = Counter()  # national mobile -> messages accepted
        self.requests: list[dict] = []  # every request's headers and body, for assertions
        self._scripted: list[tuple[int, dict]] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(880_000_001)
        self._server: ThreadingHTTPServer | None = None

    def fail_next(self, http_status: int, status: int, times: int = 1) -> None:
        with self._lock:
            self._scripted.extend([(http_status, {"status": status, "message": "scripted", "data": None})] * times)

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeSmsIr:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real client pools connections

            def do_GET(self):  # noqa: N802 - the http.server naming
                if self.path == "/_stats":
                    self._reply(*fake._stats())
                else:
                    self._reply(404, {"status": 0})

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                low, high = fake.latency_s
                if high > 0:
                    time.sleep(random.uniform(low, high))
                self._reply(*fake._answer(self.path, dict(self.headers), body))

            def _reply(self, code: int, answer: dict) -> None:
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep test and benchmark output clean
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256  # the default backlog (5) drops a burst of parallel connects

        self._server = Server(("127.0.0.1", self.port), Handler)
        # shutdown() returns at the loop's next poll: every 50 ms, not the default half second per stop.
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
                         name="fake-smsir").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSmsIr:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _stats(self) -> tuple[int, dict]:
        with self._lock:
            counts = list(self.accepted.values())
        return 200, {"accepted": sum(counts), "recipients": len(counts), "most_to_one": max(counts, default=0)}

    def _answer(self, path: str, headers: dict, raw: bytes) -> tuple[int, dict]:
        headers = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            if self.keep_requests:
                self.requests.append({"path": path, "headers": headers, "body": raw})
            if self._scripted:
                return self._scripted.pop(0)
        if path != "/v1/send/bulk":
            return 404, {"status": 0, "message": "not found", "data": None}
        if headers.get("x-api-key") != self.api_key:
            return 401, {"status": 10, "message": "کلید وب سرویس نامعتبر است", "data": None}
        try:
            body = json.loads(raw)
            mobiles, text, line = body["mobiles"], body["messageText"], body["lineNumber"]
        except (ValueError, KeyError, TypeError):
            return 400, {"status": 16, "message": "مقدار ارسالی پارامتر نادرست میباشد", "data": None}
        if not isinstance(line, int):
            return 400, {"status": 101, "message": "شماره خط نامعتبر میباشد", "data": None}
        if not isinstance(text, str) or not text.strip():
            return 400, {"status": 103, "message": "درخواست شما دارای متن (های) خالی است", "data": None}
        if not mobiles or not all(isinstance(m, str) and re.fullmatch(r"09\d{9}", m) for m in mobiles):
            return 400, {"status": 104, "message": "درخواست شما دارای موبایل (های) نادرست است", "data": None}
        with self._lock:
            ids = [next(self._ids) for _ in mobiles]
            self.accepted.update(mobiles)
        return 200, {"status": 1, "message": "موفق", "data": {"packId": f"pack-{ids[0]}", "messageIds": ids,
                                                              "cost": len(mobiles)}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="a local fake of SMS.ir's send API")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-key", default="local-smsir-key")
    parser.add_argument("--latency-ms", type=float, nargs=2, default=(0.0, 0.0), metavar=("LOW", "HIGH"))
    args = parser.parse_args(argv)
    fake = FakeSmsIr(args.api_key, (args.latency_ms[0] / 1000, args.latency_ms[1] / 1000), port=args.port,
                     keep_requests=False).start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
