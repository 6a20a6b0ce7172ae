"""Unit tests: pure domain code, and the handlers over moto (no network, no Java)."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.update({
    "STAGE": "test", "TABLE_PREFIX": "ejso-unit", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "me-central-1", "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
    "CATALOGUE_CACHE_SECONDS": "0",
})
os.environ.pop("DDB_ENDPOINT", None)

import pytest  # noqa: E402 - after the environment above, which the app's modules read at import
import yaml  # noqa: E402

OPENAPI = Path(__file__).resolve().parents[2] / "openapi.yaml"


@pytest.fixture(scope="session")
def doc() -> dict:
    """openapi.yaml, parsed once for every contract test."""
    return yaml.load(OPENAPI.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # libyaml: ~7x faster


# What the handlers answered here through chalice.test.Client, per route and status: the conformance
# run's reachability check counts it (tests/conformance). Emptied when the session starts (by the
# controller under pytest-xdist); every process appends whole short lines (O_APPEND).
STATUSES = Path(__file__).resolve().parents[2] / ".local" / "conformance" / "seen-unit.jsonl"


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        STATUSES.parent.mkdir(parents=True, exist_ok=True)
        STATUSES.write_text("", encoding="utf-8")
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        return  # the xdist controller runs no test
    from app import app
    from infra.local import status_log
    status_log.record_to(app, str(STATUSES))
