"""An operator's steps through the API on DynamoDB Local: nothing is completed or marked a
no-show ahead of its day, nothing completed without a check-in, and check-in re-verifies the
citizen's national ID. The clock is moved to the appointment's day where a test needs it."""
from __future__ import annotations

import json

import pytest

from chalicelib.dal import booking_store
from chalicelib.domain import calendar
from chalicelib.schemas import BookingIn
from chalicelib.services import bookings
from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.support import as_operator, post, problem


def book(n: int, hhmm: str = "09:00") -> str:
    return bookings.book(BookingIn(office_id="OF-A", service_id="S0001", start=at(next_open_day(), hhmm).isoformat(),
                                   national_id=national_id(n), mobile=mobile(n)))["booking_id"]


def step(client, booking_id: str, action: str, body: dict | None = None):
    return post(client, f"/v1/office/bookings/{booking_id}/{action}", body, as_operator("OF-A"))


def status(booking_id: str) -> str:
    return booking_store.get_booking(booking_id).status


@pytest.fixture()
def clock(monkeypatch):
    """Set the API's Tehran clock to a time on the appointment day."""
    day = next_open_day()  # read before the clock moves: it counts from today

    def at_time(hhmm: str):
        moment = at(day, hhmm)
        monkeypatch.setattr(calendar, "now_tehran", lambda: moment)
    return at_time


def test_a_future_booking_cannot_be_completed_or_marked_no_show(client):
    booking_id = book(1)
    for action, detail in (("complete", "completed only on the day"), ("no-show", "no-show can be recorded only on")):
        doc = problem(step(client, booking_id, action), 409, "invalid-transition")
        assert detail in doc["detail"] and doc["detail_fa"], doc
    assert status(booking_id) == "BOOKED"


def test_on_the_day_complete_needs_a_check_in_with_the_right_national_id(client, clock):
    booking_id = book(2)
    clock("09:05")
    assert "Check the citizen in" in problem(step(client, booking_id, "complete"), 409, "invalid-transition")["detail"]
    missing = problem(step(client, booking_id, "check-in"), 422, "invalid-input")
    assert "national ID" in missing["detail"] and "کد ملی" in missing["detail_fa"]
    wrong = problem(step(client, booking_id, "check-in", {"national_id": national_id(3)}), 422, "invalid-input")
    assert "does not match" in wrong["detail"] and "مطابقت" in wrong["detail_fa"]
    assert status(booking_id) == "BOOKED"
    checked = step(client, booking_id, "check-in", {"national_id": national_id(2)})
    assert checked.status_code == 200 and json.loads(checked.body)["status"] == "CHECKED_IN"
    done = step(client, booking_id, "complete")
    assert done.status_code == 200 and json.loads(done.body)["status"] == "COMPLETED"
    assert status(booking_id) == "COMPLETED"


def test_a_no_show_only_after_the_slot_and_its_grace(client, clock):
    booking_id = book(4, "10:00")
    clock("10:10")
    assert "after the appointment time" in problem(step(client, booking_id, "no-show"), 409)["detail"]
    assert status(booking_id) == "BOOKED"
    clock("10:15")
    marked = step(client, booking_id, "no-show")
    assert marked.status_code == 200, marked.body
    assert status(booking_id) == "NO_SHOW"
