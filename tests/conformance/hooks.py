"""Schemathesis hooks for the conformance run (`st run`, loaded through SCHEMATHESIS_HOOKS): each
operation gets the credential its security scheme names, known ids are mixed into the generated
path parameters so that the paths past the 404 are exercised too, and every answer's status is
recorded for the reachability check. The world (credentials, ids) is the JSON file that
tests/conformance/conftest.py wrote; its path is in CONFORMANCE_WORLD."""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests
import schemathesis
from hypothesis import strategies as st

WORLD: dict[str, Any] = json.loads(Path(os.environ["CONFORMANCE_WORLD"]).read_text(encoding="utf-8"))
SEEN = Path(os.environ["CONFORMANCE_SEEN"])
_lock = threading.Lock()


def schemes(operation) -> list[str]:
    """The security schemes an operation accepts (first requirement that names one)."""
    return [name for requirement in operation.definition.raw.get("security", []) for name in requirement]


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


def credential(operation) -> str | None:
    """The bearer for the operation's scheme: the office manager for operator routes (a manager is an
    operator too), the association's administrator for its routes, the citizen's session."""
    for scheme in schemes(operation):
        if scheme == "operatorBearer":
            return WORLD["tokens"]["manager"]
        if scheme == "associationBearer":
            return WORLD["tokens"]["admin"]
        if scheme == "citizenBearer":
            return WORLD["citizen"]["session"]
    return None


@schemathesis.auth(refresh_interval=None, retry_on=[])
class Callers:
    def get(self, case, ctx):
        return credential(case.operation)

    def set(self, case, data, ctx):
        if data is not None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.hook
def before_call(context, case, kwargs):
    if "partnerSignature" in schemes(case.operation):
        kwargs["auth"] = PartnerSignature(WORLD["partner"]["secret"])


@schemathesis.hook
def before_generate_path_parameters(context, strategy):
    """Half the examples name things that exist (the demo office, the run's partners)."""
    # The association's partner routes get a partner of their own: their examples rotate and retire
    # secrets, which must not take the signing partner's away from the partner routes.
    partner = WORLD["managed_partner"] if context.operation.path.startswith("/v1/admin/") else WORLD["partner"]["id"]
    known = {"office_id": WORLD["office_id"], "partner_id": partner}
    names = {parameter.name for parameter in context.operation.path_parameters}
    fixed = {k: v for k, v in known.items() if k in names}
    if not fixed:
        return strategy

    def name_known(params: dict) -> dict:
        return {**params, **fixed}

    # The strategy draws schemathesis' GeneratedValue (the value and how it was made), or a plain dict.
    return st.one_of(strategy, strategy.map(
        lambda drawn: drawn.map_value(name_known) if hasattr(drawn, "map_value") else name_known(drawn)))


@schemathesis.hook
def after_call(context, case, response):
    line = json.dumps({"method": case.method.upper(), "path": case.operation.path, "status": response.status_code})
    with _lock, SEEN.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
