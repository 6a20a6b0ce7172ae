"""A throwaway web stack for the browser tests and the web bench: DynamoDB Local in memory, the
tables and a small network, cognito-local with the staff accounts asked for (the consoles' sign-in),
`chalice local` and the same-origin web front, all on free ports, stopped together. Developer
tooling, never deployed (`make run` is infra/local/stack.py)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from infra.local import cognito, s3_local
from infra.local.ddb_local import DynamoDBLocal, free_port

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
# The test stage of .chalice/config.json, for the processes started here and for seeding in-process.
TEST_ENV = {
    "STAGE": "test", "TABLE_PREFIX": "ejso-test",
    "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "me-central-1",
    "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
    "CATALOGUE_CACHE_SECONDS": "0", "SMS_MODE": "log",
    # A loaded machine must not turn a slow CreateTable into a retried one ("preexisting table").
    "DB_READ_TIMEOUT_S": "20",
}


def wait_ok(url: str, procs: list[subprocess.Popen], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - our own loopback URL
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f}s")


class WebStack:
    """`start(seed)` returns the base URL (the app at `/`, the API at `/v1/*`); `stop()` ends it all.
    `seed` runs in this process once the environment points at the new database."""

    def __init__(self, staff: tuple[cognito.StaffUser, ...] = (), web: bool = True, api_log: str | None = None,
                 environ: dict[str, str] | None = None):
        self.ddb = DynamoDBLocal()
        # web=False: the API alone (`chalice local`), no built client needed (the conformance run).
        self.web = web
        self.api_log = api_log  # where `chalice local` writes (its tracebacks); None: nowhere
        self.environ = environ or {}  # settings over TEST_ENV's
        # Staff accounts (password cognito.DEMO_PASSWORD) in a throwaway pool; none: no pool at all.
        self.staff = staff
        self._cognito_dir = tempfile.TemporaryDirectory(prefix="ejso-cognito-") if staff else None
        self.idp = cognito.CognitoLocal(self._cognito_dir.name) if staff else None
        self.pool: cognito.Pool | None = None
        self.s3 = s3_local.MotoS3()
        self.procs: list[subprocess.Popen] = []
        self.base_url: str | None = None
        # The local SMS log of this stack: one-time codes are read there (infra/local/sms_log.py).
        self._sms_dir = tempfile.TemporaryDirectory(prefix="ejso-sms-")
        self.sms_log_path = str(Path(self._sms_dir.name) / "sms.log")

    def start(self, seed: Callable[[], None]) -> str:
        if self.web and not (DIST / "index.html").is_file():
            raise RuntimeError("the web client is not built: run `make web`")
        self.ddb.start(timeout=120)  # the JVM starts slowly on a busy CI machine
        api_port, web_port = free_port(), free_port()
        self.s3.start()
        bucket = s3_local.provision(self.s3.endpoint, "ejso-test-documents", [f"http://127.0.0.1:{web_port}"])
        os.environ.update({**TEST_ENV, **self.environ, "DDB_ENDPOINT": self.ddb.endpoint,
                           "SMS_LOG_PATH": self.sms_log_path, **bucket.environ()})
        sign_in: list[str] = []
        if self.idp is not None:
            self.idp.start()
            self.pool = cognito.provision(self.idp.endpoint)
            for user in self.staff:
                cognito.ensure_user(self.pool, user)
            os.environ.update(self.pool.environ())
            sign_in = ["--sign-in", self.idp.endpoint]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        api_out = open(self.api_log, "ab") if self.api_log else subprocess.DEVNULL  # noqa: SIM115 - the child's
        self.procs.append(subprocess.Popen(
            [sys.executable, "-m", "infra.local.chalice_local", "--stage", "test", "--host", "127.0.0.1",
             "--port", str(api_port), "--no-autoreload"], cwd=ROOT, env=env,
            stdout=api_out, stderr=subprocess.STDOUT if self.api_log else subprocess.DEVNULL))
        if self.web:
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "infra.local.web_front", "--port", str(web_port),
                 "--api", f"http://127.0.0.1:{api_port}", "--uploads", self.s3.endpoint, *sign_in], cwd=ROOT,
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        self.base_url = f"http://127.0.0.1:{web_port if self.web else api_port}"
        # The API touches the database only when asked: it boots while the network is seeded.
        t0 = time.monotonic()
        seed()
        seeded = time.monotonic() - t0
        wait_ok(f"{self.base_url}/v1/health", self.procs)
        self.timings = {"seed_s": round(seeded, 1), "api_up_s": round(time.monotonic() - t0, 1)}
        return self.base_url

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs = []
        self.s3.stop()
        if self.idp is not None:
            self.idp.stop()
            self._cognito_dir.cleanup()
        self.ddb.stop()
        self._sms_dir.cleanup()
