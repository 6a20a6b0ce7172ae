"""Remote sessions on DynamoDB Local: citizens racing for one session seat (released together,
counted in the database), slot times in the citizen's zone across a daylight-saving change there,
the confirmation SMS with the join details in the citizen's time, the outcome folded into the
ranking's aggregates by the real stream handler, and a bad zone answered as a problem."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from chalicelib.domain import calendar
from chalicelib.domain import ranking_live as live
from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.remote_support import fire, statuses
from tests.integration.support import as_operator, citizen_headers, post, problem

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "S0003"  # legal consulting, 30 minutes, video or phone
LINK = "https://meet.example.ir/r/7K3M9QX2"
# Europe/Berlin moves to summer time on Sunday 28 March 2027; Tehran keeps +03:30.
MARCH_NOW = datetime(2027, 3, 20, 9, 0, tzinfo=calendar.TEHRAN)
BEFORE, AFTER = datetime(2027, 3, 27).date(), datetime(2027, 3, 29).date()


def body(n: int, office: str, day, hhmm: str = "09:00", *, contact: str = "video", tz: str = "Europe/Berlin") -> dict:
    return {"office_id": office, "service_id": SERVICE, "start": at(day, hhmm).isoformat(), "contact": contact,
            "time_zone": tz, "national_id": national_id(n), "mobile": mobile(n)}


def stored(office: str, day) -> dict:
    from chalicelib.dal.booking_store import office_day_counts, office_day_pk
    from chalicelib.dal.models import BookingItem, OutboxItem, SeatItem
    pk = office_day_pk(office, day)
    booked = [b for b in BookingItem.office_day_index.query(pk) if b.status != "CANCELLED"]
    seats = [s for s in SeatItem.query(pk, SeatItem.sk.startswith("SEAT#"), consistent_read=True)
             if s.status == "BOOKED"]
    count = office_day_counts([office], day, consistent=True)[office]
    return {"sessions": sum(b.kind == "session" for b in booked), "bookings": len(booked),
            "seat_counters": sorted({int(s.sk.split("#")[2]) for s in seats}), "seats": len(seats),
            "counter": count,
            "sms": sum(m.template == "session_booked" for m in OutboxItem.scan(consistent_read=True))}


# --- the race ----------------------------------------------------------------------------------

def test_thirty_citizens_racing_for_one_session_seat_get_exactly_one(api, network):
    from chalicelib.dal import load_store
    load_store.set_open("OF-A", 1, calendar.now_tehran())  # 3 counters, one open for remote work: counter 3
    day = next_open_day()
    bodies = [body(100 + i, "OF-A", day) for i in range(30)]
    results = fire([("POST", f"{api}/v1/sessions", json.dumps(b).encode(),
                     {"Content-Type": "application/json", **citizen_headers(b)}) for b in bodies])
    assert statuses(results) == Counter({201: 1, 409: 29}), statuses(results)
    assert all(r.json()["type"].endswith("/slot-full") for r in results if r.status_code == 409)
    # A 30-minute session on a 15-minute grid: two seats, both on the remote counter.
    assert stored("OF-A", day) == {"sessions": 1, "bookings": 1, "seat_counters": [3], "seats": 2, "counter": 1,
                                   "sms": 1}


# --- the citizen's time zone ---------------------------------------------------------------------

def test_slots_in_the_citizens_zone_follow_its_daylight_saving_and_tehran_does_not(network):
    from chalicelib.services import sessions
    before = sessions.session_slots("OF-A", SERVICE, BEFORE, "Europe/Berlin", MARCH_NOW)
    after = sessions.session_slots("OF-A", SERVICE, AFTER, "Europe/Berlin", MARCH_NOW)
    ten = {day: next(s for s in found["slots"] if s["start"]["at"].endswith("T10:00+03:30"))
           for day, found in (("before", before), ("after", after))}
    assert ten["before"]["local"]["at"] == "2027-03-27T07:30+01:00"
    assert ten["after"]["local"]["at"] == "2027-03-29T08:30+02:00"
    assert ten["after"]["local"]["label_fa"] == "۱۴۰۶/۰۱/۰۹ ۰۸:۳۰ (Europe/Berlin, UTC+۰۲:۰۰)"
    for found in (before, after):  # every slot: the same instant in both zones
        for slot in found["slots"]:
            assert datetime.fromisoformat(slot["local"]["at"]) == datetime.fromisoformat(slot["start"]["at"])


def test_the_slots_route_shows_each_start_in_tehran_and_in_the_given_zone(client):
    day = next_open_day()
    resp = client.http.get(f"/v1/offices/OF-A/session-slots?service={SERVICE}&date={day.isoformat()}"
                           "&tz=America/Toronto")
    assert resp.status_code == 200, resp.body
    doc = json.loads(resp.body)
    assert doc["time_zone"] == "America/Toronto" and doc["contact_modes"] == ["phone", "video"] and doc["slots"]
    first = doc["slots"][0]
    assert first["start"]["at"] == at(day, "08:00").isoformat(timespec="minutes")
    assert datetime.fromisoformat(first["local"]["at"]) == at(day, "08:00")
    assert first["local"]["at"].endswith("-05:00")  # Toronto in winter


def test_a_bad_zone_is_a_problem_in_english_and_persian(client):
    day = next_open_day()
    for tz in ("Mars/Olympus", "UTC+2", "..%2Fetc"):
        resp = client.http.get(f"/v1/offices/OF-A/session-slots?service={SERVICE}&date={day.isoformat()}&tz={tz}")
        doc = problem(resp, 422, "invalid-input")
        [error] = doc["errors"]
        assert error["field"] == "tz" and "time zone" in error["message"] and "منطقه زمانی" in error["message_fa"]
    resp = post(client, "/v1/sessions", {**body(1, "OF-A", day), "time_zone": "Europe/Nowhere"})
    assert problem(resp, 422, "invalid-input")["errors"][0]["field"] == "time_zone"


# --- booking, confirmation and its SMS ----------------------------------------------------------

def _sms_texts(to: str) -> list[str]:
    from chalicelib.domain.validators import mask_mobile
    from infra.local.sms_log import entries
    from tests.integration.conftest import SMS_LOG
    return [e["text"] for e in entries(SMS_LOG) if e["to"] == mask_mobile(to)] if Path(SMS_LOG).exists() else []


def test_confirm_sends_one_sms_with_the_link_in_the_citizens_time(client):
    from chalicelib.dal.models import OutboxItem
    from chalicelib.services import jobs
    day = next_open_day()
    created = post(client, "/v1/sessions", body(7, "OF-A", day, "09:00", tz="Europe/Berlin"))
    assert created.status_code == 201, created.body
    booking_id = json.loads(created.body)["booking_id"]
    office = as_operator("OF-A")
    listed = json.loads(client.http.get(f"/v1/office/sessions?date={day.isoformat()}", headers=office).body)
    assert [s["booking_id"] for s in listed["items"]] == [booking_id] and listed["items"][0]["join"] is None
    bad = client.http.post(f"/v1/office/sessions/{booking_id}/confirm", headers=office,
                           body=json.dumps({"join": "http://meet.example.ir/r/1"}))
    assert problem(bad, 422)["errors"][0]["field"] == "join"
    done = client.http.post(f"/v1/office/sessions/{booking_id}/confirm", headers=office, body=json.dumps({"join": LINK}))
    assert done.status_code == 200, done.body
    assert json.loads(done.body)["confirmed"] and json.loads(done.body)["join"] == LINK
    confirmations = [m for m in OutboxItem.scan(consistent_read=True) if m.template == "session_confirmed_video"]
    assert len(confirmations) == 1 and confirmations[0].params["join"] == LINK
    # Delivered through the real courier to the local SMS log: the link, and the time in Berlin
    # (09:00 in Tehran is 06:30 there in winter), with Tehran's beside it.
    already = len(_sms_texts("+98" + mobile(7)[1:]))
    jobs.deliver_outbox(calendar.now_tehran())
    texts = _sms_texts("+98" + mobile(7)[1:])[already:]
    [text] = [t for t in texts if LINK in t]
    assert "ساعت ۰۶:۳۰ به وقت Europe/Berlin (تهران ۰۹:۰۰)" in text
    # The citizen reads the join details with the access code of the first SMS, or their session.
    read = client.http.get(f"/v1/sessions/{booking_id}", headers=citizen_headers(body(7, "OF-A", day)))
    assert json.loads(read.body)["join"] == LINK
    # Completing tomorrow's session today is refused (only on its day, from its start).
    early = client.http.post(f"/v1/office/sessions/{booking_id}/complete", headers=office, body=json.dumps({}))
    problem(early, 409)


def test_the_confirmation_sms_after_berlins_clock_change_says_the_summer_time(network):
    from chalicelib.dal.models import OutboxItem
    from chalicelib.schemas import SessionIn
    from chalicelib.services import jobs, sessions
    winter = sessions.book(SessionIn.model_validate(body(8, "OF-A", BEFORE, "10:00")), now=MARCH_NOW)
    summer = sessions.book(SessionIn.model_validate(body(9, "OF-A", AFTER, "10:00")), now=MARCH_NOW)
    for made in (winter, summer):
        sessions.confirm("OF-A", "op-1", made["booking_id"], LINK, MARCH_NOW)
    sent = {m.booking_id: m for m in OutboxItem.scan(consistent_read=True) if m.template == "session_confirmed_video"}
    text = {k: jobs.TEMPLATES_FA[m.template].format_map(m.params) for k, m in sent.items()}
    assert "ساعت ۰۷:۳۰ به وقت Europe/Berlin (تهران ۱۰:۰۰)" in text[winter["booking_id"]]
    assert "ساعت ۰۸:۳۰ به وقت Europe/Berlin (تهران ۱۰:۰۰)" in text[summer["booking_id"]]


# --- the outcome reaches the ranking -------------------------------------------------------------

def test_completion_and_no_show_reach_the_ranking_aggregates_through_the_stream(client, ddb_endpoint, tmp_path,
                                                                                monkeypatch):
    from app import app
    from chalicelib.dal import ranking_store
    from chalicelib.schemas import SessionIn
    from chalicelib.services import sessions
    from infra.local.runner import EventRunner
    runner = EventRunner(app, endpoint_url=ddb_endpoint, stage="test", project_dir=ROOT,
                         failures_path=tmp_path / "failures.jsonl")
    runner.drain_streams()  # from now on: what this test writes
    served = sessions.book(SessionIn.model_validate(body(11, "OF-A", AFTER, "09:00")), now=MARCH_NOW)
    missed = sessions.book(SessionIn.model_validate(body(12, "OF-A", AFTER, "10:00", contact="phone")), now=MARCH_NOW)
    sessions.confirm("OF-A", "op-1", served["booking_id"], LINK, MARCH_NOW)
    # Through the office's API, the clock on that day. Completed 5 minutes after its scheduled end
    # (09:30): on time within the 15 minutes allowed.
    office = as_operator("OF-A", "op-1")
    for booking_id, action, clock, note in ((served["booking_id"], "complete", "09:35", {"note": "مشاوره انجام شد"}),
                                            (missed["booking_id"], "no-show", "10:20", None)):
        monkeypatch.setattr(calendar, "now_tehran", lambda clock=clock: at(AFTER, clock))
        answered = post(client, f"/v1/office/sessions/{booking_id}/{action}", note, office)
        assert answered.status_code == 200, answered.body
    monkeypatch.undo()
    delivered = runner.drain_streams()
    assert delivered["batches"] >= 1 and not (tmp_path / "failures.jsonl").exists()
    counts = ranking_store.period_aggregates(live.period_of(AFTER))["OF-A"].counts
    assert {k: counts.get(k, 0) for k in ("in_person_total", "in_person_on_time", "transactions", "fees_rials",
                                          "no_show")} == {"in_person_total": 1, "in_person_on_time": 1,
                                                          "transactions": 1, "fees_rials": 1_000_000, "no_show": 1}


def test_a_session_completed_long_after_its_end_is_served_late(network, ddb_endpoint, tmp_path):
    from app import app
    from chalicelib.dal import ranking_store
    from chalicelib.schemas import SessionIn
    from chalicelib.services import sessions
    from infra.local.runner import EventRunner
    runner = EventRunner(app, endpoint_url=ddb_endpoint, stage="test", project_dir=ROOT,
                         failures_path=tmp_path / "failures.jsonl")
    runner.drain_streams()
    made = sessions.book(SessionIn.model_validate(body(13, "OF-A", AFTER, "09:00")), now=MARCH_NOW)
    sessions.confirm("OF-A", "op-1", made["booking_id"], LINK, MARCH_NOW)
    sessions.complete("OF-A", "op-1", made["booking_id"], None, at(AFTER, "09:30") + timedelta(minutes=40))
    runner.drain_streams()
    counts = ranking_store.period_aggregates(live.period_of(AFTER))["OF-A"].counts
    assert (counts.get("in_person_total", 0), counts.get("in_person_on_time", 0)) == (1, 0)


# --- a partner on the citizen's behalf ----------------------------------------------------------

PARTNER = "call-1470"


def _partner_ready(client, office: str = "OF-A") -> str:
    """A 1470 partner registered, and the office's seats shared with its channel."""
    from tests.integration.support import as_admin
    admin = as_admin()
    created = client.http.put(f"/v1/admin/partners/{PARTNER}", headers=admin, body=json.dumps(
        {"name": "مرکز تماس ۱۴۷۰", "kind": "call_centre_1470", "quota_per_minute": 10_000}))
    assert created.status_code == 201, created.body
    current = json.loads(client.http.get("/v1/admin/channel-shares", headers=admin).body)
    change = {"expected_number": current["number"],
              "offices": {office: {"web": 70, "call_centre_1470": 20, "consulate": 10}}}
    adopted = client.http.put("/v1/admin/channel-shares", headers=admin, body=json.dumps(change))
    assert adopted.status_code == 200, adopted.body
    return json.loads(created.body)["new_secret"]["secret"]


