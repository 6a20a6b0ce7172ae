"""A citizen proves their mobile with a one-time code and gets a short-lived session. Pure rules,
no I/O: the code and its keyed hash, the challenge's life, the SMS text, and the session token.

The session is a signed token (HS256 JWT), not an opaque id stored in a table: every citizen
route then checks it without a database read, and it lives only `citizen_session_minutes`
(30 by default), which bounds what a stolen token is worth as much as a revocation list would
for so short a life. It carries no national ID or mobile, only their keyed hashes: `sub` the
citizen key (the same HMAC bookings and requests are filed under) and `mob` the mobile's. It is
checked for algorithm, signature (the current key or the previous one, so the key rotates
without a deploy), issuer, audience, `token_use` and expiry.

Pairing: the first mobile a citizen verifies is their mobile (kept under the citizen key, the
mobile itself only as a keyed hash). A code asked for the same national ID with another mobile is
not sent; the answer is the same 202, so it tells nothing about the pairing. A citizen who changed
numbers has the pairing changed at an office, which checks their identity in person."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from chalicelib.domain.text import to_latin_digits

CODE_DIGITS = 6
ISSUER = "ejso-network"
AUDIENCE = "ejso-citizen"
SESSION_KIND = "citizen"
ALGORITHM = "HS256"
LEEWAY_SECONDS = 5
_REQUIRED = ("exp", "iat", "iss", "aud", "sub", "mob", "token_use", "jti")
_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_code() -> str:
    """Six digits from the operating system's CSPRNG, uniform over 000000-999999."""
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def new_challenge_id() -> str:
    return "OT" + "".join(_ID_ALPHABET[b % 32] for b in secrets.token_bytes(16))


def code_hash(pepper: str, challenge_id: str, code: str) -> str:
    """The stored form of a code: an HMAC under the citizen pepper, bound to its challenge, so a
    copy of the table cannot be searched through the million codes without the pepper."""
    return hmac.new(pepper.encode(), f"otp:{challenge_id}:{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(pepper: str, challenge_id: str, code: str, stored: str) -> bool:
    return hmac.compare_digest(code_hash(pepper, challenge_id, code), stored)


def mobile_key(pepper: str, mobile: str) -> str:
    """A mobile's pseudonym in keys and tokens (the mobile itself is never a key)."""
    return hmac.new(pepper.encode(), f"mobile:{mobile}".encode(), hashlib.sha256).hexdigest()[:32]


def client_key(pepper: str, address: str) -> str:
    """A client address's pseudonym for its hourly counter."""
    return hmac.new(pepper.encode(), f"client:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def normalise_code(value: object) -> str:
    """A code as typed: Persian or Arabic-Indic digits and spaces accepted; ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError("the code must be a string of 6 digits")
    digits = "".join(to_latin_digits(value).split())
    if len(digits) != CODE_DIGITS or not digits.isascii() or not digits.isdigit():
        raise ValueError("the code must be 6 digits")
    return digits


def sms_text(code: str, minutes: int) -> str:
    """The SMS: the code first (phones offer to paste it), what it is for, and never to share it."""
    return (f"کد تأیید شما: {code}\n"
            f"سامانه نوبت دفاتر خدمات الکترونیک قضایی. این کد را به هیچ کس ندهید. اعتبار: {minutes} دقیقه")


def hour_window(now: datetime) -> str:
    """The hourly counters' window (UTC hour), e.g. 2026112918."""
    return now.astimezone(UTC).strftime("%Y%m%d%H")


def seconds_to_next_window(now: datetime) -> int:
    utc = now.astimezone(UTC)
    return max(1, int(((utc + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0) - utc).total_seconds()))


@dataclass(frozen=True)
class Challenge:
    """One code sent to one mobile for one citizen: dead at `expires_at` or when no try is left."""
    challenge_id: str
    citizen_key: str
    mobile_key: str
    code_hash: str
    expires_at: datetime
    tries_left: int
    national_id_masked: str  # for the answer to the verification; masked forms only
    mobile_masked: str

    def is_open(self, now: datetime) -> bool:
        return self.tries_left > 0 and now < self.expires_at


@dataclass(frozen=True)
class Sending:
    """What one send asks of the store, atomically: the challenge, the mobile's resend gate until
    `resend_at`, and the mobile's and the client's hourly counters under their caps."""
    challenge: Challenge
    resend_at: datetime
    hour: str
    client_key: str
    per_mobile_per_hour: int
    per_client_per_hour: int


@dataclass(frozen=True)
class CitizenSession:
    citizen_key: str
    mobile_key: str
    expires_at: datetime
    session_id: str


class InvalidSession(ValueError):
    """The token is not a valid citizen session (any reason: the caller learns nothing more)."""


def new_session(citizen_key: str, mobile_key: str, now: datetime, minutes: int) -> CitizenSession:
    return CitizenSession(citizen_key, mobile_key, (now + timedelta(minutes=minutes)).replace(microsecond=0),
                          secrets.token_urlsafe(12))


def sign_session(session: CitizenSession, key: str, now: datetime) -> str:
    claims = {"iss": ISSUER, "aud": AUDIENCE, "token_use": SESSION_KIND, "sub": session.citizen_key,
              "mob": session.mobile_key, "iat": int(now.timestamp()), "exp": int(session.expires_at.timestamp()),
              "jti": session.session_id}
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verify_session(token: str, keys: Sequence[str], now: datetime) -> CitizenSession:
    """The session a token carries when one of `keys` signed it and its claims hold at `now`.
    A token of another algorithm (`none` included) is refused by `decode` itself."""
    for key in keys:
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
                                leeway=LEEWAY_SECONDS, options={"require": list(_REQUIRED), "verify_exp": False,
                                                                "verify_iat": False, "verify_nbf": False})
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise InvalidSession("claims") from exc
        if claims["token_use"] != SESSION_KIND or not isinstance(claims["sub"], str) or not isinstance(claims["mob"], str):
            raise InvalidSession("claims")
        # Times against the caller's clock (tests pass theirs), not the machine's.
        now_s = int(now.timestamp())
        if not isinstance(claims["exp"], int) or claims["exp"] + LEEWAY_SECONDS <= now_s:
            raise InvalidSession("expired")
        if not isinstance(claims["iat"], int) or claims["iat"] - LEEWAY_SECONDS > now_s:
            raise InvalidSession("issued in the future")
        return CitizenSession(claims["sub"], claims["mob"], datetime.fromtimestamp(claims["exp"], now.tzinfo),
                              str(claims["jti"]))
    raise InvalidSession("signature")
