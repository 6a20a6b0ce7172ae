"""Staff sign in to the Cognito user pool and call the API with the pool's ID token. The same
check runs locally (cognito-local) and in AWS, where API Gateway's Cognito authorizer checks the
token first: RS256 signature by a key of the pool's JWKS, issuer, audience (the app client),
`token_use`, expiry. Role comes from the token's groups; office and province from attributes
that users cannot write (immutable, and outside the app client's write attributes)."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from chalicelib.errors import Forbidden, ServiceUnavailable, Unauthorized

# PyJWT (and the cryptography it verifies RS256 with) and the settings are imported by the first
# staff request, not by `import app`: most cold starts serve citizens.


def get_settings():  # noqa: ANN201 - chalicelib.settings.Settings
    from chalicelib.settings import get_settings as settings
    return settings()

# The pool's groups: the one place that names them (infra/local/cognito.py and tests use these).
OPERATOR_GROUP = "operator"
OFFICE_MANAGER_GROUP = "office-manager"
ASSOCIATION_ADMIN_GROUP = "association-admin"
PROVINCIAL_REPRESENTATIVE_GROUP = "provincial-representative"
GROUPS = (OPERATOR_GROUP, OFFICE_MANAGER_GROUP, ASSOCIATION_ADMIN_GROUP, PROVINCIAL_REPRESENTATIVE_GROUP)
# API Gateway's Cognito authorizer on every staff route in AWS, and the variable that carries the
# pool's ARN while the stack packages the app.
STAFF_AUTHORIZER = "operators"
STAFF_POOL_ARN_VARIABLE = "OPERATOR_USER_POOL_ARN"
OFFICE_ATTRIBUTE = "office_id"  # custom:office_id in tokens
PROVINCE_ATTRIBUTE = "province"  # custom:province in tokens

ALGORITHM = "RS256"  # the only one: `none` and HS256 keyed with the public key are refused
LEEWAY_SECONDS = 30
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "token_use")
_UNKNOWN_KID_REFRESH_SECONDS = 60  # a forged `kid` cannot make every request refetch the JWKS


@dataclass(frozen=True)
class Operator:
    operator_id: str
    office_id: str


@dataclass(frozen=True)
class AssociationStaff:
    """An association administrator (province None: network-wide) or a provincial representative
    (the association's coordinator for one province)."""
    user_id: str
    province: str | None


def _invalid(cause: Exception | None = None) -> Unauthorized:
    err = Unauthorized("The token is invalid or expired", "توکن نامعتبر یا منقضی است",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    err.__cause__ = cause
    return err


def verify_id_token(token: str, key, *, issuer: str, audience: str) -> dict:
    """The claims of a pool ID token signed by `key`, or Unauthorized. No I/O."""
    import jwt
    try:
        if jwt.get_unverified_header(token).get("alg") != ALGORITHM:
            raise _invalid()
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], audience=audience, issuer=issuer,
                            leeway=LEEWAY_SECONDS, options={"require": list(REQUIRED_CLAIMS)})
    except jwt.PyJWTError as exc:
        raise _invalid(exc) from exc
    if claims.get("token_use") != "id":  # an access token carries neither office nor province
        raise _invalid()
    return claims


class _Keys:
    """The pool's signing keys by `kid`, fetched from its JWKS and kept for a while."""

    def __init__(self):
        self._lock = threading.Lock()
        self._url: str | None = None
        self._keys: dict[str, object] = {}
        self._fetched = 0.0

    def _fetch(self, url: str) -> None:
        import jwt
        try:
            keyset = jwt.PyJWKClient(url, cache_jwk_set=False, timeout=3).get_jwk_set()
        except (jwt.PyJWKClientError, jwt.PyJWKSetError) as exc:  # unreachable, or no usable keys
            raise ServiceUnavailable("The sign-in service cannot be reached", "سرویس ورود در دسترس نیست") from exc
        self._url, self._fetched = url, time.monotonic()
        self._keys = {k.key_id: k.key for k in keyset.keys if k.key_id and k.algorithm_name == ALGORITHM}

    def get(self, url: str, kid: str | None, max_age: float):
        with self._lock:
            age = time.monotonic() - self._fetched
            if self._url != url or age > max_age or (kid not in self._keys and age > _UNKNOWN_KID_REFRESH_SECONDS):
                self._fetch(url)
            return self._keys.get(kid) if kid else None

    def clear(self) -> None:
        with self._lock:
            self._url, self._keys, self._fetched = None, {}, 0.0


