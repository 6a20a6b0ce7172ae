"""Domain errors and their one mapping to HTTP: application/problem+json (RFC 9457),
each with an English and a Persian message."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.text import to_persian_digits

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    status = 400
    code = "bad-request"
    title_en = "Bad request"
    title_fa = "درخواست نامعتبر"

    def __init__(self, detail_en: str | None = None, detail_fa: str | None = None, *,
                 errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail_en or self.title_en)
        self.detail_en = detail_en or self.title_en
        self.detail_fa = detail_fa or self.title_fa
        self.errors = errors or []
        self.headers = headers or {}
        self.extra: dict[str, Any] = {}  # members of the problem document beyond RFC 9457's, per kind


class InvalidInput(DomainError):
    status, code = 422, "invalid-input"
    title_en, title_fa = "The request has invalid fields", "برخی از مقادیر درخواست نامعتبر است"


class MalformedRequest(DomainError):
    status, code = 400, "malformed-request"
    title_en, title_fa = "The request body is not valid JSON", "بدنه درخواست JSON معتبر نیست"


class UnsupportedMediaType(DomainError):
    status, code = 415, "unsupported-media-type"
    title_en, title_fa = "Only application/json is accepted", "فقط application/json پذیرفته می‌شود"


class PayloadTooLarge(DomainError):
    status, code = 413, "payload-too-large"
    title_en, title_fa = "The request body is too large", "حجم بدنه درخواست بیش از حد مجاز است"


class NotFound(DomainError):
    status, code = 404, "not-found"
    title_en, title_fa = "Not found", "یافت نشد"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"
    title_en, title_fa = "Authentication is required", "احراز هویت لازم است"


class Forbidden(DomainError):
    status, code = 403, "forbidden"
    title_en, title_fa = "You may not do this", "اجازه این عملیات را ندارید"


class Conflict(DomainError):
    status, code = 409, "conflict"
    title_en, title_fa = "The request conflicts with the current state", "درخواست با وضعیت فعلی سازگار نیست"


class SlotFull(Conflict):
    code = "slot-full"
    title_en, title_fa = "This slot is no longer free", "این نوبت دیگر خالی نیست"


class DuplicateBooking(Conflict):
    code = "duplicate-booking"
    title_en = "You already hold a booking for this service on that day"
    title_fa = "شما برای این خدمت در این روز نوبت فعال دارید"


class DailyCapReached(Conflict):
    code = "daily-cap-reached"
    title_en = "You have reached the maximum number of bookings for that day"
    title_fa = "سقف تعداد نوبت‌های شما در این روز پر شده است"


class NoShowBlocked(Conflict):
    code = "no-show-blocked"
    title_en = "New bookings are blocked for a while after a missed appointment"
    title_fa = "به دلیل عدم حضور در نوبت قبلی، ثبت نوبت جدید تا مدتی ممکن نیست"


class ServiceRetired(Conflict):
    """The association retired the service: no new holds, bookings or requests; existing ones stand."""
    code = "service-retired"
    title_en = "This service has been retired from the catalogue and takes no new bookings or requests"
    title_fa = "این خدمت از فهرست خدمات حذف شده است و نوبت یا درخواست جدید نمی‌پذیرد"


class InvalidTransition(Conflict):
    code = "invalid-transition"
    title_en = "The booking is not in a state that allows this action"
    title_fa = "وضعیت نوبت اجازه این عملیات را نمی‌دهد"


class CounterBusy(Conflict):
    code = "counter-busy"
    title_en = "Someone is at this counter: end that visit first"
    title_fa = "این باجه در حال خدمت‌دهی است؛ ابتدا کار مراجع فعلی را به پایان برسانید"


class CounterFree(Conflict):
    code = "counter-free"
    title_en = "Nobody is at this counter"
    title_fa = "در این باجه مراجعی در حال خدمت نیست"


class DeskBusy(Conflict):
    code = "desk-busy"
    title_en = "The office's line changed while calling; call again"
    title_fa = "صف دفتر هم‌زمان تغییر کرد؛ دوباره فراخوانی کنید"


class HoldExpired(Conflict):
    code = "hold-expired"
    title_en, title_fa = "The slot hold has expired", "مهلت نگهداری نوبت به پایان رسیده است"


class HoldInProgress(Conflict):
    code = "hold-in-progress"
    title_en = "You already hold a slot; book it or wait until the hold expires"
    title_fa = "شما هم‌اکنون یک نوبت را نگه داشته‌اید؛ آن را ثبت کنید یا تا پایان مهلتش صبر کنید"


class AlreadyWaiting(Conflict):
    code = "already-waiting"
    title_en = "You are already on the waitlist of this office for this service"
    title_fa = "شما هم‌اکنون در فهرست انتظار این دفتر برای این خدمت هستید"


class WaitlistFull(Conflict):
    code = "waitlist-full"
    title_en = "You are waiting for as many offices and services as allowed; leave one first"
    title_fa = "به سقف فهرست‌های انتظار رسیده‌اید؛ ابتدا از یکی خارج شوید"


class AlreadyAppealed(Conflict):
    code = "already-appealed"
    title_en = "This missed appointment has been appealed already"
    title_fa = "برای این نوبت ازدست‌رفته قبلاً اعتراض ثبت شده است"


class AppealClosed(Conflict):
    code = "appeal-closed"
    title_en = "This appointment cannot be appealed"
    title_fa = "برای این نوبت امکان اعتراض وجود ندارد"


class AppealDecided(Conflict):
    code = "appeal-decided"
    title_en = "This appeal has been decided already"
    title_fa = "درباره این اعتراض قبلاً تصمیم گرفته شده است"


class AppealWithOffice(Conflict):
    code = "appeal-with-office"
    title_en = "The office has 3 working days to decide this appeal first"
    title_fa = "دفتر تا سه روز کاری فرصت دارد ابتدا درباره این اعتراض تصمیم بگیرد"


class RequestInProgress(Conflict):
    code = "request-in-progress"
    title_en = "A request with this Idempotency-Key is still being processed"
    title_fa = "درخواستی با همین کلید یکتایی در حال پردازش است"


class IdempotencyKeyReused(DomainError):
    status, code = 422, "idempotency-key-reused"
    title_en = "This Idempotency-Key was used with a different request body"
    title_fa = "این کلید یکتایی قبلاً با بدنه متفاوتی استفاده شده است"


class WebhookIdReused(DomainError):
    status, code = 422, "webhook-id-reused"
    title_en = "This webhook-id was used for a different delivery"
    title_fa = "این شناسه webhook-id قبلاً برای درخواست دیگری به کار رفته است"


class ChannelShareFull(Conflict):
    code = "channel-share-full"
    title_en = "This channel's share of the office-day's seats is used up"
    title_fa = "سهم این کانال از نوبت‌های این روز دفتر تکمیل است"


class IdempotencyKeyRequired(DomainError):
    status, code = 400, "idempotency-key-required"
    title_en = "This operation requires an Idempotency-Key header"
    title_fa = "این عملیات به سرآیند Idempotency-Key نیاز دارد"


class InvalidSignature(Unauthorized):
    """Any failure to authenticate a partner delivery: unknown partner, missing or malformed
    headers, stale or future timestamp, no matching signature. Deliberately one answer."""
    code = "invalid-signature"
    title_en, title_fa = "The request signature could not be verified", "امضای درخواست قابل تأیید نیست"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers.setdefault("WWW-Authenticate", 'Signature realm="partners", scheme="standard-webhooks-v1"')


class TooManyRequests(DomainError):
    """A token bucket is empty: the client may try again after `retry_after_s` seconds."""
    status, code = 429, "rate-limited"
    title_en, title_fa = "Too many requests; slow down", "تعداد درخواست‌ها بیش از حد مجاز است؛ کمی بعد تلاش کنید"

    def __init__(self, retry_after_s: int = 60, detail_en: str | None = None, detail_fa: str | None = None, **kwargs):
        retry_after_s = max(1, int(retry_after_s))
        super().__init__(detail_en or f"Too many requests; try again in {retry_after_s} seconds",
                         detail_fa or f"تعداد درخواست‌ها بیش از حد مجاز است؛ {to_persian_digits(str(retry_after_s))} ثانیه"
                                      " دیگر دوباره تلاش کنید",
                         **kwargs)
        self.retry_after_s = retry_after_s
        self.headers["Retry-After"] = str(retry_after_s)


class RateLimited(TooManyRequests):
    """The same 429, raised with its own words first: RateLimited(detail_en, detail_fa, retry_after=s)."""

    def __init__(self, detail_en: str | None = None, detail_fa: str | None = None, *, retry_after: int = 60,
                 **kwargs):
        super().__init__(retry_after, detail_en, detail_fa, **kwargs)


class NoFreeCounter(Conflict):
    code = "no-free-counter"
    title_en = "All of your office's open counters are busy"
    title_fa = "همه باجه‌های باز دفتر شما مشغول هستند"


class RequestStateConflict(Conflict):
    code = "invalid-transition"
    title_en = "The request is not in a state that allows this action"
    title_fa = "وضعیت درخواست اجازه این عملیات را نمی‌دهد"


class AlreadyRated(Conflict):
    code = "already-rated"
    title_en, title_fa = "This request has already been rated", "این درخواست قبلاً امتیاز گرفته است"


class CitizenSessionRequired(Unauthorized):
    """No citizen session, or one that is not valid (expired, tampered, for another audience):
    deliberately one answer."""
    code = "citizen-session-required"
    title_en = "Confirm your mobile number first: a valid citizen session is required"
    title_fa = "ابتدا شماره همراه خود را تأیید کنید: نشست معتبر شهروند لازم است"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers.setdefault("WWW-Authenticate", 'Bearer realm="citizens"')


class SessionMismatch(Forbidden):
    code = "session-mismatch"
    title_en = "The national ID or mobile differs from the ones you confirmed"
    title_fa = "کد ملی یا شماره همراه با مشخصات تأییدشده شما یکسان نیست"


class OtpWrongCode(DomainError):
    status, code = 422, "otp-wrong-code"
    title_en, title_fa = "The code is not correct", "کد وارد شده درست نیست"

    def __init__(self, tries_left: int):
        super().__init__(f"The code is not correct; {tries_left} tries left",
                         f"کد وارد شده درست نیست؛ {tries_left} بار دیگر می‌توانید تلاش کنید")
        self.extra["tries_left"] = tries_left


class OtpExpired(DomainError):
    status, code = 410, "otp-expired"
    title_en = "This code has expired or has no tries left; ask for a new code"
    title_fa = "این کد منقضی شده یا دفعات مجاز آن تمام شده است؛ کد تازه بخواهید"


class ServiceUnavailable(DomainError):
    status, code = 503, "service-unavailable"
    title_en = "The service is temporarily unavailable, please retry shortly"
    title_fa = "سرویس موقتاً در دسترس نیست؛ لطفاً کمی بعد دوباره تلاش کنید"

    def __init__(self, *args, retry_after: int = 2, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers.setdefault("Retry-After", str(retry_after))


class SmsUnavailable(ServiceUnavailable):
    code = "sms-unavailable"
    title_en = "The text message could not be sent now; please try again shortly"
    title_fa = "ارسال پیامک اکنون ممکن نشد؛ لطفاً کمی بعد دوباره تلاش کنید"


class AccountsDisagree(Conflict):
    """The reconciliation found fee records, their totals and the statement disagreeing."""
    code = "accounts-disagree"
    title_en, title_fa = "The accounts do not reconcile", "حساب‌ها با یکدیگر تطبیق نمی‌کنند"


# Outcomes of a conditional write, raised by the stores (DynamoDB and the in-memory fakes alike)
# and interpreted by the use cases, which turn them into the domain errors above.

class TxConflict(Exception):
    """Another transaction touched the same items at the same moment: safe to retry."""


class TxConditionFailed(Exception):
    """Some conditions failed; `labels` names which, in the caller's words."""

    def __init__(self, labels: set[str]):
        super().__init__(", ".join(sorted(labels)))
        self.labels = labels

