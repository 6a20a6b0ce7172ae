"""Callers and requests the conformance run shares between its Schemathesis hooks and its targeted
requests: the credential each security scheme takes, the partner's signature over the bytes sent,
known ids in a path, and the requests that draw a route's own problems out of it."""
from __future__ import annotations

import functools
import json
import re
import time
import uuid
from pathlib import Path

import requests
import yaml

CONTRACT = Path(__file__).resolve().parents[2] / "openapi.yaml"
BIG = 20_000  # bytes: past the stage's MAX_BODY_BYTES (16 KiB)


@functools.cache
def _contract() -> dict:
    return yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))


def operation(method: str, path: str) -> dict:
    return _contract()["paths"][path][method.lower()]


def schemes(op: dict) -> list[str]:
    return [name for requirement in op.get("security", []) for name in requirement]


class PartnerSignature(requests.auth.AuthBase):
    """Standard Webhooks signing of the bytes actually sent: the body of a POST, `GET <path>` of a read."""

    def __init__(self, secret: str, message_id: str | None = None) -> None:
        self.secret, self.message_id = secret, message_id

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        from chalicelib.domain import webhooks
        if request.method == "GET":
            content = f"GET {request.path_url.split('?')[0]}".encode()
        else:
            content = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        request.headers.update(webhooks.sign_headers([self.secret], self.message_id or f"msg_{uuid.uuid4().hex}",
                                                     int(time.time()),
                                                     content))
        return request


def credential(world: dict, names: list[str]) -> str | None:
    """The bearer for a scheme: the office manager for operator routes (a manager is an operator
    too), the association's administrator for its routes, the citizen's session."""
    for scheme in names:
        if scheme == "operatorBearer":
            return world["tokens"]["manager"]
        if scheme == "associationBearer":
            return world["tokens"]["admin"]
        if scheme == "citizenBearer":
            return world["citizen"]["session"]
    return None


def partner_for(world: dict, path: str) -> str:
    """The association's partner routes get a partner of their own: their examples rotate and retire
    secrets, which must not take the signing partner's away from the partner routes."""
    return world["managed_partner"] if path.startswith("/v1/admin/") else world["partner"]["id"]


def signer(world: dict, path: str, message_id: str | None = None) -> PartnerSignature | None:
    """The partner's signature on a partner route; `message_id` names the delivery (a redelivery keeps it)."""
    return PartnerSignature(world["partner"]["secret"], message_id) if path.startswith("/v1/partners/") else None


# Ids of nothing, in the form the routes check before they read (a tracking code, a receipt number):
# a request naming one reaches the database.
WELL_FORMED = {"tracking_code": "RQ7K3M9QX2PL", "receipt_id": "RC7K3M9QX2PR"}


def concrete(world: dict, path: str) -> str:
    known = {**WELL_FORMED, "office_id": world["office_id"], "partner_id": partner_for(world, path),
             "day": "2026-12-20"}
    return re.sub(r"{(\w+)}", lambda m: known.get(m.group(1), "X-0001"), path)


def send(world: dict, method: str, path: str, headers: dict, body: bytes | None = None,
         params: dict | None = None, *, url: str | None = None, message_id: str | None = None) -> requests.Response:
    """One request to the live stack for the documented `path` (at `url`, or the path with known
    ids), signed by the partner on a partner route."""
    return requests.request(method, world["base_url"] + (url or concrete(world, path)), data=body, params=params,
                            headers=headers, timeout=60, auth=signer(world, path, message_id))


def send_plausible(world: dict, method: str, path: str) -> requests.Response:
    """The route's plausible request (`plausible_request`), sent."""
    headers, body, params = plausible_request(world, method, path)
    return send(world, method, path, headers, body, params)


def _bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _idempotency(op: dict) -> str | None:
    found = [p for p in op.get("parameters", []) if p["in"] == "header" and p["name"] == "Idempotency-Key"]
    return ("required" if found[0]["required"] else "optional") if found else None


