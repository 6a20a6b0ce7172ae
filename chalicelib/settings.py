"""One settings module: the environment is read once, validated, and cached.

PynamoDB reads `Meta` at class definition, so the data layer asks for these
settings when its models are first imported; tests and local tools set the
environment before that import.
"""
from __future__ import annotations

import functools
import json
import os
import re
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

LOCAL_PEPPER = "local-only-pepper-change-me"
LOCAL_SESSION_SECRET = "local-only-citizen-session-secret-change-me"  # noqa: S105 - public on purpose: local stages only


class RateLimit(BaseModel):
    """A token bucket's policy: `rate` tokens every `per_s` seconds, at most `burst` at once."""
    rate: float = Field(gt=0)
    per_s: float = Field(gt=0)
    burst: int = Field(ge=1)


# The abuse limits by name; RATE_LIMITS (JSON: {"name": {"rate":..,"per_s":..,"burst":..}}) replaces
# any of them. "-client" limits are per source IP (many citizens share one behind a carrier's NAT,
# so they are generous); "-mobile"/"-citizen" per person; "partner" per partner (its own
# quota_per_minute, when the association set one, replaces the rate).
DEFAULT_RATE_LIMITS: dict[str, RateLimit] = {
    # One-time codes have their own hourly caps, kept in the same transaction as the code
    # (OTP_PER_MOBILE_PER_HOUR, OTP_PER_CLIENT_PER_HOUR); a citizen's holds a day: HOLDS_PER_CITIZEN_PER_DAY.
    "hold-client": RateLimit(rate=20, per_s=60, burst=20),
    "booking-citizen": RateLimit(rate=20, per_s=60, burst=20),  # refused bookings only (api/callers.py)
    "remote-client": RateLimit(rate=10, per_s=60, burst=10),
    "upload-client": RateLimit(rate=10, per_s=60, burst=10),
    "partner": RateLimit(rate=120, per_s=60, burst=120),
}


# A request whose database hangs (accepts connections, never answers) or cannot be reached answers
# 503 with Retry-After within DB_ANSWER_WITHIN_S, in every stage. botocore never retries a call
# whose request may have reached the database (a read timeout, a connection closed before the
# answer: chalicelib/dal/db.py), so a hung database costs one read timeout; it retries calls that
# never left (refused, connect timeout) and answers DynamoDB refused (throttled: at most 1 s apart
# for the first retry, 2 s for the second, hence 2 attempts).
DB_ANSWER_WITHIN_S = 3.0


class DbBudget(BaseModel):
    connect_timeout_s: float = Field(gt=0)
    read_timeout_s: float = Field(gt=0)
    max_attempts: int = Field(ge=1, le=10)

    @property
    def worst_case_s(self) -> float:
        """The longest a call can take before it fails: a hung database (one connect, one read
        timeout, no retry), or every attempt's connect timing out or being throttled, with botocore's
        standard backoff between them (DynamoDB's throttling base: up to 2**i s before retry i+1)."""
        backoff = sum(2.0 ** i for i in range(self.max_attempts - 1))
        return max(self.connect_timeout_s + self.read_timeout_s, self.max_attempts * self.connect_timeout_s + backoff)


DB_BUDGETS: dict[str, DbBudget] = {
    # DynamoDB Local on a busy two-core machine. Its slowest answers to single-item calls and to the
    # 300-citizen rush's transactions, measured through tests/integration/fault_proxy.py
    # (DDB_ANSWER_TIMES=1, the rush and the concurrency tests at load average 15-17 from four other
    # suites on the machine): 1.9 s (UpdateItem), 1.9 s (GetItem), 1.7 s (Query), 1.7 s
    # (TransactWriteItems in the rush). 2.2 s clears them and leaves 0.8 s of the 3 for the rest of
    # the request. What it does not clear is DynamoDB Local's queue of writers to one hot item
    # (50 operators on one office's queue: up to 11 s), where real DynamoDB answers at once with a
    # TransactionConflict; the concurrency tests that build that queue set a longer read timeout.
    "local": DbBudget(connect_timeout_s=0.5, read_timeout_s=2.2, max_attempts=2),
    "test": DbBudget(connect_timeout_s=0.5, read_timeout_s=2.2, max_attempts=2),
    # DynamoDB answers single-item calls and transactions in milliseconds (p99.9 well under 100 ms,
    # a transaction conflict is answered, not queued): 1 s is tens of times its slowest answer, and
    # a hung or black-holed endpoint costs 1.3 s (hung) or 2 s (two connect timeouts and a backoff).
    "dev": DbBudget(connect_timeout_s=0.5, read_timeout_s=1.0, max_attempts=2),
    "prod": DbBudget(connect_timeout_s=0.5, read_timeout_s=1.0, max_attempts=2),
}


