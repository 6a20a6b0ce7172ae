"""Import the application as it will be packaged for one stage.

PynamoDB copies `Meta` (table names) at class definition and Chalice imports `app.py` once per
process, so each stage gets a fresh import of `app` and `chalicelib` under that stage's
environment, and the process environment is restored afterwards."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from infra.stages import ROOT

# Local-only variables that must never shape a deployed template.
_LOCAL_ONLY = ("DDB_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
               "POWERTOOLS_TRACE_DISABLED", "POWERTOOLS_METRICS_DISABLED")


def forget_app_modules() -> None:
    for name in list(sys.modules):
        if name == "app" or name == "chalicelib" or name.startswith("chalicelib."):
            del sys.modules[name]


@contextmanager
def stage_import(environment: dict[str, str], region: str) -> Iterator[None]:
    """Within this block, `import app` / `chalicelib` see `environment` (and nothing local).
    `region` is for the packager's botocore session only (it makes no call): Lambda sets its own."""
    saved = dict(os.environ)
    for name in _LOCAL_ONLY:
        os.environ.pop(name, None)
    os.environ.update(environment)
    os.environ["AWS_DEFAULT_REGION"] = region
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    forget_app_modules()
    try:
        yield
    finally:
        forget_app_modules()
        os.environ.clear()
        os.environ.update(saved)


def table_specs() -> dict[str, dict]:
    """The models' table definitions (call inside `stage_import`)."""
    from chalicelib.dal.models import table_specs as specs
    return specs()


def event_handlers() -> dict[str, str]:
    """Chalice handler name -> event kind ("schedule" | "dynamodb" | ...), from the app itself."""
    from app import app
    known = {"ScheduledEventConfig": "schedule", "DynamoDBEventConfig": "dynamodb", "SQSEventConfig": "sqs"}
    return {source.name: known.get(type(source).__name__, type(source).__name__) for source in app.event_sources}
