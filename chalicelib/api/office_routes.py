"""Operators' routes (JWT bearer): the office's day, one of its bookings, check-in, complete, no-show."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.auth import Operator
from chalicelib.api.callers import OPERATOR
from chalicelib.api.http import Routes, lazy

if TYPE_CHECKING:
    from chalicelib.schemas import CheckInIdentityIn, DayQuery

office_day = lazy("chalicelib.services.office_day")

api = Routes(__name__, tag="office")


@api.get("/office/bookings", response="OfficeDayOut", auth=OPERATOR, query="DayQuery", problems=(404,), etag=True)
def todays_bookings(caller: Operator, query: DayQuery):
    return office_day.day_list(caller.office_id, query.date)


@api.get("/office/bookings/{booking_id}", response="BookingOut", auth=OPERATOR, problems=(404,))
def office_booking(booking_id, caller: Operator):
    return office_day.read(caller.office_id, booking_id)


@api.post("/office/bookings/{booking_id}/check-in", response="CheckedInOut", auth=OPERATOR, body="CheckInIdentityIn",
          body_required=False, problems=(404, 409))
def check_in(booking_id, caller: Operator, body: CheckInIdentityIn):
    return office_day.act(caller.office_id, caller.operator_id, booking_id, "check_in", national_id=body.national_id)


@api.post("/office/bookings/{booking_id}/complete", response="BookingOut", auth=OPERATOR, problems=(404, 409))
def complete(booking_id, caller: Operator):
    return office_day.act(caller.office_id, caller.operator_id, booking_id, "complete")


@api.post("/office/bookings/{booking_id}/no-show", response="BookingOut", auth=OPERATOR, problems=(404, 409))
def no_show(booking_id, caller: Operator):
    return office_day.act(caller.office_id, caller.operator_id, booking_id, "no_show")
