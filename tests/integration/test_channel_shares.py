"""Channel shares on DynamoDB Local. Through the real HTTP stack (`chalice local`): a partner's
signed posts, released together by a barrier, never book beyond its channel's share of the
office-day, and exactly its share when demand exceeds it; replays of a webhook-id return the same
booking and book nothing. In process, with the clock given: the web is refused beyond its part
before the release time and gets the partner's unused seats after it. Outcomes are counted in the
database too."""
from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import requests

from chalicelib.domain import calendar, channels
from tests.integration.fixtures import HOURS, at, mobile, national_id, next_open_day
from tests.integration.remote_support import dumps, fire, signed
from tests.integration.support import as_admin

ADMIN = as_admin()
SHARES = {"web": 70, "call_centre_1470": 20, "consulate": 10}
PARTNER = "call-1470"


def adopt(base: str, office: str, shares: dict) -> dict:
    current = requests.get(f"{base}/v1/admin/channel-shares", headers=ADMIN, timeout=30)
    assert current.status_code == 200, current.text
    change = {"expected_number": current.json()["number"], "offices": {office: shares}}
    resp = requests.put(f"{base}/v1/admin/channel-shares", data=json.dumps(change),
                        headers={**ADMIN, "Content-Type": "application/json"}, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def register(base: str) -> str:
    body = {"name": "مرکز تماس ۱۴۷۰", "kind": "call_centre_1470", "quota_per_minute": 10_000}
    resp = requests.put(f"{base}/v1/admin/partners/{PARTNER}", data=json.dumps(body),
                        headers={**ADMIN, "Content-Type": "application/json"}, timeout=30)
    assert resp.status_code == 201, resp.text
    return resp.json()["new_secret"]["secret"]


def booking_body(n: int, office: str, day, hhmm: str) -> bytes:
    return dumps({"office_id": office, "service_id": "S0001", "start": at(day, hhmm).isoformat(),
                  "national_id": national_id(n), "mobile": mobile(n), "partner_ref": f"1470-CALL-{n:06d}"})


def post_all(base: str, secret: str, deliveries: list[tuple[str, bytes]]) -> list:
    """Every delivery at once; a 503 (a transient refusal: nothing was booked, or the booking is
    remembered under its webhook-id) is retried as a partner does, re-signed, same webhook-id."""
    url = f"{base}/v1/partners/{PARTNER}/bookings"
    results = fire([("POST", url, body, signed(secret, body, msg_id=msg)) for msg, body in deliveries])
    for _ in range(10):
        again = [i for i, r in enumerate(results) if isinstance(r, requests.Response) and r.status_code == 503]
        if not again:
            break
        retried = fire([("POST", url, deliveries[i][1], signed(secret, deliveries[i][1], msg_id=deliveries[i][0]))
                        for i in again])
        for i, r in zip(again, retried, strict=True):
            results[i] = r
    return results


def stored(office: str, day) -> dict:
    from chalicelib.dal.booking_store import office_day_pk
    from chalicelib.dal.models import BookingItem, OutboxItem, SeatItem, ShareItem
    pk = office_day_pk(office, day)
    live = [b for b in BookingItem.office_day_index.query(pk) if b.status != "CANCELLED"]
    ids = {b.pk.removeprefix("BK#") for b in live}
    shares = {s.sk.removeprefix("SHARE#"): int(s.used) for s in
              ShareItem.query(pk, ShareItem.sk.startswith("SHARE#"), consistent_read=True)}
    seats = [s for s in SeatItem.query(pk, SeatItem.sk.startswith("SEAT#"), consistent_read=True)
             if s.status == "BOOKED"]
    sms = [m for m in OutboxItem.scan(consistent_read=True) if m.template == "booking_confirmed"
           and m.booking_id in ids]
    return {"by_channel": Counter(b.channel or "web" for b in live), "shares": shares, "seats": len(seats),
            "confirmations": len(sms), "ids": ids}


def day_seats(office_counters: int, day) -> int:
    """The office-day's seats counted here from the fixture's hours (15-minute grid)."""
    return sum(int((end - start).total_seconds() // 900) for start, end in calendar.opening_intervals(day, HOURS)) \
        * office_counters


def test_a_partner_never_books_beyond_its_share_and_replays_book_nothing(api, network):
    secret = register(api)
    day = next_open_day(skip=2)  # opens more than a day from now: the partners' reserve holds
    adopt(api, "OF-C", SHARES)
    seats = day_seats(6, day)
    share = channels.split(seats, SHARES)["call_centre_1470"]
    view = requests.get(f"{api}/v1/admin/offices/OF-C/channel-shares/{day.isoformat()}", headers=ADMIN, timeout=30)
    assert view.status_code == 200 and view.json()["seats"] == seats and not view.json()["released"]
    assert {c["channel"]: c["seats"] for c in view.json()["channels"]}["call_centre_1470"] == share

    starts = [s.strftime("%H:%M") for s, _ in
              [(at(day, "08:00") + timedelta(minutes=15 * k), None) for k in range(seats // 6)]]
    deliveries = [(f"msg_{i:04d}", booking_body(5000 + i, "OF-C", day, starts[i % len(starts)])) for i in range(200)]
    assert len(deliveries) > share  # demand exceeds the share
    results = post_all(api, secret, deliveries)
    assert all(isinstance(r, requests.Response) for r in results), [r for r in results if not hasattr(r, "status_code")]
    codes = Counter(r.status_code for r in results)
    made = {r.json()["booking_id"] for r in results if r.status_code in (200, 201)}
    refused = Counter(r.json()["type"].rsplit("/", 1)[1] for r in results if r.status_code == 409)
    assert len(made) == share, (codes, refused)
    assert codes[201] + codes[200] + codes[409] == 200 and refused["channel-share-full"] >= 1, (codes, refused)
    assert set(refused) <= {"channel-share-full", "slot-full"}, refused
    db = stored("OF-C", day)
    assert db["by_channel"] == Counter({"call_centre_1470": share}) and db["ids"] == made
    assert db["shares"] == {"call_centre_1470": share} and db["seats"] == share
    assert db["confirmations"] == share  # each citizen got the usual SMS with its access code
    for r in results:
        if r.status_code in (200, 201):
            text = r.text
            assert "national_id" not in text and "mobile" not in text and "access_code" not in text
            assert r.json()["channel"] == "call_centre_1470"

    # Replays: the partner's retries of delivered bookings, all at once, return the same bookings.
    winners = [(deliveries[i], r.json()["booking_id"]) for i, r in enumerate(results) if r.status_code == 201][:5]
    replays = post_all(api, secret, [d for d, _ in winners for _ in range(8)])
    assert Counter(r.status_code for r in replays) == Counter({200: 8 * len(winners)})
    assert [r.json()["booking_id"] for r in replays] == [b for _, b in winners for _ in range(8)]
    assert stored("OF-C", day)["ids"] == made
    # Another body under a processed webhook-id is refused; the partner reads its booking, signed.
    (msg, _), booking_id = winners[0]
    other = booking_body(9999, "OF-C", day, "11:00")
    reused = requests.post(f"{api}/v1/partners/{PARTNER}/bookings", data=other, headers=signed(secret, other, msg_id=msg),
                           timeout=30)
    assert reused.status_code == 422 and reused.json()["type"].endswith("webhook-id-reused")
    from chalicelib.services.partners import booking_read_content
    read = requests.get(f"{api}/v1/partners/{PARTNER}/bookings/{booking_id}",
                        headers=signed(secret, booking_read_content(PARTNER, booking_id)), timeout=30)
    assert read.status_code == 200 and read.json()["booking_id"] == booking_id and read.json()["status"] == "BOOKED"
    unsigned = requests.get(f"{api}/v1/partners/{PARTNER}/bookings/{booking_id}", timeout=30)
    assert unsigned.status_code == 401
    assert stored("OF-C", day)["ids"] == made


def test_the_web_keeps_to_its_part_until_the_release_then_gets_the_unused_seats(network):
    from chalicelib.domain.partner import Partner
    from chalicelib.errors import ChannelShareFull, SlotFull
    from chalicelib.schemas import BookingIn
    from chalicelib.schemas.channels import ChannelSharesChangeIn, ChannelSharesIn, PartnerBookingIn
    from chalicelib.services import bookings, partner_bookings
    from chalicelib.services import channels as shares_service

    day = next_open_day(skip=2)
    opens = min(s for s, _ in calendar.opening_intervals(day, HOURS))
    before = calendar.now_tehran()
    released = opens - timedelta(hours=24) + timedelta(minutes=1)
    shares_service.adopt(ChannelSharesChangeIn(expected_number=0, offices={"OF-B": ChannelSharesIn(**SHARES)}),
                         "admin-1", now=before)
    seats = day_seats(1, day)  # OF-B: one counter
    parts = channels.split(seats, SHARES)
    starts = [(opens + timedelta(minutes=15 * k)).strftime("%H:%M") for k in range(seats)]

    def web(n: int, k: int, now):
        return bookings.book(BookingIn(office_id="OF-B", service_id="S0001", start=at(day, starts[k]),
                                       national_id=national_id(n), mobile=mobile(n)), now=now)

    for k in range(parts["web"]):
        web(100 + k, k, before)
    free = list(range(parts["web"], seats))
    try:
        web(199, free[0], before)
        raise AssertionError("the web booked beyond its part before the release")
    except ChannelShareFull:
        pass
    partner = Partner("call-1470", "1470", "call_centre_1470", 600, "x", "x")
    partner_bookings.book_for_citizen(partner, "msg_p1", PartnerBookingIn(
        office_id="OF-B", service_id="S0001", start=at(day, starts[free[-1]]), national_id=national_id(300),
        mobile=mobile(300), partner_ref="p-1"), before)
    db = stored("OF-B", day)
    assert db["by_channel"] == Counter({"web": parts["web"], "call_centre_1470": 1})
    assert sum(v for k, v in db["shares"].items() if k.startswith("web#")) == parts["web"]

    # From 24 h before the day opens the partners' unused seats are the web's: every free seat.
    for n, k in enumerate(free[:-1]):
        web(400 + n, k, released)
    try:
        web(499, 0, released)
        raise AssertionError("a seat was booked twice")
    except SlotFull:
        pass
    db = stored("OF-B", day)
    assert db["by_channel"] == Counter({"web": seats - 1, "call_centre_1470": 1}) and db["seats"] == seats


def test_web_bookings_at_once_stay_within_the_web_part(api, network):
    """Before the release, citizens booking on the web together get exactly the web's part of the
    office-day, though seats stay free for the partner channels."""
    from tests.integration.support import citizen_headers

    day = next_open_day(skip=2)
    adopt(api, "OF-C", SHARES)
    seats = day_seats(6, day)
    web_part = channels.split(seats, SHARES)["web"]
    starts = [(at(day, "08:00") + timedelta(minutes=15 * k)).strftime("%H:%M") for k in range(seats // 6)]
    bodies = [{"office_id": "OF-C", "service_id": "S0001", "start": at(day, starts[i % len(starts)]).isoformat(),
               "national_id": national_id(7000 + i), "mobile": mobile(7000 + i)} for i in range(web_part + 30)]
    results = fire([("POST", f"{api}/v1/bookings", json.dumps(b).encode(),
                     {"Content-Type": "application/json", **citizen_headers(b)}) for b in bodies])
    codes = Counter(r.status_code if isinstance(r, requests.Response) else type(r).__name__ for r in results)
    refused = Counter(r.json()["type"].rsplit("/", 1)[1] for r in results
                      if isinstance(r, requests.Response) and r.status_code == 409)
    db = stored("OF-C", day)
    assert db["by_channel"] == Counter({"web": codes[201]}) and db["seats"] == codes[201], (codes, refused)
    assert codes[201] == web_part and codes[409] == 30, (codes, refused)
    assert sum(v for k, v in db["shares"].items() if k.startswith("web#")) == web_part
