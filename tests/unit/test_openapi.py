"""openapi.yaml is the contract: it must be a valid OpenAPI 3.1 document, describe exactly the
routes the Chalice app serves (same paths, methods, operationIds, path parameters, bodies and
problem responses), and its schemas must accept what the code really accepts and returns.
Nothing here touches DynamoDB: data-layer calls are replaced where a view needs them."""
from __future__ import annotations

import inspect
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from chalice.test import Client
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from pydantic import BaseModel, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app import app
from chalicelib import errors
from chalicelib.dal import booking_store, catalogue_store, operator_store
from chalicelib.dal.models import BookingItem
from chalicelib.domain import calendar
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.load import OfficeLoad
from chalicelib.schemas import (
    BookingIn,
    CalendarCorrectionIn,
    CheckInIdentityIn,
    ComplaintsIn,
    HoldIn,
    InspectionIn,
    OpenCountersIn,
    OperatorIn,
    PartnerIn,
    PartnerRequestIn,
    PolicyAdoptionIn,
    PolicySimulationIn,
    RatingIn,
    RemoteRequestIn,
    RequestDecisionIn,
    RescheduleIn,
    RoutingParamsChangeIn,
)
from chalicelib.services import bookings, catalogue, office_day
from chalicelib.settings import get_settings

DOC_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"
DOC_URI = "urn:ejso:openapi"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PROBLEM_REF = "#/components/schemas/Problem"
BODY_MODELS: dict[str, type[BaseModel]] = {m.__name__: m for m in (BookingIn, HoldIn, RescheduleIn,
                                                                   CheckInIdentityIn, CalendarCorrectionIn,
                                                                   RemoteRequestIn, PartnerRequestIn, RequestDecisionIn,
                                                                   OpenCountersIn, PartnerIn, RatingIn,
                                                                   RoutingParamsChangeIn)}
# Views that must be called with a JSON body; any other body a view reads is optional.
REQUIRED_BODIES = {("/v1/bookings", "post"), ("/v1/holds", "post"), ("/v1/bookings/{booking_id}/reschedule", "post"),
                   ("/v1/admin/calendar/{day}", "put"), ("/v1/requests", "post"),
                   ("/v1/partners/{partner_id}/requests", "post"), ("/v1/office/requests/{tracking_code}/reject", "post"),
                   ("/v1/office/requests/{tracking_code}/needs-in-person", "post"),
                   ("/v1/requests/{tracking_code}/rating", "post"),
                   ("/v1/office/counters", "post"), ("/v1/admin/partners/{partner_id}", "put"),
                   ("/v1/admin/routing/params", "put")}
# Views that never reach the database, so cannot answer 503.
NO_DATABASE = {"health"}
TAGS = {"catalogue", "bookings", "office", "association", "requests", "partners", "routing"}
# Authenticated path prefixes: their tag and security scheme; every other route is public.
AUTHENTICATED = {"/v1/office/": ("office", "operatorBearer"), "/v1/admin/": ("association", "associationBearer"),
                 "/v1/partners/": ("partners", "partnerSignature")}
# issue 4: the office ranking and the operators registry
BODY_MODELS.update({m.__name__: m for m in (OperatorIn, ComplaintsIn, InspectionIn, PolicyAdoptionIn, PolicySimulationIn)})
REQUIRED_BODIES |= {("/v1/admin/ranking/offices/{office_id}/complaints", "post"),
                    ("/v1/admin/ranking/offices/{office_id}/inspections", "post"),
                    ("/v1/admin/ranking/simulate", "post"), ("/v1/admin/ranking/policy", "put"),
                    ("/v1/office/operators/{operator_id}", "put"),
                    ("/v1/admin/offices/{office_id}/operators/{operator_id}", "put")}
TAGS |= {"ranking"}


def auth_of(path: str) -> tuple[str, str] | None:
    return next((v for prefix, v in AUTHENTICATED.items() if path.startswith(prefix)), None)
BODY_PROBLEMS = {"400", "413", "415", "422"}


