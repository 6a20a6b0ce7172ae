"""What every schema shares: the strict base of bodies and queries, identifiers, dates and paging."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator

from chalicelib.domain import calendar, validators
from chalicelib.domain.text import fold_persian, to_latin_digits

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


# A citizen's identifiers and free Persian text, checked and normalised the same way in every body.
NationalId = Annotated[str, BeforeValidator(validators.national_id)]  # 10 digits with a valid check digit
IranMobile = Annotated[str, BeforeValidator(validators.mobile)]  # 09xxxxxxxxx -> +989xxxxxxxxx
PersianText = Annotated[str, AfterValidator(fold_persian)]  # Arabic ي/ك folded to Persian ی/ک
OptionalPersianText = Annotated[str | None, AfterValidator(lambda text: fold_persian(text) if text else None)]

DATE_EXAMPLES = ["1405/09/01", "2026-11-22", "۱۴۰۵/۰۹/۰۱"]
DATETIME_EXAMPLES = ["1405/09/10 09:30", "2026-12-01T09:30+03:30", "2026-12-01T09:30", "۱۴۰۵/۰۹/۱۰ ۰۹:۳۰"]
# What clients may send: the contract documents the accepted text, not pydantic's ISO-only formats.
DateIn = Annotated[date, BeforeValidator(day), WithJsonSchema({
    "type": "string", "examples": DATE_EXAMPLES,
    "description": "ISO `2026-11-22` or Jalali `1405/09/01` (a year below 1700 is Jalali); Persian digits accepted."})]
DateTimeIn = Annotated[datetime, BeforeValidator(instant), WithJsonSchema({
    "type": "string", "examples": DATETIME_EXAMPLES,
    "description": "An instant in Asia/Tehran: ISO 8601 (`2026-12-01T09:30+03:30`; without an offset it is Tehran "
                   "time) or Jalali `1405/09/10 09:30`. Persian digits accepted."})]


class PageQuery(Strict):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: int = Field(default=0, ge=0)

    @field_validator("limit", "cursor", mode="before")
    @classmethod
    def _digits(cls, value: object) -> object:
        return to_latin_digits(value) if isinstance(value, str) else value


def _open(schema: dict) -> None:
    schema.pop("additionalProperties", None)


class Out(BaseModel):
    """Responses: a key the use case did not give is not written (`exclude_unset`), so optional
    keys stay optional. An unknown key is a bug here (`extra="forbid"`), but the contract does not
    forbid clients new keys (`additionalProperties` left open), so adding one is not breaking."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True, json_schema_extra=_open)


# A JSON number written as the use case computed it (an int stays an int).
Number = Annotated[int | float, WithJsonSchema({"type": "number"})]


class LocalDateOut(Out):
    """A date in both calendars."""
    date: str = Field(json_schema_extra={"format": "date"}, examples=["2026-11-22"])
    jalali: str = Field(pattern=r"^\d{4}/\d{2}/\d{2}$", examples=["1405/09/01"])


class InstantOut(Out):
    """An instant in Asia/Tehran, ISO (minutes, with offset) and Jalali."""
    at: str = Field(examples=["2026-11-25T09:30+03:30"])
    jalali: str = Field(examples=["1405/09/04 09:30"])


class PageInfoOut(Out):
    total: int = Field(description="Matches in all pages.")
    next_cursor: int | None = Field(description="The `cursor` of the next page; null on the last page.")


class FieldErrorOut(Out):
    field: str = Field(description="The field, dotted for nested ones; `body` for the whole body.",
                       examples=["national_id"])
    message: str = Field(examples=["national ID check digit does not match"])
    message_fa: str = Field(examples=["کد ملی نامعتبر است"])


class Problem(Out):
    """An RFC 9457 problem with Persian title and detail beside the English ones."""
    type: str = Field(description="`https://ejso.ir/problems/{kind}`; the kind is stable and meant for code.",
                      json_schema_extra={"format": "uri"}, examples=["https://ejso.ir/problems/slot-full"])
    title: str
    title_fa: str
    status: int = Field(ge=400, le=599)
    detail: str
    detail_fa: str
    instance: str | None = Field(default=None, description="The request path.", examples=["/v1/bookings"])
    errors: list[FieldErrorOut] | None = None
    tries_left: int | None = Field(default=None, ge=0, description="`otp-wrong-code` only: tries left on this code.")