def problem_requests(world: dict, method: str, path: str, statuses: set[int]):
    """(headers, body, why) of requests that draw out the problems a route answers from what it
    reads: no caller (401), the wrong caller (403), a malformed or missing Idempotency-Key (422, 400),
    a body that is not JSON (400), too large (413) or of another media type (415)."""
    op = operation(method, path)
    names = schemes(op)
    token = credential(world, names)
    own = _bearer(token)
    if names and names != ["partnerSignature"]:
        yield {"Authorization": "Bearer not-a-token"}, None, "a caller who is nobody"
        if 403 in statuses and names[0] in ("operatorBearer", "associationBearer"):
            # An operator is neither the office's manager nor the association.
            yield _bearer(world["tokens"]["operator"]), None, "a caller without the role"
    json_body = {"Content-Type": "application/json"}
    key = _idempotency(op)
    if key:
        yield {**own, **json_body, "Idempotency-Key": "not a key!"}, b"{}", "a malformed Idempotency-Key"
        if key == "required":
            yield {**own, **json_body}, b"{}", "no Idempotency-Key"
    if "requestBody" in op:
        keyed = {**own, **({"Idempotency-Key": f"conformance-{uuid.uuid4().hex}"} if key else {})}
        yield {**keyed, **json_body}, b'{"unfinished": ', "a body that is not JSON"
        yield {**keyed, "Content-Type": "text/plain"}, b"hello", "a body of another media type"
        yield {**keyed, **json_body}, json.dumps({"padding": "x" * BIG}).encode(), "a body too large"


