"""The citizen's booking and the office's day: bodies and responses."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.schemas.common import (
    ID,
    DateTimeIn,
    InstantOut,
    IranMobile,
    LocalDateOut,
    NationalId,
    OptionalPersianText,
    Out,
    Strict,
)


class HoldIn(Strict):
    office_id: str = Field(pattern=ID)
    service_id: str = Field(pattern=ID)
    start: DateTimeIn


class BookingIn(Strict):
    office_id: str = Field(pattern=ID)
    service_id: str = Field(pattern=ID)
    start: DateTimeIn
    national_id: NationalId
    mobile: IranMobile
    name: OptionalPersianText = Field(default=None, max_length=80)
    hold_id: str | None = Field(default=None, pattern=ID)

    def idempotency_view(self) -> dict:
        """The body as compared for Idempotency-Key reuse."""
        return self.model_dump(mode="json")


class RescheduleIn(Strict):
    start: DateTimeIn


class CheckInIdentityIn(Strict):
    national_id: NationalId | None = None


BookingStatus = Literal["BOOKED", "CHECKED_IN", "COMPLETED", "NO_SHOW", "CANCELLED", "EXCUSED"]


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
    access_code: str | None = Field(
        None, pattern=r"^[2-9A-HJ-NP-Z]{8}$", examples=["7K3M9QX2"],
        description="Shown only in the answer that created the booking and in the confirmation SMS; send it as "
                    "`X-Access-Code`. A retry under the same Idempotency-Key returns the booking without it "
                    "(it is never stored in clear).")


class OfficeDayOut(LocalDateOut):
    office_id: str
    items: list[BookingOut]