class Settings(BaseModel):
    stage: Literal["local", "test", "dev", "prod"] = "local"
    region: str = "me-central-1"
    # None in AWS; http://127.0.0.1:8100 for DynamoDB Local.
    dynamodb_endpoint: str | None = None
    table_prefix: str = "ejso-local"
    # The database's time budget (see DB_BUDGETS): the stage's unless DB_*_S variables say otherwise.
    db_connect_timeout_s: float | None = Field(None, gt=0)
    db_read_timeout_s: float | None = Field(None, gt=0)
    db_max_attempts: int | None = Field(None, ge=1, le=10)

    # Staff sign in to a Cognito user pool; the API accepts the ID tokens of its app client.
    # COGNITO_ENDPOINT is set only locally (cognito-local on 127.0.0.1); in AWS the issuer is
    # the regional Cognito URL of the pool.
    # Their formats are checked at cold start (load_settings): `cdk synth` packages the app with
    # CloudFormation tokens in their place.
    cognito_user_pool_id: str | None = Field(None, min_length=1, max_length=55)
    cognito_client_id: str | None = Field(None, min_length=1, max_length=128)
    cognito_endpoint: str | None = Field(None, pattern=r"^http://127\.0\.0\.1:\d{1,5}$")
    cognito_jwks_cache_seconds: int = Field(3600, ge=60, le=86_400)
    # Pepper for the citizen key (HMAC of the national ID); never logged.
    citizen_pepper: str = Field(LOCAL_PEPPER, min_length=16)

    # Citizens prove their mobile with a one-time code (valid `otp_ttl_seconds`, `otp_max_tries`
    # tries, a new one after `otp_resend_seconds`, capped per mobile and per client address per hour)
    # and get a signed session of `citizen_session_minutes`. Its HS256 key: CITIZEN_SESSION_SECRET
    # locally; in AWS a Secrets Manager secret (JSON {"current", "previous"}) read through a cache of
    # minutes, so a rotation takes effect without a deploy.
    otp_ttl_seconds: int = Field(120, ge=30, le=900)
    otp_max_tries: int = Field(5, ge=1, le=10)
    otp_resend_seconds: int = Field(60, ge=10, le=600)
    otp_per_mobile_per_hour: int = Field(5, ge=1, le=100)
    otp_per_client_per_hour: int = Field(20, ge=1, le=100_000)
    citizen_session_minutes: int = Field(30, ge=5, le=240)
    citizen_session_secret: str = Field(LOCAL_SESSION_SECRET, min_length=32)
    citizen_session_secret_arn: str | None = Field(None, min_length=1)  # `cdk synth` packages with a token here
    # The secret our CloudFront sends in X-Origin-Verify: only then is its CloudFront-Viewer-Address
    # the client's address (limits); unset, the TCP peer API Gateway saw is the client.
    edge_secret_arn: str | None = Field(None, min_length=1)
    # The local SMS log (SMS_MODE=log, local and test stages only): each message, mobile masked and
    # text in full, appended to this file, so `make run` users and the browser tests read their code.
    sms_log_path: str | None = Field(None, min_length=1)

    booking_horizon_days: int = Field(30, ge=1, le=365)
    hold_minutes: int = Field(5, ge=1, le=30)
    # A citizen holds one slot at a time, and makes at most this many holds a day: a hold cannot be
    # renewed for ever to keep a slot from others.
    holds_per_citizen_per_day: int = Field(10, ge=1, le=100)
    max_active_bookings_per_day: int = Field(2, ge=1, le=20)
    # How long a booking (or hold) may spend trying again after losing races for seats or
    # conflicting with concurrent transactions, before it answers 503 (retry) instead: within the
    # 3 s every stage promises, with a database call's own timeout to spare.
    booking_budget_s: float = Field(1.5, gt=0, le=3)
    no_show_block_days: int = Field(14, ge=0, le=365)
    # The waitlist: a citizen waits for at most this many office-and-service entries at once; a freed
    # seat is offered to the first in line as a hold that lives this long, then to the next.
    waitlist_max_entries: int = Field(5, ge=1, le=20)
    waitlist_offer_minutes: int = Field(30, ge=5, le=240)
    no_show_grace_minutes: int = Field(15, ge=0, le=240)  # a no-show only this long after the start
    # The operator re-enters the citizen's national ID at check-in; false lets an office skip it.
    check_in_national_id_required: bool = True
    # The front desk (domain/desk.py): while a walk-in waits, at most `desk_walk_in_cap` appointments
    # are called in a row; a checked-in appointment is due `desk_early_call_minutes` before its start
    # (and keeps its priority if checked in within `no_show_grace_minutes` after it); the office's
    # pace is an exponentially weighted mean of its served visits with weight `desk_pace_alpha`.
    desk_walk_in_cap: int = Field(3, ge=0, le=20)
    desk_early_call_minutes: int = Field(5, ge=0, le=60)
    desk_pace_alpha: float = Field(0.2, gt=0, le=1)
    slot_grid_minutes: int = Field(15, ge=5, le=60)
    thursday_open: bool = True
    reminder_hours_before: int = Field(24, ge=1, le=72)
    # SMS: "log" (local, tests) records them masked instead of sending; "aws" sends through AWS End
    # User Messaging SMS from an origination identity (phone number, sender ID or pool, id or ARN)
    # with a configuration set (delivery events); "smsir" through SMS.ir's REST API from a line
    # number, its API key in a Secrets Manager secret.
    sms_mode: Literal["log", "aws", "smsir"] = "log"
    sms_origination_identity: str | None = Field(None, min_length=1, max_length=256)
    sms_configuration_set: str | None = Field(None, min_length=1, max_length=256)
    sms_region: str | None = None  # End User Messaging's region when it is not the app's
    smsir_line_number: str | None = Field(None, pattern=r"^\d{4,20}$")
    smsir_api_key_secret_arn: str | None = Field(None, pattern=r"^arn:aws[\w-]*:secretsmanager:")
    smsir_base_url: str = Field("https://api.sms.ir", pattern=r"^(https://|http://127\.0\.0\.1[:/])")
    sms_connect_timeout_s: float = Field(1.0, gt=0, le=10)
    sms_read_timeout_s: float = Field(5.0, gt=0, le=30)
    sms_concurrency: int = Field(16, ge=1, le=64)  # sends at once in a delivery run; within the provider's rate
    max_body_bytes: int = Field(16_384, ge=1024)
    catalogue_cache_seconds: int = Field(60, ge=0)
    # How old the catalogue a decision uses may be in a container that did not make the change: the
    # catalogue version is checked (one point read) at most this often; 0 checks on every read.
    catalogue_check_seconds: float = Field(1.0, ge=0, le=60)
    # The public web app's address: SMS link to it (a closed day's citizens book again there).
    public_web_url: str = Field("http://127.0.0.1:8000", pattern=r"^https?://[^\s?#]+$")
    # A request that closes a day cancels its bookings for this long; the sweep job does the rest.
    closure_inline_seconds: float = Field(10.0, ge=0, le=25)
    # The counter reconciliation trusts the (eventually consistent) index of requests in hand only
    # for offices whose counters have not changed for this long: the index has caught up with them.
    reconcile_settle_seconds: int = Field(60, ge=1, le=600)

    # Remote requests and the partner gateway.
    remote_sla_work_hours: int = Field(8, ge=1, le=200)  # network work hours from arrival to deadline
    remote_accept_minutes: int = Field(30, ge=1, le=24 * 60)  # an assigned request must be started by then
    remote_max_document_bytes: int = Field(8_192, ge=0)  # inline draft content; larger goes by upload_ref
    webhook_tolerance_seconds: int = Field(300, ge=30, le=900)  # both directions
    webhook_dedupe_hours: int = Field(96, ge=76)  # >= the Standard Webhooks retry horizon (~75.6 h)
    partner_default_quota_per_minute: int = Field(120, ge=1)
    # Channel shares: a partner channel's unused share of an office-day returns to the web this
    # many hours before the day opens; the web's count of a reserved day is split over this many items.
    partner_share_release_hours: int = Field(24, ge=0, le=24 * 14)
    web_share_parts: int = Field(4, ge=1, le=32)
    rating_sample_rate: float = Field(0.2, ge=0, le=1)  # share of completed requests invited to rate

    # Documents of remote requests: uploaded by the citizen's browser straight to S3 with a presigned
    # POST, read by the office through presigned GETs. S3_ENDPOINT is set only locally (moto's S3
    # server on 127.0.0.1); in AWS the bucket is the stack's, reached at its regional endpoint.
    documents_bucket: str | None = Field(None, min_length=3)  # a CloudFormation token at synth
    s3_endpoint: str | None = Field(None, pattern=r"^http://127\.0\.0\.1:\d{1,5}$")
    document_max_bytes: int = Field(10 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    upload_grant_seconds: int = Field(900, ge=60, le=3600)  # how long the presigned POSTs stay valid
    document_link_seconds: int = Field(300, ge=30, le=3600)  # how long an office's download link works

    # Office ranking: monthly (Jalali) aggregates, a rolling window of months.
    ranking_window_months: int = Field(6, ge=1, le=24)  # the rolling two quarters of the method
    ranking_grace_days: int = Field(1, ge=0, le=10)  # a month is ranked this long after it ends
    ranking_on_time_minutes: int = Field(15, ge=0, le=120)  # in-person: served within N min of the start
    ranking_event_marker_days: int = Field(7, ge=2, le=30)  # > the stream's 24 h retention
    operator_min_training_hours: int = Field(40, ge=0, le=1000)  # operator compliance

    rate_limits: dict[str, RateLimit] = Field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))

    @field_validator("rate_limits", mode="before")
    @classmethod
    def _rate_limits_over_defaults(cls, value):
        """RATE_LIMITS names only the policies it changes; the others keep their defaults."""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise ValueError("RATE_LIMITS must be a JSON object") from exc
        if not isinstance(value, dict):
            raise ValueError("RATE_LIMITS must be a JSON object")
        return {**DEFAULT_RATE_LIMITS, **value}

    def missing_for_sms(self) -> list[str]:
        """The variables the chosen SMS mode needs and does not have."""
        needed = {"log": {}, "aws": {"SMS_ORIGINATION_IDENTITY": self.sms_origination_identity,
                                     "SMS_CONFIGURATION_SET": self.sms_configuration_set},
                  "smsir": {"SMSIR_LINE_NUMBER": self.smsir_line_number,
                            "SMSIR_API_KEY_SECRET_ARN": self.smsir_api_key_secret_arn}}[self.sms_mode]
        return sorted(var for var, value in needed.items() if not value)

    @model_validator(mode="after")
    def _cognito_local_only_locally(self) -> Settings:
        if self.cognito_endpoint and self.stage in ("dev", "prod"):
            raise ValueError("cognito_endpoint (cognito-local) is for the local and test stages only")
        if self.s3_endpoint and self.stage in ("dev", "prod"):
            raise ValueError("s3_endpoint (the local S3 server) is for the local and test stages only")
        return self

    @model_validator(mode="after")
    def _database_budget(self) -> Settings:
        """The stage's database budget where no variable set one; a deployed stage refuses a budget
        that would let a hung database keep a request past DB_ANSWER_WITHIN_S."""
        stage = DB_BUDGETS[self.stage]
        self.db_connect_timeout_s = self.db_connect_timeout_s or stage.connect_timeout_s
        self.db_read_timeout_s = self.db_read_timeout_s or stage.read_timeout_s
        self.db_max_attempts = self.db_max_attempts or stage.max_attempts
        if self.stage in ("dev", "prod") and self.db_budget.worst_case_s >= DB_ANSWER_WITHIN_S:
            raise ValueError(f"DB_CONNECT_TIMEOUT_S, DB_READ_TIMEOUT_S and DB_MAX_ATTEMPTS let a database call take "
                             f"{self.db_budget.worst_case_s:.1f} s; a request must answer within {DB_ANSWER_WITHIN_S} s")
        return self

    @property
    def db_budget(self) -> DbBudget:
        return DbBudget(connect_timeout_s=self.db_connect_timeout_s, read_timeout_s=self.db_read_timeout_s,
                        max_attempts=self.db_max_attempts)

    @model_validator(mode="after")
    def _sms_log_locally_only(self) -> Settings:
        if self.sms_log_path and self.stage in ("dev", "prod"):
            raise ValueError("sms_log_path (the local SMS log) is for the local and test stages only")
        return self

    def uses_public_keys(self) -> bool:
        return self.citizen_pepper == LOCAL_PEPPER

    @property
    def cognito_issuer(self) -> str | None:
        """The `iss` of the pool's tokens: cognito-local's URL locally, the regional one in AWS."""
        if not self.cognito_user_pool_id:
            return None
        base = self.cognito_endpoint or f"https://cognito-idp.{self.region}.amazonaws.com"
        return f"{base}/{self.cognito_user_pool_id}"

    @property
    def cognito_jwks_url(self) -> str | None:
        issuer = self.cognito_issuer
        return f"{issuer}/.well-known/jwks.json" if issuer else None

    @property
    def is_local(self) -> bool:
        return self.stage in ("local", "test")

    def table_name(self, name: str) -> str:
        return f"{self.table_prefix}-{name}"


