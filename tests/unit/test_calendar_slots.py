from datetime import date, datetime, timedelta

import pytest

from chalicelib.domain import booking, calendar, slots

HOURS = {d: [["08:00", "12:00"]] for d in ("sat", "sun", "mon", "tue", "wed")} | {"thu": [["08:00", "10:00"]]}


def test_parse_date_iso_and_jalali():
    assert calendar.parse_date("2026-11-22") == date(2026, 11, 22)
    assert calendar.parse_date("1405/09/01") == date(2026, 11, 22)
    assert calendar.parse_date("۱۴۰۵/۰۹/۰۱") == date(2026, 11, 22)
    assert calendar.parse_date("1405-09-01") == date(2026, 11, 22)
    for bad in ("1405/13/01", "2026-02-30", "yesterday", "1405/12/31"):
        with pytest.raises(ValueError):
            calendar.parse_date(bad)


def test_parse_datetime_defaults_to_tehran():
    moment = calendar.parse_datetime("2026-11-25T09:30")
    assert moment.utcoffset().total_seconds() == 3.5 * 3600
    assert calendar.parse_datetime("1405/09/04 09:30") == moment
    assert calendar.parse_datetime("2026-11-25T06:00Z") == moment
    assert calendar.datetime_out(moment) == {"at": "2026-11-25T09:30+03:30", "jalali": "1405/09/04 09:30"}
    with pytest.raises(ValueError):
        calendar.parse_datetime("1405/09/04 25:00")


def test_work_week_and_holidays():
    # 2026-11-27 is a Friday; 2026-11-26 a Thursday; 2026-11-28 a Saturday.
    assert calendar.opening_intervals(date(2026, 11, 27), HOURS) == []
    assert len(calendar.opening_intervals(date(2026, 11, 26), HOURS)) == 1
    assert calendar.opening_intervals(date(2026, 11, 26), HOURS, thursday_open=False) == []
    assert len(calendar.opening_intervals(date(2026, 11, 28), HOURS)) == 1
    # 22 Bahman 1405 (Revolution Day) falls on a Thursday the office would open: a holiday closes it.
    revolution = calendar.parse_date("1405/11/22")
    assert calendar.weekday_key(revolution) == "thu"
    assert calendar.opening_intervals(revolution, HOURS) == []
    assert len(calendar.opening_intervals(revolution + timedelta(days=7), HOURS)) == 1
    # An office closure closes only that office.
    assert calendar.opening_intervals(date(2026, 11, 28), HOURS, closures=frozenset({date(2026, 11, 28)})) == []


def test_lunar_holidays_move_between_years():
    names = {}
    for h in calendar.holidays_between(date(2026, 3, 21), date(2028, 3, 19)):
        names.setdefault(h.name_en, []).append(h.date)
    ashura = sorted(next(v for k, v in names.items() if "Ashura" in k))
    assert len(ashura) == 2
    # A lunar year is ~354 days: the holiday comes 10-12 days earlier in the next solar year.
    assert 353 <= (ashura[1] - ashura[0]).days <= 356


def test_slot_grid():
    day = date(2026, 11, 28)
    intervals = calendar.opening_intervals(day, HOURS)
    starts = slots.candidate_starts(intervals, 30, 15)
    assert len(starts) == 15 and f"{starts[-1]:%H:%M}" == "11:30"
    assert slots.cells_for(starts[0], 30, 15) == ("08:00", "08:15")
    assert slots.cells_for(starts[0], 10, 15) == ("08:00",)
    taken = {"08:15": {1, 2}}
    assert slots.free_counters(("08:00", "08:15"), 3, taken) == (3,)
    assert slots.is_on_grid(starts[1], intervals, 30, 15)
    assert not slots.is_on_grid(datetime.combine(day, calendar.parse_hhmm("08:05"), calendar.TEHRAN), intervals, 30, 15)


def test_booking_rules():
    assert booking.within_window(date(2026, 11, 23), date(2026, 11, 22), 30)
    assert not booking.within_window(date(2026, 11, 22), date(2026, 11, 22), 30)
    assert not booking.within_window(date(2026, 12, 23), date(2026, 11, 22), 30)
    assert booking.allowed("complete", "CHECKED_IN") and not booking.allowed("cancel", "NO_SHOW")
    code = booking.new_access_code()
    digest = booking.hash_access_code("BK1", code)
    assert booking.access_code_matches("BK1", code.lower(), digest)
    assert not booking.access_code_matches("BK2", code, digest) and not booking.access_code_matches("BK1", None, digest)
    assert booking.citizen_key("0012345679", "p" * 16) != booking.citizen_key("0012345679", "q" * 16)


def test_reminder_time():
    start = datetime(2026, 11, 30, 9, 0, tzinfo=calendar.TEHRAN)
    assert booking.reminder_time(start, start - timedelta(days=3), 24) == start - timedelta(hours=24)
    # Booked the afternoon before: the reminder goes the same morning, two hours ahead.
    assert booking.reminder_time(start, start - timedelta(hours=18), 24) == start - timedelta(hours=2)
    assert booking.reminder_time(start, start - timedelta(hours=2), 24) is None
