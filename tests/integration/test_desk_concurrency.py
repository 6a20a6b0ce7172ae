"""The front desk under load, through the real HTTP stack (`chalice local`) on DynamoDB Local:
walk-in tickets issued together get distinct numbers; 50 operators at 10 offices (5 each, each at
its own counter) calling "call next" together over 200 tickets and appointments serve each exactly
once, never two at one counter, and never pass a waiting walk-in over more than the published cap;
counted in the responses and in the database."""
from __future__ import annotations

import json
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest
import requests

from chalicelib.domain import calendar
from tests.integration import fixtures
from tests.integration.conftest import CONTENDED_DYNAMODB_LOCAL, MANY_CLIENTS_ON_ONE_ADDRESS
from tests.integration.fixtures import mobile, national_id
from tests.integration.remote_support import fire, statuses
from tests.integration.staff import issue_token

CAP = 2  # the stack's published walk-in cap in this module (DESK_WALK_IN_CAP)
OFFICES = [f"DK-{k:02d}" for k in range(1, 11)]
PER_OFFICE = 10  # walk-ins, and as many appointments, per office
OPERATORS = 5  # per office, each at its own counter


@pytest.fixture(scope="module")
def desk_api(tables):
    from chalicelib.dal import catalogue_store
    from tests.integration.remote_support import LocalApi
    catalogue_store.save_all([*fixtures.SERVICES, *(fixtures.office(o, OPERATORS) for o in OFFICES)])
    # The catalogue cached per process as in a running container (the test stage reads it afresh on
    # every request, which here would measure catalogue scans, not the desk); one read loads it.
    # DynamoDB Local queues the operators' writes to one office's queue: the stack waits for them
    # (CONTENDED_DYNAMODB_LOCAL), and the clients retry a 503 as a console would.
    server = LocalApi({**MANY_CLIENTS_ON_ONE_ADDRESS, **CONTENDED_DYNAMODB_LOCAL, "DESK_WALK_IN_CAP": str(CAP),
                       "CATALOGUE_CACHE_SECONDS": "3600"})
    assert requests.get(f"{server.base}/v1/offices/{OFFICES[0]}/board", timeout=60).status_code == 200
    yield server.base
    server.stop()


def operator(office: str, k: int) -> dict:
    return {"Authorization": f"Bearer {issue_token(f'desk-{k}', office)}", "Content-Type": "application/json"}


def today_appointment(office: str, n: int, k: int, now: datetime) -> str:
    """A booking of today starting two minutes ago (written by the store: the booking window
    forbids same-day bookings through the API), so it is due once checked in."""
    from chalicelib.dal import booking_store
    from chalicelib.domain import booking as rules
    from chalicelib.domain.booking import BookingDraft
    start = max(now.replace(second=0, microsecond=0) - timedelta(minutes=2),
                datetime.combine(now.date(), datetime.min.time(), calendar.TEHRAN))
    booking_id = rules.new_booking_id()
    draft = BookingDraft(booking_id, office, "S0001", now.date(), start, (f"{start:%H:%M}",), 10 + k,
                         rules.citizen_key(national_id(n), "local-only-pepper-change-me"),
                         "*******" + national_id(n)[-3:], mobile(n), None, rules.hash_access_code(booking_id, "X"))
    booking_store.book(draft, now, max_per_day=2, hold_id=None, messages=())
    return booking_id


def post_retrying(url: str, body: dict, headers: dict, session=None, attempts: int = 5):
    """POST, trying again after a 503 (the database answered too late), as a console would."""
    session = session or requests
    for _ in range(attempts):
        resp = session.post(url, json=body, headers=headers, timeout=120)
        if resp.status_code != 503:
            return resp
        time.sleep(float(resp.headers.get("Retry-After", "1")))
    return resp


def desk_items(office: str, day) -> dict:
    from chalicelib.dal import desk_store
    return desk_store.line(office, day)


