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
