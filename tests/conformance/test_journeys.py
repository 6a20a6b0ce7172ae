"""Short journeys through the live stack that reach the statuses a single request cannot: a second
adoption of the same version (409), a counter that is busy, a proposal adopted twice. Each step's
status is asserted and its answer checked against the contract. Runs after the Schemathesis run
and before test_reachability.py (which stops the database): pytest takes the files in name order."""
from __future__ import annotations

import json
import re
import time
import uuid
from datetime import date, timedelta

import pytest
import requests
import schemathesis

from tests.conformance import hooks_support
from tests.conformance.conftest import citizen_session
from tests.conformance.test_reachability import CONTRACT, checked, targeted


@pytest.fixture(scope="module")
def contract():
    return schemathesis.openapi.from_path(CONTRACT)


class Caller:
    """Sends one step of a journey as `who` and asserts its status, the answer checked against the contract."""

    def __init__(self, contract, world: dict) -> None:
        self.contract = contract
        # The office routes act for the journeys' office, as its manager.
        self.world = {**targeted(world), "office_id": world["journey_office_id"],
                      "tokens": {**world["tokens"], "manager": world["tokens"]["journey_manager"]}}

    def __call__(self, method: str, path: str, status: int, *, who: str | None = None, body: dict | None = None,
                 params: dict | None = None, headers: dict | None = None, delivery: str | None = None,
                 **ids: str) -> requests.Response:
        plausible_headers, plausible_body, plausible_params = hooks_support.plausible_request(self.world, method, path)
        sent = {**plausible_headers, **(headers or {})}
        if who is not None:
            sent["Authorization"] = f"Bearer {self.world['tokens'][who]}"
        data = plausible_body if body is None else hooks_support.json_bytes(body)
        if data is not None:
            sent["Content-Type"] = "application/json"
        named = re.sub(r"{(\w+)}", lambda m: ids.get(m.group(1)) or m.group(0), path)
        url = hooks_support.concrete(self.world, named)  # the ids not given: the known ones
        response = hooks_support.send(self.world, method, path, sent, data,
                                      plausible_params if params is None else params, url=url, message_id=delivery)
        checked(self.contract, method, path, response, f"a journey's step expecting {status}")
        assert response.status_code == status, (method, url, status, response.status_code, response.text[:500])
        return response


@pytest.fixture(scope="module")
def call(contract, world) -> Caller:
    return Caller(contract, world)


@pytest.fixture(scope="module")
def booker(world) -> dict:
    """A citizen of the journeys' own, signed in through the mobile check: the run's citizen may
    have spent its bookings on the Schemathesis examples."""
    citizen = {"national_id": "0499370899", "mobile": "09121234568"}
    return {**citizen, "session": citizen_session(world["base_url"], world["sms_log"], **citizen)}