# --- helpers -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return yaml.safe_load(DOC_PATH.read_text(encoding="utf-8"))


def pointer(*parts: str) -> str:
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def validator_for(doc: dict, ref: str) -> Draft202012Validator:
    """A JSON Schema validator for the schema at `ref` (a '#/...' pointer into the document),
    with the document's own $refs resolvable."""
    registry = Registry().with_resource(DOC_URI, Resource.from_contents(doc, default_specification=DRAFT202012))
    return Draft202012Validator({"$ref": DOC_URI + ref}, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(doc: dict, ref: str, instance: Any, what: str) -> None:
    problems = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                for e in validator_for(doc, ref).iter_errors(instance)]
    assert not problems, f"{what} does not match {ref}:\n  " + "\n  ".join(problems)


def deref(doc: dict, ref: str) -> Any:
    assert ref.startswith("#/"), f"only local $refs are used, got {ref}"
    node: Any = doc
    for part in node_path(ref):
        node = node[part]
    return node


def node_path(ref: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/")]


def documented_keys(doc: dict, schema: dict) -> set[str]:
    """Property names a schema documents, through $ref and allOf."""
    if "$ref" in schema:
        return documented_keys(doc, deref(doc, schema["$ref"]))
    keys = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        keys |= documented_keys(doc, part)
    return keys


def app_routes() -> dict[tuple[str, str], Any]:
    return {(path, method.lower()): entry for path, methods in app.routes.items() for method, entry in methods.items()}


def operations(doc: dict) -> dict[tuple[str, str], dict]:
    return {(path, method): op for path, item in doc["paths"].items() for method, op in item.items()
            if method in HTTP_METHODS}


def view_source(entry) -> str:
    return inspect.getsource(entry.view_function)  # unwraps @handled (functools.wraps)


def body_model(entry) -> str | None:
    """The pydantic model a view parses its body with, if it reads one."""
    body = entry.view_function.operation.body
    return body.__name__ if body else None


def view_name(entry) -> str:
    return getattr(entry, "view_name", None) or entry.view_function.__name__


def op_of(doc: dict, operation_id: str) -> tuple[str, str, dict]:
    found = [(p, m, op) for (p, m), op in operations(doc).items() if op.get("operationId") == operation_id]
    assert len(found) == 1, f"operationId {operation_id} should appear once"
    return found[0]


def response_ref(doc: dict, operation_id: str, status: int, media: str = "application/json") -> str:
    path, method, op = op_of(doc, operation_id)
    response = op["responses"][str(status)]
    base = ["paths", path, method, "responses", str(status)]
    if "$ref" in response:
        base, response = node_path(response["$ref"]), deref(doc, response["$ref"])
    assert media in response.get("content", {}), f"{operation_id} {status} has no {media} content"
    return pointer(*base, "content", media, "schema")


# --- the document itself -------------------------------------------------------------------------

def test_document_is_valid_openapi_3_1(doc):
    assert str(doc["openapi"]).startswith("3.1"), "the document must be OpenAPI 3.1"
    validate(doc, cls=OpenAPIV31SpecValidator)
    assert doc["info"]["title"] == "EJSO network API"
    assert any(s["url"] == "http://127.0.0.1:8000" for s in doc["servers"])


def test_documented_routes_are_exactly_the_served_routes(doc):
    served, documented = set(app_routes()), set(operations(doc))
    undocumented = sorted(served - documented)
    phantom = sorted(documented - served)
    message = []
    if undocumented:
        message.append("routes served by the app but missing from openapi.yaml: "
                       + ", ".join(f"{m.upper()} {p}" for p, m in undocumented))
    if phantom:
        message.append("operations in openapi.yaml that the app does not serve: "
                       + ", ".join(f"{m.upper()} {p}" for p, m in phantom))
    assert not message, "\n".join(message)


def test_operation_ids_are_the_view_function_names(doc):
    ops = operations(doc)
    wrong = {f"{m.upper()} {p}": (ops[(p, m)].get("operationId"), view_name(entry))
             for (p, m), entry in app_routes().items()
             if (p, m) in ops and ops[(p, m)].get("operationId") != view_name(entry)}
    assert not wrong, f"operationId differs from the view name (documented, view): {wrong}"
    ids = [op.get("operationId") for op in ops.values()]
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_tags_security_and_path_parameters(doc):
    ops, problems = operations(doc), []
    for (path, method), entry in app_routes().items():
        op = ops.get((path, method))
        if op is None:
            continue  # reported by the route test
        where = f"{method.upper()} {path}"
        auth = auth_of(path)
        if len(op.get("tags", [])) != 1 or op["tags"][0] not in TAGS:
            problems.append(f"{where}: exactly one tag of {sorted(TAGS)} expected, got {op.get('tags')}")
        elif auth and op["tags"][0] != auth[0] or not auth and op["tags"][0] in {t for t, _ in AUTHENTICATED.values()}:
            problems.append(f"{where}: tag {op['tags'][0]!r} does not match the path's audience")
        expected_security = [{auth[1]: []}] if auth else []
        if op.get("security", []) != expected_security:
            problems.append(f"{where}: security should be {expected_security}")
        params = [deref(doc, p["$ref"]) if "$ref" in p else p for p in op.get("parameters", [])]
        path_params = {p["name"] for p in params if p["in"] == "path"}
        if path_params != set(entry.view_args):
            problems.append(f"{where}: path parameters {sorted(path_params)} != route's {sorted(entry.view_args)}")
        if any(p["in"] == "path" and not p.get("required") for p in params):
            problems.append(f"{where}: path parameters must be required")
        headers = {p["name"] for p in params if p["in"] == "header"}
        declared = entry.view_function.operation
        for header in declared.headers:
            if header not in headers:
                problems.append(f"{where}: the view reads header {header} but it is not documented")
        if declared.idempotency and "Idempotency-Key" not in headers:
            problems.append(f"{where}: Idempotency-Key header is not documented")
    assert not problems, "\n".join(problems)
    scheme = doc["components"]["securitySchemes"]["operatorBearer"]
    assert (scheme["type"], scheme["scheme"], scheme.get("bearerFormat")) == ("http", "bearer", "JWT")
    assert "security" not in doc, "only office and association routes are authenticated"


def test_request_bodies_exactly_where_views_read_them(doc):
    ops, problems = operations(doc), []
    for (path, method), entry in app_routes().items():
        op = ops.get((path, method))
        if op is None:
            continue
        where, model = f"{method.upper()} {path}", body_model(entry)
        if model is None:
            if "requestBody" in op:
                problems.append(f"{where}: documents a requestBody but the view reads none")
            if (path, method) in REQUIRED_BODIES:
                problems.append(f"{where}: must read a JSON body")
            continue
        if "requestBody" not in op:
            problems.append(f"{where}: the view reads a {model} body but no requestBody is documented")
            continue
        body = op["requestBody"]
        if body.get("required", False) != ((path, method) in REQUIRED_BODIES):
            problems.append(f"{where}: requestBody.required should be {(path, method) in REQUIRED_BODIES}")
        if set(body["content"]) != {"application/json"}:
            problems.append(f"{where}: the only body media type is application/json")
        elif body["content"]["application/json"]["schema"] != {"$ref": f"#/components/schemas/{model}"}:
            problems.append(f"{where}: body schema should be #/components/schemas/{model}")
        missing = BODY_PROBLEMS - set(op["responses"])
        if missing:
            problems.append(f"{where}: reads a body but does not document {sorted(missing)}")
    assert not problems, "\n".join(problems)
    assert REQUIRED_BODIES <= {k for k, e in app_routes().items() if body_model(e)}


def test_every_error_response_is_a_problem_by_ref(doc):
    responses, problems = doc["components"]["responses"], []
    for (path, method), op in operations(doc).items():
        where = f"{method.upper()} {path}"
        statuses = set(op["responses"])
        for status, response in op["responses"].items():
            if status == "204":
                assert "content" not in response, f"{where} 204: no content expected"
                continue
            if int(status) < 400:
                assert "application/json" in response.get("content", {}), f"{where} {status}: JSON content expected"
                continue
            ref = response.get("$ref", "")
            name = ref.removeprefix("#/components/responses/")
            if set(response) != {"$ref"} or name not in responses:
                problems.append(f"{where} {status}: must be a $ref to #/components/responses/*, got {response}")
        if not op["operationId"] == "health" and not any(400 <= int(s) < 500 for s in statuses):
            problems.append(f"{where}: documents no 4xx problem response")
        if auth_of(path) and "401" not in statuses:
            problems.append(f"{where}: authenticated routes must document 401")
        if "{" in path and method != "put" and "404" not in statuses:  # a PUT creates what it names
            problems.append(f"{where}: a route with a path parameter must document 404")
        if "500" not in statuses:
            problems.append(f"{where}: must document 500")
        if (op["operationId"] not in NO_DATABASE) != ("503" in statuses):
            problems.append(f"{where}: 503 must be documented exactly on routes that reach the database")
    for name, response in responses.items():
        content = response.get("content", {})
        if set(content) != {"application/problem+json"} or content["application/problem+json"]["schema"] != {
                "$ref": PROBLEM_REF}:
            problems.append(f"components/responses/{name}: content must be application/problem+json with Problem")
    assert not problems, "\n".join(problems)
    assert "Retry-After" in responses["ServiceUnavailable"]["headers"]
    assert "WWW-Authenticate" in responses["Unauthorized"]["headers"]


def test_problem_schema_matches_errors_module(doc):
    problem = doc["components"]["schemas"]["Problem"]
    err = errors.SlotFull("detail", "جزئیات", errors=[{"field": "start", "message": "m", "message_fa": "پ"}])
    status, headers, text = errors.problem(err, "/v1/bookings")
    body = json.loads(text)
    assert headers["Content-Type"] == "application/problem+json"
    assert_valid(doc, pointer("components", "schemas", "Problem"), body, "a problem document")
    assert set(body) <= set(problem["properties"])
    assert set(problem["required"]) == {"type", "title", "title_fa", "status", "detail", "detail_fa"}
    assert set(deref(doc, problem["properties"]["errors"]["items"]["$ref"])["required"]) == {
        "field", "message", "message_fa"}


def test_documented_problem_kinds_exist(doc):
    """Every `.../problems/<kind>` the document names is a code the errors module can produce."""
    def codes(cls) -> set[str]:
        return {cls.code}.union(*(codes(sub) for sub in cls.__subclasses__()))
    known = codes(errors.DomainError) | {"internal-error"}
    named = set(re.findall(r"ejso\.ir/problems/([a-z-]+)", DOC_PATH.read_text(encoding="utf-8")))
    assert named <= known, f"unknown problem kinds in openapi.yaml: {sorted(named - known)}"


def test_booking_rules_are_documented(doc):
    _, _, op = op_of(doc, "create_booking")
    text = json.dumps({"op": op, "409": deref(doc, op["responses"]["409"]["$ref"])}, ensure_ascii=False)
    for kind in ("slot-full", "duplicate-booking", "daily-cap-reached", "no-show-blocked", "hold-expired",
                 "request-in-progress"):
        assert kind in text, f"create_booking does not document the 409 kind {kind}"
    assert "no same-day booking" in text.lower() and "horizon" in text
    assert "idempotency-key-reused" in json.dumps(deref(doc, op["responses"]["422"]["$ref"]))
    described = doc["info"]["description"]
    for words in ("Jalali", "ISO", "Persian", "Asia/Tehran", "problem+json", "URL"):
        assert words in described, f"info.description should mention {words}"


# --- request bodies agree with the pydantic models ------------------------------------------------

@pytest.mark.parametrize("model", list(BODY_MODELS.values()), ids=list(BODY_MODELS))
def test_body_schema_matches_pydantic_model(doc, model):
    schema = doc["components"]["schemas"][model.__name__]
    required = {name for name, f in model.model_fields.items() if f.is_required()}
    assert set(schema.get("required", [])) == required, (
        f"{model.__name__}: documented required {sorted(schema.get('required', []))} != model's {sorted(required)}")
    assert set(schema["properties"]) == set(model.model_fields), f"{model.__name__}: properties differ from the model"
    assert schema.get("additionalProperties") is False, f"{model.__name__} forbids extra fields"
    for name, field in model.model_fields.items():
        prop = schema["properties"][name]
        prop = {**deref(doc, prop["$ref"]), **prop} if "$ref" in prop else prop
        for meta in field.metadata:
            if getattr(meta, "pattern", None):
                assert prop.get("pattern") == meta.pattern, f"{model.__name__}.{name}: pattern differs"
            if getattr(meta, "max_length", None):
                assert prop.get("maxLength") == meta.max_length, f"{model.__name__}.{name}: maxLength differs"
        if not field.is_required() and field.default is None:
            assert "null" in prop.get("type", []), f"{model.__name__}.{name} accepts null"


def test_request_examples_are_valid_for_schema_and_model(doc):
    checked = 0
    for (path, method), op in operations(doc).items():
        body = op.get("requestBody")
        if not body:
            continue
        media = body["content"]["application/json"]
        model = BODY_MODELS[media["schema"]["$ref"].rsplit("/", 1)[1]]
        examples = [e["value"] for e in media.get("examples", {}).values()]
        examples += [media["example"]] if "example" in media else []
        assert examples, f"{method.upper()} {path}: the request body needs an example"
        for example in examples:
            assert_valid(doc, media["schema"]["$ref"], example, f"{method.upper()} {path} example")
            try:
                model.model_validate(example)  # the server accepts it
            except ValidationError as exc:
                pytest.fail(f"{method.upper()} {path}: {model.__name__} rejects the documented example: {exc}")
            checked += 1
    assert checked >= 6


def test_schema_and_parameter_examples_are_valid(doc):
    def walk(schema: Any, at: tuple[str, ...]) -> None:
        if not isinstance(schema, dict):
            return
        for i, example in enumerate(schema.get("examples", [])):
            assert_valid(doc, pointer(*at), example, f"{pointer(*at)} example {i}")
        for key, value in schema.items():
            if key == "properties":
                for name, sub in value.items():
                    walk(sub, (*at, key, name))
            elif key in ("items", "additionalProperties", "propertyNames", "not"):
                walk(value, (*at, key))
            elif key in ("allOf", "anyOf", "oneOf", "prefixItems"):
                for i, sub in enumerate(value):
                    walk(sub, (*at, key, str(i)))

    for name, schema in doc["components"]["schemas"].items():
        walk(schema, ("components", "schemas", name))
    for name, param in doc["components"]["parameters"].items():
        if "example" in param:
            assert_valid(doc, pointer("components", "parameters", name, "schema"), param["example"], name)
    for (path, method), op in operations(doc).items():
        for i, param in enumerate(op.get("parameters", [])):
            samples = [param["example"]] if "example" in param else []
            samples += [e["value"] for e in param.get("examples", {}).values()]
            for sample in samples:
                assert_valid(doc, pointer("paths", path, method, "parameters", str(i), "schema"), sample,
                             f"{method.upper()} {path} parameter {param.get('name')}")
    for name, response in doc["components"]["responses"].items():
        media = response["content"]["application/problem+json"]
        samples = [media["example"]] if "example" in media else []
        samples += [e["value"] for e in media.get("examples", {}).values()]
        for sample in samples:
            assert_valid(doc, PROBLEM_REF, sample, f"components/responses/{name} example")
            used_at = {status for (_, _, status) in _uses(doc, name)}
            assert not used_at or used_at == {str(sample["status"])}, (
                f"components/responses/{name}: example status {sample['status']} but used for {sorted(used_at)}")


def _uses(doc: dict, response_name: str) -> list[tuple[str, str, str]]:
    return [(p, m, s) for (p, m), op in operations(doc).items() for s, r in op["responses"].items()
            if r.get("$ref") == f"#/components/responses/{response_name}"]


def test_date_input_examples_parse(doc):
    for example in doc["components"]["schemas"]["DateInput"]["examples"]:
        calendar.parse_date(example)
    for example in doc["components"]["schemas"]["DateTimeInput"]["examples"]:
        calendar.parse_datetime(example)


# --- responses the code really produces match the documented schemas -----------------------------

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=calendar.TEHRAN)
HOURS = {day: [["08:00", "12:00"], ["13:00", "15:00"]] for day in ("sat", "sun", "mon", "tue", "wed")} | {
    "thu": [["08:00", "12:00"]]}