_ENV = {
    "stage": "STAGE",
    "region": "AWS_REGION",
    "dynamodb_endpoint": "DDB_ENDPOINT",
    "table_prefix": "TABLE_PREFIX",
    "db_connect_timeout_s": "DB_CONNECT_TIMEOUT_S",
    "db_read_timeout_s": "DB_READ_TIMEOUT_S",
    "db_max_attempts": "DB_MAX_ATTEMPTS",
    "cognito_user_pool_id": "COGNITO_USER_POOL_ID",
    "cognito_client_id": "COGNITO_CLIENT_ID",
    "cognito_endpoint": "COGNITO_ENDPOINT",
    "cognito_jwks_cache_seconds": "COGNITO_JWKS_CACHE_SECONDS",
    "citizen_pepper": "CITIZEN_PEPPER",
    "otp_ttl_seconds": "OTP_TTL_SECONDS",
    "otp_max_tries": "OTP_MAX_TRIES",
    "otp_resend_seconds": "OTP_RESEND_SECONDS",
    "otp_per_mobile_per_hour": "OTP_PER_MOBILE_PER_HOUR",
    "otp_per_client_per_hour": "OTP_PER_CLIENT_PER_HOUR",
    "citizen_session_minutes": "CITIZEN_SESSION_MINUTES",
    "citizen_session_secret": "CITIZEN_SESSION_SECRET",
    "citizen_session_secret_arn": "CITIZEN_SESSION_SECRET_ARN",
    "edge_secret_arn": "EDGE_SECRET_ARN",
    "sms_log_path": "SMS_LOG_PATH",
    "booking_horizon_days": "BOOKING_HORIZON_DAYS",
    "hold_minutes": "HOLD_MINUTES",
    "holds_per_citizen_per_day": "HOLDS_PER_CITIZEN_PER_DAY",
    "max_active_bookings_per_day": "MAX_ACTIVE_BOOKINGS_PER_DAY",
    "booking_budget_s": "BOOKING_BUDGET_S",
    "no_show_block_days": "NO_SHOW_BLOCK_DAYS",
    "no_show_grace_minutes": "NO_SHOW_GRACE_MINUTES",
    "check_in_national_id_required": "CHECK_IN_NATIONAL_ID_REQUIRED",
    "desk_walk_in_cap": "DESK_WALK_IN_CAP",
    "desk_early_call_minutes": "DESK_EARLY_CALL_MINUTES",
    "desk_pace_alpha": "DESK_PACE_ALPHA",
    "slot_grid_minutes": "SLOT_GRID_MINUTES",
    "thursday_open": "THURSDAY_OPEN",
    "reminder_hours_before": "REMINDER_HOURS_BEFORE",
    "sms_mode": "SMS_MODE",
    "sms_origination_identity": "SMS_ORIGINATION_IDENTITY",
    "sms_configuration_set": "SMS_CONFIGURATION_SET",
    "sms_region": "SMS_REGION",
    "smsir_line_number": "SMSIR_LINE_NUMBER",
    "smsir_api_key_secret_arn": "SMSIR_API_KEY_SECRET_ARN",
    "smsir_base_url": "SMSIR_BASE_URL",
    "sms_connect_timeout_s": "SMS_CONNECT_TIMEOUT_S",
    "sms_read_timeout_s": "SMS_READ_TIMEOUT_S",
    "sms_concurrency": "SMS_CONCURRENCY",
    "max_body_bytes": "MAX_BODY_BYTES",
    "catalogue_cache_seconds": "CATALOGUE_CACHE_SECONDS",
    "catalogue_check_seconds": "CATALOGUE_CHECK_SECONDS",
    "public_web_url": "PUBLIC_WEB_URL",
    "closure_inline_seconds": "CLOSURE_INLINE_SECONDS",
    "reconcile_settle_seconds": "RECONCILE_SETTLE_SECONDS",
    "remote_sla_work_hours": "REMOTE_SLA_WORK_HOURS",
    "remote_accept_minutes": "REMOTE_ACCEPT_MINUTES",
    "remote_max_document_bytes": "REMOTE_MAX_DOCUMENT_BYTES",
    "webhook_tolerance_seconds": "WEBHOOK_TOLERANCE_SECONDS",
    "webhook_dedupe_hours": "WEBHOOK_DEDUPE_HOURS",
    "partner_default_quota_per_minute": "PARTNER_DEFAULT_QUOTA_PER_MINUTE",
    "partner_share_release_hours": "PARTNER_SHARE_RELEASE_HOURS",
    "web_share_parts": "WEB_SHARE_PARTS",
    "rating_sample_rate": "RATING_SAMPLE_RATE",
    "documents_bucket": "DOCUMENTS_BUCKET",
    "s3_endpoint": "S3_ENDPOINT",
    "document_max_bytes": "DOCUMENT_MAX_BYTES",
    "upload_grant_seconds": "UPLOAD_GRANT_SECONDS",
    "document_link_seconds": "DOCUMENT_LINK_SECONDS",
    "ranking_window_months": "RANKING_WINDOW_MONTHS",
    "ranking_grace_days": "RANKING_GRACE_DAYS",
    "ranking_on_time_minutes": "RANKING_ON_TIME_MINUTES",
    "ranking_event_marker_days": "RANKING_EVENT_MARKER_DAYS",
    "operator_min_training_hours": "OPERATOR_MIN_TRAINING_HOURS",
    "rate_limits": "RATE_LIMITS",
}


