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