def open_day() -> date:
    day = NOW.date() + timedelta(days=1)
    while not calendar.opening_intervals(day, HOURS):
        day += timedelta(days=1)
    return day


@pytest.fixture
def service() -> Service:
    return Service("S0001", category="petitions", name_en="Petition filing", name_fa="ثبت دادخواست",
                       mode="remote_allowed", duration_min=30, tariff_rials=1_250_000, active=True)


@pytest.fixture
def office() -> Office:
    return Office("OF-THR-0001", name_en="EJSO office 1001 (Tehran)", name_fa="دفتر ۱۰۰۱", province="Tehran",
                      province_fa="تهران", city="Tehran", city_fa="تهران", lat=35.66, lon=51.36, counters=3,
                      hours=HOURS, offered_categories=frozenset({"petitions"}), in_person_required=frozenset({"S0173"}),
                      closures=frozenset({"2026-12-20"}), deprived=False, tier=None)


@pytest.fixture
def booking() -> BookingItem:
    start = datetime.combine(open_day(), datetime.min.time().replace(hour=9, minute=30), calendar.TEHRAN)
    return BookingItem("BK#BK7K3M9QX2PLRT", "BOOKING", office_id="OF-THR-0001", service_id="S0001",
                       day=start.date().isoformat(), start=start.isoformat(), cells=["0930", "0945"], counter=2,
                       status="BOOKED", citizen_key="k" * 32, national_id_masked="*******679", mobile="+989121234567",
                       name=None, access_code_hash="h" * 64, created_at=NOW.isoformat(timespec="seconds"),
                       updated_at=NOW.isoformat())


