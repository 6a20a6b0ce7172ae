"""Operators running their day, SMS through the outbox, outcome folding from the stream, and the
load snapshot: on DynamoDB Local."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.domain import calendar
from chalicelib.domain.booking import reminder_time
from chalicelib.errors import NoShowBlocked
from chalicelib.schemas import BookingIn
from chalicelib.services import bookings, jobs, office_day
from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.support import as_admin, as_operator, problem


def book(office="OF-A", hhmm="09:00", n=1, day=None, now=None, service="S0001"):
    day = day or next_open_day()
    return bookings.book(BookingIn(office_id=office, service_id=service, start=at(day, hhmm).isoformat(),
                                        national_id=national_id(n), mobile=mobile(n)), now=now)


def test_operator_sees_and_touches_only_their_office(client):
    created = book("OF-A")
    day = next_open_day().isoformat()
    mine = json.loads(client.http.get(f"/v1/office/bookings?date={day}", headers=as_operator("OF-A")).body)
    assert [b["booking_id"] for b in mine["items"]] == [created["booking_id"]]
    assert mine["items"][0]["national_id"].startswith("*")
    theirs = json.loads(client.http.get(f"/v1/office/bookings?date={day}", headers=as_operator("OF-B")).body)
    assert theirs["items"] == []
    one = json.loads(client.http.get(f"/v1/office/bookings/{created['booking_id']}", headers=as_operator("OF-A")).body)
    assert one == mine["items"][0]
    problem(client.http.get(f"/v1/office/bookings/{created['booking_id']}", headers=as_operator("OF-B")), 404)
    other = client.http.post(f"/v1/office/bookings/{created['booking_id']}/complete", headers=as_operator("OF-B"))
    assert other.status_code == 404
    assert client.http.get("/v1/office/bookings").status_code == 401
    assert client.http.get("/v1/office/bookings", headers={"Authorization": "Bearer nope"}).status_code == 401
    # Check-in only on the day; no-show only after the appointment time.
    early = client.http.post(f"/v1/office/bookings/{created['booking_id']}/check-in", headers=as_operator("OF-A"))
    assert early.status_code == 409
    assert client.http.post(f"/v1/office/bookings/{created['booking_id']}/no-show",
                            headers=as_operator("OF-A")).status_code == 409
    # Nor can a booking days ahead be completed (it was never checked in).
    ahead = client.http.post(f"/v1/office/bookings/{created['booking_id']}/complete", headers=as_operator("OF-A"))
    assert problem(ahead, 409, "invalid-transition")["detail"].startswith("A booking can be completed only on the day")
    assert bookings.read(created["booking_id"], created["access_code"])["status"] == "BOOKED"


def test_check_in_on_the_day_verifies_the_national_id(network):
    from chalicelib.errors import InvalidInput
    created = book("OF-A", n=2)
    on_the_day = at(next_open_day(), "08:50")
    with pytest.raises(InvalidInput):
        office_day.act("OF-A", "op", created["booking_id"], "check_in", national_id=national_id(3), now=on_the_day)
    view = office_day.act("OF-A", "op", created["booking_id"], "check_in", national_id=national_id(2),
                          now=on_the_day)
    assert view["status"] == "CHECKED_IN"


def test_no_show_blocks_new_bookings_for_a_while(network):
    created = book("OF-A", n=4)
    start = at(next_open_day(), "09:00")
    office_day.act("OF-A", "op", created["booking_id"], "no_show", now=start + timedelta(minutes=20))
    with pytest.raises(NoShowBlocked):
        book("OF-B", n=4, day=next_open_day(skip=2), now=start + timedelta(minutes=30))
    # After the block period the citizen can book again.
    much_later = start + timedelta(days=15)
    assert book("OF-B", n=4, day=next_open_day(much_later.date()), now=much_later)["status"] == "BOOKED"


class FakeGateway:
    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def send(self, recipient, text):
        self.sent.append((recipient, text))


def test_sms_confirmation_reminder_and_no_reminder_after_cancel(network):
    now = calendar.now_tehran()
    kept = book("OF-A", n=5)
    gone = book("OF-B", n=6)
    bookings.cancel(gone["booking_id"], gone["access_code"])
    gateway = FakeGateway()
    start = at(next_open_day(), "09:00")
    remind_at = reminder_time(start, now, 24)
    first = jobs.deliver_outbox(now + timedelta(seconds=5), gateway)
    assert first == {"sent": 3, "dropped": 0, "failed": 0}  # two confirmations and one cancellation
    assert all(r.startswith("+98") for r, _ in gateway.sent)
    assert any(kept["booking_id"] in t and "کد دسترسی" in t for _, t in gateway.sent)
    # At reminder time only the live booking is reminded; the cancelled one is dropped.
    gateway.sent.clear()
    second = jobs.deliver_outbox(remind_at, gateway)
    assert second == {"sent": 1, "dropped": 1, "failed": 0}
    assert kept["booking_id"] in gateway.sent[0][1] and "یادآوری" in gateway.sent[0][1]
    assert jobs.deliver_outbox(start, gateway) == {"sent": 0, "dropped": 0, "failed": 0}


def test_reminder_is_not_sent_for_a_past_booking(network):
    book("OF-A", n=7)
    start = at(next_open_day(), "09:00")
    gateway = FakeGateway()
    assert jobs.deliver_outbox(start + timedelta(hours=1), gateway) == {"sent": 1, "dropped": 1, "failed": 0}
    assert "یادآوری" not in gateway.sent[0][1]


def test_failed_sms_is_retried_later(network):
    class Broken:
        def send(self, recipient, text):
            raise ConnectionError("gateway down")

    book("OF-A", n=8)
    now = calendar.now_tehran() + timedelta(seconds=5)
    assert jobs.deliver_outbox(now, Broken()) == {"sent": 0, "dropped": 0, "failed": 1}
    assert jobs.deliver_outbox(now, FakeGateway())["sent"] == 0  # backed off
    assert jobs.deliver_outbox(now + timedelta(minutes=3), FakeGateway())["sent"] == 1


def test_load_snapshot_feeds_office_crowding(client):
    from chalicelib.services.jobs import snapshot_office_load
    day = next_open_day()
    for n, hhmm in enumerate(["09:00", "09:15", "09:30"]):
        book("OF-B", hhmm, n=20 + n)
    snapshot_office_load(at(day, "08:00"))
    office = json.loads(client.http.get("/v1/offices/OF-B").body)
    assert office["crowding"]["booked_today"] == 3 and office["crowding"]["capacity_today"] == 16
    listed = json.loads(client.http.get("/v1/offices?province=البرز").body)
    assert [o["office_id"] for o in listed["items"]] == ["OF-B"] and listed["items"][0]["rank_tier"] is None
    by_service = json.loads(client.http.get("/v1/offices?service=S0004").body)
    assert {o["office_id"] for o in by_service["items"]} == {"OF-A", "OF-B"}


def test_association_corrects_the_calendar_without_a_deploy(client):
    admin = as_admin()
    day = next_open_day()
    slots = f"/v1/offices/OF-A/slots?service=S0001&date={day.isoformat()}"
    assert json.loads(client.http.get(slots).body)["open"]
    # Operators may not; the association may.
    body = json.dumps({"closed": True, "name_en": "Mourning day", "name_fa": "روز عزای عمومي"})
    assert client.http.put(f"/v1/admin/calendar/{day.isoformat()}", body=body, headers=as_operator("OF-A")).status_code == 403
    # In a path the Jalali date takes dashes: 1405-09-10, Persian digits allowed.
    jalali = calendar.to_jalali(day).replace("/", "-").translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    closed = client.http.put(f"/v1/admin/calendar/{jalali}", body=body, headers=admin)
    assert closed.status_code == 200 and json.loads(closed.body)["name_fa"] == "روز عزای عمومی"
    after = json.loads(client.http.get(slots).body)
    assert not after["open"] and after["slots"] == [] and after["holidays"] == [
        {"name_en": "Mourning day", "name_fa": "روز عزای عمومی", "kind": "correction"}]
    with pytest.raises(Exception) as refused:
        book("OF-A", day=day, n=30)
    assert getattr(refused.value, "status", None) == 422
    listed = json.loads(client.http.get(f"/v1/calendar/holidays?from={day.isoformat()}&to={day.isoformat()}").body)
    assert [h["kind"] for h in listed["items"]] == ["correction"]
    assert client.http.delete(f"/v1/admin/calendar/{day.isoformat()}", headers=admin).status_code == 204
    assert json.loads(client.http.get(slots).body)["open"]
    assert client.http.delete(f"/v1/admin/calendar/{day.isoformat()}", headers=admin).status_code == 404
    # Opening a shipped holiday (a lunar date the moon moved): 22 Bahman 1405 is a Thursday.
    revolution = calendar.parse_date("1405/11/22")
    opened = json.dumps({"closed": False, "name_en": "", "name_fa": ""})
    assert client.http.put(f"/v1/admin/calendar/{revolution.isoformat()}", body=opened, headers=admin).status_code == 200
    from chalicelib.services import catalogue
    assert catalogue.opening(catalogue.get_office("OF-A"), revolution)
