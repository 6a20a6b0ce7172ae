"""A citizen proves their mobile: ask for a one-time code by SMS, verify it for a short session,
and with that session read their own live bookings and remote requests (which is also how a lost
access code is recovered). No national ID or mobile ever travels in a URL."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.callers import CITIZEN
from chalicelib.api.http import Routes, client_address, lazy

if TYPE_CHECKING:
    from chalicelib.domain.citizen import CitizenSession
    from chalicelib.schemas import OtpIn, OtpVerifyIn

bookings = lazy("chalicelib.services.bookings")
citizens = lazy("chalicelib.services.citizens")
remote_requests = lazy("chalicelib.services.remote_requests")

api = Routes(__name__, tag="citizens")


@api.post("/otp", response="OtpSentOut", body="OtpIn", status=202, problems=(429,))
def send_otp(body: OtpIn):
    return citizens.send_code(body, client_address(api.current_request))


@api.post("/otp/verify", response="CitizenSessionOut", body="OtpVerifyIn", problems=(410,))
def verify_otp(body: OtpVerifyIn):
    return citizens.verify_code(body)


@api.get("/me/bookings", response="MyBookingsOut", auth=CITIZEN)
def my_bookings(caller: CitizenSession):
    return bookings.of_citizen(caller.citizen_key)


@api.get("/me/requests", response="MyRequestsOut", auth=CITIZEN)
def my_requests(caller: CitizenSession):
    return remote_requests.of_citizen(caller.citizen_key)