KEYS = _Keys()


def staff_claims(authorization: str | None) -> dict:
    """The verified claims of the caller's ID token (401 when missing or invalid)."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("A bearer token is required", "توکن دسترسی لازم است",
                           headers={"WWW-Authenticate": "Bearer"})
    import jwt
    token = authorization[7:].strip()
    s = get_settings()
    if not (s.cognito_jwks_url and s.cognito_client_id):
        raise _invalid()  # no pool configured: nobody signs in
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise _invalid(exc) from exc
    if header.get("alg") != ALGORITHM:
        raise _invalid()
    key = KEYS.get(s.cognito_jwks_url, header.get("kid"), s.cognito_jwks_cache_seconds)
    if key is None:
        raise _invalid()
    return verify_id_token(token, key, issuer=s.cognito_issuer, audience=s.cognito_client_id)


def _groups(claims: dict) -> set[str]:
    groups = claims.get("cognito:groups") or []
    return set(groups) if isinstance(groups, list) else set()


def _attribute(claims: dict, name: str) -> str | None:
    value = claims.get(f"custom:{name}")
    return value.strip() if isinstance(value, str) and value.strip() else None


def operator_of(claims: dict) -> Operator:
    """An office's operator (its manager is one too), with the office the pool assigned."""
    office = _attribute(claims, OFFICE_ATTRIBUTE)
    if not _groups(claims) & {OPERATOR_GROUP, OFFICE_MANAGER_GROUP} or office is None:
        raise Unauthorized("The token is not an operator token", "این توکن متعلق به کاربر دفتر نیست")
    return Operator(str(claims["sub"]), office)


def office_manager_of(claims: dict) -> Operator:
    operator = operator_of(claims)
    if OFFICE_MANAGER_GROUP not in _groups(claims):
        raise Forbidden("This needs the office's manager", "این عملیات مخصوص مدیر دفتر است")
    return operator


def association_admin_of(claims: dict) -> str:
    """The association's administrators (network-wide): their user id."""
    if ASSOCIATION_ADMIN_GROUP not in _groups(claims):
        raise Forbidden("This needs an association administrator", "این عملیات مخصوص مدیران کانون است")
    return str(claims["sub"])


def association_staff_of(claims: dict) -> AssociationStaff:
    """An administrator (network-wide) or a provincial representative (their province only)."""
    groups = _groups(claims)
    if ASSOCIATION_ADMIN_GROUP in groups:
        return AssociationStaff(str(claims["sub"]), None)
    province = _attribute(claims, PROVINCE_ATTRIBUTE)
    if PROVINCIAL_REPRESENTATIVE_GROUP in groups and province:
        return AssociationStaff(str(claims["sub"]), province)
    raise Forbidden("This needs the association or its provincial representative",
                    "این عملیات مخصوص کانون یا نماینده استانی آن است")


def sign_in_config() -> dict:
    """What a browser needs to sign staff in to the pool: its id, the web app client, the endpoint
    the browser talks to and the flow that client allows. cognito-local (local stages) only knows
    USER_PASSWORD_AUTH; the AWS client allows SRP only, so the password never leaves the browser."""
    s = get_settings()
    if not (s.cognito_user_pool_id and s.cognito_client_id):
        raise ServiceUnavailable("Staff sign-in is not configured", "ورود کارکنان پیکربندی نشده است")
    return {"flow": "USER_PASSWORD_AUTH" if s.cognito_endpoint else "USER_SRP_AUTH", "region": s.region,
            "user_pool_id": s.cognito_user_pool_id, "client_id": s.cognito_client_id,
            "endpoint": s.cognito_endpoint or f"https://cognito-idp.{s.region}.amazonaws.com"}


def operator_from(authorization: str | None) -> Operator:
    return operator_of(staff_claims(authorization))


def office_manager_from(authorization: str | None) -> Operator:
    return office_manager_of(staff_claims(authorization))


def association_admin_from(authorization: str | None) -> str:
    return association_admin_of(staff_claims(authorization))


def association_staff_from(authorization: str | None) -> AssociationStaff:
    return association_staff_of(staff_claims(authorization))