@pytest.fixture
def no_database(monkeypatch, office, service, booking):
    monkeypatch.setattr(catalogue, "get_office", lambda office_id: office)
    monkeypatch.setattr(catalogue, "get_service", lambda service_id: service)
    monkeypatch.setattr(catalogue_store, "get_service", lambda service_id: service)
    monkeypatch.setattr(catalogue_store, "all_offices", lambda: {office.office_id: office})
    monkeypatch.setattr(booking_store, "taken_seats", lambda *args, **kwargs: {})
    monkeypatch.setattr(operator_store, "licence_expiries", lambda office_id: ())  # no registry: declared counters
    monkeypatch.setattr(catalogue_store, "calendar_corrections", lambda: {})
    monkeypatch.setattr(booking_store, "create_hold", lambda *args, **kwargs: None)
    monkeypatch.setattr(booking_store, "office_day_bookings", lambda office_id, day: [booking])


def check_shape(doc: dict, operation_id: str, status: int, payload: Any) -> None:
    ref = response_ref(doc, operation_id, status)
    assert_valid(doc, ref, payload, f"{operation_id} {status}")
    schema = deref(doc, ref)
    keys = documented_keys(doc, schema)
    undocumented = set(payload) - keys
    assert not undocumented, f"{operation_id} {status} returns undocumented fields {sorted(undocumented)}"


