"""The office day's pure rules: which operator step may be taken when."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain import booking
from chalicelib.domain.calendar import TEHRAN

START = datetime(2026, 12, 1, 9, 0, tzinfo=TEHRAN)


def test_complete_needs_a_check_in_and_no_show_a_booked_citizen():
    assert booking.allowed("complete", booking.CHECKED_IN)
    assert not booking.allowed("complete", booking.BOOKED)
    assert booking.allowed("no_show", booking.BOOKED) and not booking.allowed("no_show", booking.CHECKED_IN)


@pytest.mark.parametrize("action", ["check_in", "complete", "no_show"])
@pytest.mark.parametrize("now", [START - timedelta(days=2), START - timedelta(hours=10), START + timedelta(days=1),
                                 START + timedelta(hours=15, minutes=1)])
def test_no_step_before_or_after_the_appointment_day(action, now):
    # 00:01 the next day in Tehran (START + 15h01) is already another day.
    assert booking.day_step_refusal(action, START, now, 15) == booking.NOT_THE_DAY


def test_the_day_is_tehran_s_day_whatever_zone_the_clock_reads_in():
    utc = ZoneInfo("UTC")
    assert booking.day_step_refusal("complete", START, START.astimezone(utc), 15) is None
    # 23:00 Tehran the evening before is 19:30 UTC: still the day before.
    evening_before = datetime(2026, 11, 30, 23, 0, tzinfo=TEHRAN).astimezone(utc)
    assert booking.day_step_refusal("complete", START, evening_before, 15) == booking.NOT_THE_DAY


def test_a_no_show_only_after_the_slot_and_its_grace():
    assert booking.day_step_refusal("no_show", START, START + timedelta(minutes=14), 15) == booking.TOO_EARLY
    assert booking.day_step_refusal("no_show", START, START + timedelta(minutes=15), 15) is None
    assert booking.day_step_refusal("no_show", START, START + timedelta(minutes=5), 5) is None
    assert booking.day_step_refusal("no_show", START, START - timedelta(hours=1), 0) == booking.TOO_EARLY


def test_check_in_and_complete_any_time_on_the_day():
    early = START.replace(hour=7)
    assert booking.day_step_refusal("check_in", START, early, 15) is None
    assert booking.day_step_refusal("complete", START, START.replace(hour=23, minute=59), 15) is None
    assert booking.day_step_refusal("cancel", START, START - timedelta(days=3), 15) is None  # the citizen's own step
