"""The front desk store's contract, on the in-memory fake and on DynamoDB Local: ticket numbers,
the conditions of a call (ticket still waiting, counter free, line as read), ending a visit, the
desk counts the load snapshot reads, closing a counter and the office's pace."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from chalicelib.domain import calendar
from chalicelib.domain.desk import CALLED, NOT_PRESENT, SERVED, WAITING, WALK_IN, DeskLoad, Pace, Ticket
from chalicelib.errors import TxConditionFailed
from tests.fakes.desk import FakeDeskStore
from tests.integration.contract.conftest import delete_tagged

DAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=calendar.TEHRAN)


@pytest.fixture(params=["fake", "dynamodb"])
def store(request, tag):
    if request.param == "fake":
        yield FakeDeskStore()
        return
    request.getfixturevalue("tables")
    from chalicelib.dal import desk_store
    yield desk_store
    delete_tagged("bookings", tag)
    delete_tagged("requests", tag)


def walk_in(office: str, number: int, minutes: int = 0) -> Ticket:
    return Ticket(office, DAY, number, WALK_IN, "S0001", WAITING, NOW + timedelta(minutes=minutes))


def labels(call) -> set[str]:
    with pytest.raises(TxConditionFailed) as failed:
        call()
    return failed.value.labels


def test_numbers_never_repeat_within_an_office_day(store, tag):
    office = f"OF-{tag}"
    # Increasing and unique; a retried request after a client timeout may leave a gap, never a repeat.
    numbers = [store.next_number(office, DAY) for _ in range(3)]
    assert numbers == sorted(set(numbers)) and 1 <= numbers[0] <= 2 and numbers[-1] - numbers[0] <= 3
    assert store.next_number(office, DAY + timedelta(days=1)) <= 2  # each day its own sequence
    store.issue(walk_in(office, numbers[0]), NOW)
    assert labels(lambda: store.issue(walk_in(office, numbers[0]), NOW)) == {"number"}


def test_a_call_needs_the_ticket_waiting_the_counter_free_and_the_line_as_read(store, tag):
    office = f"OF-{tag}"
    for n in (1, 2, 3):
        store.issue(walk_in(office, n, n), NOW)
    seen = store.line(office, DAY)
    assert [t.number for t in seen.waiting()] == [1, 2, 3] and seen.calls == 0
    called = store.call(seen, seen.ticket(1), 0, 4, "operator:a", NOW + timedelta(minutes=5))
    assert (called.status, called.counter, called.call_seq, called.waited_min) == (CALLED, 4, 1, 4.0)
    # the same ticket again on the stale line; another ticket at the busy counter; a stale line
    assert labels(lambda: store.call(seen, seen.ticket(1), 0, 5, "operator:b", NOW)) == {"ticket", "line"}
    fresh = store.line(office, DAY)
    assert labels(lambda: store.call(fresh, fresh.ticket(2), 0, 4, "operator:b", NOW)) == {"counter"}
    assert labels(lambda: store.call(seen, seen.ticket(2), 0, 5, "operator:b", NOW)) == {"line"}
    store.call(fresh, fresh.ticket(2), 1, 5, "operator:b", NOW)
    line = store.line(office, DAY)
    assert (line.streak, line.calls, line.open_counters, line.at_counter) == (1, 2, frozenset({4, 5}), {4: 1, 5: 2})
    assert [(t.number, t.status) for t in line.tickets] == [(1, CALLED), (2, CALLED), (3, WAITING)]
    assert store.desk_loads([office, f"OF-{tag}-none"], DAY) == {office: DeskLoad(2),
                                                                  f"OF-{tag}-none": DeskLoad()}


def test_ending_a_visit_frees_the_counter_once(store, tag):
    office = f"OF-{tag}"
    store.issue(walk_in(office, 1), NOW)
    store.issue(walk_in(office, 2), NOW)
    seen = store.line(office, DAY)
    called = store.call(seen, seen.ticket(1), 0, 1, "operator:a", NOW)
    ended = store.end(called, SERVED, NOW + timedelta(minutes=7))
    assert (ended.status, ended.served_min) == (SERVED, 7.0)
    assert labels(lambda: store.end(called, SERVED, NOW)) == {"ticket", "counter"}
    line = store.line(office, DAY)
    assert line.at_counter == {} and line.ticket(1).status == SERVED
    again = store.call(line, line.ticket(2), 0, 1, "operator:a", NOW)
    assert store.end(again, NOT_PRESENT, NOW).status == NOT_PRESENT
    assert store.desk_loads([office], DAY)[office] == DeskLoad(1)


def test_recall_and_closing_a_counter(store, tag):
    office = f"OF-{tag}"
    store.issue(walk_in(office, 1), NOW)
    seen = store.line(office, DAY)
    called = store.call(seen, seen.ticket(1), 0, 3, "operator:a", NOW)
    assert store.recall(called).recalls == 1
    assert labels(lambda: store.close_counter(office, DAY, 3)) == {"counter"}
    store.end(called, SERVED, NOW)
    assert labels(lambda: store.recall(called)) == {"ticket"}
    store.close_counter(office, DAY, 3)
    assert store.line(office, DAY).open_counters == frozenset()


def test_the_pace_changes_only_from_the_value_read(store, tag):
    office = f"OF-{tag}"
    assert store.pace(office) is None and store.paces([office]) == {}
    assert store.record_pace(office, None, 14.0, NOW) is True
    assert store.record_pace(office, None, 99.0, NOW) is False
    seen = store.pace(office)
    assert seen == Pace(14.0, 1)
    assert store.record_pace(office, seen, 12.5, NOW) is True
    assert store.record_pace(office, seen, 99.0, NOW) is False
    assert store.paces([office, f"OF-{tag}-none"]) == {office: Pace(12.5, 2)}
