"""A citizen proving their mobile (one-time code, session) and reading their own items."""
from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from chalicelib.domain import citizen, remote, validators
from chalicelib.schemas.bookings import BookingOut
from chalicelib.schemas.common import ID, InstantOut, NationalId, Out, Strict
from chalicelib.schemas.remote import RemoteRequestOut

OtpCode = Annotated[str, BeforeValidator(citizen.normalise_code), WithJsonSchema({
    "type": "string", "examples": ["123456", "۱۲۳۴۵۶"],
    "description": "The 6 digits of the SMS; Persian or Arabic-Indic digits accepted."})]


class OtpIn(Strict):
    national_id: NationalId
    mobile: str = Field(description="An Iranian mobile (09…, +989…); abroad, with `country`, a mobile of that "
                                    "country (international or national form).", examples=["09121234567"])
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 of a citizen abroad; default IR.",
                                examples=["DE"])

    @model_validator(mode="before")
    @classmethod
    def _mobile(cls, data: object) -> object:
        # The same rule as a remote request's: Iranian at home, the country's numbering plan abroad,
        # so a citizen abroad proves the mobile their request gives.
        if isinstance(data, dict) and "mobile" in data:
            where = data.get("country") or "IR"
            try:
                return {**data, "mobile": validators.mobile(data["mobile"])}
            except ValueError:
                if not isinstance(where, str) or where.strip().upper() == "IR":
                    raise
                return {**data, "mobile": remote.international_mobile(data["mobile"], remote.country(where))}
        return data


class OtpVerifyIn(Strict):
    challenge_id: str = Field(pattern=ID)
    code: OtpCode


class OtpSentOut(Out):
    challenge_id: str = Field(examples=["OT7K3M9QX2PLRT4MNB8C"])
    expires: InstantOut = Field(description="The code is valid until then.")
    resend_after_seconds: int = Field(ge=0, description="Ask for another code to this mobile after this many seconds.")
    mobile: str = Field(description="Masked.", examples=["+98912*****67"])


class CitizenSessionOut(Out):
    session: str = Field(description="Send it as `Authorization: Bearer <session>` on the citizen's routes.")
    expires: InstantOut
    national_id: str = Field(description="Masked.", examples=["*******899"])
    mobile: str = Field(description="Masked.", examples=["+98912*****67"])


class MyBookingsOut(Out):
    items: list[BookingOut] = Field(description="Live bookings (BOOKED, CHECKED_IN) from today on, soonest first.")


class MyRequestsOut(Out):
    items: list[RemoteRequestOut] = Field(description="Open remote requests and those closed in the last 30 days, "
                                                       "newest first.")