def later(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


UPLOADS_PER_MINUTE = 10  # chalicelib/settings.py, "upload-client"


def test_a_client_past_its_upload_grants_is_429(call):
    """Upload grants are a client's bucket (10 at once, 10 a minute): asked for in a row, one is
    refused 429 with Retry-After within a few more than the bucket holds."""
    for _ in range(40):
        headers, body, _ = hooks_support.plausible_request(call.world, "POST", "/v1/uploads")
        response = requests.post(call.world["base_url"] + "/v1/uploads", data=body, headers=headers, timeout=60)
        checked(call.contract, "POST", "/v1/uploads", response, "upload grants in a row")
        if response.status_code == 429:
            assert response.headers.get("Retry-After")
            break
        assert response.status_code == 201, response.text[:300]
    assert response.status_code == 429, "40 upload grants in a row, none refused"
    # Every local caller is one client (chalice local's 127.0.0.1): the targeted requests after this
    # need a few grants back (the problems of a body: three), and the database-stopped one a bucket
    # that is read, not remembered as empty.
    time.sleep(int(response.headers["Retry-After"]) + 4 * 60 / UPLOADS_PER_MINUTE)


def test_the_tariff_book_changes_once_per_version_read(call):
    """A service's tariff changed over the version read (200); the same change again is over a stale
    version (409). A proposal naming no service is 404; one adopted (200) cannot be adopted again (409)."""
    head = call("GET", "/v1/admin/tariffs", 200).json()["head"]
    change = {"effective_from": later(30), "government_rials": 10_000, "office_rials": 20_000,
              "share_base_rials": 20_000, "expected_version": head, "reason": "تغییر آزمون قرارداد"}
    call("PUT", "/v1/admin/tariffs/{service_id}", 200, service_id="S0004", body=change)
    call("PUT", "/v1/admin/tariffs/{service_id}", 409, service_id="S0004", body=change)
    line = {"government_rials": 10_000, "office_rials": 25_000, "share_base_rials": 25_000}
    call("POST", "/v1/admin/tariffs/proposals", 404, body={"reason": "پیشنهاد", "lines": {"S-NOT-THERE": line}})
    proposal = call("POST", "/v1/admin/tariffs/proposals", 201,
                    body={"effective_from": later(40), "reason": "پیشنهاد آزمون قرارداد", "lines": {"S0004": line}})
    proposal_id = proposal.json()["proposal_id"]
    head = call("GET", "/v1/admin/tariffs", 200).json()["head"]
    call("POST", "/v1/admin/tariffs/proposals/{proposal_id}/adopt", 200, proposal_id=proposal_id,
         body={"expected_version": head})
    call("POST", "/v1/admin/tariffs/proposals/{proposal_id}/adopt", 409, proposal_id=proposal_id,
         body={"expected_version": head + 1})


def test_a_counter_serves_one_citizen_at_a_time(call):
    """A walk-in's ticket called to a counter (200): calling again at the busy counter, or closing it,
    is 409; the citizen is recalled (200) and, absent, marked not present (200)."""
    counter = {"counter": 42}
    call("POST", "/v1/office/tickets", 201, body={"service_id": "S0004"})
    called = call("POST", "/v1/office/desk/next", 200, body=counter).json()
    assert called["ticket"] is not None, called
    call("POST", "/v1/office/desk/next", 409, body=counter)
    call("POST", "/v1/office/desk/close", 409, body=counter)
    call("POST", "/v1/office/desk/recall", 200, body=counter)
    call("POST", "/v1/office/desk/not-present", 200, body=counter)
    call("POST", "/v1/office/desk/close", 204, body=counter)


def test_a_remote_request_is_decided_once(call):
    """A request for a service that is not: 404. Requests pulled from the queue (200) are rejected or
    sent in person (200) once: the same decision again, or a start after it, is 409. An office with
    no open counter pulls nothing (409)."""
    reason = {"reason": "مدارک ناقص است"}
    example = json.loads(hooks_support.plausible_request(call.world, "POST", "/v1/requests")[1])
    call("POST", "/v1/requests", 404, body={**example, "service_id": "S-NOT-THERE"})
    for action in ("reject", "needs-in-person"):
        call("POST", "/v1/requests", 201, who=None)
        tracking = call("POST", "/v1/office/queue/next", 200).json()["tracking_code"]
        path = f"/v1/office/requests/{{tracking_code}}/{action}"
        call("POST", path, 200, tracking_code=tracking, body=reason)
        call("POST", path, 409, tracking_code=tracking, body=reason)
        call("POST", "/v1/office/requests/{tracking_code}/start", 409, tracking_code=tracking)
    opened = call("GET", "/v1/office/counters", 200).json()["open"]
    call("POST", "/v1/office/counters", 200, body={"open": 0})
    try:
        call("POST", "/v1/office/queue/next", 409)
    finally:
        call("POST", "/v1/office/counters", 200, body={"open": opened})


def test_a_citizen_waits_once_per_office_and_service(call, world):
    """A citizen joins an office's waitlist for a service (201) once (409), not for another's
    national ID (403) nor at an office that is not (404); leaves it (204) once (404)."""
    citizen = world["citizen"]
    join = {"office_id": call.world["office_id"], "service_id": "S0004", "days": [later(2), later(3), later(4)],
            "national_id": citizen["national_id"], "mobile": citizen["mobile"]}
    call("POST", "/v1/waitlist", 403, body={**join, "national_id": "0499370899"})
    call("POST", "/v1/waitlist", 404, body={**join, "office_id": world["unlisted_office_id"]})
    entry = call("POST", "/v1/waitlist", 201, body=join).json()
    call("POST", "/v1/waitlist", 409, body=join)
    call("GET", "/v1/me/waitlist", 200)
    call("DELETE", "/v1/waitlist/{entry_id}", 204, entry_id=entry["entry_id"])
    call("DELETE", "/v1/waitlist/{entry_id}", 404, entry_id=entry["entry_id"])


def test_closures_and_corrections_are_removed_once(call, world):
    """An office's closure set (200) and lifted (204); a network day without a correction cannot be
    lifted (404); an operator id that cannot be one is refused (422)."""
    day = later(120)
    call("PUT", "/v1/admin/offices/{office_id}/closures/{day}", 200, office_id=call.world["office_id"], day=day)
    call("DELETE", "/v1/admin/offices/{office_id}/closures/{day}", 204, office_id=call.world["office_id"], day=day)
    call("DELETE", "/v1/admin/calendar/{day}", 404, day=later(121))
    call("DELETE", "/v1/admin/offices/{office_id}/operators/{operator_id}", 422, office_id=call.world["office_id"],
         operator_id="not an id!")
    call("DELETE", "/v1/office/operators/{operator_id}", 422, operator_id="not an id!")


def test_a_booking_is_served_on_its_day_and_changed_while_live(call, world, booker):
    """A booking days ahead (201) cannot be checked in, completed or marked a no-show before its day
    (409); cancelled (200), it cannot be rescheduled (409)."""
    for days in range(2, 9):
        slots = call("GET", "/v1/offices/{office_id}/slots", 200, params={"service": "S0004", "date": later(days)}).json()
        if slots["slots"]:
            break
    start = slots["slots"][-1]["at"]
    citizen = {"Authorization": f"Bearer {booker['session']}"}
    booked = call("POST", "/v1/bookings", 201, headers=citizen, body={
        "office_id": call.world["office_id"], "service_id": "S0004", "start": start, "national_id": booker["national_id"],
        "mobile": booker["mobile"], "name": "سارا رضایی"}).json()
    booking = booked["booking_id"]
    call("POST", "/v1/office/bookings/{booking_id}/check-in", 409, booking_id=booking, body={})
    call("POST", "/v1/office/bookings/{booking_id}/complete", 409, booking_id=booking)
    call("POST", "/v1/office/bookings/{booking_id}/no-show", 409, booking_id=booking)
    call("POST", "/v1/bookings/{booking_id}/cancel", 200, booking_id=booking, headers=citizen)
    call("POST", "/v1/bookings/{booking_id}/reschedule", 409, booking_id=booking, headers=citizen,
         body={"start": start})


def test_a_retired_service_takes_nothing_new(call, world, booker):
    """A service added (201, once: 409), edited (200) and retired (200): every route that would start
    something for it answers 409 until it is reinstated (200)."""
    service = hooks_support.BODIES[("POST", "/v1/admin/services")]
    service = {**service, "service_id": "S-RETIRED"}
    sid = service["service_id"]
    call("POST", "/v1/admin/services", 201, body=service)
    call("POST", "/v1/admin/services", 409, body=service)
    call("PUT", "/v1/admin/services/{service_id}", 200, service_id=sid, body={"name_en": "Conformance service, renamed"})
    call("POST", "/v1/admin/services/{service_id}/retire", 200, service_id=sid)
    try:
        day = {"service": sid, "date": later(3)}
        call("GET", "/v1/services/{service_id}", 409, service_id=sid)
        call("GET", "/v1/offices", 409, params={"service": sid})
        call("GET", "/v1/places", 409, params={"service": sid})
        call("GET", "/v1/offices/{office_id}/slots", 409, params=day)
        call("GET", "/v1/offices/{office_id}/session-slots", 409, params=day)
        call("GET", "/v1/suggestions", 409, params={"service": sid, "lat": 35.7, "lon": 51.4})
        call("PUT", "/v1/office/services/{service_id}", 409, service_id=sid, body={"offered": True})
        who = {"national_id": booker["national_id"], "mobile": booker["mobile"]}
        session = {"office_id": call.world["office_id"], "service_id": sid, "start": f"{later(3)}T10:00+03:30",
                   "contact": "video", **who}
        call("POST", "/v1/sessions", 409, headers={"Authorization": f"Bearer {booker['session']}"}, body=session)
        call("POST", "/v1/partners/{partner_id}/sessions", 409, body={**session, "partner_ref": "conformance-s-1"})
        request = {"partner_ref": "conformance-r-1", "service_id": sid, **who, "description": "درخواست آزمون قرارداد"}
        call("POST", "/v1/partners/{partner_id}/requests", 409, body=request)
    finally:
        call("POST", "/v1/admin/services/{service_id}/reinstate", 200, service_id=sid)


def test_a_partner_request_is_made_once_per_reference(call, booker):
    """A partner's request (201) delivered again (the same webhook-id) is the same request (200); one
    for a service that is not is 404."""
    request = {"partner_ref": "conformance-r-2", "service_id": "S0001", "national_id": booker["national_id"],
               "mobile": booker["mobile"], "description": "درخواست آزمون قرارداد"}
    delivery = f"msg_conformance_{uuid.uuid4().hex}"
    made = call("POST", "/v1/partners/{partner_id}/requests", 201, body=request, delivery=delivery).json()
    again = call("POST", "/v1/partners/{partner_id}/requests", 200, body=request, delivery=delivery).json()
    assert again["tracking_code"] == made["tracking_code"]
    call("GET", "/v1/partners/{partner_id}/requests/{tracking_code}", 200, tracking_code=made["tracking_code"])
    call("POST", "/v1/partners/{partner_id}/requests", 404,
         body={**request, "partner_ref": "conformance-r-3", "service_id": "S-NOT-THERE"})


def test_a_partner_keeps_one_to_three_secrets(call):
    """A partner registered (201) and updated (200) holds at most three secrets (a fourth: 409) and
    keeps at least one (retiring the last: 409)."""
    partner = "conformance-keys"
    body = {"name": "کنسولگری (آزمون قرارداد)", "kind": "consulate", "callback_url": "https://partner.example/keys",
            "quota_per_minute": 60}
    first = call("PUT", "/v1/admin/partners/{partner_id}", 201, partner_id=partner, body=body).json()
    call("PUT", "/v1/admin/partners/{partner_id}", 200, partner_id=partner, body={**body, "quota_per_minute": 30})
    call("GET", "/v1/admin/partners/{partner_id}", 200, partner_id=partner)
    secrets = [first["new_secret"]["id"]]
    for _ in range(2):
        secrets.append(call("POST", "/v1/admin/partners/{partner_id}/secrets", 201, partner_id=partner)
                       .json()["new_secret"]["id"])
    call("POST", "/v1/admin/partners/{partner_id}/secrets", 409, partner_id=partner)
    for secret in secrets[:-1]:
        call("DELETE", "/v1/admin/partners/{partner_id}/secrets/{secret_id}", 200, partner_id=partner, secret_id=secret)
    call("DELETE", "/v1/admin/partners/{partner_id}/secrets/{secret_id}", 409, partner_id=partner,
         secret_id=secrets[-1])


def test_shares_change_only_over_the_version_read(call):
    """The channel shares adopt a change only over the version read: a stale one is 409. (The ranking
    policy is left unread here: its cached copy would answer the database-stopped request.)"""
    shares = call("GET", "/v1/admin/channel-shares", 200).json()
    call("PUT", "/v1/admin/channel-shares", 409, body={"expected_number": shares["number"] + 1,
                                                       "network": {"web": 100}})


SESSION_SERVICE = "S0561"  # a service the demo network's OF-THR-0002 may hold as a video or phone session


def test_a_remote_session_is_confirmed_before_it_is_held(call, world, booker):
    """A session days ahead (201), read (200): completing it unconfirmed is 409; confirmed (200), it
    cannot be completed or marked a no-show before it starts (409); cancelled (200) once (409). Not
    for another's national ID (403), nor at an office that is not (404). A partner given a share of
    the office's seats (200) books a session (201) that, delivered again, is the same (200); it can
    book neither a session nor an appointment at an office that is not (404)."""
    for days in range(2, 9):
        slots = call("GET", "/v1/offices/{office_id}/session-slots", 200,
                     params={"service": SESSION_SERVICE, "date": later(days)}).json()
        if len(slots["slots"]) >= 2:
            break
    citizen = {"Authorization": f"Bearer {booker['session']}"}
    body = {"office_id": call.world["office_id"], "service_id": SESSION_SERVICE, "start": slots["slots"][-1]["start"]["at"],
            "contact": "video", "national_id": booker["national_id"], "mobile": booker["mobile"]}
    call("POST", "/v1/sessions", 403, headers=citizen, body={**body, "national_id": "0012345679"})
    call("POST", "/v1/sessions", 404, headers=citizen, body={**body, "office_id": world["unlisted_office_id"]})
    session = call("POST", "/v1/sessions", 201, headers=citizen, body=body).json()["booking_id"]
    call("GET", "/v1/sessions/{booking_id}", 200, booking_id=session, headers=citizen)
    call("POST", "/v1/office/sessions/{booking_id}/complete", 409, booking_id=session, body={})
    call("POST", "/v1/office/sessions/{booking_id}/confirm", 200, booking_id=session)
    call("POST", "/v1/office/sessions/{booking_id}/no-show", 409, booking_id=session)
    call("POST", "/v1/sessions/{booking_id}/cancel", 200, booking_id=session, headers=citizen)
    call("POST", "/v1/sessions/{booking_id}/cancel", 409, booking_id=session, headers=citizen)
    call("POST", "/v1/office/sessions/{booking_id}/confirm", 409, booking_id=session)
    # The partner's channel (a 1470 call centre) gets a share of the office's seats: none by default.
    shares = call("GET", "/v1/admin/channel-shares", 200).json()
    call("PUT", "/v1/admin/channel-shares", 200, body={
        "expected_number": shares["number"], "offices": {call.world["office_id"]: {"web": 70, "call_centre_1470": 30}}})
    delivery = f"msg_conformance_{uuid.uuid4().hex}"
    by_partner = {**body, "start": slots["slots"][0]["start"]["at"], "partner_ref": "conformance-s-2"}
    made = call("POST", "/v1/partners/{partner_id}/sessions", 201, body=by_partner, delivery=delivery).json()
    again = call("POST", "/v1/partners/{partner_id}/sessions", 200, body=by_partner, delivery=delivery).json()
    assert again["booking_id"] == made["booking_id"]
    call("POST", "/v1/partners/{partner_id}/sessions", 404,
         body={**by_partner, "office_id": world["unlisted_office_id"], "partner_ref": "conformance-s-3"})
    booking = {key: by_partner[key] for key in ("service_id", "national_id", "mobile")}
    call("POST", "/v1/partners/{partner_id}/bookings", 404, body={
        **booking, "office_id": world["unlisted_office_id"], "start": by_partner["start"], "partner_ref": "conformance-b-1"})
