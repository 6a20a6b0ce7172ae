"""The load snapshot job on the in-memory fakes: each office's live counters and today's
bookings against its capacity, and the national queue, in one snapshot the router reads."""
from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.load import LiveLoad
from chalicelib.services import jobs
from tests.unit.services.network import NOW, Bookings, fake_network, office


def test_the_snapshot_holds_each_offices_load_and_the_national_queue():
    offices = [office("OF-A", counters=3), office("OF-B", counters=1), office("OF-SHUT", hours={})]
    with fake_network(offices, bookings=Bookings({"OF-A": 9, "OF-B": 24})) as fakes:
        load = fakes["load"]
        load.count("OF-A", NOW.date(), open=2, busy=1, waiting=3, remote_claimed=4)
        load.count("OF-B", NOW.date() - timedelta(days=1), waiting=5)  # yesterday's
        load.queue_remote = 6
        assert jobs.snapshot_office_load(NOW) == {"offices": 3}
        snap = load.snapshot()
    assert (snap.day, snap.at, snap.queue_remote) == (NOW.date(), NOW, 6)
    a, b, shut = snap.offices["OF-A"], snap.offices["OF-B"], snap.offices["OF-SHUT"]
    # 08:00-14:00 on a 15-minute grid is 24 cells: capacity = cells x installed counters
    assert (a.booked, a.capacity, a.ratio, a.open_today) == (9, 72, 0.125, True)
    assert LiveLoad(a.open, a.busy, a.waiting, a.remote_claimed) == LiveLoad(open=2, busy=1, waiting=3, remote_claimed=4)
    assert (b.booked, b.capacity, b.ratio, b.waiting, b.open) == (24, 24, 1.0, 0, None)
    assert (shut.capacity, shut.ratio, shut.open_today) == (0, None, False)


def test_the_snapshot_carries_each_desks_live_wait_from_the_pace_measured_there():
    from chalicelib.domain.desk import Pace
    offices = [office("OF-A", counters=3), office("OF-B", counters=2), office("OF-SHUT", hours={})]
    with fake_network(offices) as fakes:
        load, desk = fakes["load"], fakes["desk"]
        load.count("OF-A", NOW.date(), waiting=5)  # visitors waiting or at a counter
        load.count("OF-B", NOW.date(), waiting=5)
        load.count("OF-SHUT", NOW.date(), waiting=5)
        desk.pace_of["OF-A"] = Pace(8.0, 30)  # measured at OF-A; OF-B has measured nothing yet
        desk.lines[("OF-A", NOW.date())] = {"streak": 0, "calls": 4, "open": {1, 2}}  # two counters calling
        jobs.snapshot_office_load(NOW)
        snap = load.snapshot()
    a, b, shut = snap.offices["OF-A"], snap.offices["OF-B"], snap.offices["OF-SHUT"]
    assert (a.desk_counters, a.pace_min, a.wait_min) == (2, 8.0, (5 + 1 - 2) * 8.0 / 2)
    prior = b.pace_min  # the mean catalogue duration of what OF-B offers in person
    assert b.desk_counters == 0 and b.wait_min == round((5 + 1 - 2) * prior / 2, 1)  # its installed counters
    assert shut.wait_min is None  # closed: no wait, the office list shows when it opens
