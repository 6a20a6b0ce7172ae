"""The API contract (openapi.yaml) is generated from the routes and the pydantic schemas
(tools/gen_openapi.py). These tests prove what the generator does not: that the committed file is
what it generates now, that the result is valid OpenAPI 3.1, that the overlay's words and examples
agree with the code, and that what the app really answers validates against what it documents."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from chalice.test import Client
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from pydantic import BaseModel, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app import app
from chalicelib import errors
from chalicelib.api.http import Operation, operations
from chalicelib.dal import catalogue_store, partner_store
from chalicelib.domain import calendar
from chalicelib.schemas import Problem
from chalicelib.schemas.common import DATE_EXAMPLES, DATETIME_EXAMPLES
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings
from tests.fakes.limits import FakeLimitStore
from tests.integration.support import as_citizen
from tools import gen_openapi

DOC_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"
DOC_URI = "urn:ejso:openapi"
PROBLEM_REF = "#/components/schemas/Problem"


def declared() -> dict[str, tuple[str, Operation]]:
    return {op.name: (path, op) for path, op in operations(app.routes)}


def assert_valid(doc: dict, ref: str, instance: Any, what: str) -> None:
    """`instance` validates against the schema at `ref` ('#/...') of the document, $refs resolved."""
    registry = Registry().with_resource(DOC_URI, Resource.from_contents(doc, default_specification=DRAFT202012))
    validator = Draft202012Validator({"$ref": DOC_URI + ref}, registry=registry,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    problems = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(instance)]
    assert not problems, f"{what} does not match {ref}:\n  " + "\n  ".join(problems)


def response_ref(doc: dict, operation_id: str, status: int, media: str = "application/json") -> str:
    path, op = declared()[operation_id]
    response = doc["paths"][path][op.method.lower()]["responses"][str(status)]
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"][media]["schema"]["$ref"]


def check_shape(doc: dict, operation_id: str, status: int, payload: Any) -> None:
    """What a use case returned, as the route writes it: accepted by the route's response model
    (no undocumented key), and the written JSON valid against the documented schema."""
    _, op = declared()[operation_id]
    model = op.responses[status]
    try:
        out = model.model_validate(payload)
    except ValidationError as exc:
        pytest.fail(f"{operation_id} {status}: {model.__name__} rejects what the use case returns: {exc}")
    written = out.model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert written == json.loads(json.dumps(payload, ensure_ascii=False)), f"{operation_id}: the route changes the JSON"
    assert_valid(doc, response_ref(doc, operation_id, status), written, f"{operation_id} {status}")


# --- the generator's output is committed, and valid -------------------------------------------------

def test_committed_contract_is_what_make_openapi_generates():
    generated = gen_openapi.render(gen_openapi.build())
    assert DOC_PATH.read_text(encoding="utf-8") == generated, (
        "openapi.yaml differs from what the routes, the schemas and docs/openapi-overlay.yaml generate: "
        "run `make openapi` and commit the result")


def test_contract_is_valid_openapi_3_1(doc):
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_every_route_is_declared_with_a_response_model():
    served = {(path, method) for path, methods in app.routes.items() for method in methods}
    ops = operations(app.routes)
    assert {(path, op.method) for path, op in ops} == served, "a route is registered without Routes.route"
    for path, op in ops:
        assert all(path.startswith("/v1/") for path, _ in ops)
        for status in op.statuses:
            model = op.responses.get(status)
            assert (model is None) == (status == 204), f"{op.name} {status}: every answer with a body is a model"
            assert model is None or issubclass(model, BaseModel)


def test_problem_responses_reference_one_problem_schema(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert response["$ref"].startswith("#/components/responses/"), f"{method} {path} {status}"
    for name, response in doc["components"]["responses"].items():
        assert response["content"]["application/problem+json"]["schema"] == {"$ref": PROBLEM_REF}, name
    assert "Retry-After" in doc["components"]["responses"]["ServiceUnavailable"]["headers"]
    assert "WWW-Authenticate" in doc["components"]["responses"]["Unauthorized"]["headers"]


def test_overlay_cannot_add_what_the_code_does_not_have(monkeypatch, tmp_path):
    overlay = yaml.safe_load(gen_openapi.OVERLAY.read_text(encoding="utf-8"))
    for broken, message in (({"no_such_view": {"summary": "x"}}, "operations the app does not have"),
                            ({"health": {"parameters": {"q": {"description": "x"}}}}, "does not read"),
                            ({"health": {"responses": {404: {"description": "x"}}}}, "does not answer"),
                            ({"health": {"security": []}}, "only add words")):
        path = tmp_path / "overlay.yaml"
        path.write_text(yaml.safe_dump({**overlay, "operations": broken}, allow_unicode=True), encoding="utf-8")
        monkeypatch.setattr(gen_openapi, "OVERLAY", path)
        with pytest.raises(gen_openapi.OverlayError, match=message):
            gen_openapi.build()


def test_partner_callbacks_are_declared_as_webhooks(doc):
    post = doc["webhooks"]["request.status"]["post"]
    assert {p["name"] for p in post["parameters"]} == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    media = post["requestBody"]["content"]["application/json"]
    from chalicelib.domain import webhooks
    sent = webhooks.status_event("RQ7K3M9QX2PL", "COMPLETED", "2026-11-25T09:30:12.345+03:30")
    sent["data"]["partner_ref"] = "CASE-1"  # added at delivery (services/remote_jobs.py)
    assert_valid(doc, media["schema"]["$ref"], sent, "a status callback")
    assert_valid(doc, media["schema"]["$ref"], media["example"], "the callback example")


# --- the overlay's words and examples agree with the code -------------------------------------------

def test_problem_schema_matches_errors_module(doc):
    err = errors.SlotFull("detail", "جزئیات", errors=[{"field": "start", "message": "m", "message_fa": "پ"}])
    status, headers, text = errors.problem(err, "/v1/bookings")
    body = json.loads(text)
    assert headers["Content-Type"] == "application/problem+json"
    assert_valid(doc, PROBLEM_REF, body, "a problem document")
    Problem.model_validate(body)
    assert set(doc["components"]["schemas"]["Problem"]["required"]) == {
        "type", "title", "title_fa", "status", "detail", "detail_fa"}


def test_documented_problem_kinds_exist():
    def codes(cls) -> set[str]:
        return {cls.code}.union(*(codes(sub) for sub in cls.__subclasses__()))
    known = codes(errors.DomainError) | {"internal-error"}
    named = set(re.findall(r"ejso\.ir/problems/([a-z-]+)", DOC_PATH.read_text(encoding="utf-8")))
    assert named and named <= known, f"unknown problem kinds in openapi.yaml: {sorted(named - known)}"


def test_booking_rules_are_documented(doc):
    op = doc["paths"]["/v1/bookings"]["post"]
    text = json.dumps(op, ensure_ascii=False)
    for kind in ("slot-full", "duplicate-booking", "daily-cap-reached", "no-show-blocked", "hold-expired",
                 "request-in-progress", "idempotency-key-reused"):
        assert kind in text, f"create_booking does not document {kind}"
    for words in ("Jalali", "ISO", "Persian", "Asia/Tehran", "problem+json", "URL"):
        assert words in doc["info"]["description"], f"info.description should mention {words}"


def test_examples_are_valid_for_schema_and_model(doc):
    checked = 0
    for name, (path, op) in declared().items():
        documented = doc["paths"][path][op.method.lower()]
        media = documented.get("requestBody", {}).get("content", {}).get("application/json", {})
        samples = [e["value"] for e in media.get("examples", {}).values()] + ([media["example"]] if "example" in media
                                                                             else [])
        for sample in samples:
            assert_valid(doc, media["schema"]["$ref"], sample, f"{name} body example")
            try:
                op.body.model_validate(sample)  # the server accepts it
            except ValidationError as exc:
                pytest.fail(f"{name}: {op.body.__name__} rejects the documented example: {exc}")
            checked += 1
        for status, response in documented["responses"].items():
            example = response.get("content", {}).get("application/json", {}).get("example")
            if example is not None:
                check_shape(doc, name, int(status), example)
                checked += 1
    assert checked >= 6
    for example in DATE_EXAMPLES:
        calendar.parse_date(example)
    for example in DATETIME_EXAMPLES:
        calendar.parse_datetime(example)


# --- what the app answers over HTTP validates against what it documents ----------------------------

@pytest.fixture(scope="module")
def client():
    # No database here: the routes' token buckets are the in-memory ones.
    with Client(app) as c, stores.use(limits=FakeLimitStore()):
        yield c


def test_health_and_holidays_over_http(doc, client, monkeypatch):
    monkeypatch.setattr(catalogue_store, "calendar_corrections", lambda: {})
    response = client.http.get("/v1/health")
    assert response.status_code == 200
    assert_valid(doc, response_ref(doc, "health", 200), json.loads(response.body), "health")
    response = client.http.get("/v1/calendar/holidays?from=1405/01/01&to=۱۴۰۵/۱۲/۲۹")
    assert response.status_code == 200
    payload = json.loads(response.body)
    assert payload["items"], "the Jalali year 1405 has holidays"
    assert_valid(doc, response_ref(doc, "holidays", 200), payload, "holidays")


CITIZEN = as_citizen(1)  # holds, bookings and remote requests need a citizen session first
PROBLEM_CASES = [
    ("create_booking", "post", "/v1/bookings", {"Content-Type": "text/plain", **CITIZEN}, b"{}", 415),
    ("create_hold", "post", "/v1/holds", {"Content-Type": "application/json", **CITIZEN}, b"{not json", 400),
    ("create_hold", "post", "/v1/holds", {"Content-Type": "application/json"}, b"{}", 401),
    ("create_booking", "post", "/v1/bookings", {"Content-Type": "application/json", **CITIZEN}, b"{}", 422),
    ("create_booking", "post", "/v1/bookings", {"Content-Type": "application/json", "Idempotency-Key": "short",
                                                **CITIZEN}, b"{}", 422),
    ("create_booking", "post", "/v1/bookings", {"Content-Type": "application/json",
                                                "Authorization": "Bearer not-a-session"}, b"{}", 401),
    ("reschedule_booking", "post", "/v1/bookings/BK1/reschedule", {"Content-Type": "application/json"},
     json.dumps({"start": "x" * 20_000}).encode(), 413),
    ("holidays", "get", "/v1/calendar/holidays?from=1405/13/40", {}, b"", 422),
    ("todays_bookings", "get", "/v1/office/bookings", {}, b"", 401),
    ("complete", "post", "/v1/office/bookings/BK1/complete", {"Authorization": "Bearer not-a-jwt"}, b"", 401),
    ("create_remote_request", "post", "/v1/requests", {"Content-Type": "application/json", **CITIZEN}, b"{}", 400),
    ("create_remote_request", "post", "/v1/requests", {"Content-Type": "application/json"}, b"{}", 401),
    ("my_bookings", "get", "/v1/me/bookings", {"Authorization": "Bearer x.y.z"}, b"", 401),
    ("send_otp", "post", "/v1/otp", {"Content-Type": "application/json"}, b'{"national_id": "1"}', 422),
    ("verify_otp", "post", "/v1/otp/verify", {"Content-Type": "application/json"},
     b'{"challenge_id": "OTX", "code": "12"}', 422),
    ("partner_create_request", "post", "/v1/partners/call-1470/requests", {"Content-Type": "application/json"},
     b"{}", 401),
    ("pull_next_request", "post", "/v1/office/queue/next", {}, b"", 401),
    ("upsert_partner", "put", "/v1/admin/partners/call-1470", {"Content-Type": "application/json"}, b"{}", 401),
]


@pytest.mark.parametrize(("operation_id", "method", "url", "headers", "body", "status"), PROBLEM_CASES,
                         ids=[f"{c[0]}-{c[5]}" for c in PROBLEM_CASES])
def test_problem_responses_over_http(doc, client, monkeypatch, operation_id, method, url, headers, body, status):
    assert get_settings().max_body_bytes < 20_000
    monkeypatch.setattr(partner_store, "get", lambda partner_id: None)  # no such partner, and no database
    response = getattr(client.http, method)(url, headers=headers, body=body)
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    path, op = declared()[operation_id]
    assert status in op.problem_statuses(), f"{operation_id} answers {status} but does not declare it"
    payload = json.loads(response.body)
    assert_valid(doc, response_ref(doc, operation_id, status, "application/problem+json"), payload, operation_id)
    if status == 401:
        assert "WWW-Authenticate" in response.headers