def test_a_partner_books_a_session_for_a_citizen_once_per_delivery(client):
    from chalicelib.dal.models import BookingItem, OutboxItem
    from tests.integration.remote_support import dumps, signed
    secret = _partner_ready(client)
    day = next_open_day(skip=2)  # more than a day ahead: the partners' reserve holds
    payload = dumps({**body(21, "OF-A", day, "08:30", tz="Europe/London"), "partner_ref": "1470-S-000021"})
    url = f"/v1/partners/{PARTNER}/sessions"
    first = client.http.post(url, body=payload, headers=signed(secret, payload, msg_id="msg_session_000021"))
    assert first.status_code == 201, first.body
    doc = json.loads(first.body)
    assert (doc["kind"], doc["channel"], doc["partner_ref"], doc["contact"]) == (
        "session", "call_centre_1470", "1470-S-000021", "video")
    assert doc["local"]["zone"] == "Europe/London" and not doc["confirmed"]
    assert not {"national_id", "mobile", "access_code", "join"} & set(doc)  # nothing of the citizen's, no secret
    # The partner's retry of the same delivery (re-signed, same webhook-id) books nothing more.
    again = client.http.post(url, body=payload, headers=signed(secret, payload, msg_id="msg_session_000021"))
    assert again.status_code == 200 and json.loads(again.body)["booking_id"] == doc["booking_id"]
    other = dumps({**body(22, "OF-A", day, "09:00"), "partner_ref": "1470-S-000022"})
    reused = client.http.post(url, body=other, headers=signed(secret, other, msg_id="msg_session_000021"))
    problem(reused, 422, "webhook-id-reused")
    unsigned = client.http.post(url, body=other, headers={"Content-Type": "application/json"})
    problem(unsigned, 401)
    sessions_ = [b for b in BookingItem.scan(consistent_read=True) if b.sk == "BOOKING" and b.kind == "session"]
    assert [(b.pk.removeprefix("BK#"), b.partner_id, b.channel) for b in sessions_] == [
        (doc["booking_id"], PARTNER, "call_centre_1470")]
    assert sum(m.template == "session_booked" for m in OutboxItem.scan(consistent_read=True)) == 1
    # The citizen has it, with the time in their zone; the partner reads it on its booking read.
    mine = client.http.get(f"/v1/sessions/{doc['booking_id']}", headers=citizen_headers(body(21, "OF-A", day)))
    assert json.loads(mine.body)["local"]["zone"] == "Europe/London"


