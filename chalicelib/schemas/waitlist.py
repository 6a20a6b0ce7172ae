"""The waitlist: a citizen joins an office's line for a service on a few days, and reads the
offers made to them."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.domain.waitlist import MAX_DAYS
from chalicelib.schemas.bookings import BookedOfficeOut, BookedServiceOut
from chalicelib.schemas.common import ID, DateIn, InstantOut, IranMobile, LocalDateOut, NationalId, Out, Strict


class WaitlistIn(Strict):
    office_id: str = Field(pattern=ID)
    service_id: str = Field(pattern=ID)
    days: list[DateIn] = Field(min_length=1, max_length=MAX_DAYS,
                               description=f"1 to {MAX_DAYS} days in the booking window (from tomorrow on).")
    national_id: NationalId
    mobile: IranMobile = Field(description="Offers go to this mobile by SMS; it must be the session's.")


class WaitlistOfferOut(Out):
    hold_id: str = Field(description="Book it with POST /v1/bookings (`hold_id`, `start`) before `expires`.",
                         examples=["HD7K3M9QX2PLRT"])
    start: InstantOut
    expires: InstantOut


class WaitlistPlaceOut(LocalDateOut):
    status: Literal["WAITING", "OFFERED"]
    offer: WaitlistOfferOut | None = Field(default=None, description="The seat held for you, while the offer stands.")


class WaitlistEntryOut(Out):
    entry_id: str = Field(examples=["WL7K3M9QX2PLRT"])
    office: BookedOfficeOut
    service: BookedServiceOut
    days: list[LocalDateOut]
    joined_at: InstantOut = Field(description="Lines are served in the order citizens joined.")
    places: list[WaitlistPlaceOut] = Field(description="Your place in each coming day's line; a day whose offer "
                                                       "was settled (booked or not taken in time) leaves the list.")


class MyWaitlistOut(Out):
    items: list[WaitlistEntryOut]
