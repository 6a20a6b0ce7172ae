"""Schemathesis hooks for the conformance run (`st run`, loaded through SCHEMATHESIS_HOOKS): each
operation gets the credential its security scheme names, known ids are mixed into the generated
path parameters so that the paths past the 404 are exercised too, and every answer's status is
recorded for the reachability check. The world (credentials, ids) is the JSON file that
tests/conformance/conftest.py wrote; its path is in CONFORMANCE_WORLD."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import strategies as st

from tests.conformance import hooks_support

WORLD: dict[str, Any] = json.loads(Path(os.environ["CONFORMANCE_WORLD"]).read_text(encoding="utf-8"))
SEEN = Path(os.environ["CONFORMANCE_SEEN"])
_lock = threading.Lock()


def schemes(operation) -> list[str]:
    return hooks_support.schemes(operation.definition.raw)


def credential(operation) -> str | None:
    return hooks_support.credential(WORLD, schemes(operation))


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
        kwargs["auth"] = hooks_support.signer(WORLD, case.operation.path)


@schemathesis.hook
def before_generate_path_parameters(context, strategy):
    """Half the examples name things that exist (the demo office, the run's partners)."""
    known = {"office_id": WORLD["office_id"], "partner_id": hooks_support.partner_for(WORLD, context.operation.path)}
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
