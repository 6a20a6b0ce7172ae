"""The waitlist on DynamoDB Local: joining through the API (a citizen session, one entry per office
and service), and offers under races: seats freed together go to the first citizens in line, one
offer per seat, counted in the database; offers not booked in time pass to the next in order; an
offer never goes to a seat someone booked meanwhile."""
from __future__ import annotations

import json
import threading
from datetime import timedelta

from chalicelib.domain import calendar
from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.support import as_citizen, post, problem

DAY = next_open_day(skip=1)
OFFICE, SERVICE = "OF-C", "S0001"


def body(n: int, days=(DAY,), **extra) -> dict:
    return {"office_id": OFFICE, "service_id": SERVICE, "days": [d.isoformat() for d in days],
            "national_id": national_id(n), "mobile": mobile(n), **extra}


def test_join_read_and_leave_through_the_api(client):
    problem(post(client, "/v1/waitlist", body(1)), 401, "citizen-session-required")
    problem(post(client, "/v1/waitlist", body(2), as_citizen(1)), 403, "session-mismatch")
    jalali = calendar.to_jalali(DAY)
    made = post(client, "/v1/waitlist", body(1, days=()) | {"days": [jalali]}, as_citizen(1))
    assert made.status_code == 201, made.body
    entry = json.loads(made.body)
    assert entry["days"] == [{"date": DAY.isoformat(), "jalali": jalali}]
    assert entry["places"] == [{"date": DAY.isoformat(), "jalali": jalali, "status": "WAITING"}]
    problem(post(client, "/v1/waitlist", body(1), as_citizen(1)), 409, "already-waiting")
    problem(post(client, "/v1/waitlist", body(1, days=(calendar.now_tehran().date(),)), as_citizen(1)), 422)
    mine = client.http.get("/v1/me/waitlist", headers=as_citizen(1))
    assert [e["entry_id"] for e in json.loads(mine.body)["items"]] == [entry["entry_id"]]
    assert json.loads(client.http.get("/v1/me/waitlist", headers=as_citizen(2)).body)["items"] == []
    problem(client.http.delete(f"/v1/waitlist/{entry['entry_id']}", headers=as_citizen(2)), 404)
    assert client.http.delete(f"/v1/waitlist/{entry['entry_id']}", headers=as_citizen(1)).status_code == 204
    assert json.loads(client.http.get("/v1/me/waitlist", headers=as_citizen(1)).body)["items"] == []


# --- offers under races -------------------------------------------------------------------------------

def _session(n: int):
    from chalicelib.domain import citizen, validators
    from chalicelib.domain.booking import citizen_key
    from chalicelib.settings import get_settings
    pepper = get_settings().citizen_pepper
    return citizen.new_session(citizen_key(national_id(n), pepper),
                               citizen.mobile_key(pepper, validators.mobile(mobile(n))), calendar.now_tehran(), 30)


def _join_in_order(citizens: range) -> None:
    from chalicelib.domain import validators
    from chalicelib.services import waitlist
    first = calendar.now_tehran()
    for i, n in enumerate(citizens):
        waitlist.join(OFFICE, SERVICE, [DAY], national_id(n), validators.mobile(mobile(n)), _session(n),
                      now=first + timedelta(milliseconds=i))


def _book_seats(count: int, first_citizen: int = 500) -> list:
    """`count` bookings at 09:00 and 09:15 (6 counters each), as the booking use case makes them."""
    from chalicelib.schemas import BookingIn
    from chalicelib.services import bookings
    made = []
    for i in range(count):
        n = first_citizen + i
        req = BookingIn(office_id=OFFICE, service_id=SERVICE, start=at(DAY, "09:00" if i < 6 else "09:15"),
                        national_id=national_id(n), mobile=mobile(n))
        made.append(bookings.book(req))
    return made