def json_bytes(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def parameters(op: dict) -> list[dict]:
    """The operation's parameters, references resolved."""
    shared = _contract().get("components", {}).get("parameters", {})
    return [shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in op.get("parameters", [])]


def _example(parameter: dict):
    if "example" in parameter:
        return parameter["example"]
    return next(iter(parameter.get("schema", {}).get("examples", [])), None)


def required_inputs(op: dict) -> tuple[dict[str, str], dict[str, str]]:
    """The required query parameters and headers (but the signature's and the Idempotency-Key, which
    the callers set), each its documented example: what a route reads before its use case runs."""
    query: dict[str, str] = {}
    headers: dict[str, str] = {}
    for parameter in parameters(op):
        value = _example(parameter)
        if not parameter.get("required") or value is None or parameter["name"] in OWN_HEADERS:
            continue
        if parameter["in"] in ("query", "header"):
            (query if parameter["in"] == "query" else headers)[parameter["name"]] = str(value)
    return query, headers


# Bodies the routes accept, for the operations whose contract carries no example: what the targeted
# requests send where the route must get past its body to the use case (a 404 or 409 from the
# database, a 503 with the database stopped). Ids are the demo network's where one is needed.
_COUNTER = {"counter": 1}
_CLOSURE = {"name_fa": "تعطیلی آزمون قرارداد", "name_en": "Conformance closure"}
_DECISION = {"accept": False, "reason": "بررسی شد"}
BODIES: dict[tuple[str, str], dict] = {
    ("POST", "/v1/admin/appeals/{appeal_id}/decision"): _DECISION,
    ("POST", "/v1/office/appeals/{appeal_id}/decision"): _DECISION,
    ("PUT", "/v1/admin/channel-shares"): {"expected_number": 1, "offices": {"OF-THR-0001": None}},
    ("PUT", "/v1/admin/offices/{office_id}/closures/{day}"): _CLOSURE,
    ("PUT", "/v1/office/closures/{day}"): _CLOSURE,
    ("POST", "/v1/admin/receipts/{receipt_id}/adjustments"): {
        "reference": "conformance-1", "kind": "correction", "government_rials": 0, "office_rials": -1000,
        "share_base_rials": 0, "reason": "اصلاح آزمون قرارداد"},
    ("POST", "/v1/admin/services"): {
        "service_id": "S-CONFORMANCE", "category": "petitions", "name_en": "Conformance service",
        "name_fa": "خدمت آزمون قرارداد", "mode": "in_person", "duration_min": 15},
    ("PUT", "/v1/admin/services/{service_id}"): {"name_en": "Renamed service"},
    ("POST", "/v1/admin/tariffs/proposals"): {"reason": "پیشنهاد آزمون قرارداد"},
    ("POST", "/v1/admin/tariffs/proposals/{proposal_id}/adopt"): {"expected_version": 1},
    ("PUT", "/v1/admin/tariffs/{service_id}"): {
        "effective_from": "2027-01-01", "government_rials": 10_000, "office_rials": 20_000, "share_base_rials": 20_000,
        "expected_version": 1, "reason": "تغییر آزمون قرارداد"},
    ("POST", "/v1/me/appeals"): {"booking_id": "X-0001", "reason": "اعتراض آزمون قرارداد"},
    **{("POST", f"/v1/office/desk/{step}"): _COUNTER for step in ("close", "next", "not-present", "recall", "serve")},
    ("PUT", "/v1/office/hours"): {"hours": {"sat": [["08:00", "13:00"]]}},
    ("PUT", "/v1/office/services/{service_id}"): {"offered": True},
    ("POST", "/v1/office/sessions/{booking_id}/confirm"): {"join": "https://meet.example/conformance"},
    ("POST", "/v1/office/tickets"): {"service_id": "S0004"},
    ("POST", "/v1/otp"): {"national_id": "0012345679", "mobile": "09121234567"},
    ("POST", "/v1/otp/verify"): {"challenge_id": "OT2345678923456789", "code": "123456"},
    ("POST", "/v1/sessions"): {"office_id": "OF-THR-0001", "service_id": "S0003", "start": "2026-12-20T10:00+03:30",
                               "contact": "video", "national_id": "0012345679", "mobile": "09121234567"},
    ("POST", "/v1/waitlist"): {"office_id": "OF-THR-0001", "service_id": "S0004", "days": ["2026-12-20"],
                               "national_id": "0012345679", "mobile": "09121234567"},
}

OWN_HEADERS = ("Idempotency-Key", "webhook-id", "webhook-signature", "webhook-timestamp")


def _wrong_value(schema: dict) -> str | None:
    """A query value its schema refuses: a word for a number, a value past a pattern or a length."""
    options = schema.get("anyOf", [schema])
    types = {o.get("type") for o in options}
    if types & {"integer", "number"}:
        return "not-a-number"
    if any("pattern" in o or "enum" in o for o in options):
        return "not valid!"
    if any("maxLength" in o for o in options):
        return "x" * (max(o.get("maxLength", 0) for o in options) + 1)
    if "date" in (schema.get("description", "") + str(options)).lower() or "Jalali" in str(options):
        return "1405/13/40"
    return None


def field_problems(world: dict, method: str, path: str, statuses: set[int]):
    """(headers, body, query, why) of otherwise plausible requests whose body or query the route's
    schema refuses (422): a field the body does not have, a required query parameter left out, or a
    query value of the wrong kind."""
    if 422 not in statuses:
        return
    op = operation(method, path)
    headers, body, params = plausible_request(world, method, path)
    if "requestBody" in op:
        yield headers, json.dumps({"conformance_unknown_field": 1}).encode(), params, "a body field that is not there"
    query = [p for p in parameters(op) if p["in"] == "query"]
    if any(p.get("required") for p in query):
        yield headers, body, {}, "a required query parameter left out"
    for parameter in query:
        wrong = _wrong_value(parameter.get("schema", {}))
        if wrong is not None:
            yield headers, body, {**params, parameter["name"]: wrong}, f"a query {parameter['name']} of the wrong kind"
            break


def plausible_request(world: dict, method: str, path: str) -> tuple[dict, bytes | None, dict[str, str]]:
    """A request that passes what the route reads before its use case runs, as far as the contract
    tells: the caller's credential, an Idempotency-Key, the required query parameters and headers and
    the body of the overlay's examples."""
    op = operation(method, path)
    params, required_headers = required_inputs(op)
    headers = {**required_headers, **_bearer(credential(world, schemes(op)))}
    if _idempotency(op):
        headers["Idempotency-Key"] = f"conformance-{uuid.uuid4().hex}"
    body = None
    if "requestBody" in op:
        media = op["requestBody"]["content"]["application/json"]
        example = media.get("example")
        if example is None and media.get("examples"):
            example = next(iter(media["examples"].values())).get("value")
        if example is None:
            example = BODIES.get((method.upper(), path))
        body = json.dumps(example if example is not None else {}, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    return headers, body, params


ABSENT_PARTNER = "conformance-absent"  # never registered
NOT_A_DAY = "2026-02-30"


def absent_requests(world: dict, method: str, path: str, statuses: set[int]):
    """(path, headers, body, query, why, status) of plausible requests that name what does not exist:
    a manager of an office the catalogue does not list on the office's own routes, an office, a
    partner or another id that is not there (404); a day that is not a date (422)."""
    headers, body, params = plausible_request(world, method, path)
    names = set(re.findall(r"{(\w+)}", path))
    if 404 in statuses:
        if path == "/v1/office/desk/serve":
            pass  # its 404 is an appointment gone from under its ticket; an office without a desk line is 409
        elif path.startswith("/v1/office/"):
            unlisted = {**headers, **_bearer(world["tokens"]["unlisted_manager"])}
            yield concrete(world, path), unlisted, body, params, "a manager of an office the catalogue does not list", 404
        elif names - {"partner_id", "day"} or (names & {"partner_id"} and path.startswith("/v1/admin/")):
            known = {**WELL_FORMED, "office_id": world["unlisted_office_id"], "partner_id": ABSENT_PARTNER,
                     "day": "2026-12-20"}
            if path.startswith("/v1/partners/"):
                known["partner_id"] = world["partner"]["id"]  # the signing partner, asking for what is not there
            absent = re.sub(r"{(\w+)}", lambda m: known.get(m.group(1), "X-0001"), path)
            yield absent, headers, body, params, "an id that names nothing", 404
    if 422 in statuses and "day" in names:
        yield concrete(world, path).replace("2026-12-20", NOT_A_DAY), headers, body, params, "a day that is not a date", 422
