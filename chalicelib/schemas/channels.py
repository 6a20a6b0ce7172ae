"""Channel shares of the offices' seats (the association's configuration) and the bookings a
partner makes on behalf of a citizen."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from chalicelib.schemas.bookings import BookedOfficeOut, BookedServiceOut, BookingStatus
from chalicelib.schemas.common import ID, DateTimeIn, InstantOut, IranMobile, NationalId, OptionalPersianText, Out, Strict
from chalicelib.schemas.routing import AdoptedParamsOut

Percent = int


class ChannelSharesIn(Strict):
    """Whole percentages of each office-day's seats, adding up to 100."""
    web: Percent = Field(0, ge=0, le=100)
    call_centre_1470: Percent = Field(0, ge=0, le=100)
    consulate: Percent = Field(0, ge=0, le=100)
    court_system: Percent = Field(0, ge=0, le=100)

    @model_validator(mode="after")
    def _hundred(self) -> ChannelSharesIn:
        total = self.web + self.call_centre_1470 + self.consulate + self.court_system
        if total != 100:
            raise ValueError(f"shares must add up to 100, not {total}")
        return self


class ChannelSharesChangeIn(Strict):
    """A new version of the shares over version `expected_number` (the one read): the network
    default and/or offices' overrides (null removes an office's override)."""
    expected_number: int = Field(ge=0)
    network: ChannelSharesIn | None = None
    offices: dict[str, ChannelSharesIn | None] = Field(default_factory=dict, max_length=2000)

    @model_validator(mode="after")
    def _something(self) -> ChannelSharesChangeIn:
        if self.network is None and not self.offices:
            raise ValueError("give network, offices, or both")
        bad = [o for o in self.offices if not re.match(ID, o)]
        if bad:
            raise ValueError(f"not an office id: {bad[0][:40]}")
        return self


class ChannelSharesOut(Out):
    number: int = Field(ge=0, description="The adopted version in force (0: never adopted, all seats to the web).")
    network: dict[str, int] = Field(description="The network default, in percent per channel.")
    offices: dict[str, dict[str, int]] = Field(description="Offices' overrides, in percent per channel.")
    release_hours_before: int = Field(description="Unused partner shares return to the web this long before "
                                                  "the office-day opens (Tehran time).")
    history: list[AdoptedParamsOut]


class ChannelDayOut(Out):
    channel: str
    percent: int
    seats: int = Field(description="The channel's part of the day's seats.")
    used: int = Field(description="Seats its bookings hold.")


class OfficeDaySharesOut(Out):
    office_id: str
    date: str
    seats: int = Field(description="Counters open to bookings × grid steps of the opening hours.")
    release_at: InstantOut | None
    released: bool
    channels: list[ChannelDayOut]


class PartnerBookingIn(Strict):
    """A partner books an in-person appointment on behalf of a citizen. The national ID and
    mobile are used for the booking and its SMS; the answer never repeats them."""
    office_id: str = Field(pattern=ID)
    service_id: str = Field(pattern=ID)
    start: DateTimeIn
    national_id: NationalId
    mobile: IranMobile
    name: OptionalPersianText = Field(default=None, max_length=80)
    partner_ref: str = Field(pattern=r"^[A-Za-z0-9\-_:/]{1,80}$")


class PartnerBookingOut(Out):
    booking_id: str = Field(examples=["BK7K3M9QX2PLRT"])
    status: BookingStatus
    channel: Literal["call_centre_1470", "consulate", "court_system"]
    partner_ref: str | None
    office: BookedOfficeOut
    service: BookedServiceOut
    start: InstantOut
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    updated_at: str = Field(json_schema_extra={"format": "date-time"})
