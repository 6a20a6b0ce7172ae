"""The load test's judgement of a refusal (bench/load/rules.py): false only when a counter was
free in every cell of the time refused, with no cancellation there to explain it."""
from __future__ import annotations

from bench.load.rules import false_refusals, free_counters, national_id
from chalicelib.domain import validators


def _office(taken, counters=3, cancelled=()):
    return {"OF-A": {"counters": counters, "taken": taken, "cancelled_cells": list(cancelled)}}


def _cells(refusal):
    return {"09:00": ("09:00", "09:15"), "09:30": ("09:30",)}[refusal["start"]]


def test_a_refusal_is_honest_when_every_counter_is_taken_in_some_cell_of_the_time():
    # Counter 3 is free at 09:00 but taken at 09:15: no counter has both cells free.
    taken = {"09:00": {1, 2}, "09:15": {1, 2, 3}}
    assert false_refusals([{"office_id": "OF-A", "start": "09:00"}], _office(taken), _cells) == []


def test_a_refusal_is_false_when_a_counter_is_free_in_every_cell():
    taken = {"09:00": {1, 2}, "09:15": {1, 2}}
    [false] = false_refusals([{"office_id": "OF-A", "start": "09:00"}], _office(taken), _cells)
    assert (false["free_counters"], false["cells"]) == ([3], ["09:00", "09:15"])


def test_counters_beyond_those_open_to_bookings_do_not_count():
    taken = {"09:30": {1, 2}}
    assert false_refusals([{"office_id": "OF-A", "start": "09:30"}], _office(taken, counters=2), _cells) == []
    assert free_counters(("09:30",), 3, taken) == [3]


def test_a_cancellation_in_the_time_explains_a_seat_free_at_the_end():
    taken = {"09:30": {1, 2}}
    refused = [{"office_id": "OF-A", "start": "09:30"}]
    assert false_refusals(refused, _office(taken, cancelled=[("09:30",)]), _cells) == []
    assert len(false_refusals(refused, _office(taken, cancelled=[("11:00",)]), _cells)) == 1


def test_simulated_citizens_have_valid_distinct_national_ids():
    ids = [national_id(n) for n in range(1, 3000)] + [national_id(10**9 - 1), national_id(111_111_111)]
    assert len(set(ids)) == len(ids)
    for nid in ids:
        assert validators.national_id(nid) == nid