def test_catalogue_views_match(doc, no_database, office, service):
    check_shape(doc, "get_service", 200, catalogue.service_view(service))
    check_shape(doc, "get_office", 200, catalogue.office_view(office, OfficeLoad(ratio=0.4, booked=4, capacity=10),
                                                              detail=True))
    page = catalogue._page([catalogue.service_view(service)], 3, 0, 1)
    check_shape(doc, "search_services", 200, page)
    offices = catalogue._page([catalogue.office_view(office)], 1, 0, 50)
    check_shape(doc, "list_offices", 200, offices)
    item_keys = documented_keys(doc, deref(doc, "#/components/schemas/OfficeDetail"))
    assert set(catalogue.office_view(office, detail=True)) == item_keys
    assert set(catalogue.office_view(office)) == documented_keys(doc, deref(doc, "#/components/schemas/Office"))
    slots = catalogue.free_slots(office.office_id, service.service_id, open_day(), NOW)
    assert slots["slots"], "the fixture day should have free slots"
    check_shape(doc, "office_slots", 200, slots)


def test_booking_views_match(doc, no_database, office, service, booking):
    view = bookings.booking_view(booking, office, service)
    check_shape(doc, "read_booking", 200, view)
    check_shape(doc, "cancel_booking", 200, {**view, "status": "CANCELLED"})
    check_shape(doc, "create_booking", 201, {**view, "access_code": "7K3M9QX2"})
    assert set(view) | {"access_code"} == documented_keys(doc, deref(doc, "#/components/schemas/BookingCreated"))
    start = datetime.fromisoformat(booking.start)
    held = bookings.hold(HoldIn(office_id=office.office_id, service_id=service.service_id, start=start), NOW)
    check_shape(doc, "create_hold", 201, held)
    check_shape(doc, "todays_bookings", 200, office_day.day_list(office.office_id, start.date(), NOW))


