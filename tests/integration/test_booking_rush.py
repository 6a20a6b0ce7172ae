"""The 08:00 rush, through the real HTTP stack (`chalice local`) on DynamoDB Local: 300 citizens
released together on one office-day of six counters, over twelve slots of two services, some
slots wanted by many more citizens than counters and some by fewer. Outcomes are counted in the
responses and in the database: no citizen is refused while a counter was free for their time,
every seat that someone asked for is booked, and the office-day's count is its rows."""
from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from datetime import date

from tests.integration.fixtures import HOURS, at, mobile, national_id, next_open_day
from tests.integration.remote_support import fire, statuses
from tests.integration.support import citizen_headers

OFFICE, COUNTERS = "OF-C", 6
# (service, start) -> citizens asking for it: 300 in all. S0001 takes one 15-minute cell, S0002
# two; the S0002 slots do not overlap, so each slot has exactly COUNTERS seats.
DEMAND = {("S0001", "08:00"): 65, ("S0001", "08:15"): 60, ("S0001", "08:30"): 40, ("S0001", "08:45"): 30,
          ("S0001", "09:00"): 6, ("S0001", "09:15"): 5, ("S0001", "09:30"): 3, ("S0001", "09:45"): 1,
          ("S0002", "10:00"): 50, ("S0002", "10:30"): 30, ("S0002", "11:00"): 6, ("S0002", "11:30"): 4}
CELLS = {"S0001": 1, "S0002": 2}


def a_full_day() -> date:
    """The next day the fixture offices open 08:00-12:00 (Thursdays close at 10:00)."""
    skip = 0
    while True:
        day = next_open_day(skip=skip)
        if HOURS.get(day.strftime("%a").lower()) == [["08:00", "12:00"]]:
            return day
        skip += 1


def cells_of(service: str, hhmm: str) -> list[str]:
    h, m = map(int, hhmm.split(":"))
    return [f"{(h * 60 + m + 15 * i) // 60:02d}:{(h * 60 + m + 15 * i) % 60:02d}" for i in range(CELLS[service])]


def bodies(day: date) -> list[tuple[str, str, dict]]:
    out = []
    for (service, hhmm), wanted in DEMAND.items():
        for _ in range(wanted):
            n = 5000 + len(out)
            out.append((service, hhmm, {"office_id": OFFICE, "service_id": service,
                                        "start": at(day, hhmm).isoformat(),
                                        "national_id": national_id(n), "mobile": mobile(n)}))
    # Interleaved, so the threads of one slot are not started together.
    return out[::2] + out[1::2]


def database(day: date) -> dict:
    from chalicelib.dal import booking_store
    from chalicelib.dal.models import BookingItem, CitizenDayItem, OutboxItem, SeatItem
    pk = booking_store.office_day_pk(OFFICE, day)
    rows = [b for b in BookingItem.office_day_index.query(pk) if b.status != "CANCELLED"]
    seats = [s for s in SeatItem.query(pk, SeatItem.sk.startswith("SEAT#"), consistent_read=True)
             if s.status == "BOOKED"]
    citizen = list(CitizenDayItem.scan(CitizenDayItem.pk.startswith("CZ#"), consistent_read=True))
    taken: dict[str, set[int]] = {}
    for seat in seats:
        _, cell, counter = seat.sk.split("#")
        taken.setdefault(cell, set()).add(int(counter))
    return {"rows": rows, "seats": seats, "taken": taken,
            "counted": booking_store.office_day_counts([OFFICE], day, consistent=True)[OFFICE],
            "guards": sum("#SVC#" in i.sk for i in citizen),
            "citizen_active": sum(int(i.attribute_values.get("active", 0)) for i in citizen if "#SVC#" not in i.sk),
            "confirmations": sum(m.template == "booking_confirmed" for m in OutboxItem.scan(consistent_read=True))}


def test_three_hundred_citizens_at_the_opening_hour(api, network):
    day = a_full_day()
    asked = bodies(day)
    started = time.monotonic()
    # Every citizen waits for an answer: on a machine shared with other work the last ones can take
    # longer than the other concurrency tests allow.
    results = fire([("POST", f"{api}/v1/bookings", json.dumps(body).encode(),
                     {"Content-Type": "application/json", **citizen_headers(body)}) for _, _, body in asked],
                   timeout=600)
    took = time.monotonic() - started
    answered = sorted(r.elapsed.total_seconds() * 1000 for r in results if hasattr(r, "elapsed"))
    print(f"\nrush: {len(asked)} bookings in {took:.1f} s; response p50 {statistics.median(answered):.0f} ms, "
          f"p95 {answered[int(len(answered) * 0.95) - 1]:.0f} ms, max {answered[-1]:.0f} ms; {statuses(results)}")
    expected = {slot: min(wanted, COUNTERS) for slot, wanted in DEMAND.items()}
    booked = sum(expected.values())  # 61 of the 72 seats: five slots are wanted by fewer than six
    counts = statuses(results)
    assert counts == Counter({201: booked, 409: len(asked) - booked}), counts

    stored = database(day)
    taken = stored["taken"]
    refusals = 0
    for (service, hhmm, _), result in zip(asked, results, strict=True):
        if result.status_code != 409:
            continue
        assert result.json()["type"].endswith("slot-full"), result.text
        # A refusal is honest only if, in the database, no counter is free in every cell of its time.
        free = [k for k in range(1, COUNTERS + 1) if all(k not in taken.get(c, ()) for c in cells_of(service, hhmm))]
        assert free == [], f"refused {service} at {hhmm} while counters {free} were free"
        refusals += 1
    assert refusals == len(asked) - booked

    made = {res.json()["booking_id"] for res in results if res.status_code == 201}
    assert made == {b.booking_id_value for b in stored["rows"]}
    rows_per_slot = Counter((b.service_id, b.start[11:16]) for b in stored["rows"])
    assert rows_per_slot == Counter({slot: n for slot, n in expected.items() if n}), rows_per_slot
    # The counters the rest of the system reads equal the rows.
    assert stored["counted"] == len(stored["rows"]) == booked
    assert len(stored["seats"]) == sum(CELLS[b.service_id] for b in stored["rows"])
    assert {s.booking_id for s in stored["seats"]} == {b.booking_id_value for b in stored["rows"]}
    assert all(len(counters) <= COUNTERS for counters in taken.values())
    assert (stored["guards"], stored["citizen_active"], stored["confirmations"]) == (booked, booked, booked)
