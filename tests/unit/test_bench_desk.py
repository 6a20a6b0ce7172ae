"""The front desk's call rule as the routing benchmark simulates it (bench/desk.py)."""
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.desk import WALK_IN_CAP, Desks
from chalicelib.domain import desk


def drain(desks: Desks, office: int = 0) -> list[int]:
    called = []
    while (j := desks.call(office)) >= 0:
        called.append(j)
    return called


def test_routed_visitors_first_then_walk_ins_in_order():
    desks = Desks(1, cap=3)
    desks.routed[0].extend([1, 2])
    desks.walk[0].extend([10, 11])
    assert drain(desks) == [1, 2, 10, 11]


def test_a_waiting_walk_in_is_called_after_at_most_cap_routed_visitors():
    desks = Desks(1, cap=2)
    desks.routed[0].extend(range(1, 8))
    desks.walk[0].extend([10, 11])
    assert drain(desks) == [1, 2, 10, 3, 4, 11, 5, 6, 7]


def test_routed_visitors_called_while_no_walk_in_waited_do_not_count_against_one():
    desks = Desks(1, cap=2)
    desks.routed[0].extend([1, 2, 3, 4])
    assert [desks.call(0), desks.call(0)] == [1, 2]
    desks.walk[0].append(10)  # arrives now: two more routed visitors may still go first
    assert drain(desks) == [3, 4, 10]


def test_offices_are_independent_and_an_empty_desk_calls_nobody():
    desks = Desks(2, cap=1)
    desks.routed[1].extend([1, 2])
    desks.walk[1].append(10)
    assert desks.call(0) == -1 and desks.waiting(1) == 3
    assert drain(desks, 1) == [1, 10, 2] and desks.waiting(1) == 0


def test_the_cap_is_not_negative_and_defaults_to_the_live_desks():
    with pytest.raises(ValueError):
        Desks(1, cap=-1)
    assert Desks(1).cap == WALK_IN_CAP == desk.DeskRules().walk_in_cap


@given(ops=st.lists(st.sampled_from(["routed", "walk_in", "call"]), max_size=60), cap=st.integers(0, 4))
def test_the_simulated_desk_calls_whom_the_live_desk_would(ops, cap):
    """Routed visitors are appointments checked in on time and due at once; the live rule over
    tickets (pick_next) and the benchmark's two queues must call the same visitor every time."""
    desks, rules = Desks(1, cap=cap), desk.DeskRules(walk_in_cap=cap)
    start = datetime(2026, 11, 30, 8, 0)
    waiting: dict[int, desk.Ticket] = {}
    streak = 0
    for number, op in enumerate(ops, 1):
        now = start + timedelta(minutes=number)
        if op == "call":
            pick = desk.pick_next(waiting.values(), streak, now, rules)
            called = desks.call(0)
            assert called == (-1 if pick is None else pick.ticket.number)
            if pick is not None:
                streak = pick.streak
                del waiting[called]
            continue
        kind = desk.APPOINTMENT if op == "routed" else desk.WALK_IN
        waiting[number] = desk.Ticket("O1", date(2026, 11, 30), number, kind, "S1", desk.WAITING, now,
                                      due=now if kind == desk.APPOINTMENT else None)
        (desks.routed if op == "routed" else desks.walk)[0].append(number)
