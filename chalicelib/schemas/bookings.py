"""The citizen's booking and the office's day: bodies and responses."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from chalicelib.domain import validators
from chalicelib.domain.text import fold_persian
from chalicelib.schemas.common import ID, DateTimeIn, InstantOut, LocalDateOut, Out, Strict


class HoldIn(Strict):
    office_id: str = Field(pattern=ID)
    service_id: str = Field(pattern=ID)
    start: DateTimeIn


class BookingIn(Strict):
    office_id: str = Field(pattern=ID)
    service_id: str = Field(pattern=ID)
    start: DateTimeIn
    national_id: str
    mobile: str
    name: str | None = Field(default=None, max_length=80)
    hold_id: str | None = Field(default=None, pattern=ID)

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
    start: DateTimeIn


class CheckInIdentityIn(Strict):
    national_id: str | None = None

    @field_validator("national_id", mode="before")
    @classmethod
    def _national_id(cls, value: object) -> str | None:
        return None if value is None else validators.national_id(value)


BookingStatus = Literal["BOOKED", "CHECKED_IN", "COMPLETED", "NO_SHOW", "CANCELLED"]


class HoldOut(InstantOut):
    hold_id: str = Field(examples=["HD7K3M9QX2PLRT"])
    expires: InstantOut
    office_id: str
    service_id: str


class BookedOfficeOut(Out):
    office_id: str
    name_fa: str | None
    name_en: str | None


class BookedServiceOut(Out):
    service_id: str
    name_fa: str | None
    name_en: str | None


class BookingOut(Out):
    booking_id: str = Field(examples=["BK7K3M9QX2PLRT"])
    status: BookingStatus
    office: BookedOfficeOut
    service: BookedServiceOut
    start: InstantOut
    counter: int = Field(ge=1)
    national_id: str = Field(description="Masked.", examples=["*******679"])
    mobile: str = Field(description="Masked.", examples=["+98912*****67"])
    created_at: str = Field(json_schema_extra={"format": "date-time"}, examples=["2026-11-23T10:15:02+03:30"])
    updated_at: str = Field(json_schema_extra={"format": "date-time"})


class BookingCreatedOut(BookingOut):
    access_code: str = Field(pattern=r"^[2-9A-HJ-NP-Z]{8}$", examples=["7K3M9QX2"],
                             description="Shown only here and in the confirmation SMS; send it as `X-Access-Code`.")


class OfficeDayOut(LocalDateOut):
    office_id: str
    items: list[BookingOut]
