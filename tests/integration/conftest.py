"""Integration tests run on the official DynamoDB Local, on cognito-local (staff sign-in) and on
moto's S3 server (the documents bucket, over real HTTP), each started here on a free port for the
session (and stopped at the end); under pytest-xdist, one of each per worker. moto's in-process
mocks are not used: conditions and transactions are proven on the real wire protocol, and staff
tokens are real sign-ins verified against the pool's JWKS."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from infra.local import cognito, s3_local, status_log  # noqa: E402
from infra.local.ddb_local import DynamoDBLocal  # noqa: E402

# DynamoDB Local queues concurrent writers to one item (real DynamoDB answers such a transaction
# at once with TransactionConflict): under 50 operators on one office's queue it answered after up
# to 11 s on a busy two-core machine (DDB_ANSWER_TIMES=1), and a cold one takes seconds to create a
# table. The test session itself (its setup, its counting, the in-process app) and the stacks of
# the concurrency tests wait that long, as they prove outcomes, not latency; the stage's own
# 3-second budget is what test_privacy_and_outage.py and test_faults.py prove, with this unset.
CONTENDED_DYNAMODB_LOCAL = {"DB_READ_TIMEOUT_S": "20"}
STAGE_BUDGET = {"DB_READ_TIMEOUT_S": ""}  # the stage's own (an empty variable is no variable)
_DDB = DynamoDBLocal()
# DDB_ANSWER_TIMES=1 puts the fault proxy (passing everything) between the app and DynamoDB Local
# and prints how long DynamoDB Local took to answer, by operation, at the end of the run: the
# figures the database's read timeout is chosen from (chalicelib/settings.py).
_TIMED = None
_S3 = s3_local.MotoS3()
_COGNITO_DIR = tempfile.TemporaryDirectory(prefix="ejso-cognito-")
_COGNITO = cognito.CognitoLocal(_COGNITO_DIR.name)
SMS_LOG = str(Path(_COGNITO_DIR.name) / "sms.log")  # the local SMS log: tests read one-time codes there


def _xdist_controller(config) -> bool:
    """Under pytest-xdist (-n N) the controller runs no test; each worker has its own database."""
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


# What the API answered here, per route and status: the conformance run's reachability check counts
# it (tests/conformance). Emptied when the session starts; every worker and server appends.
STATUSES = ROOT / ".local" / "conformance" / "seen-integration.jsonl"


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        STATUSES.parent.mkdir(parents=True, exist_ok=True)
        STATUSES.write_text("", encoding="utf-8")
        from tests.integration import fault_figures
        fault_figures.start()
    os.environ[status_log.VARIABLE] = str(STATUSES)  # the `chalice local` servers the tests start record too
    if _xdist_controller(config):
        return
    _DDB.start(timeout=120)  # a JVM on a busy two-core machine can take more than the default 30 s
    _COGNITO.start()
    _S3.start()
    os.environ.update(s3_local.provision(_S3.endpoint, "ejso-test-documents", ["http://127.0.0.1"]).environ())
    # Test modules sign staff in at import, so the pool exists before collection.
    os.environ.update(cognito.provision(_COGNITO.endpoint).environ())
    global _TIMED
    if os.environ.get("DDB_ANSWER_TIMES") == "1":
        _TIMED = _timing_proxy(_DDB.endpoint)
    os.environ.update({
        "STAGE": "test", "TABLE_PREFIX": "ejso-test", "DDB_ENDPOINT": _TIMED[1] if _TIMED else _DDB.endpoint,
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "me-central-1",
        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
        "CATALOGUE_CACHE_SECONDS": "0", "SMS_MODE": "log", "SMS_LOG_PATH": SMS_LOG, **CONTENDED_DYNAMODB_LOCAL,
    })
    # The routes' use cases, imported once now (as the local server does) rather than by whichever
    # test first calls a route: a test that times its requests never times an import.
    from chalicelib.api.http import import_all
    import_all()
    from app import app
    status_log.record_to(app, str(STATUSES))  # the in-process test client's answers


def _timing_proxy(upstream: str):
    """The fault proxy in its own process, passing everything and timing DynamoDB Local's answers."""
    import subprocess
    import time
    port_file = Path(_COGNITO_DIR.name) / "timing-proxy.port"
    proc = subprocess.Popen([sys.executable, "-m", "tests.integration.fault_proxy", upstream, str(port_file)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    while not (port_file.exists() and port_file.read_text()):
        time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port_file.read_text()}"


def pytest_terminal_summary(terminalreporter):
    from tests.integration import fault_figures
    figures = fault_figures.table()
    if figures:
        terminalreporter.write_sep("=", "faults, injected (also in bench/out/faults.md)")
        terminalreporter.write_line(figures)
    if _TIMED is not None:
        _TIMED[0].terminate()
        terminalreporter.write_line(_TIMED[0].communicate(timeout=30)[0])


def pytest_unconfigure(config):
    _S3.stop()
    _COGNITO.stop()
    _COGNITO_DIR.cleanup()
    _DDB.stop()


@pytest.fixture(scope="session")
def ddb_endpoint() -> str:
    return _DDB.endpoint


@pytest.fixture(scope="session")
def ddb_local() -> DynamoDBLocal:
    return _DDB


@pytest.fixture(scope="session")
def tables():
    """The app's tables, created once for the session: tests empty them instead (see `network`)."""
    from infra.local.bootstrap import create_tables
    create_tables()
    return True


@pytest.fixture()
def network(tables):
    """A small, known network on an otherwise empty database, with cold per-process caches.
    Every table is emptied, not only the ones a test is expected to write: a test that adds
    offices (20 for the pull race) or registers operators must not change the next one's world."""
    from chalicelib.dal import catalogue_store, limit_store
    from chalicelib.services import router
    from tests.integration import fixtures
    from tests.integration.support import empty_tables

    empty_tables()
    catalogue_store.save_all(fixtures.items())
    catalogue_store.clear_cache()
    limit_store.forget()
    router.reset_views()
    return fixtures


@pytest.fixture()
def empty_outbox(tables):
    """An empty outbox, for the delivery tests that need no network."""
    from chalicelib.dal.models import OutboxItem
    from tests.integration.support import empty_tables
    empty_tables((OutboxItem,))


@pytest.fixture()
def client(network):
    """The app through Chalice's test client, on the `network` fixture."""
    from chalice.test import Client

    from app import app
    with Client(app, stage_name="test") as test_client:
        yield test_client



# The concurrency tests play hundreds of citizens who would each come from their own address; here
# they all come from 127.0.0.1, so the per-address limits are lifted for them, and so is the limit of
# a citizen's refused bookings, which their double clicks and lost races spend (tests/integration/
# test_limits.py proves those limits on the same stack with the stage's own policies).
MANY_CLIENTS_ON_ONE_ADDRESS = {"RATE_LIMITS": json.dumps({
    name: {"rate": 1_000_000, "per_s": 1, "burst": 1_000_000}
    for name in ("hold-client", "remote-client", "upload-client", "booking-citizen")})}


@pytest.fixture(scope="module")
def api(tables):
    """The real HTTP stack (`chalice local` in a subprocess) for the concurrency tests, one per module."""
    from tests.integration.remote_support import LocalApi
    server = LocalApi({**MANY_CLIENTS_ON_ONE_ADDRESS, **CONTENDED_DYNAMODB_LOCAL})
    yield server.base
    server.stop()
