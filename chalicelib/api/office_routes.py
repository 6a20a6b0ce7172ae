"""Operators' routes (JWT bearer): the office's day, check-in, complete, no-show."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.auth import operator_from
from chalicelib.api.http import ANY_CONTENT, body, handled, header, json_response
from chalicelib.domain import calendar
from chalicelib.errors import InvalidInput
from chalicelib.schemas import CheckInRequest
from chalicelib.services import office_day

bp = Blueprint(__name__)


def _operator():
    return operator_from(header(bp, "Authorization"))


@bp.route("/v1/office/bookings", methods=["GET"])
@handled(bp)
def todays_bookings():
    operator = _operator()
    raw = (bp.current_request.query_params or {}).get("date")
    try:
        day = calendar.parse_date(raw) if raw else None
    except ValueError as exc:
        raise InvalidInput(str(exc), "تاریخ نامعتبر است") from exc
    return json_response(office_day.day_list(operator.office_id, day))


def _act(booking_id: str, action: str, national_id: str | None = None):
    operator = _operator()
    return json_response(office_day.act(operator.office_id, operator.operator_id, booking_id, action,
                                        national_id=national_id))


@bp.route("/v1/office/bookings/{booking_id}/check-in", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def check_in(booking_id):
    _operator()  # authenticate before reading the body
    req = body(bp, CheckInRequest) if bp.current_request.raw_body else CheckInRequest()
    return _act(booking_id, "check_in", req.national_id)


@bp.route("/v1/office/bookings/{booking_id}/complete", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def complete(booking_id):
    return _act(booking_id, "complete")


@bp.route("/v1/office/bookings/{booking_id}/no-show", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def no_show(booking_id):
    return _act(booking_id, "no_show")
