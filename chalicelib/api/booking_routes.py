"""Citizens' routes: hold a slot, book it, read, cancel or reschedule with the access code.
The access code travels in the X-Access-Code header, never in the URL."""
from __future__ import annotations

from chalicelib.api.http import Reply, Routes
from chalicelib.schemas import BookingCreatedOut, BookingIn, BookingOut, HoldIn, HoldOut, RescheduleIn
from chalicelib.services import bookings

api = Routes(__name__, tag="bookings")
ACCESS_CODE = ("X-Access-Code",)


@api.post("/holds", response=HoldOut, body=HoldIn, status=201, problems=(404, 409))
def create_hold(body: HoldIn):
    return bookings.hold(body)


@api.post("/bookings", response=BookingCreatedOut, body=BookingIn, idempotency="optional", status=201,
          problems=(404, 409))
def create_booking(body: BookingIn, idempotency_key: str | None):
    result = bookings.book(body, idempotency_key, lambda_context=api.lambda_context)
    return Reply(result, 201, {"Location": f"/v1/bookings/{result['booking_id']}"})


@api.get("/bookings/{booking_id}", response=BookingOut, headers=ACCESS_CODE, problems=(404,))
def read_booking(booking_id):
    return bookings.read(booking_id, api.header("X-Access-Code"))


@api.post("/bookings/{booking_id}/cancel", response=BookingOut, headers=ACCESS_CODE, problems=(404, 409))
def cancel_booking(booking_id):
    return bookings.cancel(booking_id, api.header("X-Access-Code"))


@api.post("/bookings/{booking_id}/reschedule", response=BookingOut, body=RescheduleIn, headers=ACCESS_CODE,
          problems=(404, 409))
def reschedule_booking(booking_id, body: RescheduleIn):
    return bookings.reschedule(booking_id, api.header("X-Access-Code"), body)
