"""What every schema shares: the strict base of bodies and queries, identifiers, dates and paging."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.domain import calendar
from chalicelib.domain.text import to_latin_digits

ID = r"^[A-Za-z0-9\-_]{1,40}$"


class Strict(BaseModel):
    """Bodies and queries: unknown fields are refused, strings trimmed, values frozen."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def instant(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    return calendar.parse_datetime(value)  # type: ignore[arg-type]


def day(value: object) -> date:
    return value if isinstance(value, date) else calendar.parse_date(value)  # type: ignore[arg-type]


class PageQuery(Strict):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: int = Field(default=0, ge=0)

    @field_validator("limit", "cursor", mode="before")
    @classmethod
    def _digits(cls, value: object) -> object:
        return to_latin_digits(value) if isinstance(value, str) else value

