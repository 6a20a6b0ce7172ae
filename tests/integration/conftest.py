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

_DDB = DynamoDBLocal()
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
    os.environ[status_log.VARIABLE] = str(STATUSES)  # the `chalice local` servers the tests start record too
    if _xdist_controller(config):
        return
    _DDB.start(timeout=120)  # a JVM on a busy two-core machine can take more than the default 30 s
    _COGNITO.start()
    _S3.start()
    os.environ.update(s3_local.provision(_S3.endpoint, "ejso-test-documents", ["http://127.0.0.1"]).environ())
    # Test modules sign staff in at import, so the pool exists before collection.
    os.environ.update(cognito.provision(_COGNITO.endpoint).environ())
    os.environ.update({
        "STAGE": "test", "TABLE_PREFIX": "ejso-test", "DDB_ENDPOINT": _DDB.endpoint,
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "me-central-1",
        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
        "CATALOGUE_CACHE_SECONDS": "0", "SMS_MODE": "log", "SMS_LOG_PATH": SMS_LOG,
    })
    # The routes' use cases, imported once now (as the local server does) rather than by whichever
    # test first calls a route: a test that times its requests never times an import.
    from chalicelib.api.http import import_all
    import_all()
    from app import app
    status_log.record_to(app, str(STATUSES))  # the in-process test client's answers


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
    server = LocalApi(MANY_CLIENTS_ON_ONE_ADDRESS)
    yield server.base
    server.stop()
