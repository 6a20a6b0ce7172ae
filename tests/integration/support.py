"""Helpers the integration tests share: emptying tables between tests, JSON requests through the
Chalice test client, problem+json checks and bearer headers. Fixtures live in conftest.py."""
from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable


@functools.cache
def _client(endpoint: str):
    import boto3
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=os.environ["AWS_DEFAULT_REGION"],
                        aws_access_key_id="local", aws_secret_access_key="local")


@functools.cache
def _key_names(endpoint: str, table: str) -> tuple[str, ...]:
    return tuple(k["AttributeName"] for k in _client(endpoint).describe_table(TableName=table)["Table"]["KeySchema"])


def empty_tables(models: Iterable | None = None) -> int:
    """Delete every item of the models' tables (default: every table of the app), keeping the
    tables: DynamoDB Local creates a table in about ten times the time it takes to scan and
    empty a small one. Returns how many items were deleted."""
    from chalicelib.dal.models import TABLE_MODELS
    endpoint = os.environ["DDB_ENDPOINT"]
    client = _client(endpoint)
    deleted = 0
    for table in dict.fromkeys(m.Meta.table_name for m in (TABLE_MODELS if models is None else models)):
        keys = _key_names(endpoint, table)
        names = {f"#k{i}": key for i, key in enumerate(keys)}
        pages = client.get_paginator("scan").paginate(TableName=table, ProjectionExpression=", ".join(names),
                                                      ExpressionAttributeNames=names, ConsistentRead=True)
        for page in pages:
            items = page["Items"]
            for start in range(0, len(items), 25):
                pending = {table: [{"DeleteRequest": {"Key": key}} for key in items[start:start + 25]]}
                while pending:
                    pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None
            deleted += len(items)
    return deleted


# --- requests through the Chalice test client ----------------------------------------------------

# The citizen's routes that need a citizen session (a verified mobile).
CITIZEN_ROUTES = ("/v1/holds", "/v1/bookings", "/v1/requests", "/v1/sessions")


def post(client, path: str, body: dict | None = None, headers: dict | None = None, *, anonymous: bool = False):
    """POST `body` as JSON (Persian kept as UTF-8), or an empty body when there is none. A booking
    or remote request without an Authorization header goes with the session of the body's own
    citizen (`citizen_headers`), as the web client sends it; `anonymous=True` sends none."""
    headers = dict(headers or {})
    if path in CITIZEN_ROUTES and not anonymous and "Authorization" not in headers and body is not None:
        headers.update(citizen_headers(body))
    return client.http.post(path, body=json.dumps(body, ensure_ascii=False) if body is not None else b"",
                            headers={"Content-Type": "application/json", **headers})


def problem(resp, status: int, kind: str | None = None) -> dict:
    """The response is an RFC 9457 problem of `status` (and of `kind`, the end of its type URI),
    with its title and detail in Persian too; returns the parsed document."""
    assert resp.status_code == status, resp.body
    assert resp.headers["Content-Type"] == "application/problem+json"
    doc = json.loads(resp.body)
    assert doc["status"] == status and doc["title"] and doc["title_fa"] and doc["detail_fa"], doc
    if kind:
        assert doc["type"].endswith("/" + kind), doc
    return doc


# --- bearer headers ---------------------------------------------------------------------------------

def with_token(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def as_operator(office: str, sub: str = "op-1", *, manager: bool = False) -> dict:
    from tests.integration.staff import issue_token
    return with_token(issue_token(sub, office, manager=manager))


def as_admin(sub: str = "admin-1") -> dict:
    """An administrator of the association."""
    from tests.integration.staff import issue_token
    return with_token(issue_token(sub, None, role="association"))


# --- citizen sessions -------------------------------------------------------------------------------

def sms_log() -> str:
    return os.environ["SMS_LOG_PATH"]


def citizen_session(client, n: int, *, mobile_n: int | None = None) -> str:
    """A citizen session got the citizen's way: ask for a code, read it in the local SMS log,
    verify it. For the tests about the mobile check; the others use `signed_session`."""
    from infra.local.sms_log import codes_to, wait_for_code
    from tests.integration.fixtures import mobile, national_id
    phone = mobile(mobile_n or n)
    seen = len(codes_to(sms_log(), phone))
    sent = post(client, "/v1/otp", {"national_id": national_id(n), "mobile": phone})
    assert sent.status_code == 202, sent.body
    code = wait_for_code(sms_log(), phone, seen)
    verified = post(client, "/v1/otp/verify", {"challenge_id": json.loads(sent.body)["challenge_id"], "code": code})
    assert verified.status_code == 200, verified.body
    return json.loads(verified.body)["session"]


def session_for(national_id: str, phone: str, minutes: int = 30, country: str | None = None) -> str:
    """The session the API gives a citizen who verified `phone`, made with the same functions and
    key, without the SMS round trip (for the tests that are not about the mobile check)."""
    from chalicelib.domain import calendar, validators
    from chalicelib.domain import citizen as rules
    from chalicelib.domain.booking import citizen_key
    from chalicelib.schemas import OtpIn
    from chalicelib.services.citizens import session_keys
    from chalicelib.settings import get_settings
    pepper, now = get_settings().citizen_pepper, calendar.now_tehran()
    proved = OtpIn.model_validate({"national_id": national_id, "mobile": phone, "country": country})
    session = rules.new_session(citizen_key(validators.national_id(proved.national_id), pepper),
                                rules.mobile_key(pepper, proved.mobile), now, minutes)
    return rules.sign_session(session, session_keys()[0], now)


def signed_session(n: int, *, mobile_n: int | None = None, minutes: int = 30) -> str:
    """The session of fixture citizen `n` with fixture mobile `mobile_n` (default `n`)."""
    from tests.integration.fixtures import mobile, national_id
    return session_for(national_id(n), mobile(mobile_n or n), minutes)


def as_citizen(n: int, **kwargs) -> dict:
    return {"Authorization": f"Bearer {signed_session(n, **kwargs)}"}


def citizen_headers(body: dict) -> dict:
    """The session of the citizen a body names; a body whose national ID or mobile is not valid
    (the validation tests) goes with fixture citizen 1's, so it reaches the body's checks."""
    try:
        return {"Authorization": f"Bearer {session_for(body['national_id'], body['mobile'], country=body.get('country'))}"}
    except (KeyError, TypeError, ValueError):
        return as_citizen(1)
