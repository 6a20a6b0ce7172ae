"""The front desk's pure rules: call-next order, the walk-in cap (with a property test over random
arrival sequences), ticket labels, the office's pace and the live wait estimate."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import desk
from chalicelib.domain.calendar import TEHRAN
from chalicelib.domain.desk import APPOINTMENT, WAITING, WALK_IN, DeskRules, Ticket, pick_next

DAY = date(2026, 11, 29)
T0 = datetime(2026, 11, 29, 9, 0, tzinfo=TEHRAN)
RULES = DeskRules(walk_in_cap=2, grace_minutes=15, early_minutes=5)


def walk_in(number: int, at: datetime) -> Ticket:
    return Ticket("O1", DAY, number, WALK_IN, "S1", WAITING, at)


def appointment(number: int, due: datetime, checked_in: datetime) -> Ticket:
    return Ticket("O1", DAY, number, APPOINTMENT, "S1", WAITING, checked_in, due=due, booking_id=f"BK{number}")


def calls(tickets: list[Ticket], now: datetime, rules: DeskRules = RULES) -> list[tuple[int, str]]:
    """Call until nobody waits (all at `now`): the numbers in call order and why."""
    waiting, streak, order = list(tickets), 0, []
    while (pick := pick_next(waiting, streak, now, rules)) is not None:
        order.append((pick.ticket.number, pick.reason))
        streak = pick.streak
        waiting.remove(pick.ticket)
    return order


def test_a_due_appointment_goes_before_an_earlier_walk_in():
    tickets = [walk_in(1, T0), appointment(2, T0 + timedelta(minutes=10), T0 + timedelta(minutes=1))]
    assert calls(tickets, T0 + timedelta(minutes=8)) == [(2, "due_appointment"), (1, "walk_in")]


def test_an_appointment_not_yet_due_waits_behind_walk_ins_and_is_served_early_when_nobody_else_waits():
    tickets = [appointment(1, T0 + timedelta(minutes=60), T0), walk_in(2, T0 + timedelta(minutes=1))]
    assert calls(tickets, T0 + timedelta(minutes=5)) == [(2, "walk_in"), (1, "early_appointment")]


def test_an_appointment_checked_in_after_its_grace_window_joins_the_walk_in_lane_by_number():
    due = T0
    tickets = [walk_in(1, T0 + timedelta(minutes=10)), appointment(2, due, due + timedelta(minutes=16)),
               walk_in(3, T0 + timedelta(minutes=17))]
    assert calls(tickets, T0 + timedelta(minutes=20)) == [(1, "walk_in"), (2, "walk_in"), (3, "walk_in")]
    on_time = [walk_in(1, T0 + timedelta(minutes=10)), appointment(2, due, due + timedelta(minutes=15))]
    assert calls(on_time, T0 + timedelta(minutes=20))[0] == (2, "due_appointment")


def test_due_appointments_go_by_start_time_and_walk_ins_by_ticket_number():
    tickets = [appointment(1, T0 + timedelta(minutes=30), T0), appointment(2, T0 + timedelta(minutes=15), T0),
               walk_in(4, T0), walk_in(3, T0 + timedelta(minutes=1))]
    rules = DeskRules(walk_in_cap=5)
    assert [n for n, _ in calls(tickets, T0 + timedelta(minutes=40), rules)] == [2, 1, 3, 4]


def test_the_cap_calls_the_oldest_walk_in_after_cap_appointments_in_a_row():
    # Without the cap the ten due appointments would all go first; with it the walk-ins come every third call.
    tickets = [appointment(n, T0, T0) for n in range(1, 11)] + [walk_in(20, T0), walk_in(21, T0)]
    order = calls(tickets, T0 + timedelta(minutes=1))
    assert order[2] == (20, "walk_in_cap") and order[5] == (21, "walk_in_cap")
    assert [n for n, _ in order if n < 20] == list(range(1, 11))
    no_cap = calls(tickets, T0 + timedelta(minutes=1), DeskRules(walk_in_cap=100))
    assert [n for n, _ in no_cap][:10] == list(range(1, 11))


def test_cap_zero_serves_walk_ins_first():
    tickets = [appointment(1, T0, T0), walk_in(2, T0), walk_in(3, T0)]
    assert [n for n, _ in calls(tickets, T0, DeskRules(walk_in_cap=0))] == [2, 3, 1]


def test_only_waiting_tickets_are_called_and_nobody_waiting_is_none():
    called = walk_in(1, T0).called(1, "op", T0)
    assert pick_next([called], 0, T0, RULES) is None
    assert pick_next([], 0, T0, RULES) is None


# --- the cap holds for any arrival sequence -------------------------------------------------

EVENTS = st.lists(st.one_of(
    st.tuples(st.just("walk_in")),
    # an appointment due `d` minutes from now, checked in now (a late one when d < -grace)
    st.tuples(st.just("appointment"), st.integers(min_value=-40, max_value=60)),
    st.tuples(st.just("call")),
    st.tuples(st.just("tick"), st.integers(min_value=1, max_value=20)),
), max_size=120)


@settings(max_examples=300, deadline=None)
@given(EVENTS, st.integers(min_value=0, max_value=5))
def test_property_no_walk_in_is_passed_over_more_than_the_cap(events, cap):
    rules = DeskRules(walk_in_cap=cap, grace_minutes=15, early_minutes=5)
    now, number, streak = T0, 0, 0
    waiting: list[Ticket] = []
    called: list[int] = []
    passed_as_oldest: dict[int, int] = {}  # lane ticket -> appointments called while it was the lane's oldest
    run = 0  # appointments called in a row while the lane was not empty
    for event in events + [("call",)] * 200:
        if event[0] == "walk_in":
            number += 1
            waiting.append(walk_in(number, now))
        elif event[0] == "appointment":
            number += 1
            waiting.append(appointment(number, now + timedelta(minutes=event[1]), now))
        elif event[0] == "tick":
            now += timedelta(minutes=event[1])
        else:
            lane = sorted((t for t in waiting if desk.place(t, now, rules) == desk.LANE), key=lambda t: t.number)
            pick = pick_next(waiting, streak, now, rules)
            if pick is None:
                assert not waiting
                continue
            assert pick.ticket.number not in called
            called.append(pick.ticket.number)
            waiting.remove(pick.ticket)
            assert pick.streak <= cap
            if lane and pick.ticket not in lane:
                passed_as_oldest[lane[0].number] = passed_as_oldest.get(lane[0].number, 0) + 1
                run += 1
            else:
                run = 0
            if lane and pick.ticket in lane:
                assert pick.ticket == lane[0]  # the lane goes in ticket order
            assert run <= cap
            streak = pick.streak
    assert not waiting
    assert all(n <= cap for n in passed_as_oldest.values())


# --- labels, pace, wait -----------------------------------------------------------------------

def test_labels_are_persian_and_latin_with_the_kind_letter():
    assert desk.ticket_label(WALK_IN, 12) == ("ح۰۱۲", "W012")
    assert desk.ticket_label(APPOINTMENT, 1234) == ("ن۱۲۳۴", "A1234")


def test_waited_and_served_minutes_come_from_the_ticket_times():
    t = walk_in(1, T0).called(2, "op", T0 + timedelta(minutes=12, seconds=30))
    assert t.waited_min == 12.5 and t.served_min is None and t.counter == 2
    assert t.ended(desk.SERVED, T0 + timedelta(minutes=20)).served_min == 7.5


def test_pace_starts_from_the_prior_and_follows_measured_visits():
    assert desk.next_pace(None, 10.0, 20.0, 0.5) == 15.0
    assert desk.next_pace(15.0, 10.0, 5.0, 0.5) == 10.0
    with pytest.raises(ValueError):
        desk.next_pace(None, 10, 10, 0)


def test_wait_estimate_drains_everyone_ahead_over_the_open_counters():
    assert desk.wait_estimate(waiting=0, serving=1, counters_open=2, pace_min=10) == 0.0
    assert desk.wait_estimate(waiting=3, serving=2, counters_open=2, pace_min=10) == 20.0
    assert desk.wait_estimate(waiting=3, serving=0, counters_open=0, pace_min=10) is None
