"""Bodies of the citizen's booking and the office's check-in."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from chalicelib.domain import validators
from chalicelib.domain.text import fold_persian
from chalicelib.schemas.common import ID, Strict, instant


class HoldIn(Strict):
    office_id: str = Field(pattern=ID)
    service_id: str = Field(pattern=ID)
    start: datetime

    _start = field_validator("start", mode="before")(instant)


class BookingIn(Strict):
    office_id: str = Field(pattern=ID)
    service_id: str = Field(pattern=ID)
    start: datetime
    national_id: str
    mobile: str
    name: str | None = Field(default=None, max_length=80)
    hold_id: str | None = Field(default=None, pattern=ID)

    _start = field_validator("start", mode="before")(instant)

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


class RescheduleIn(Strict):
    start: datetime

    _start = field_validator("start", mode="before")(instant)


class CheckInIdentityIn(Strict):
    national_id: str | None = None

    @field_validator("national_id", mode="before")
    @classmethod
    def _national_id(cls, value: object) -> str | None:
        return None if value is None else validators.national_id(value)