@pytest.fixture(scope="module")
def client():
    with Client(app) as c:
        yield c


def test_health_and_holidays_over_http(doc, client, monkeypatch):
    monkeypatch.setattr(catalogue_store, "calendar_corrections", lambda: {})
    response = client.http.get("/v1/health")
    assert response.status_code == 200
    check_shape(doc, "health", 200, json.loads(response.body))
    response = client.http.get("/v1/calendar/holidays?from=1405/01/01&to=۱۴۰۵/۱۲/۲۹")
    assert response.status_code == 200
    payload = json.loads(response.body)
    assert payload["items"], "the Jalali year 1405 has holidays"
    check_shape(doc, "holidays", 200, payload)
    for item in payload["items"]:
        assert set(item) <= documented_keys(doc, deref(doc, "#/components/schemas/Holiday"))


PROBLEM_CASES = [
    ("create_booking", "post", "/v1/bookings", {"Content-Type": "text/plain"}, b"{}", 415),
    ("create_hold", "post", "/v1/holds", {"Content-Type": "application/json"}, b"{not json", 400),
    ("create_booking", "post", "/v1/bookings", {"Content-Type": "application/json"}, b"{}", 422),
    ("create_booking", "post", "/v1/bookings", {"Content-Type": "application/json", "Idempotency-Key": "short"},
     b"{}", 422),
    ("reschedule_booking", "post", "/v1/bookings/BK1/reschedule", {"Content-Type": "application/json"},
     json.dumps({"start": "x" * 20_000}).encode(), 413),
    ("holidays", "get", "/v1/calendar/holidays?from=1405/13/40", {}, b"", 422),
    ("todays_bookings", "get", "/v1/office/bookings", {}, b"", 401),
    ("complete", "post", "/v1/office/bookings/BK1/complete", {"Authorization": "Bearer not-a-jwt"}, b"", 401),
]


@pytest.mark.parametrize(("operation_id", "method", "url", "headers", "body", "status"), PROBLEM_CASES,
                         ids=[f"{c[0]}-{c[5]}" for c in PROBLEM_CASES])
def test_problem_responses_over_http(doc, client, operation_id, method, url, headers, body, status):
    assert get_settings().max_body_bytes < 20_000
    response = getattr(client.http, method)(url, headers=headers, body=body)
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    _, _, op = op_of(doc, operation_id)
    assert str(status) in op["responses"], f"{operation_id} answers {status} but does not document it"
    ref = response_ref(doc, operation_id, status, "application/problem+json")
    payload = json.loads(response.body)
    assert_valid(doc, ref, payload, f"{operation_id} {status} problem")
    assert set(payload) <= documented_keys(doc, deref(doc, PROBLEM_REF))
    if status == 401:
        assert "WWW-Authenticate" in response.headers
