"""Every documented (operation, status) is reached, or explained. Reached: answered by the live
stack to the Schemathesis run, to the targeted requests below, to the integration tests or to the
browser tests (each session records what the API answered: infra/local/status_log.py). The targeted
requests are the problems every route answers from what it reads (a body: 400, 413, 415; a caller:
401, 403; an Idempotency-Key: 400, 422) and, the database stopped, 503; each answer is checked
against the contract as the run's are. Runs after test_api_conformance.py (pytest keeps the order
of the files given), and stops the stack's database."""
from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import schemathesis
import yaml
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conformance import hooks_support

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "openapi.yaml"
METHODS = ("get", "put", "post", "delete")
SOURCES = ("conformance", "unit", "integration", "e2e")  # .local/conformance/seen-<source>.jsonl
CHECKS = [status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
NOT_YET = Path(__file__).with_name("not_yet_reached.txt")
# Documented statuses that no run reaches, each with why it stays in the contract.
EXPLAINED = {
    500: "the wrapper's last line of defence (chalicelib/api/http.py: an exception no layer mapped "
         "becomes a problem, never Chalice's own body); no route is meant to answer it, and the runs "
         "above fail on any 5xx",
}


def documented() -> dict[tuple[str, str], set[int]]:
    contract = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    return {(method.upper(), path): {int(s) for s in op["responses"]}
            for path, ops in contract["paths"].items() for method, op in ops.items() if method in METHODS}


def reached(work_dir: Path) -> dict[str, set[tuple[str, str, int]]]:
    found = {}
    for source in SOURCES:
        path = work_dir / f"seen-{source}.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        found[source] = {(x["method"], x["path"], x["status"]) for x in map(json.loads, filter(None, lines))}
    return found


@pytest.fixture(scope="module")
def contract():
    return schemathesis.openapi.from_path(CONTRACT)


def checked(contract, method: str, path: str, response: requests.Response, why: str) -> None:
    """The answer is within the contract (documented status, content type, headers, schema) and no 5xx
    but a documented 503."""
    case = contract[path][method].Case(path_parameters={name: "x" for name in re.findall(r"{(\w+)}", path)})
    try:
        case.validate_response(response, checks=[*CHECKS, *([] if response.status_code == 503 else
                                                              [not_a_server_error])])
    except AssertionError as exc:
        exc.add_note(f"{method} {path}, {why}: {response.status_code} {response.text[:500]}")
        raise


def targeted(world: dict, partner: str = "targeted_partner") -> dict:
    """The world as the session's own requests see it: the partner routes signed by a partner of
    their own, whose quota no Schemathesis example spent."""
    return {**world, "partner": world[partner]}


def test_problems_from_what_a_route_reads(contract, world):
    """Every route's own problems, from what it reads, each answer checked against the contract."""
    world = targeted(world)
    sent = 0
    for (method, path), statuses in documented().items():
        for headers, body, why in hooks_support.problem_requests(world, method, path, statuses):
            response = hooks_support.send(world, method, path, headers, body)
            checked(contract, method, path, response, why)
            sent += 1
    print(f"targeted problem requests: {sent}")


def test_what_is_not_there(contract, world):
    """Plausible requests naming what does not exist: each answers the documented 404 (or, for a day
    that is not a date, 422), checked against the contract."""
    world = targeted(world)
    sent = []
    for (method, path), statuses in documented().items():
        for url, headers, body, params, why, status in hooks_support.absent_requests(world, method, path, statuses):
            response = hooks_support.send(world, method, path, headers, body, params, url=url)
            checked(contract, method, path, response, why)
            sent.append((method, path, why, status, response.status_code, response.text[:200]))
    wrong = [s for s in sent if s[3] != s[4]]
    assert not wrong, "\n".join(map(str, wrong))
    print(f"requests naming what is not there: {len(sent)}")


def test_fields_a_route_refuses_are_422(contract, world):
    """Otherwise plausible requests with a body field that is not there, a required query parameter
    left out or a query value of the wrong kind: 422, checked against the contract."""
    world = targeted(world)
    wrong = []
    sent = 0
    for (method, path), statuses in documented().items():
        for headers, body, params, why in hooks_support.field_problems(world, method, path, statuses):
            response = hooks_support.send(world, method, path, headers, body, params)
            checked(contract, method, path, response, why)
            sent += 1
            if response.status_code != 422:
                wrong.append((method, path, why, response.status_code, response.text[:200]))
    assert not wrong, "\n".join(map(str, wrong))
    print(f"requests with fields the route refuses: {sent}")


def test_a_polled_list_unchanged_is_304(contract, world):
    """The lists the consoles poll: asked again with the first answer's ETag in If-None-Match, 304."""
    polled = [(method, path) for (method, path), statuses in documented().items() if 304 in statuses]
    assert polled
    for method, path in polled:
        headers, _, params = hooks_support.plausible_request(world, method, path)
        first = hooks_support.send(world, method, path, headers, None, params)
        checked(contract, method, path, first, "a first poll")
        assert first.status_code == 200 and first.headers.get("ETag"), (method, path, first.text[:300])
        again = hooks_support.send(world, method, path, {**headers, "If-None-Match": first.headers["ETag"]}, None, params)
        checked(contract, method, path, again, "a poll with the current ETag")
        assert again.status_code == 304, (method, path, again.status_code)
    print(f"polled lists answered 304: {len(polled)}")


def test_a_partner_past_its_quota_is_429(contract, world):
    """A partner allowed one request a minute: its first request spends the minute, and every partner
    route then answers it 429 with Retry-After."""
    world = targeted(world, "throttled_partner")
    routes = [route for route, statuses in documented().items() if route[1].startswith("/v1/partners/")
              and 429 in statuses]
    hooks_support.send_plausible(world, *routes[0])
    for method, path in routes:
        response = hooks_support.send_plausible(world, method, path)
        checked(contract, method, path, response, "a partner past its quota")
        assert response.status_code == 429 and response.headers.get("Retry-After"), (method, path, response.text)
    print(f"a partner past its quota: {len(routes)} routes answered 429")


def test_database_down_is_503(contract, world, stack):
    """The database stopped, every route that reads it answers 503 (with Retry-After), the others as ever.
    Eight at a time: each waits out the data layer's connection retries."""
    world = targeted(world)
    stack.ddb.stop()
    routes = [route for route, statuses in documented().items() if 503 in statuses]
    with ThreadPoolExecutor(8) as pool:
        answers = dict(zip(routes, pool.map(lambda route: hooks_support.send_plausible(world, *route), routes),
                           strict=True))
    for (method, path), response in answers.items():
        checked(contract, method, path, response, "the database stopped")
        if response.status_code == 503:
            assert response.headers.get("Retry-After"), (method, path)
    print(f"database stopped: {sum(r.status_code == 503 for r in answers.values())} of {len(answers)} answered 503")


def not_yet_reached() -> set[str]:
    """The documented statuses no run reaches yet ("METHOD path status" a line): each wants a targeted
    example or its removal from the contract. The list may only shrink: a status missing from the
    runs and from this list fails the test."""
    lines = NOT_YET.read_text(encoding="utf-8").splitlines() if NOT_YET.exists() else []
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_every_documented_status_is_reached(work_dir):
    found = reached(work_dir)
    absent = [source for source, seen in found.items() if not seen]
    assert not absent, (f"no statuses recorded by {', '.join(absent)}: run `make unit`, `make integration` and "
                        f"`make e2e` before `make conformance` (as `make test` does)")
    union = set().union(*found.values())
    missing, explained = [], 0
    for (method, path), statuses in sorted(documented().items()):
        for status in sorted(statuses):
            if (method, path, status) in union:
                continue
            if status in EXPLAINED:
                explained += 1
                continue
            missing.append(f"{method} {path} {status}")
    pairs = sum(len(s) for s in documented().values())
    known = not_yet_reached()
    print(f"documented (operation, status) pairs: {pairs}; reached: {pairs - len(missing) - explained} "
          f"({', '.join(f'{k} {len(v)}' for k, v in found.items())} distinct answers); explained: {explained}; "
          f"not yet reached: {len(missing)}")
    now_reached = sorted(known - set(missing))
    if now_reached:
        print(f"reached now, to be removed from {NOT_YET.name}:\n" + "\n".join(now_reached))
    new = [m for m in missing if m not in known]
    assert not new, "documented statuses no run reached (give each an example, or drop it from the contract):\n" + \
        "\n".join(new)
