"""Citizens' routes: hold a slot, book it, read, cancel or reschedule with the access code.
The access code travels in the X-Access-Code header, never in the URL."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import ANY_CONTENT, body, handled, header, idempotency_key, json_response
from chalicelib.dal import idempotency
from chalicelib.schemas import BookingRequest, HoldRequest, RescheduleRequest
from chalicelib.services import bookings

bp = Blueprint(__name__)
@bp.route("/v1/holds", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def create_hold():
    return json_response(bookings.hold(body(bp, HoldRequest)), 201)


@bp.route("/v1/bookings", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def create_booking():
    key = idempotency_key(bp, required=False)
    req = body(bp, BookingRequest)
    idempotency.register_context(bp.lambda_context)
    result = bookings.book(req, key)
    return json_response(result, 201, {"Location": f"/v1/bookings/{result['booking_id']}"})


@bp.route("/v1/bookings/{booking_id}", methods=["GET"])
@handled(bp)
def read_booking(booking_id):
    return json_response(bookings.read(booking_id, header(bp, "X-Access-Code")))


@bp.route("/v1/bookings/{booking_id}/cancel", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def cancel_booking(booking_id):
    return json_response(bookings.cancel(booking_id, header(bp, "X-Access-Code")))


@bp.route("/v1/bookings/{booking_id}/reschedule", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def reschedule_booking(booking_id):
    return json_response(bookings.reschedule(booking_id, header(bp, "X-Access-Code"), body(bp, RescheduleRequest)))