def test_a_partner_session_counts_in_its_channels_share(client):
    from chalicelib.domain import channels
    from tests.integration.fixtures import HOURS
    from tests.integration.remote_support import dumps, signed
    secret = _partner_ready(client)
    day = next_open_day(skip=2)
    seats = 3 * sum(int((end - start).total_seconds() // 900) for start, end in calendar.opening_intervals(day, HOURS))
    share = channels.split(seats, {"web": 70, "call_centre_1470": 20, "consulate": 10})["call_centre_1470"]
    made = []
    for n, hhmm in enumerate(["08:00", "08:30", "09:00", "09:30"]):  # 30-minute sessions: 2 seats each
        for k in range(3):  # OF-A's 3 counters, all open for remote work
            i = 100 + n * 3 + k
            payload = dumps({**body(i, "OF-A", day, hhmm), "partner_ref": f"1470-S-{i:06d}"})
            made.append(client.http.post(f"/v1/partners/{PARTNER}/sessions", body=payload,
                                         headers=signed(secret, payload, msg_id=f"msg_share_{i:06d}")))
    codes = Counter(r.status_code for r in made)
    assert codes == Counter({201: share // 2, 409: len(made) - share // 2}), (codes, share)
    assert all(json.loads(r.body)["type"].endswith("/channel-share-full") for r in made if r.status_code == 409)