def test_fifty_operators_serve_two_hundred_citizens_exactly_once_within_the_cap(desk_api):
    from chalicelib.dal import booking_store, load_store
    from chalicelib.settings import get_settings
    assert get_settings().citizen_pepper == "local-only-pepper-change-me"
    now = calendar.now_tehran()
    day = now.date()

    # Walk-ins first, all offices at once: numbers never repeat within an office-day.
    issued = fire([("POST", f"{desk_api}/v1/office/tickets", json.dumps({"service_id": "S0001"}).encode(),
                    operator(o, 0)) for o in OFFICES for _ in range(PER_OFFICE)])
    assert set(statuses(issued)) <= {201, 503}, statuses(issued)
    for (office, _), resp in zip(((o, i) for o in OFFICES for i in range(PER_OFFICE)), issued, strict=True):
        if resp.status_code == 503:  # retried, as the operator would
            again = post_retrying(f"{desk_api}/v1/office/tickets", {"service_id": "S0001"}, operator(office, 0))
            assert again.status_code == 201, again.text

    # Then the appointments are checked in (together too): each gets its ticket in the same sequence.
    booked = {o: [today_appointment(o, 1000 + 100 * j + i, i, now) for i in range(PER_OFFICE)]
              for j, o in enumerate(OFFICES)}
    calls = [(f"{desk_api}/v1/office/bookings/{b}/check-in", {"national_id": national_id(1000 + 100 * j + i)},
              operator(o, 0)) for j, o in enumerate(OFFICES) for i, b in enumerate(booked[o])]
    checked = fire([("POST", url, json.dumps(body).encode(), headers) for url, body, headers in calls])
    assert set(statuses(checked)) <= {200, 503}, statuses(checked)
    for (url, body, headers), resp in zip(calls, checked, strict=True):
        if resp.status_code == 503:
            again = post_retrying(url, body, headers)
            assert again.status_code == 200 or "state" in again.text, again.text  # landed before the 503
    tickets = {}
    for o in OFFICES:
        line = desk_items(o, day)
        # a 503 whose write had landed leaves one more walk-in ticket, never a repeated number
        assert sum(t.kind == "appointment" for t in line.tickets) == PER_OFFICE
        assert sum(t.kind == "walk_in" for t in line.tickets) >= PER_OFFICE
        assert len({t.number for t in line.tickets}) == len(line.tickets)
        tickets[o] = len(line.tickets)

    # 50 operators, released together, call and serve until nobody waits.
    barrier = threading.Barrier(len(OFFICES) * OPERATORS)
    log: list[tuple[str, int, int, str]] = []  # office, counter, ticket number, reason
    errors: list[str] = []
    lock = threading.Lock()

    def work(office: str, counter: int) -> None:
        session = requests.Session()
        headers = operator(office, counter)
        barrier.wait()
        try:
            while True:
                resp = post_retrying(f"{desk_api}/v1/office/desk/next", {"counter": counter}, headers, session)
                if resp.status_code == 409 and "counter-busy" in resp.text:
                    # a call whose answer was lost (503) had landed: the desk list says who is here
                    desk_now = session.get(f"{desk_api}/v1/office/tickets", headers=headers, timeout=120).json()
                    here = next(c["ticket"] for c in desk_now["counters"] if c["counter"] == counter)
                    body = {"ticket": here, "reason": "recovered"}
                elif resp.status_code != 200:
                    with lock:
                        errors.append(f"next {resp.status_code} {resp.text[:200]}")
                    return
                else:
                    body = resp.json()
                if body["ticket"] is None:
                    return
                number = body["ticket"]["number"]
                with lock:
                    log.append((office, counter, number, body["reason"]))
                served = post_retrying(f"{desk_api}/v1/office/desk/serve", {"counter": counter, "ticket": number},
                                       headers, session)
                if served.status_code != 200 and "counter-free" not in served.text:  # counter-free: it had landed
                    with lock:
                        errors.append(f"serve {served.status_code} {served.text[:200]}")
                    return
        except requests.RequestException as exc:
            with lock:
                errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(o, k)) for o in OFFICES for k in range(1, OPERATORS + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []

    # In the responses: every ticket exactly once.
    assert len(log) == sum(tickets.values())
    assert Counter((o, n) for o, _, n, _ in log).most_common(1)[0][1] == 1
    # In the database: every ticket served once, counters free, the line empty, bookings completed.
    for o in OFFICES:
        line = desk_items(o, day)
        assert Counter(t.status for t in line.tickets) == Counter({"SERVED": tickets[o]})
        assert sorted(t.call_seq for t in line.tickets) == list(range(1, tickets[o] + 1))
        assert line.at_counter == {} and line.open_counters == frozenset(range(1, OPERATORS + 1))
        # Never two at one counter: each counter's visits, by their recorded times, do not overlap.
        by_counter = defaultdict(list)
        for t in line.tickets:
            by_counter[t.counter].append((t.called_at, t.ended_at))
        for visits in by_counter.values():
            visits.sort()
            assert all(visits[i][1] <= visits[i + 1][0] for i in range(len(visits) - 1)), visits
        # The cap, from the order of calls the database recorded: all walk-ins waited from the start.
        run, lane_left = 0, tickets[o] - PER_OFFICE
        for t in sorted(line.tickets, key=lambda t: t.call_seq):
            if t.kind == "walk_in":
                run, lane_left = 0, lane_left - 1
            elif lane_left:
                run += 1
                assert run <= CAP, [x.kind for x in sorted(line.tickets, key=lambda x: x.call_seq)]
        assert all(booking_store.get_booking(b).status == "COMPLETED" for b in booked[o])
    loads = load_store.office_loads(OFFICES, day)
    assert all(load.waiting == 0 for load in loads.values()), loads
    from chalicelib.dal import desk_store
    from chalicelib.domain.desk import DeskLoad
    assert set(desk_store.desk_loads(OFFICES, day).values()) == {DeskLoad(OPERATORS)}


def test_operators_racing_at_one_counter_put_one_citizen_there(desk_api):
    office = OFFICES[0]
    now = calendar.now_tehran()
    before = {t.number for t in desk_items(office, now.date()).tickets}
    for _ in range(5):
        created = requests.post(f"{desk_api}/v1/office/tickets", json={"service_id": "S0001"},
                                headers=operator(office, 0), timeout=30)
        assert created.status_code == 201
    results = fire([("POST", f"{desk_api}/v1/office/desk/next", json.dumps({"counter": 9}).encode(),
                     operator(office, k)) for k in range(10)])
    counts = statuses(results)
    # One call wins; the others find the counter taken (a 503 only when the database answered late).
    assert counts[200] <= 1 and counts[409] >= 8 and set(counts) <= {200, 409, 503}, counts
    assert {r.json()["type"].rsplit("/", 1)[1] for r in results if r.status_code == 409} == {"counter-busy"}
    line = desk_items(office, now.date())
    new = [t for t in line.tickets if t.number not in before]
    assert Counter(t.status for t in new) == Counter({"WAITING": 4, "CALLED": 1})
    assert list(line.at_counter) == [9]
