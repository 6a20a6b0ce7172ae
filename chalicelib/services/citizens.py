"""Use cases of a citizen proving their mobile: send a one-time code, verify it for a session,
and read a session back. The rules themselves (codes, hashes, tokens, pairing) are in
chalicelib/domain/citizen.py."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from chalicelib.domain import calendar, validators
from chalicelib.domain import citizen as rules
from chalicelib.domain.booking import citizen_key
from chalicelib.domain.citizen import Challenge, CitizenSession, InvalidSession, Sending
from chalicelib.errors import (
    CitizenSessionRequired,
    OtpExpired,
    OtpWrongCode,
    RateLimited,
    SessionMismatch,
    SmsUnavailable,
    TxConditionFailed,
    TxConflict,
)
from chalicelib.gateways.sms import SmsError, configured_sender
from chalicelib.observability import logger, metrics
from chalicelib.schemas import OtpIn, OtpVerifyIn
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

UNKNOWN_CLIENT = "unknown"


# --- sending a code ----------------------------------------------------------------------------

def send_code(req: OtpIn, client_address: str | None, now: datetime | None = None) -> dict:
    """Send a 6-digit code to the mobile at once. A citizen paired with another mobile gets the
    same answer and no SMS (the answer must not tell who is paired with what)."""
    now = now or calendar.now_tehran()
    s = get_settings()
    citizen, mobile = citizen_key(req.national_id, s.citizen_pepper), rules.mobile_key(s.citizen_pepper, req.mobile)
    paired = stores.citizens.paired_mobile(citizen)
    code = rules.new_code()
    challenge_id = rules.new_challenge_id()
    challenge = Challenge(challenge_id, citizen, mobile, rules.code_hash(s.citizen_pepper, challenge_id, code),
                          (now + timedelta(seconds=s.otp_ttl_seconds)).replace(microsecond=0), s.otp_max_tries,
                          validators.mask_national_id(req.national_id), validators.mask_mobile(req.mobile))
    sending = Sending(challenge, now + timedelta(seconds=s.otp_resend_seconds), rules.hour_window(now),
                      rules.client_key(s.citizen_pepper, client_address or UNKNOWN_CLIENT),
                      s.otp_per_mobile_per_hour, s.otp_per_client_per_hour)
    try:
        stores.citizens.open_challenge(sending, now)
    except TxConditionFailed as exc:
        raise _refused(exc.labels, now) from exc
    except TxConflict as exc:  # another send for this mobile is being written at this moment
        raise _refused({"resend"}, now) from exc
    if paired is None or paired == mobile:
        _deliver(sending, req.mobile, rules.sms_text(code, max(1, s.otp_ttl_seconds // 60)))
    else:
        metrics.add_metric(name="OtpWithheld", unit="Count", value=1)
        logger.info("one-time code withheld: the citizen verified another mobile")
    return {"challenge_id": challenge_id, "expires": calendar.datetime_out(challenge.expires_at),
            "resend_after_seconds": s.otp_resend_seconds, "mobile": challenge.mobile_masked}


def _deliver(sending: Sending, mobile: str, text: str) -> None:
    try:
        result = configured_sender().send(mobile, text)
    except SmsError as exc:
        stores.citizens.withdraw_challenge(sending)  # a code nobody received must not block a retry
        logger.warning("one-time code not sent", extra={"reason": exc.reason, "code": exc.code})
        raise SmsUnavailable(retry_after=5) from exc
    except Exception:
        stores.citizens.withdraw_challenge(sending)
        raise
    metrics.add_metric(name="OtpSent", unit="Count", value=1)
    logger.info("one-time code sent", extra={"message_id": result.message_id})


def _refused(labels: set[str], now: datetime) -> RateLimited:
    s = get_settings()
    if labels & {"mobile_hour", "client_hour"}:
        return RateLimited("Too many codes this hour; try again later",
                           "تعداد کدهای درخواستی در این ساعت بیش از حد مجاز است؛ بعداً تلاش کنید",
                           retry_after=rules.seconds_to_next_window(now))
    return RateLimited(f"A code was sent less than {s.otp_resend_seconds} seconds ago; wait before asking again",
                       f"کد تأیید کمتر از {s.otp_resend_seconds} ثانیه پیش ارسال شد؛ کمی صبر کنید",
                       retry_after=s.otp_resend_seconds)


# --- verifying it --------------------------------------------------------------------------------

def verify_code(req: OtpVerifyIn, now: datetime | None = None) -> dict:
    """A right code within its life and tries gives a session bound to (citizen, mobile). Every
    attempt spends one try before the code is compared, so parallel guesses share the same five."""
    now = now or calendar.now_tehran()
    s = get_settings()
    challenge = stores.citizens.spend_try(req.challenge_id, now)
    if challenge is None:
        raise OtpExpired()
    if not rules.code_matches(s.citizen_pepper, challenge.challenge_id, req.code, challenge.code_hash):
        metrics.add_metric(name="OtpWrongCode", unit="Count", value=1)
        if challenge.tries_left <= 0:
            raise OtpExpired()
        raise OtpWrongCode(challenge.tries_left)
    try:
        stores.citizens.close_challenge(challenge, now)
    except (TxConditionFailed, TxConflict) as exc:
        # Used meanwhile by a parallel attempt, or the citizen verified another mobile first:
        # either way this code gives no session.
        raise OtpExpired() from exc
    session = rules.new_session(challenge.citizen_key, challenge.mobile_key, now, s.citizen_session_minutes)
    metrics.add_metric(name="CitizenSessionStarted", unit="Count", value=1)
    return {"session": rules.sign_session(session, session_keys()[0], now),
            "expires": calendar.datetime_out(session.expires_at),
            "national_id": challenge.national_id_masked, "mobile": challenge.mobile_masked}


# --- the session ---------------------------------------------------------------------------------

def session_keys() -> tuple[str, ...]:
    """The keys sessions are checked with, the signing one first. In AWS a Secrets Manager secret,
    read through the cache of minutes: a plain value (one key), or JSON {"current", "previous"}
    while rotating, so sessions signed just before a rotation stay valid for their short life."""
    s = get_settings()
    if not s.citizen_session_secret_arn:
        if not s.is_local:
            raise RuntimeError("CITIZEN_SESSION_SECRET_ARN is required outside the local and test stages")
        return (s.citizen_session_secret,)
    from chalicelib.secrets import get_secret
    return parse_keys(get_secret(s.citizen_session_secret_arn))


def signed_session_for(national_id: str, mobile: str, now: datetime | None = None) -> str:
    """A session for a citizen and a mobile already proven some other way: for developer tooling
    and benchmarks (no route calls it; the routes give sessions only through verify_code)."""
    now = now or calendar.now_tehran()
    s = get_settings()
    session = rules.new_session(citizen_key(national_id, s.citizen_pepper), rules.mobile_key(s.citizen_pepper, mobile),
                                now, s.citizen_session_minutes)
    return rules.sign_session(session, session_keys()[0], now)


def parse_keys(value: str) -> tuple[str, ...]:
    text = value.strip()
    if text.startswith("{"):
        doc = json.loads(text)
        keys = tuple(k for k in (doc.get("current"), doc.get("previous")) if isinstance(k, str) and len(k) >= 32)
    else:
        keys = (text,) if len(text) >= 32 else ()
    if not keys:
        raise RuntimeError("the citizen session secret holds no key of at least 32 characters")
    return keys


def session_from(token: str | None, now: datetime | None = None) -> CitizenSession:
    """The citizen session a bearer token carries (401 citizen-session-required otherwise)."""
    if not token:
        raise CitizenSessionRequired()
    try:
        return rules.verify_session(token, session_keys(), now or calendar.now_tehran())
    except InvalidSession as exc:
        raise CitizenSessionRequired() from exc


def check_owner(session: CitizenSession, national_id: str, mobile: str) -> None:
    """The body's citizen and mobile are the session's (403 session-mismatch otherwise)."""
    pepper = get_settings().citizen_pepper
    if citizen_key(national_id, pepper) != session.citizen_key or rules.mobile_key(pepper, mobile) != session.mobile_key:
        raise SessionMismatch()
