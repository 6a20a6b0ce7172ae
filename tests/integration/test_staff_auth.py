"""Staff sign-in on cognito-local: every office and association route refuses a token that is
missing, expired, from another issuer or client, unsigned, HS256-signed with the pool's public
key, tampered with, or an access token; an office's operator reaches nothing of another office;
a provincial representative acts on their province's offices only."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.api.auth import GROUPS
from chalicelib.dal import booking_store, ranking_store
from chalicelib.domain import ranking_live
from chalicelib.schemas import BookingIn
from chalicelib.services import bookings
from infra.local import cognito
from infra.local.cognito import client as idp_client
from tests.integration import staff
from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.staff import issue_token

STAFF_PREFIXES = ("/v1/office/", "/v1/admin/")


def staff_routes() -> list[tuple[str, str]]:
    """Every office and association route the app registers, path parameters filled in."""
    from app import app
    routes = []
    for path, entries in app.routes.items():
        if path.startswith(STAFF_PREFIXES):
            routes += [(method, re.sub(r"\{[^}]+\}", "X-1", path)) for method in entries]
    return sorted(routes)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _universal_claims() -> dict:
    """A token's claims that every staff route accepts: all groups, an office and a province."""
    token = issue_token("auth-probe", "OF-A")
    return staff.valid_claims(token, **{"cognito:groups": list(GROUPS), "custom:province": "Tehran"})


def _public_pem() -> bytes:
    private = json.loads(staff.PRIVATE_KEY.read_text())["jwk"]
    key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(private)).public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def bad_tokens() -> dict[str, str | None]:
    claims = _universal_claims()
    now = int(time.time())
    header = {"typ": "JWT", "kid": "CognitoLocal"}
    unsigned = f"{b64(json.dumps({**header, 'alg': 'none'}).encode())}.{b64(json.dumps(claims).encode())}."
    signing_input = f"{b64(json.dumps({**header, 'alg': 'HS256'}).encode())}.{b64(json.dumps(claims).encode())}"
    hs256 = f"{signing_input}.{b64(hmac.new(_public_pem(), signing_input.encode(), hashlib.sha256).digest())}"
    real = issue_token("auth-probe", "OF-A")
    head, _, signature = real.split(".")
    tampered_claims = {**jwt.decode(real, options={"verify_signature": False}), "custom:office_id": "OF-B"}
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "missing": None,
        "not a JWT": "not-a-token",
        "expired": staff.forge({**claims, "iat": now - 7200, "exp": now - 3600}),
        "wrong issuer": staff.forge({**claims, "iss": "http://127.0.0.1:1/local_other"}),
        "wrong audience": staff.forge({**claims, "aud": "another-client"}),
        "alg none": unsigned,
        "HS256 with the public key": hs256,
        "tampered": f"{head}.{b64(json.dumps(tampered_claims).encode())}.{signature}",
        "access token": staff.sign_in(staff.account("auth-probe", "OF-A"))["AccessToken"],
        "token_use access": staff.forge({**claims, "token_use": "access"}),
        "no sub": staff.forge({k: v for k, v in claims.items() if k != "sub"}),
        "another key, same kid": staff.forge(claims, key=other_key),
        "unknown kid": staff.forge(claims, key=other_key, headers={"kid": "someone-else"}),
    }


def call(client, method: str, path: str, token: str | None):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.http.request(method, path, headers=headers, body=b"{}" if method in ("POST", "PUT") else b"")


def test_every_staff_route_refuses_every_bad_token(client):
    routes = staff_routes()
    assert len(routes) >= 30 and any(p.startswith("/v1/admin/") for _, p in routes)
    control = staff.forge(_universal_claims())
    failures = []
    for method, path in routes:
        # The same forging with valid claims passes the sign-in check: the refusals below are the token's.
        if call(client, method, path, control).status_code in (401, 403):
            failures.append(f"{method} {path}: the control token was refused")
        for name, token in bad_tokens().items():
            resp = call(client, method, path, token)
            if resp.status_code != 401 or resp.headers.get("Content-Type") != "application/problem+json":
                failures.append(f"{method} {path}: {name} -> {resp.status_code}")
                continue
            doc = json.loads(resp.body)
            if doc["status"] != 401 or not doc["detail_fa"] or "Bearer" not in resp.headers.get("WWW-Authenticate", ""):
                failures.append(f"{method} {path}: {name} -> {doc}")
    assert not failures, "\n".join(failures)


def test_an_operator_of_another_office_gets_404_for_a_booking(client):
    day = next_open_day()
    theirs = bookings.book(BookingIn(office_id="OF-B", service_id="S0001", start=at(day, "09:00").isoformat(),
                                     national_id=national_id(1), mobile=mobile(1)))
    operator_a = {"Authorization": f"Bearer {issue_token('op-a', 'OF-A')}", "Content-Type": "application/json"}
    for action in ("check-in", "complete", "no-show"):
        resp = client.http.post(f"/v1/office/bookings/{theirs['booking_id']}/{action}", headers=operator_a, body=b"{}")
        assert resp.status_code == 404, (action, resp.body)
    listed = json.loads(client.http.get(f"/v1/office/bookings?date={day.isoformat()}", headers=operator_a).body)
    assert listed["items"] == []
    assert booking_store.get_booking(theirs["booking_id"]).status == "BOOKED"  # untouched in the database
    # The office's own operator does see it.
    operator_b = {"Authorization": f"Bearer {issue_token('op-b', 'OF-B')}", "Content-Type": "application/json"}
    listed = json.loads(client.http.get(f"/v1/office/bookings?date={day.isoformat()}", headers=operator_b).body)
    assert [b["booking_id"] for b in listed["items"]] == [theirs["booking_id"]]


