"""Operators authenticate with a JWT bearer token naming their office. Locally the token is
signed with the key from settings (HS256); in AWS a Cognito authorizer fronts the same claims."""
from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from chalicelib.errors import Forbidden, Unauthorized
from chalicelib.settings import get_settings

AUDIENCE = "ejso-office"
ROLES = ("operator", "association")


@dataclass(frozen=True)
class Operator:
    operator_id: str
    office_id: str


def issue_token(subject: str, office_id: str | None, ttl_seconds: int = 8 * 3600, role: str = "operator",
                *, manager: bool = False) -> str:
    s = get_settings()
    now = int(time.time())
    claims = {"sub": subject, "role": role, "iss": s.jwt_issuer, "aud": AUDIENCE, "iat": now, "exp": now + ttl_seconds}
    if office_id:
        claims["office_id"] = office_id
    if manager:  # the office's manager: keeps the office's operators registry
        claims["manager"] = True
    return jwt.encode(claims, s.jwt_signing_key, algorithm="HS256")


def _claims(authorization: str | None, required: list[str]) -> dict:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("A bearer token is required", "توکن دسترسی لازم است",
                           headers={"WWW-Authenticate": "Bearer"})
    s = get_settings()
    try:
        return jwt.decode(authorization[7:].strip(), s.jwt_signing_key, algorithms=["HS256"], audience=AUDIENCE,
                          issuer=s.jwt_issuer, options={"require": ["exp", "sub", *required]})
    except jwt.PyJWTError as exc:
        raise Unauthorized("The token is invalid or expired", "توکن نامعتبر یا منقضی است",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from exc


def operator_from(authorization: str | None) -> Operator:
    claims = _claims(authorization, ["office_id"])
    if claims.get("role") != "operator":
        raise Unauthorized("The token is not an operator token", "این توکن متعلق به کاربر دفتر نیست")
    return Operator(str(claims["sub"]), str(claims["office_id"]))


def association_admin_from(authorization: str | None) -> str:
    """The association's staff (calendar corrections, later ranking policy): their user id."""
    claims = _claims(authorization, [])
    if claims.get("role") != "association":
        raise Forbidden("This needs an association administrator", "این عملیات مخصوص مدیران کانون است")
    return str(claims["sub"])


def office_manager_from(authorization: str | None) -> Operator:
    """An operator token of an office that also carries the `manager` claim."""
    operator = operator_from(authorization)
    if _claims(authorization, ["office_id"]).get("manager") is not True:
        raise Forbidden("This needs the office's manager", "این عملیات مخصوص مدیر دفتر است")
    return operator
