"""The pure rules of a closed day: names never empty, which bookings an office short of counters
keeps (the earliest booked), and the rebooking link (public identifiers only)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from chalicelib.domain import closures
from chalicelib.domain.booking import BOOKED, CANCELLED, CHECKED_IN, Booking
from chalicelib.domain.calendar import TEHRAN

DAY = date(2026, 12, 1)
T0 = datetime(2026, 11, 25, 10, 0, tzinfo=TEHRAN)


def booking(n: int, counter: int, cells=("09:00",), status=BOOKED, booked_minutes_later: int | None = None) -> Booking:
    created = T0 + timedelta(minutes=n if booked_minutes_later is None else booked_minutes_later)
    start = datetime(2026, 12, 1, int(cells[0][:2]), int(cells[0][3:]), tzinfo=TEHRAN)
    return Booking(f"BK{n}", "OF-A", "S0001", DAY, start, tuple(cells), counter, status, f"cz{n}", "******0001",
                   "09120000001", None, "h", created_at=created, updated_at=created)


def test_a_closed_day_always_has_both_names():
    assert closures.day_name("", "  ", closures.OFFICE_CLOSED) == closures.DayName(*closures.OFFICE_CLOSED)
    assert closures.day_name(None, "تعمیرات", closures.OFFICE_CLOSED) == closures.DayName("Office closed", "تعمیرات")
    assert closures.day_name("Repairs", "تعمیرات", closures.NETWORK_CLOSED) == closures.DayName("Repairs", "تعمیرات")
    for en, fa in (closures.OFFICE_CLOSED, closures.NETWORK_CLOSED, closures.FEWER_COUNTERS):
        assert en.strip() and fa.strip()


def test_nothing_changes_when_the_bookings_fit():
    cut = closures.cut_to_counters([booking(1, 1), booking(2, 2)], 2)
    assert cut.cancel == () and cut.moves == {}


def test_the_latest_booked_go_first_and_the_kept_move_off_a_vanished_counter():
    # Three counters became one; in the 09:00 cell the first booked (on counter 3) is kept and
    # moves to counter 1, the two later ones go whatever counter they held.
    early, middle, late = booking(1, 3), booking(2, 1), booking(3, 2)
    cut = closures.cut_to_counters([late, middle, early], 1)
    assert [b.booking_id for b in cut.cancel] == ["BK2", "BK3"]
    assert cut.moves == {"BK1": 1}


def test_a_booking_keeps_its_own_counter_when_it_still_exists():
    cut = closures.cut_to_counters([booking(1, 2), booking(2, 1, cells=("10:00",)), booking(3, 3, cells=("10:00",))], 2)
    assert cut.cancel == () and cut.moves == {"BK3": 2}


def test_two_cell_bookings_need_one_counter_free_in_both_cells():
    first = booking(1, 1, cells=("09:00", "09:15"))
    second = booking(2, 2, cells=("09:15", "09:30"))
    third = booking(3, 3, cells=("09:30",))
    cut = closures.cut_to_counters([first, second, third], 2)
    assert cut.cancel == () and cut.moves == {"BK3": 1}
    cut = closures.cut_to_counters([first, second, third], 1)
    assert [b.booking_id for b in cut.cancel] == ["BK2"] and cut.moves == {"BK3": 1}


def test_checked_in_citizens_keep_their_seat_and_finished_ones_free_theirs():
    served = booking(1, 1, status=CHECKED_IN)
    gone = booking(2, 2, status=CANCELLED)
    waiting = booking(3, 3)
    cut = closures.cut_to_counters([served, gone, waiting], 1)
    assert [b.booking_id for b in cut.cancel] == ["BK3"]
    assert closures.cut_to_counters([gone, waiting], 1).moves == {"BK3": 1}


def test_ties_in_booking_time_are_broken_by_id_so_reruns_agree():
    a, b = booking(7, 1, booked_minutes_later=5), booking(6, 2, booked_minutes_later=5)
    assert [x.booking_id for x in closures.cut_to_counters([a, b], 1).cancel] == ["BK7"]
    assert [x.booking_id for x in closures.cut_to_counters([b, a], 1).cancel] == ["BK7"]


def test_the_rebooking_link_carries_only_public_identifiers():
    link = closures.rebook_link("https://nobat.example.ir/", "OF-A", "S0001")
    assert link == "https://nobat.example.ir/offices/OF-A/services/S0001/days"
    assert closures.rebook_link("http://127.0.0.1:8000", "OF/../x", "S 1").endswith("/offices/OF%2F..%2Fx/services/S%201/days")


def test_a_booking_whose_time_has_come_keeps_its_seat():
    waiting = booking(1, 2, cells=("09:15",))  # booked first, starts at 09:15
    begun = booking(2, 1, cells=("09:00", "09:15"))  # booked later, started at 09:00
    assert closures.cut_to_counters([waiting, begun], 1).cancel == (begun,)  # by booking order alone
    five_past = datetime(2026, 12, 1, 9, 5, tzinfo=TEHRAN)
    cut = closures.cut_to_counters([waiting, begun], 1, now=five_past)
    assert cut.cancel == (waiting,) and cut.moves == {}  # the begun one is left alone, on its counter
    assert closures.started(begun, five_past) and not closures.started(waiting, five_past)
