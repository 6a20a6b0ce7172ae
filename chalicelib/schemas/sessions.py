"""Remote sessions: the session slots query, the citizen's booking body, the office's steps and
what they answer."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from chalicelib.domain import remote
from chalicelib.domain import sessions as session_rules
from chalicelib.schemas.bookings import BookingOut
from chalicelib.schemas.catalogue import DayQuery
from chalicelib.schemas.channels import PartnerBookingOut
from chalicelib.schemas.common import (
    ID,
    DateIn,
    DateTimeIn,
    InstantOut,
    LocalDateOut,
    NationalId,
    OptionalPersianText,
    Out,
    Strict,
)
from chalicelib.schemas.remote import mobile_at_home_or_abroad

ContactMode = Literal["video", "phone"]
ZONE_EXAMPLES = ["Europe/Berlin", "America/Toronto", "Asia/Tehran"]


def _zone(value: object) -> str:
    session_rules.zone(value)
    return str(value).strip()


class SessionSlotQuery(Strict):
    service: str = Field(pattern=ID)
    date: DateIn
    tz: str = Field(default="Asia/Tehran", examples=ZONE_EXAMPLES,
                    description="The citizen's IANA time zone: each slot is also shown in it.")

    @field_validator("tz", mode="before")
    @classmethod
    def _tz(cls, value: object) -> str:
        return _zone(value)


class SessionIn(Strict):
    """A citizen books a session slot: the contact mode, their own time zone (their SMS and views
    show the time there) and, for a citizen abroad, the country of their mobile."""
    office_id: str = Field(pattern=ID)
    service_id: str = Field(pattern=ID)
    start: DateTimeIn
    contact: ContactMode
    time_zone: str = Field(default="Asia/Tehran", examples=ZONE_EXAMPLES)
    national_id: NationalId
    country: str = "IR"  # before `mobile`: the mobile is checked by the country's rules
    mobile: str
    name: OptionalPersianText = Field(default=None, max_length=80)

    @field_validator("time_zone", mode="before")
    @classmethod
    def _time_zone(cls, value: object) -> str:
        return _zone(value)

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: object) -> str:
        return remote.country(value)

    @field_validator("mobile", mode="before")
    @classmethod
    def _mobile(cls, value: object, info: ValidationInfo) -> str:
        return mobile_at_home_or_abroad(value, info)  # as a remote request's, at home or abroad

    def idempotency_view(self) -> dict:
        return self.model_dump(mode="json")


class SessionConfirmIn(Strict):
    join: str = Field(min_length=1, max_length=500, examples=["https://meet.example.ir/r/7K3M9QX2", "02188776655"],
                      description="A video session: the https link the citizen joins by. A phone session: the "
                                  "number the office will call from.")


class SessionCompleteIn(Strict):
    note: OptionalPersianText = Field(default=None, max_length=session_rules.MAX_NOTE,
                                      description="The outcome of the session, for the office's record.")


class OfficeSessionQuery(DayQuery):
    """One day (default today)."""


class ZonedOut(Out):
    """An instant in the citizen's own time zone."""
    at: str = Field(examples=["2027-03-28T09:30+02:00"], description="ISO with the zone's offset that day.")
    jalali: str = Field(examples=["1406/01/08 09:30"], description="The Jalali date and time in that zone.")
    zone: str = Field(examples=ZONE_EXAMPLES)
    label_fa: str = Field(examples=["۱۴۰۶/۰۱/۰۸ ۰۹:۳۰ (Europe/Berlin, UTC+۰۲:۰۰)"],
                          description="Persian digits, with the zone and its offset.")


class SessionSlotOut(Out):
    start: InstantOut = Field(description="In Asia/Tehran (the office's time).")
    local: ZonedOut = Field(description="In the citizen's zone (`tz`).")
    free: int = Field(ge=1, description="Free remote counters at this start.")


class SessionSlotsOut(LocalDateOut):
    office_id: str
    service_id: str
    open: bool = Field(description="False on the office's closed days.")
    time_zone: str
    duration_min: int
    contact_modes: list[ContactMode]
    slots: list[SessionSlotOut]


class SessionOut(BookingOut):
    kind: Literal["session"]
    contact: ContactMode
    time_zone: str
    local: ZonedOut = Field(description="The start in the citizen's own zone.")
    ends: InstantOut
    confirmed: bool = Field(description="The office sent the join details.")
    join: str | None = Field(description="Once confirmed: the video link, or the number the office calls from.")
    note: str | None = Field(None, description="The office's outcome note (the office's view only).")


class SessionCreatedOut(SessionOut):
    access_code: str | None = Field(
        None, pattern=r"^[2-9A-HJ-NP-Z]{8}$", examples=["7K3M9QX2"],
        description="Shown only in the answer that created the session and in its SMS; send it as `X-Access-Code`.")


class OfficeSessionsOut(LocalDateOut):
    office_id: str
    items: list[SessionOut]


class PartnerSessionIn(SessionIn):
    """A partner (the 1470 network, a consulate) books a session on behalf of a citizen, with its
    own reference. The national ID and mobile serve the booking and its SMS; the answer never
    repeats them."""
    partner_ref: str = Field(pattern=r"^[A-Za-z0-9\-_:/]{1,80}$")


class PartnerSessionOut(PartnerBookingOut):
    """What the partner reads: the session and its times, without the citizen's identifiers, the
    access code or the join details (those go to the citizen by SMS)."""
    kind: Literal["session"]
    contact: ContactMode
    time_zone: str
    local: ZonedOut = Field(description="The start in the citizen's own zone.")
    confirmed: bool
