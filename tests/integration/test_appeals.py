"""No-show appeals on DynamoDB Local, through the API: an accepted appeal lifts the block (the
citizen can hold a slot again) and excuses the no-show; a rejected one keeps the block; a second
decision is refused with 409; the association cannot decide before the office's 3 working days
and can after; the lists show what is pending; SMS both ways."""
from __future__ import annotations

import json
from datetime import timedelta

from chalicelib.domain import calendar
from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.support import as_admin, as_citizen, as_operator, post, problem

REASON = "در بیمارستان بستری بودم و نتوانستم بیایم"


def missed(n: int, office: str = "OF-C") -> str:
    """Citizen n's booking tomorrow, recorded as a no-show now (the store's step, without the
    operator's day rule: these tests are about what follows)."""
    from chalicelib.schemas import BookingIn
    from chalicelib.services import bookings
    from chalicelib.services.stores import stores
    made = bookings.book(BookingIn(office_id=office, service_id="S0001", start=at(next_open_day(), "09:00"),
                                   national_id=national_id(n), mobile=mobile(n)))
    booking = stores.bookings.get_booking(made["booking_id"])
    now = calendar.now_tehran()
    stores.bookings.transition(booking, "NO_SHOW", now, "operator:op-1", block_until=now + timedelta(days=14))
    return made["booking_id"]


def hold(client, n: int):
    day = next_open_day(skip=2)
    return post(client, "/v1/holds", {"office_id": "OF-A", "service_id": "S0002", "start": at(day, "09:00").isoformat()},
                as_citizen(n))


def appeal_sms(n: int) -> list[str]:
    from chalicelib.dal.models import OutboxItem
    from chalicelib.domain import validators
    to = validators.mobile(mobile(n))
    return sorted(i.template for i in OutboxItem.scan(consistent_read=True)
                  if (i.template or "").startswith("appeal_") and i.recipient == to)


def test_accepted_by_the_office_the_block_lifts_and_the_no_show_is_excused(client):
    booking_id = missed(1)
    problem(hold(client, 1), 409, "no-show-blocked")
    problem(post(client, "/v1/me/appeals", {"booking_id": booking_id, "reason": REASON}), 401)
    problem(post(client, "/v1/me/appeals", {"booking_id": booking_id, "reason": REASON}, as_citizen(2)), 404)
    filed = post(client, "/v1/me/appeals", {"booking_id": booking_id, "reason": REASON}, as_citizen(1))
    assert filed.status_code == 201, filed.body
    appeal = json.loads(filed.body)
    problem(post(client, "/v1/me/appeals", {"booking_id": booking_id, "reason": REASON}, as_citizen(1)), 409,
            "already-appealed")
    manager, other_manager = as_operator("OF-C", "mgr-c", manager=True), as_operator("OF-A", "mgr-a", manager=True)
    listed = json.loads(client.http.get("/v1/office/appeals", headers=manager).body)["items"]
    assert [a["appeal_id"] for a in listed] == [appeal["appeal_id"]]
    assert json.loads(client.http.get("/v1/office/appeals", headers=other_manager).body)["items"] == []
    problem(client.http.get("/v1/office/appeals", headers=as_operator("OF-C", "op-c")), 403)  # managers decide
    decision = f"/v1/office/appeals/{appeal['appeal_id']}/decision"
    problem(post(client, decision, {"accept": True}, other_manager), 404)
    accepted = post(client, decision, {"accept": True}, manager)
    assert accepted.status_code == 200, accepted.body
    assert json.loads(accepted.body)["decision"]["by"].startswith("office:")  # the manager's staff id
    assert hold(client, 1).status_code == 201
    from chalicelib.services.stores import stores
    assert stores.bookings.get_booking(booking_id).status == "EXCUSED"
    problem(post(client, decision, {"accept": False, "reason": "دیر شد"}, manager), 409, "appeal-decided")
    assert appeal_sms(1) == ["appeal_accepted", "appeal_received"]
    mine = json.loads(client.http.get(f"/v1/me/appeals/{appeal['appeal_id']}", headers=as_citizen(1)).body)
    assert mine["status"] == "ACCEPTED"


def test_rejected_the_block_stays(client):
    booking_id = missed(3)
    appeal = json.loads(post(client, "/v1/me/appeals", {"booking_id": booking_id, "reason": REASON},
                             as_citizen(3)).body)
    manager = as_operator("OF-C", "mgr-c", manager=True)
    decision = f"/v1/office/appeals/{appeal['appeal_id']}/decision"
    problem(post(client, decision, {"accept": False}, manager), 422)  # a rejection needs its reason
    rejected = post(client, decision, {"accept": False, "reason": "مدرکی ارائه نشد"}, manager)
    assert json.loads(rejected.body)["status"] == "REJECTED", rejected.body
    problem(hold(client, 3), 409, "no-show-blocked")
    assert appeal_sms(3) == ["appeal_received", "appeal_rejected"]


def test_the_association_decides_only_after_three_working_days(client, monkeypatch):
    from chalicelib.domain import appeals as rules
    from chalicelib.services import appeals
    booking_id = missed(4)
    appeal = json.loads(post(client, "/v1/me/appeals", {"booking_id": booking_id, "reason": REASON},
                             as_citizen(4)).body)
    listed = json.loads(client.http.get("/v1/admin/appeals", headers=as_admin()).body)["items"]
    assert [a["appeal_id"] for a in listed] == [appeal["appeal_id"]]
    problem(post(client, f"/v1/admin/appeals/{appeal['appeal_id']}/decision", {"accept": True}, as_admin()), 409,
            "appeal-with-office")
    opens = calendar.parse_datetime(appeal["association_may_decide_from"]["at"])
    filed = calendar.parse_datetime(appeal["filed_at"]["at"])
    working = [filed.date() + timedelta(days=i) for i in range(1, (opens.date() - filed.date()).days)
               if appeals.is_working_day(filed.date() + timedelta(days=i))]
    assert len(working) == 3 and opens.time().hour == 0  # three full working days after the filing day
    import pytest

    from chalicelib.errors import AppealWithOffice
    with pytest.raises(AppealWithOffice):
        appeals.decide(appeal["appeal_id"], True, None, by=rules.ASSOCIATION, actor_id="admin-1",
                       now=opens - timedelta(seconds=1))
    # Through the API, with the clock at the moment the association may decide.
    monkeypatch.setattr(calendar, "now_tehran", lambda: opens)
    answered = post(client, f"/v1/admin/appeals/{appeal['appeal_id']}/decision", {"accept": True}, as_admin())
    assert answered.status_code == 200, answered.body
    decided = json.loads(answered.body)
    assert decided["status"] == "ACCEPTED" and decided["decision"]["by"].startswith("association:")
    monkeypatch.undo()
    assert hold(client, 4).status_code == 201
    assert json.loads(client.http.get("/v1/admin/appeals", headers=as_admin()).body)["items"] == []
