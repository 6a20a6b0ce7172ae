"""Integration tests run on the official DynamoDB Local, started here on a free port for the
session (and stopped at the end). moto is not used: conditions and transactions are proven
on the real wire protocol."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from infra.local.ddb_local import DynamoDBLocal  # noqa: E402

_DDB = DynamoDBLocal()


def pytest_configure(config):
    _DDB.start()
    os.environ.update({
        "STAGE": "test", "TABLE_PREFIX": "ejso-test", "DDB_ENDPOINT": _DDB.endpoint,
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "me-central-1",
        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
        "CATALOGUE_CACHE_SECONDS": "0", "SMS_MODE": "log",
    })


def pytest_unconfigure(config):
    _DDB.stop()


@pytest.fixture(scope="session")
def ddb_endpoint() -> str:
    return _DDB.endpoint


@pytest.fixture(scope="session")
def tables():
    from infra.local.bootstrap import create_tables
    create_tables()
    return True


@pytest.fixture()
def network(tables):
    """A small, known network, with the transactional tables emptied before each test."""
    from chalicelib.dal import catalogue_store
    from chalicelib.dal.models import BookingItem, IdempotencyItem, NetworkItem, OfficeItem, OutboxItem, ServiceItem
    from infra.local.bootstrap import create_tables, drop_tables
    from tests.integration import fixtures

    # Offices too: a test that adds offices (20 for the pull race) must not change the next one's network.
    drop_tables((BookingItem, OutboxItem, IdempotencyItem, NetworkItem, OfficeItem, ServiceItem))
    create_tables()
    catalogue_store.save_all(fixtures.items())
    return fixtures
