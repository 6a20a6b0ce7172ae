"""A cold start imports the routes' declarations only: `import app` in a fresh process, with the
environment a deployed function has (the stream ARNs CDK sets), loads none of the use cases,
schemas, data layer or heavy libraries; a route's first request imports what it needs. The
figure against a bare Chalice app is `make bench`'s; this keeps the import surface from creeping
back."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app import app
from chalicelib.api.http import operations
from chalicelib.settings import DEFAULT_RATE_LIMITS

ROOT = Path(__file__).resolve().parents[2]
# What a cold start must not pay for: each is imported by the request that needs it.
DEFERRED = ("pydantic", "aws_xray_sdk", "jwt", "cryptography", "phonenumbers", "pynamodb", "boto3",
            "chalicelib.schemas", "chalicelib.services", "chalicelib.dal", "chalicelib.settings",
            "aws_lambda_powertools.utilities.batch")


def _imported_by_cold_start(code: str) -> set[str]:
    env = {**os.environ, "BOOKINGS_STREAM_ARN": "arn:aws:dynamodb:me-central-1:1:table/b/stream/x",
           "REQUESTS_STREAM_ARN": "arn:aws:dynamodb:me-central-1:1:table/r/stream/x"}
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_import_app_defers_use_cases_schemas_and_libraries():
    modules = _imported_by_cold_start("import app")
    loaded = sorted(m for m in modules if any(m == d or m.startswith(d + ".") for d in DEFERRED))
    assert loaded == []
    assert "chalicelib.api.booking_routes" in modules  # the routes themselves are declared


def test_a_route_imports_its_use_case_when_first_called():
    modules = _imported_by_cold_start(
        "import app\nfrom chalicelib.api import booking_routes\nbooking_routes.bookings.book")
    assert "chalicelib.services.bookings" in modules
    assert "chalicelib.services.ranking" not in modules


def test_every_route_declares_its_schemas_by_a_name_that_resolves():
    for path, op in operations(app.routes):
        for ref, model in [(op.body_ref, op.body), (op.query_ref, op.query),
                           *((op.response_refs[s], op.responses[s]) for s in op.response_refs)]:
            if ref is not None:
                assert model is not None and model.__name__ == str(ref).rpartition(".")[2], (path, ref)


def test_every_route_limit_names_a_policy_of_the_settings():
    named = {op.limit.policy for _, op in operations(app.routes) if op.limit}
    assert named and named <= set(DEFAULT_RATE_LIMITS)


def test_every_lazily_named_module_imports():
    from chalicelib.api import http
    http.import_all()
    assert len(http._LAZY) > 20 and all(name in sys.modules for name in http._LAZY)
