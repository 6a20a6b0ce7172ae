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

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        from chalicelib.domain import webhooks
        if request.method == "GET":
            content = f"GET {request.path_url.split('?')[0]}".encode()
        else:
            content = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        request.headers.update(webhooks.sign_headers([self.secret], f"msg_{uuid.uuid4().hex}", int(time.time()),
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


def signer(world: dict, path: str) -> PartnerSignature | None:
    return PartnerSignature(world["partner"]["secret"]) if path.startswith("/v1/partners/") else None


def concrete(world: dict, path: str) -> str:
    known = {"office_id": world["office_id"], "partner_id": partner_for(world, path), "day": "2026-12-20"}
    return re.sub(r"{(\w+)}", lambda m: known.get(m.group(1), "X-0001"), path)


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


def plausible_request(world: dict, method: str, path: str) -> tuple[dict, bytes | None]:
    """A request that passes what the route reads before its use case runs, as far as the contract
    tells: the caller's credential, an Idempotency-Key, the body of the overlay's example."""
    op = operation(method, path)
    headers = _bearer(credential(world, schemes(op)))
    if _idempotency(op):
        headers["Idempotency-Key"] = f"conformance-{uuid.uuid4().hex}"
    body = None
    if "requestBody" in op:
        media = op["requestBody"]["content"]["application/json"]
        example = media.get("example")
        if example is None and media.get("examples"):
            example = next(iter(media["examples"].values())).get("value")
        body = json.dumps(example if example is not None else {}, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    return headers, body
