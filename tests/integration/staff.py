"""Staff tokens for the integration tests: real sign-ins to the session's cognito-local pool
(started in conftest.py), one account per (subject, office or province, role), created once;
tokens cached per account (a sign-in costs ~15 ms). `forge` signs arbitrary claims with
cognito-local's own private key, for the refusal tests."""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import jwt

from chalicelib.api.auth import (
    ASSOCIATION_ADMIN_GROUP,
    OFFICE_MANAGER_GROUP,
    OPERATOR_GROUP,
    PROVINCIAL_REPRESENTATIVE_GROUP,
)
from infra.local import cognito

ROOT = Path(__file__).resolve().parents[2]
PRIVATE_KEY = ROOT / "node_modules/cognito-local/lib/keys/cognitoLocal.private.json"
_TOKENS: dict[str, dict] = {}


def pool() -> cognito.Pool:
    return cognito.Pool(os.environ["COGNITO_ENDPOINT"], os.environ["COGNITO_USER_POOL_ID"],
                        os.environ["COGNITO_CLIENT_ID"])


def account(subject: str, office_id: str | None, role: str = "operator", *, manager: bool = False,
            province: str | None = None) -> cognito.StaffUser:
    group = {"operator": OFFICE_MANAGER_GROUP if manager else OPERATOR_GROUP, "association": ASSOCIATION_ADMIN_GROUP,
             "province": PROVINCIAL_REPRESENTATIVE_GROUP}[role]
    scope = office_id or province or "network"
    local = re.sub(r"[^a-z0-9.-]", "-", f"{subject}.{scope}.{group}".lower())
    return cognito.StaffUser(f"{local}@test.{cognito.DOMAIN}", group, office_id=office_id, province=province)


def sign_in(user: cognito.StaffUser) -> dict:
    """The account's IdToken, AccessToken and RefreshToken (the account is created on first use)."""
    if user.email not in _TOKENS:
        cognito.ensure_user(pool(), user)
        _TOKENS[user.email] = cognito.sign_in(pool(), user.email)
    return _TOKENS[user.email]


def issue_token(subject: str, office_id: str | None, role: str = "operator", *, manager: bool = False,
                province: str | None = None) -> str:
    """An ID token of the pool for a staff account: an office's operator (`manager`: its manager),
    `role="association"` (an administrator) or `role="province"` (a provincial representative)."""
    return sign_in(account(subject, office_id, role, manager=manager, province=province))["IdToken"]


def forge(claims: dict, *, algorithm: str = "RS256", key=None, headers: dict | None = None) -> str:
    """A token signed with cognito-local's private key (or `key`), with the claims given."""
    if key is None:
        key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(json.loads(PRIVATE_KEY.read_text())["jwk"]))
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": "CognitoLocal", **(headers or {})})


def valid_claims(token: str, **changes) -> dict:
    """The claims of a real token with some replaced (None removes one), refreshed in time."""
    claims = jwt.decode(token, options={"verify_signature": False})
    now = int(time.time())
    claims.update(iat=now, exp=now + 600)
    for name, value in changes.items():
        name = name.replace("__", ":").replace("_dash_", "-")
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims
