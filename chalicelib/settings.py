"""One settings module: the environment is read once, validated, and cached.

PynamoDB reads `Meta` at class definition, so the data layer asks for these
settings when its models are first imported; tests and local tools set the
environment before that import.
"""
from __future__ import annotations

import functools
import os
from typing import Literal

from pydantic import BaseModel, Field, ValidationError


class Settings(BaseModel):
    stage: Literal["local", "test", "dev", "prod"] = "local"
    region: str = "me-central-1"
    # None in AWS; http://127.0.0.1:8100 for DynamoDB Local.
    dynamodb_endpoint: str | None = None
    table_prefix: str = "ejso-local"
    # Bounded botocore budget so an unreachable database answers 503 quickly.
    db_connect_timeout_s: float = Field(0.5, gt=0)
    db_read_timeout_s: float = Field(2.0, gt=0)
    db_max_attempts: int = Field(2, ge=1, le=10)

    jwt_signing_key: str = Field("local-only-signing-key-change-me", min_length=16)
    jwt_issuer: str = "ejso-network"
    # Pepper for the citizen key (HMAC of the national ID); never logged.
    citizen_pepper: str = Field("local-only-pepper-change-me", min_length=16)

    booking_horizon_days: int = Field(30, ge=1, le=365)
    hold_minutes: int = Field(5, ge=1, le=30)
    max_active_bookings_per_day: int = Field(2, ge=1, le=20)
    no_show_block_days: int = Field(14, ge=0, le=365)
    slot_grid_minutes: int = Field(15, ge=5, le=60)
    thursday_open: bool = True
    reminder_hours_before: int = Field(24, ge=1, le=72)
    # "log": local and tests record SMS in the log (masked) instead of sending.
    sms_mode: Literal["log", "gateway"] = "log"
    max_body_bytes: int = Field(16_384, ge=1024)
    catalogue_cache_seconds: int = Field(60, ge=0)

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
    "jwt_signing_key": "JWT_SIGNING_KEY",
    "jwt_issuer": "JWT_ISSUER",
    "citizen_pepper": "CITIZEN_PEPPER",
    "booking_horizon_days": "BOOKING_HORIZON_DAYS",
    "hold_minutes": "HOLD_MINUTES",
    "max_active_bookings_per_day": "MAX_ACTIVE_BOOKINGS_PER_DAY",
    "no_show_block_days": "NO_SHOW_BLOCK_DAYS",
    "slot_grid_minutes": "SLOT_GRID_MINUTES",
    "thursday_open": "THURSDAY_OPEN",
    "reminder_hours_before": "REMINDER_HOURS_BEFORE",
    "sms_mode": "SMS_MODE",
    "max_body_bytes": "MAX_BODY_BYTES",
    "catalogue_cache_seconds": "CATALOGUE_CACHE_SECONDS",
}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    values = {field: environ[var] for field, var in _ENV.items() if environ.get(var) not in (None, "")}
    try:
        return Settings(**values)
    except ValidationError as exc:  # fail at cold start, loudly, with the variable names
        raise RuntimeError(f"invalid settings: {exc}") from exc


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
