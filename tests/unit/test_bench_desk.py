"""The front desk's call rule as the routing benchmark simulates it (bench/desk.py)."""
import pytest

from bench.desk import Desks


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


def test_the_cap_is_at_least_one():
    with pytest.raises(ValueError):
        Desks(1, cap=0)