def _together(calls: list) -> list:
    """Run the calls in threads released at once; their results (or exceptions) in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - returned for the assertions
            results[i] = exc
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _freed(booking_id: str):
    from chalicelib.domain.waitlist import FreedSeat
    from chalicelib.services.stores import stores
    b = stores.bookings.get_booking(booking_id)
    return FreedSeat(b.office_id, b.service_id, b.day, b.start, b.cells, b.counter)


def _in_database() -> dict:
    """Offers as the database holds them: the outstanding offers, their holds (by citizen), the seats
    they hold, the places OFFERED, and the offer SMS in the outbox."""
    from chalicelib.dal.models import HoldItem, OfferItem, OutboxItem, SeatItem, WaiterItem
    offers = [i for i in OfferItem.query("WO", consistent_read=True)]
    holds = {i.pk.removeprefix("HD#"): i for i in HoldItem.scan(HoldItem.sk == "HOLD", consistent_read=True)
             if i.pk.startswith("HD#")}
    return {
        "offers": offers,
        "hold_citizens": [holds[o.sk.split("#")[1]].citizen_key for o in offers if o.sk.split("#")[1] in holds],
        "held_seats": sum(1 for i in SeatItem.scan(SeatItem.status == "HELD", consistent_read=True)
                          if i.sk.startswith("SEAT#")),
        "booked_seats": sum(1 for i in SeatItem.scan(SeatItem.status == "BOOKED", consistent_read=True)
                            if i.sk.startswith("SEAT#")),
        "offered_places": sum(1 for i in WaiterItem.scan(WaiterItem.status == "OFFERED", consistent_read=True)),
        "offer_sms": sum(1 for i in OutboxItem.scan(consistent_read=True) if i.template == "waitlist_offer"),
    }


def test_seats_freed_together_go_to_the_first_in_line_and_roll_on_in_order(network):
    from chalicelib.services import bookings, waitlist
    _join_in_order(range(1, 101))  # citizens 1..100 wait, in this order
    booked = _book_seats(10)
    # Ten citizens cancel at once, then the ten freed seats are offered at once (the stream's
    # deliveries may overlap: retries, several shards).
    cancelled = _together([lambda b=b: bookings.cancel(b["booking_id"], b["access_code"]) for b in booked])
    assert all(c["status"] == "CANCELLED" for c in cancelled), cancelled
    seats = [_freed(b["booking_id"]) for b in booked]
    offers = _together([lambda s=s: waitlist.offer_freed(s) for s in seats])
    assert not [o for o in offers if isinstance(o, Exception) or o is None], offers
    first_ten = {_session(n).citizen_key for n in range(1, 11)}
    db = _in_database()
    assert len(db["offers"]) == 10 and set(db["hold_citizens"]) == first_ten and len(db["hold_citizens"]) == 10
    assert db["held_seats"] == 10 and db["booked_seats"] == 0 and db["offered_places"] == 10
    assert db["offer_sms"] == 10
    # The same seats again (a redelivered stream batch): nothing more is offered.
    assert _together([lambda s=s: waitlist.offer_freed(s) for s in seats]) == [None] * 10
    assert len(_in_database()["offers"]) == 10

    # Citizens 1 and 2 book their offers; the other eight let theirs expire.
    by_citizen = {o.waiter.citizen_key: o for o in offers}
    for n in (1, 2):
        offer = by_citizen[_session(n).citizen_key]
        from chalicelib.schemas import BookingIn
        bookings.book(BookingIn(office_id=OFFICE, service_id=SERVICE, start=offer.hold.start,
                                national_id=national_id(n), mobile=mobile(n), hold_id=offer.hold.hold_id))
    expired = max(o.hold.expires_at for o in offers) + timedelta(seconds=1)
    rolled = _together([lambda: waitlist.roll_offers(expired), lambda: waitlist.roll_offers(expired)])
    assert sum(r["settled"] for r in rolled) == 10 and sum(r["passed_on"] for r in rolled) == 8, rolled
    db = _in_database()
    assert sorted(db["hold_citizens"]) == sorted(_session(n).citizen_key for n in range(11, 19))
    assert db["booked_seats"] == 2 and db["offered_places"] == 8 and db["offer_sms"] == 18
    # The next round of expiries passes on to 19..26 in turn.
    waitlist.roll_offers(expired + timedelta(minutes=31))
    assert sorted(_in_database()["hold_citizens"]) == sorted(_session(n).citizen_key for n in range(19, 27))


def test_an_offer_never_goes_to_a_seat_booked_meanwhile(network):
    from chalicelib.schemas import BookingIn
    from chalicelib.services import bookings, waitlist
    _join_in_order(range(1, 21))
    booked = _book_seats(6)
    for b in booked:
        bookings.cancel(b["booking_id"], b["access_code"])
    seats = [_freed(b["booking_id"]) for b in booked]

    def direct(i: int):
        n = 700 + i
        return bookings.book(BookingIn(office_id=OFFICE, service_id=SERVICE, start=at(DAY, "09:00"),
                                       national_id=national_id(n), mobile=mobile(n)))
    # Six citizens book 09:00 directly while the six freed 09:00 seats are offered, all at once.
    results = _together([*(lambda i=i: direct(i) for i in range(6)), *(lambda s=s: waitlist.offer_freed(s)
                                                                       for s in seats)])
    direct_ok = [r for r in results[:6] if isinstance(r, dict)]
    offered = [r for r in results[6:] if r is not None and not isinstance(r, Exception)]
    db = _in_database()
    # Six counters: each seat went once, to a direct booking or an offer, never both.
    assert len(direct_ok) + len(offered) == 6, results
    assert db["booked_seats"] == len(direct_ok) and db["held_seats"] == len(offered) == len(db["offers"])
    booked_counters = {r["counter"] for r in direct_ok}
    assert not booked_counters & {o.hold.counter for o in offered}
    assert {o.waiter.citizen_key for o in offered} == {_session(n).citizen_key for n in range(1, len(offered) + 1)}
