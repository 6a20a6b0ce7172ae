"""Request bodies of the public contract (validated with pydantic, then handed to use cases)."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chalicelib.domain import calendar, validators
from chalicelib.domain.text import fold_persian, to_latin_digits

_ID = r"^[A-Za-z0-9\-_]{1,40}$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _when(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    return calendar.parse_datetime(value)  # type: ignore[arg-type]


class HoldRequest(_Body):
    office_id: str = Field(pattern=_ID)
    service_id: str = Field(pattern=_ID)
    start: datetime

    _start = field_validator("start", mode="before")(_when)


class BookingRequest(_Body):
    office_id: str = Field(pattern=_ID)
    service_id: str = Field(pattern=_ID)
    start: datetime
    national_id: str
    mobile: str
    name: str | None = Field(default=None, max_length=80)
    hold_id: str | None = Field(default=None, pattern=_ID)

    _start = field_validator("start", mode="before")(_when)

    @field_validator("national_id", mode="before")
    @classmethod
    def _national_id(cls, value: object) -> str:
        return validators.national_id(value)

    @field_validator("mobile", mode="before")
    @classmethod
    def _mobile(cls, value: object) -> str:
        return validators.mobile(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return fold_persian(value) if value else None

    def idempotency_view(self) -> dict:
        """The body as compared for Idempotency-Key reuse."""
        return self.model_dump(mode="json")


class RescheduleRequest(_Body):
    start: datetime

    _start = field_validator("start", mode="before")(_when)


class CheckInRequest(_Body):
    national_id: str | None = None

    @field_validator("national_id", mode="before")
    @classmethod
    def _national_id(cls, value: object) -> str | None:
        return None if value is None else validators.national_id(value)


class SlotQuery(_Body):
    service: str = Field(pattern=_ID)
    date: date

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> date:
        return value if isinstance(value, date) else calendar.parse_date(value)  # type: ignore[arg-type]


class Page(_Body):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: int = Field(default=0, ge=0)

    @field_validator("limit", "cursor", mode="before")
    @classmethod
    def _digits(cls, value: object) -> object:
        return to_latin_digits(value) if isinstance(value, str) else value


class CalendarCorrection(_Body):
    """The association closes (or re-opens) a day for the whole network."""
    closed: bool
    name_en: str = Field(default="", max_length=80)
    name_fa: str = Field(default="", max_length=80)

    @field_validator("name_fa")
    @classmethod
    def _name_fa(cls, value: str) -> str:
        return fold_persian(value)


class SuggestionQuery(_Body):
    """Where a citizen is (lat/lon, or a city by name) and what they need."""
    service: str = Field(pattern=_ID)
    mode: str | None = Field(default=None, pattern=r"^(in_person|remote)$")
    lat: float | None = Field(default=None, ge=24.0, le=40.5)  # Iran's bounding box
    lon: float | None = Field(default=None, ge=44.0, le=63.5)
    city: str | None = Field(default=None, min_length=2, max_length=60)
    limit: int = Field(default=3, ge=1, le=10)

    @field_validator("lat", "lon", "limit", mode="before")
    @classmethod
    def _digits(cls, value: object) -> object:
        return to_latin_digits(value).replace("٫", ".") if isinstance(value, str) else value

    @field_validator("city")
    @classmethod
    def _city(cls, value: str | None) -> str | None:
        return fold_persian(value) if value else value

    @model_validator(mode="after")
    def _both(self) -> SuggestionQuery:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")
        return self


class RoutingParamsChange(_Body):
    """The association adopts new routing parameters: the changed values, on top of version
    `expected_number` (the one it read), which must still be current."""
    expected_number: int = Field(ge=0)
    changes: dict[str, float | int] = Field(min_length=1)
