"""Operators authenticate with a JWT bearer token naming their office. Locally the token is
signed with the key from settings (HS256); in AWS a Cognito authorizer fronts the same claims."""
from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from chalicelib.errors import Unauthorized
from chalicelib.settings import get_settings

AUDIENCE = "ejso-office"


@dataclass(frozen=True)
class Operator:
    operator_id: str
    office_id: str


def issue_token(operator_id: str, office_id: str, ttl_seconds: int = 8 * 3600) -> str:
    s = get_settings()
    now = int(time.time())
    claims = {"sub": operator_id, "office_id": office_id, "role": "operator", "iss": s.jwt_issuer,
              "aud": AUDIENCE, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, s.jwt_signing_key, algorithm="HS256")


def operator_from(authorization: str | None) -> Operator:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("A bearer token is required", "توکن دسترسی لازم است",
                           headers={"WWW-Authenticate": "Bearer"})
    s = get_settings()
    try:
        claims = jwt.decode(authorization[7:].strip(), s.jwt_signing_key, algorithms=["HS256"], audience=AUDIENCE,
                            issuer=s.jwt_issuer, options={"require": ["exp", "sub", "office_id"]})
    except jwt.PyJWTError as exc:
        raise Unauthorized("The token is invalid or expired", "توکن نامعتبر یا منقضی است",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from exc
    if claims.get("role") != "operator":
        raise Unauthorized("The token is not an operator token", "این توکن متعلق به کاربر دفتر نیست")
    return Operator(str(claims["sub"]), str(claims["office_id"]))