def problem(error: DomainError, instance: str | None = None) -> tuple[int, dict[str, str], str]:
    """(status, headers, body) of the problem+json document for an error."""
    body: dict[str, Any] = {
        "type": f"https://ejso.ir/problems/{error.code}",
        "title": error.title_en,
        "title_fa": error.title_fa,
        "status": error.status,
        "detail": error.detail_en,
        "detail_fa": error.detail_fa,
    }
    if instance:
        body["instance"] = instance
    if error.errors:
        body["errors"] = error.errors
    body.update(error.extra)
    headers = {"Content-Type": PROBLEM_JSON, **error.headers}
    return error.status, headers, json.dumps(body, ensure_ascii=False)


# Error codes DynamoDB answers when it cannot serve now: the client should retry later (503).
DATABASE_BUSY = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "InternalServerError", "ServiceUnavailable", "LimitExceededException",
})


def database_unavailable(exc: BaseException) -> bool:
    """True when the database could not be reached, did not answer within its read timeout, or
    refused for load, rather than refusing the change itself: the answer is 503 with Retry-After.
    Reads botocore's errors, PynamoDB's (which carry botocore's as `cause`) and a ClientError."""
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as BotoConnectionError
    # The error itself, what it wraps, and what it was raised while handling (code that reads a
    # PynamoDB error's response code fails on a timeout, which has no response).
    seen, pending = set(), [exc]
    while pending:
        err = pending.pop()
        if err is None or id(err) in seen or len(seen) > 8:
            continue
        seen.add(id(err))
        if isinstance(err, (BotoConnectionError, HTTPClientError)):
            return True
        if isinstance(err, ClientError) and err.response.get("Error", {}).get("Code") in DATABASE_BUSY:
            return True
        pending += [getattr(err, "cause", None), err.__cause__, err.__context__]
    return False
