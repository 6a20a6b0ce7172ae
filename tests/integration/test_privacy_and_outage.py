"""Personal data never reaches the logs; an unreachable database gives a quick 503, not a hang."""
from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from chalice.test import Client

from chalicelib.services import jobs
from infra.local.sms_log import codes_to, wait_for_code
from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.support import session_for, sms_log

ROOT = Path(__file__).resolve().parents[2]
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


class Collect(logging.Handler):
    """Formats records exactly as the service's own handler does (the same formatter)."""

    def __init__(self, formatter):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_no_national_id_or_mobile_in_logs(network):
    from app import app
    from chalicelib.observability import logger
    collect = Collect(logger.registered_handler.formatter)
    logger.addHandler(collect)
    level = logger.log_level
    logger.setLevel("DEBUG")
    nid, phone = national_id(4242), mobile(4242)
    with Client(app, stage_name=os.environ["STAGE"]) as client:
        body = {"office_id": "OF-A", "service_id": "S0001", "start": at(next_open_day(), "09:00").isoformat(),
                "national_id": nid.translate(PERSIAN), "mobile": phone}
        # The mobile check first: the code's SMS, the challenge and the session log nothing personal.
        code_at = len(codes_to(sms_log(), phone))
        sent = client.http.post("/v1/otp", body=json.dumps({"national_id": nid, "mobile": phone}),
                                headers={"Content-Type": "application/json"})
        assert sent.status_code == 202, sent.body
        verified = client.http.post("/v1/otp/verify", headers={"Content-Type": "application/json"}, body=json.dumps(
            {"challenge_id": json.loads(sent.body)["challenge_id"], "code": wait_for_code(sms_log(), phone, code_at)}))
        assert verified.status_code == 200, verified.body
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {json.loads(verified.body)['session']}"}
        assert client.http.post("/v1/bookings", body=json.dumps(body), headers=headers).status_code == 201
        client.http.post("/v1/bookings", body=json.dumps(body), headers=headers)  # 409, logged as such
        client.http.post("/v1/bookings", body=json.dumps(body | {"national_id": nid[:9] + "x"}), headers=headers)
        jobs.deliver_outbox()  # the SMS log line
    logger.removeHandler(collect)
    logger.setLevel(level)
    logs = "\n".join(collect.lines)
    assert "booking created" in logs and "sms" in logs  # we did capture the service's log lines
    assert "one-time code sent" in logs
    for secret in (nid, nid.translate(PERSIAN), phone, phone[1:], "+98" + phone[1:]):
        assert secret not in logs


CHECK = """
import json, os, sys, time
from chalice.test import Client
from app import app
from chalicelib.api.http import import_all
import_all()  # the route's modules: a cold start imports them before the database is reached
from chalicelib.dal.db import shared_client
shared_client()  # and its database client (the service model's load), as any warm container has
from chalicelib.services import citizens
from chalicelib.settings import LOCAL_SESSION_SECRET
# Secrets Manager is not here: a deployed stage's session key is the local one (what is timed is the
# stage's database budget, not the secret's cache).
citizens.session_keys = lambda: (LOCAL_SESSION_SECRET,)
body = {"office_id": "OF-A", "service_id": "S0001", "start": "2030-01-05T09:00+03:30",
        "national_id": "0012345679", "mobile": "09121234567"}
with Client(app, stage_name=os.environ["STAGE"]) as client:
    for path, method in (("/v1/bookings", "post"), ("/v1/offices/OF-A", "get")):
        t0 = time.monotonic()
        if method == "post":
            r = client.http.post(path, body=json.dumps(body), headers={"Content-Type": "application/json",
                                                                       "Authorization": os.environ["SESSION"]})
        else:
            r = client.http.get(path)
        print(json.dumps({"path": path, "status": r.status_code, "retry_after": r.headers.get("Retry-After"),
                          "type": r.headers.get("Content-Type"), "seconds": time.monotonic() - t0}))
"""


def _run_against(endpoint: str, stage: str) -> list[dict]:
    """The stage's own database budget (no DB_* variable): what a deployed or local stack would do."""
    local_only = ("COGNITO_ENDPOINT", "S3_ENDPOINT", "SMS_LOG_PATH") if stage in ("dev", "prod") else ()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DB_") and k not in local_only}
    env |= {"DDB_ENDPOINT": endpoint, "PYTHONPATH": str(ROOT), "STAGE": stage, "TABLE_PREFIX": f"ejso-{stage}",
            "SESSION": f"Bearer {session_for('0012345679', '09121234567')}", "CATALOGUE_CACHE_SECONDS": "0"}
    run = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [line for line in lines if "seconds" in line]


@pytest.fixture()
def black_hole():
    """A port that accepts connections and never answers (a hung database)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("stage, kind", [("local", "hung"), ("test", "hung"), ("dev", "hung"), ("prod", "hung"),
                                         ("test", "refused"), ("prod", "refused")])
def test_unreachable_database_answers_503_quickly(stage, kind, black_hole):
    results = _run_against(_closed_port() if kind == "refused" else black_hole, stage)
    assert len(results) == 2
    for r in results:
        assert r["status"] == 503 and r["retry_after"] and r["type"] == "application/problem+json", r
        assert r["seconds"] < 3.0, r