def test_a_provincial_representative_acts_on_their_province_only(client):
    rep = {"Authorization": f"Bearer {issue_token('rep-1', None, role='province', province='Tehran')}",
           "Content-Type": "application/json"}
    month = "1399/02"  # a month no other test records
    period = ranking_live.parse_period(month)
    # OF-A is in Tehran, OF-B in Alborz.
    mine = client.http.post("/v1/admin/ranking/offices/OF-A/complaints", headers=rep,
                            body=json.dumps({"month": month, "upheld": 2, "reference": "CP-T-1"}))
    assert mine.status_code == 200, mine.body
    theirs = client.http.post("/v1/admin/ranking/offices/OF-B/complaints", headers=rep,
                              body=json.dumps({"month": month, "upheld": 5, "reference": "CP-A-1"}))
    assert theirs.status_code == 404 and json.loads(theirs.body)["status"] == 404
    inspection = client.http.post("/v1/admin/ranking/offices/OF-B/inspections", headers=rep,
                                  body=json.dumps({"date": "1399/02/10", "score": 40, "reference": "IN-A-1"}))
    assert inspection.status_code == 404
    assert client.http.get("/v1/admin/ranking/statements?month=1404/06&office_id=OF-B",
                           headers=rep).status_code == 404
    # Counted in the database: the Tehran office's complaints only.
    aggregates = ranking_store.period_aggregates(period)
    assert aggregates["OF-A"].counts["complaints_upheld"] == 2
    assert "OF-B" not in aggregates or not aggregates["OF-B"].counts.get("complaints_upheld")
    # Network-wide settings stay the administrators'.
    for method, path in (("GET", "/v1/admin/ranking/policy"), ("GET", "/v1/admin/routing/params"),
                         ("PUT", "/v1/admin/calendar/1404-05-10"), ("GET", "/v1/admin/partners/p-1"),
                         ("GET", "/v1/admin/offices/OF-A/operators"), ("POST", "/v1/admin/ranking/simulate")):
        resp = client.http.request(method, path, headers=rep, body=b"{}" if method != "GET" else b"")
        assert resp.status_code == 403, (method, path, resp.status_code)
    # Nor is a representative an office's operator.
    assert client.http.get("/v1/office/requests", headers=rep).status_code == 401
    # The association's administrator reaches every province.
    admin = {"Authorization": f"Bearer {issue_token('admin-1', None, role='association')}",
             "Content-Type": "application/json"}
    resp = client.http.post("/v1/admin/ranking/offices/OF-B/complaints", headers=admin,
                            body=json.dumps({"month": month, "upheld": 1, "reference": "CP-A-2"}))
    assert resp.status_code == 200
    assert ranking_store.period_aggregates(period)["OF-B"].counts["complaints_upheld"] == 1


def test_a_signed_in_token_carries_the_pool_attributes():
    token = issue_token("op-claims", "OF-C")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["token_use"] == "id" and claims["custom:office_id"] == "OF-C"
    assert claims["cognito:groups"] == ["operator"]


def test_users_cannot_write_their_office_or_province():
    user = staff.account("op-immutable", "OF-A")
    access = staff.sign_in(user)["AccessToken"]
    idp = idp_client(staff.pool().endpoint)
    with pytest.raises(ClientError, match="cannot be updated"):
        idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "custom:office_id", "Value": "OF-B"}])
    with pytest.raises(ClientError, match="cannot be updated"):
        idp.admin_update_user_attributes(UserPoolId=staff.pool().pool_id, Username=user.email,
                                         UserAttributes=[{"Name": "custom:office_id", "Value": "OF-B"}])
    attrs = {a["Name"]: a["Value"] for a in
             idp.admin_get_user(UserPoolId=staff.pool().pool_id, Username=user.email)["UserAttributes"]}
    assert attrs["custom:office_id"] == "OF-A"


def test_sign_out_revokes_the_refresh_token():
    """What the web console does on sign-out (Cognito RevokeToken): the refresh token stops working."""
    user = staff.account("op-sign-out", "OF-A")
    cognito.ensure_user(staff.pool(), user)
    tokens = cognito.sign_in(staff.pool(), user.email)  # its own sign-in: the cached one stays usable
    idp = idp_client(staff.pool().endpoint)

    def refresh():
        return idp.initiate_auth(ClientId=staff.pool().client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})

    assert refresh()["AuthenticationResult"]["IdToken"]
    idp.revoke_token(Token=tokens["RefreshToken"], ClientId=staff.pool().client_id)
    with pytest.raises(ClientError, match="NotAuthorized"):
        refresh()
