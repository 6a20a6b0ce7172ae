"""A small HTTP proxy in front of DynamoDB Local that misbehaves on demand, for the fault tests.

It speaks HTTP/1.1 with keep-alive (as botocore does) and forwards each request to the upstream
over its own connection. Its mode decides what a request gets:

- `pass`: forwarded, the answer returned (each answer's time is recorded);
- `hang`: the connection is held open and never answered (a hung database);
- `drop`: forwarded, the database's answer read and thrown away, the client's connection closed
  (the request reached the database, the response was lost);
- `throttle`: answered 400 `ProvisionedThroughputExceededException` without forwarding;
- `conflict`: a TransactWriteItems answered 400 `TransactionCanceledException` with one
  `TransactionConflict` reason per action (other calls pass);
- `refuse`: the listening socket is closed (connections are refused) and open ones are cut; the
  next mode opens it again on the same port.

A fault may be limited to the operations named in `only` (X-Amz-Target's operation, such as
"TransactWriteItems") and to the next `times` requests that match; after those it passes."""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

MODES = ("pass", "hang", "drop", "throttle", "conflict", "refuse")


@dataclass
class Seen:
    """What the proxy saw: requests by operation and outcome, and the upstream's answer times."""
    requests: list[tuple[str, str]] = field(default_factory=list)  # (operation, what was done)
    answer_seconds: list[tuple[str, float]] = field(default_factory=list)  # (operation, upstream's time)

    def count(self, outcome: str, operation: str | None = None) -> int:
        return sum(1 for op, done in self.requests if done == outcome and operation in (None, op))


class FaultProxy:
    def __init__(self, upstream: str):
        parsed = urlparse(upstream)
        self.upstream = (parsed.hostname, parsed.port)
        self.mode, self.only, self.times = "pass", frozenset(), None
        self.seen = Seen()
        self._lock = threading.Lock()
        self._clients: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._stopped = threading.Event()
        self.port = 0
        self._listen()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- control ---------------------------------------------------------------------------------

    def set(self, mode: str, *, only: tuple[str, ...] = (), times: int | None = None) -> FaultProxy:
        """Misbehave as `mode` for requests to `only` (every operation if empty), `times` of them."""
        assert mode in MODES, mode
        with self._lock:
            self.mode, self.only, self.times = mode, frozenset(only), times
        if mode == "refuse":
            self._close_listener()
            self._cut_clients()
        elif self._listener is None:
            self._listen()
        return self

    def reset(self) -> None:
        self.set("pass")
        self.seen = Seen()

    def stop(self) -> None:
        self._stopped.set()
        self._close_listener()
        self._cut_clients()

    # -- the proxy ---------------------------------------------------------------------------------

    def _listen(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(256)
        self.port = sock.getsockname()[1]
        self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def _close_listener(self) -> None:
        sock, self._listener = self._listener, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _cut_clients(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients), set()
        for conn in clients:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def _accept(self, sock: socket.socket) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                return  # closed: refusing, or stopped
            with self._lock:
                self._clients.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _fault_for(self, operation: str) -> str:
        with self._lock:
            if self.mode == "pass" or (self.only and operation not in self.only):
                return "pass"
            if self.mode == "conflict" and operation != "TransactWriteItems":
                return "pass"
            if self.times is not None:
                if self.times <= 0:
                    return "pass"
                self.times -= 1
            return self.mode

    def _serve(self, conn: socket.socket) -> None:
        upstream = http.client.HTTPConnection(*self.upstream, timeout=120)
        reader = conn.makefile("rb")
        try:
            while True:
                request = _read_request(reader)
                if request is None:
                    return
                method, path, headers, body = request
                operation = headers.get("x-amz-target", "").rpartition(".")[2]
                fault = self._fault_for(operation)
                self.seen.requests.append((operation, fault))
                if fault == "hang":
                    self._stopped.wait()  # until the test ends: the client's timeout is what answers
                    return
                if fault == "refuse":
                    return
                if fault == "throttle":
                    conn.sendall(_error(400, "ProvisionedThroughputExceededException",
                                        "The level of configured provisioned throughput for the table was exceeded"))
                    continue
                if fault == "conflict":
                    actions = len(json.loads(body or b"{}").get("TransactItems", [])) or 1
                    conn.sendall(_error(400, "TransactionCanceledException",
                                        "Transaction cancelled, please refer cancellation reasons for specific reasons "
                                        f"[{', '.join(['TransactionConflict'] * actions)}]",
                                        CancellationReasons=[{"Code": "TransactionConflict",
                                                              "Message": "Transaction is ongoing for the item"}] * actions))
                    continue
                started = time.monotonic()
                upstream.request(method, path, body=body, headers={k: v for k, v in headers.items() if k != "host"})
                answer = upstream.getresponse()
                payload = answer.read()
                self.seen.answer_seconds.append((operation, time.monotonic() - started))
                if fault == "drop":
                    return  # the database did the work; the client never hears of it
                head = [f"HTTP/1.1 {answer.status} {answer.reason}"]
                head += [f"{k}: {v}" for k, v in answer.getheaders()
                         if k.lower() not in ("content-length", "transfer-encoding", "connection")]
                head += [f"Content-Length: {len(payload)}", "", ""]
                conn.sendall("\r\n".join(head).encode("latin-1") + payload)
        except (OSError, http.client.HTTPException):
            return
        finally:
            with self._lock:
                self._clients.discard(conn)
            upstream.close()
            try:
                conn.close()
            except OSError:
                pass


def _read_request(reader) -> tuple[str, str, dict[str, str], bytes] | None:
    line = reader.readline()
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        raw = reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0") or 0))
    return method, path, headers, body


def _error(status: int, code: str, message: str, **extra) -> bytes:
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message, **extra}).encode()
    head = (f"HTTP/1.1 {status} Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\n"
            f"x-amzn-RequestId: fault-proxy\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


def answer_time_table(times: list[tuple[str, float]]) -> str:
    """DynamoDB's answer times by operation: count, p50, p99, p99.9 and the slowest, in ms."""
    by_op: dict[str, list[float]] = {}
    for op, seconds in times:
        by_op.setdefault(op or "?", []).append(seconds * 1000)
    by_op["(all)"] = [s * 1000 for _, s in times]
    lines = [f"{'DynamoDB answer times (ms)':<28} {'n':>7} {'p50':>7} {'p99':>7} {'p99.9':>7} {'max':>7}"]
    for op, ms in sorted(by_op.items(), key=lambda kv: -len(kv[1])):
        ms.sort()

        def at(q: float, ms=ms) -> float:
            return ms[min(len(ms) - 1, int(q * len(ms)))]
        lines.append(f"{op:<28} {len(ms):>7} {at(0.5):>7.0f} {at(0.99):>7.0f} {at(0.999):>7.0f} {ms[-1]:>7.0f}")
    return "\n".join(lines)


def main() -> None:
    """`python -m tests.integration.fault_proxy UPSTREAM PORT_FILE`: a proxy that passes everything,
    in its own process (so timing it does not compete with the test's threads for one interpreter);
    it writes its port to PORT_FILE and, when terminated, its answer-time table to stdout."""
    import signal
    import sys
    proxy = FaultProxy(sys.argv[1])
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        out.write(str(proxy.port))
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    done.wait()
    proxy.stop()
    print(answer_time_table(proxy.seen.answer_seconds), flush=True)


if __name__ == "__main__":
    main()
