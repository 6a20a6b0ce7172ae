"""Citizens call their routes with the session the one-time code gave them (`Authorization:
Bearer <session>`); the token is checked in chalicelib/services/citizens.py."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.http import lazy
from chalicelib.errors import CitizenSessionRequired

if TYPE_CHECKING:
    from chalicelib.domain.citizen import CitizenSession

citizens = lazy("chalicelib.services.citizens")


def _token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CitizenSessionRequired()
    return token.strip()


def citizen_from(authorization: str | None) -> CitizenSession:
    return citizens.session_from(_token(authorization))


def citizen_if_any(authorization: str | None) -> CitizenSession | None:
    """The session when one is sent (and then it must be valid), None when none is."""
    token = _token(authorization)
    return citizens.session_from(token) if token else None
