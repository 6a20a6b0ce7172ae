"""The staff token checks without a server: the claims an ID token must carry, the algorithms
refused, the groups and attributes mapped to callers, and where the issuer comes from."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from base64 import urlsafe_b64encode

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.api.auth import (
    ASSOCIATION_ADMIN_GROUP,
    LEEWAY_SECONDS,
    OFFICE_MANAGER_GROUP,
    OPERATOR_GROUP,
    PROVINCIAL_REPRESENTATIVE_GROUP,
    AssociationStaff,
    Operator,
    association_admin_of,
    association_staff_of,
    office_manager_of,
    operator_of,
    verify_id_token,
)
from chalicelib.errors import Forbidden, Unauthorized
from chalicelib.settings import load_settings

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ISSUER = "https://cognito-idp.me-central-1.amazonaws.com/me-central-1_Pool1"
CLIENT = "client1"


def claims(**changes) -> dict:
    now = int(time.time())
    base = {"sub": "u-1", "iss": ISSUER, "aud": CLIENT, "token_use": "id", "iat": now, "exp": now + 3600,
            "cognito:groups": [OPERATOR_GROUP], "custom:office_id": "OF-A"}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def token(body: dict, key=KEY, algorithm="RS256") -> str:
    return jwt.encode(body, key, algorithm=algorithm, headers={"kid": "k1"})


def verify(tok: str) -> dict:
    return verify_id_token(tok, KEY.public_key(), issuer=ISSUER, audience=CLIENT)


def b64(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_valid_id_token_passes():
    assert verify(token(claims()))["custom:office_id"] == "OF-A"
    # Within the leeway an expired token still passes; beyond it, no.
    now = int(time.time())
    assert verify(token(claims(exp=now - LEEWAY_SECONDS + 5)))


@pytest.mark.parametrize("changes", [
    {"exp": int(time.time()) - LEEWAY_SECONDS - 5},
    {"iss": "https://cognito-idp.me-central-1.amazonaws.com/me-central-1_Other"},
    {"aud": "another-client"},
    {"token_use": "access"},
    {"token_use": None},
    {"sub": None},
    {"exp": None},
    {"iat": int(time.time()) + 3600},  # issued in the future
], ids=["expired", "issuer", "audience", "access-token", "no-token-use", "no-sub", "no-exp", "future-iat"])
def test_claims_that_are_refused(changes):
    with pytest.raises(Unauthorized):
        verify(token(claims(**changes)))


def test_only_rs256_by_the_pool_key():
    body = claims()
    header = b64(b'{"alg":"none","typ":"JWT"}')
    with pytest.raises(Unauthorized):
        verify(f"{header}.{b64(jwt.utils.force_bytes(json.dumps(body)))}.")
    pem = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{b64(json.dumps(body).encode())}"
    forged = f"{signing_input}.{b64(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest())}"
    with pytest.raises(Unauthorized):
        verify(forged)
    with pytest.raises(Unauthorized):  # another RSA key
        verify(token(body, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    with pytest.raises(Unauthorized):  # RS512 by the right key: still not the pool's algorithm
        verify(token(body, algorithm="RS512"))
    head, payload, signature = token(body).split(".")
    tampered = b64(json.dumps({**body, "custom:office_id": "OF-B"}).encode())
    with pytest.raises(Unauthorized):
        verify(f"{head}.{tampered}.{signature}")


def test_groups_and_attributes_make_the_caller():
    assert operator_of(claims()) == Operator("u-1", "OF-A")
    manager = claims(**{"cognito:groups": [OFFICE_MANAGER_GROUP]})
    assert operator_of(manager) == office_manager_of(manager) == Operator("u-1", "OF-A")
    with pytest.raises(Forbidden):
        office_manager_of(claims())
    with pytest.raises(Unauthorized):  # an operator without an office
        operator_of(claims(**{"custom:office_id": None}))
    with pytest.raises(Unauthorized):  # an office attribute without the group
        operator_of(claims(**{"cognito:groups": []}))
    admin = claims(**{"cognito:groups": [ASSOCIATION_ADMIN_GROUP], "custom:office_id": None})
    assert association_admin_of(admin) == "u-1"
    assert association_staff_of(admin) == AssociationStaff("u-1", None)
    rep = claims(**{"cognito:groups": [PROVINCIAL_REPRESENTATIVE_GROUP], "custom:office_id": None,
                    "custom:province": "Tehran"})
    assert association_staff_of(rep) == AssociationStaff("u-1", "Tehran")
    with pytest.raises(Forbidden):  # network-wide routes stay the administrators'
        association_admin_of(rep)
    with pytest.raises(Forbidden):  # a representative without a province reaches nothing
        association_staff_of(claims(**{"cognito:groups": [PROVINCIAL_REPRESENTATIVE_GROUP]}))
    with pytest.raises(Forbidden):
        association_staff_of(claims())
    with pytest.raises(Unauthorized):  # groups must be a list, not a string that looks like one
        operator_of(claims(**{"cognito:groups": "operator"}))


def test_the_issuer_is_the_pool_url_in_aws_and_cognito_local_locally():
    aws = load_settings({"STAGE": "dev", "AWS_REGION": "me-central-1", "COGNITO_USER_POOL_ID": "me-central-1_Pool1",
                         "COGNITO_CLIENT_ID": CLIENT})
    assert aws.cognito_issuer == ISSUER
    assert aws.cognito_jwks_url == f"{ISSUER}/.well-known/jwks.json"
    local = load_settings({"STAGE": "local", "COGNITO_USER_POOL_ID": "local_abc", "COGNITO_CLIENT_ID": CLIENT,
                           "COGNITO_ENDPOINT": "http://127.0.0.1:9229"})
    assert local.cognito_issuer == "http://127.0.0.1:9229/local_abc"
    with pytest.raises(RuntimeError, match="cognito"):  # an emulator is never trusted in AWS
        load_settings({"STAGE": "prod", "COGNITO_USER_POOL_ID": "local_abc", "COGNITO_ENDPOINT": "http://127.0.0.1:9229"})
    with pytest.raises(RuntimeError, match="cognito_endpoint"):  # nor anything but loopback
        load_settings({"STAGE": "local", "COGNITO_ENDPOINT": "http://evil.example:9229"})
    with pytest.raises(RuntimeError, match="COGNITO_USER_POOL_ID"):
        load_settings({"STAGE": "prod", "AWS_LAMBDA_FUNCTION_NAME": "f", "CITIZEN_PEPPER_SECRET_ARN": "arn:x"},
                      read_secret=lambda arn: "pepper-from-secrets-manager-0123")


def test_a_lambda_refuses_malformed_pool_ids():
    base = {"STAGE": "dev", "AWS_LAMBDA_FUNCTION_NAME": "f", "CITIZEN_PEPPER_SECRET_ARN": "arn:x",
            "CITIZEN_SESSION_SECRET_ARN": "arn:aws:secretsmanager:x:1:secret:s", "COGNITO_CLIENT_ID": CLIENT}
    with pytest.raises(RuntimeError, match="malformed"):
        load_settings({**base, "COGNITO_USER_POOL_ID": "../evil"}, read_secret=lambda arn: "p" * 32)
    ok = load_settings({**base, "COGNITO_USER_POOL_ID": "me-central-1_Pool1"}, read_secret=lambda arn: "p" * 32)
    assert ok.cognito_issuer == ISSUER


def test_an_unusable_jwks_is_a_503_not_a_500(monkeypatch):
    from chalicelib.api import auth
    from chalicelib.errors import ServiceUnavailable

    class Broken:
        def __init__(self, *args, **kwargs):
            pass

        def get_jwk_set(self):
            raise jwt.PyJWKSetError("The JWK Set did not contain any usable keys")

    monkeypatch.setattr(jwt, "PyJWKClient", Broken)
    keys = auth._Keys()
    with pytest.raises(ServiceUnavailable):
        keys.get("http://127.0.0.1:1/pool/.well-known/jwks.json", "k1", 3600)


def test_the_sign_in_config_names_the_pool_and_the_flow_its_client_allows(monkeypatch):
    from chalicelib.api import auth
    from chalicelib.errors import ServiceUnavailable

    def with_env(env):
        monkeypatch.setattr(auth, "get_settings", lambda: load_settings(env))
        return auth.sign_in_config()

    aws = with_env({"STAGE": "dev", "AWS_REGION": "me-central-1", "COGNITO_USER_POOL_ID": "me-central-1_Pool1",
                    "COGNITO_CLIENT_ID": CLIENT})
    assert aws == {"flow": "USER_SRP_AUTH", "region": "me-central-1", "user_pool_id": "me-central-1_Pool1",
                   "client_id": CLIENT, "endpoint": "https://cognito-idp.me-central-1.amazonaws.com"}
    local = with_env({"STAGE": "local", "COGNITO_USER_POOL_ID": "local_abc", "COGNITO_CLIENT_ID": CLIENT,
                      "COGNITO_ENDPOINT": "http://127.0.0.1:9229"})
    assert (local["flow"], local["endpoint"]) == ("USER_PASSWORD_AUTH", "http://127.0.0.1:9229")
    with pytest.raises(ServiceUnavailable):  # no pool: nobody can sign in, and the page says so
        with_env({"STAGE": "local"})