# Secrets Manager ARNs (set by the CDK stack): the value is read through Powertools parameters,
# cached, and wins over a plain variable.
_SECRETS = {"citizen_pepper": "CITIZEN_PEPPER_SECRET_ARN"}


def _read_secret(arn: str) -> str:
    from aws_lambda_powertools.utilities import parameters  # only deployed stages pay for the import
    return str(parameters.get_secret(arn, max_age=3600))


def load_settings(environ: dict[str, str] | None = None, read_secret=_read_secret) -> Settings:
    environ = os.environ if environ is None else environ
    values = {field: environ[var] for field, var in _ENV.items() if environ.get(var) not in (None, "")}
    # Only a running Lambda reads them: packaging (`chalice package` under `cdk synth`) imports the
    # app with the stack's environment and no credentials.
    in_lambda = bool(environ.get("AWS_LAMBDA_FUNCTION_NAME"))
    if in_lambda:
        for field, var in _SECRETS.items():
            if environ.get(var):
                values[field] = read_secret(environ[var])
    try:
        settings = Settings(**values)
    except ValidationError as exc:  # fail at cold start, loudly, with the variable names
        raise RuntimeError(f"invalid settings: {exc}") from exc
    # In a deployed Lambda the keys come from Secrets Manager; the local defaults are public.
    if in_lambda and settings.stage in ("dev", "prod") and settings.uses_public_keys():
        raise RuntimeError("dev and prod need CITIZEN_PEPPER_SECRET_ARN")
    if in_lambda and settings.stage in ("dev", "prod") and not (settings.cognito_user_pool_id
                                                                 and settings.cognito_client_id):
        raise RuntimeError("dev and prod need COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID")
    if in_lambda and settings.cognito_user_pool_id and not (
            re.fullmatch(r"[\w-]+_[0-9A-Za-z]+", settings.cognito_user_pool_id)
            and re.fullmatch(r"[\w+]+", settings.cognito_client_id or "")):
        raise RuntimeError("COGNITO_USER_POOL_ID or COGNITO_CLIENT_ID is malformed")
    # The session key is read through the secrets cache when used (it rotates); its ARN must be there.
    if in_lambda and settings.stage in ("dev", "prod") and not settings.citizen_session_secret_arn:
        raise RuntimeError("dev and prod need CITIZEN_SESSION_SECRET_ARN")
    if in_lambda and settings.documents_bucket and not re.fullmatch(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]",
                                                                     settings.documents_bucket):
        raise RuntimeError("DOCUMENTS_BUCKET is not a bucket name")
    # Checked where messages are sent, not where the app is packaged (`cdk synth` imports it too).
    if in_lambda and settings.missing_for_sms():
        raise RuntimeError(f"SMS_MODE={settings.sms_mode} needs {', '.join(settings.missing_for_sms())}")
    return settings


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
