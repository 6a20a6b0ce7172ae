"""`make run`: the whole local stack on real parts, stopped together with Ctrl-C.

DynamoDB Local (data under .local/, so the demo survives restarts) -> tables and demo seed
-> cognito-local on 127.0.0.1:$COGNITO_PORT (staff sign-in; pool and demo staff under .local/cognito)
-> moto's S3 server on 127.0.0.1:$S3_PORT (the documents bucket, in memory)
-> `chalice local` on an internal port -> the same-origin front on 127.0.0.1:$PORT (the built citizen
app at `/`, `/v1/*` forwarded to the API, as CloudFront does in AWS) -> the local event runner
(schedules and streams)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from infra.local import cognito, s3_local
from infra.local.ddb_local import DynamoDBLocal, free_port
from infra.local.runner import load_stage_env

ROOT = Path(__file__).resolve().parents[2]
# EJSO_LOCAL_DIR: another data directory (the load test starts its stack on a fresh one).
LOCAL = Path(os.environ.get("EJSO_LOCAL_DIR") or ROOT / ".local")
BIN = Path(sys.executable).parent


def _in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_http(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:  # noqa: S310 - our own loopback URL
                return resp.status == 200
        except OSError:
            time.sleep(0.3)
    return False


def main() -> int:
    port, ddb_port = int(os.environ.get("PORT", 8000)), int(os.environ.get("DDB_PORT", 8100))
    cognito_port = int(os.environ.get("COGNITO_PORT", cognito.DEFAULT_PORT))
    s3_port = int(os.environ.get("S3_PORT", 8200))
    for p, what in ((port, "PORT"), (ddb_port, "DDB_PORT"), (cognito_port, "COGNITO_PORT"), (s3_port, "S3_PORT")):
        if _in_use(p):
            print(f"port {p} is busy (is another `make run` still up?); set {what}=... to use another", file=sys.stderr)
            return 1
    LOCAL.mkdir(exist_ok=True)
    ddb = DynamoDBLocal(port=ddb_port, data_dir=LOCAL / "ddb", log_path=str(LOCAL / "dynamodb.log"))
    idp = cognito.CognitoLocal(LOCAL / "cognito", port=cognito_port, log_path=str(LOCAL / "cognito.log"))
    s3 = s3_local.MotoS3(port=s3_port, log_path=str(LOCAL / "s3.log"))
    # SMS are not sent locally: the log sender appends them to .local/sms.log (one-time codes included).
    env = {**os.environ, "DDB_ENDPOINT": ddb.endpoint, "PYTHONPATH": str(ROOT),
           "SMS_LOG_PATH": os.environ.get("SMS_LOG_PATH") or str(LOCAL / "sms.log")}
    load_stage_env("local", environ=env)
    children: list[subprocess.Popen] = []

    def stop(*_):
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        s3.stop()
        idp.stop()
        ddb.stop()

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        print(f"* DynamoDB Local on {ddb.endpoint} (data in .local/ddb)")
        ddb.start(timeout=120)  # the JVM starts slowly on a busy machine
        print("* tables and demo network")
        # Seeding thousands of items is tooling, not a request: it may wait longer than the stage's
        # 3-second answer budget for a cold DynamoDB Local on a busy machine.
        subprocess.run([str(BIN / "python"), "-m", "infra.local.bootstrap", "--seed-if-empty"],
                       env={**env, "DB_READ_TIMEOUT_S": "20"}, cwd=ROOT, check=True)
        print(f"* cognito-local on {idp.endpoint} (staff sign-in; data in .local/cognito)")
        idp.start()
        env.update(cognito.provision_demo(idp.endpoint).environ())
        print(f"* documents bucket on {s3.endpoint} (moto's S3 server; uploads last while it runs)")
        s3.start()
        env.update(s3_local.provision(s3.endpoint, "ejso-local-documents", [f"http://127.0.0.1:{port}"]).environ())
        # The load snapshot and the ranking run once now (their schedules fire every minute and
        # every day): the demo shows crowding and tiers at once; a second run changes nothing.
        for job in ("snapshot_office_load", "rank_offices"):
            subprocess.run([str(BIN / "python"), "-m", "infra.local.runner", "job", job], env={**env, "DB_READ_TIMEOUT_S": "20"},
                           cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        api_port = free_port()
        print(f"* API (chalice local) on http://127.0.0.1:{api_port} (internal)")
        api_log = open(LOCAL / "api.log", "ab")
        children.append(subprocess.Popen(
            [str(BIN / "python"), "-m", "infra.local.chalice_local", "--stage", "local", "--host", "127.0.0.1",
             "--port", str(api_port), "--no-autoreload"], env=env, cwd=ROOT, stdout=api_log, stderr=subprocess.STDOUT))
        print(f"* web front on http://127.0.0.1:{port}: the citizen app (web/dist) and /v1/* to the API")
        web_log = open(LOCAL / "web.log", "ab")
        children.append(subprocess.Popen(
            [str(BIN / "python"), "-m", "infra.local.web_front", "--port", str(port),
             "--api", f"http://127.0.0.1:{api_port}", "--uploads", s3.endpoint, "--sign-in", idp.endpoint],
            env=env, cwd=ROOT, stdout=web_log,
            stderr=subprocess.STDOUT))
        print("* event runner (schedules every minute, DynamoDB Streams)")
        runner_log = open(LOCAL / "runner.log", "ab")
        children.append(subprocess.Popen([str(BIN / "python"), "-m", "infra.local.runner", "--stage", "local", "--from-start"],
                                         env=env, cwd=ROOT, stdout=runner_log, stderr=subprocess.STDOUT))
        # Through the front: proves the API and the forwarding are both up.
        if not _wait_http(f"http://127.0.0.1:{port}/v1/health", 60):
            print("the API did not come up; see .local/api.log and .local/web.log", file=sys.stderr)
            return 1
        print(f"\nEJSO network demo is up:  http://127.0.0.1:{port}/   (the citizen web app)")
        if not (ROOT / "web" / "dist" / "index.html").is_file():
            print("  (the web app is not built: run `make web`)")
        print(f"  staff consoles: http://127.0.0.1:{port}/console   (op1@ejso.local, manager1@, admin@, rep-tehran@;"
              f" password {cognito.DEMO_PASSWORD})")
        print(f"  API:  http://127.0.0.1:{port}/v1/health")
        print(f"  try:  curl -G 'http://127.0.0.1:{port}/v1/services' --data-urlencode 'q=ثنا'")
        print(f"        curl 'http://127.0.0.1:{port}/v1/offices?province=Tehran&limit=3'")
        print(f"        curl 'http://127.0.0.1:{port}/v1/suggestions?service=S0004&lat=35.70&lon=51.40'")
        print(f"        curl 'http://127.0.0.1:{port}/v1/ranking?province=Tehran'")
        print(f"  staff: make token OFFICE=OF-THR-0001   (demo accounts in the README; password {cognito.DEMO_PASSWORD})")
        print("  SMS (one-time codes too): make sms   (the last messages of .local/sms.log)")
        print("  logs: .local/api.log .local/web.log .local/runner.log .local/dynamodb.log .local/cognito.log"
              " .local/s3.log")
        print("  (Ctrl-C stops everything)")
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("a child process exited; stopping", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping...")
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
