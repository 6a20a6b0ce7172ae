"""Citizens' routes: hold a slot and book it with the citizen's session (a verified mobile);
read, cancel or reschedule with the access code or that session. The access code travels in the
X-Access-Code header, never in the URL."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.callers import BOOKING_REFUSALS, CITIZEN, CITIZEN_IF_ANY
from chalicelib.api.http import Reply, Routes, lazy

if TYPE_CHECKING:
    from chalicelib.domain.citizen import CitizenSession
    from chalicelib.schemas import BookingIn, HoldIn, RescheduleIn

bookings = lazy("chalicelib.services.bookings")

api = Routes(__name__, tag="bookings")
ACCESS_CODE = ("X-Access-Code",)  # or the citizen's session


@api.post("/holds", response="HoldOut", body="HoldIn", auth=CITIZEN, status=201, problems=(404, 409, 429),
          limit="hold-client")
def create_hold(body: HoldIn, caller: CitizenSession):
    return bookings.hold(body, session=caller)


@api.post("/bookings", response="BookingCreatedOut", body="BookingIn", auth=CITIZEN, idempotency="optional",
          status=201, problems=(403, 404, 409), limit=BOOKING_REFUSALS)
def create_booking(body: BookingIn, idempotency_key: str | None, caller: CitizenSession):
    result = bookings.book(body, idempotency_key, session=caller)
    return Reply(result, 201, {"Location": f"/v1/bookings/{result['booking_id']}"})


@api.get("/bookings/{booking_id}", response="BookingOut", auth=CITIZEN_IF_ANY, optional_headers=ACCESS_CODE,
         problems=(404,))
def read_booking(booking_id, caller: CitizenSession | None):
    return bookings.read(booking_id, api.header("X-Access-Code"), session=caller)


@api.post("/bookings/{booking_id}/cancel", response="BookingOut", auth=CITIZEN_IF_ANY, optional_headers=ACCESS_CODE,
          problems=(404, 409))
def cancel_booking(booking_id, caller: CitizenSession | None):
    return bookings.cancel(booking_id, api.header("X-Access-Code"), session=caller)


@api.post("/bookings/{booking_id}/reschedule", response="BookingOut", body="RescheduleIn", auth=CITIZEN_IF_ANY,
          optional_headers=ACCESS_CODE, problems=(404, 409))
def reschedule_booking(booking_id, body: RescheduleIn, caller: CitizenSession | None):
    return bookings.reschedule(booking_id, api.header("X-Access-Code"), body, session=caller)
