"""An office's own declarations and the association's catalogue on DynamoDB Local: an in-person-only
declaration takes the office out of remote suggestions and remote routing from the very next
decision (no waiting out a cache); another container catches up by point reads, never a scan;
a retired service refuses new bookings and requests while an existing booking is still served;
durations stay within the catalogue's bounds; only the office's manager declares."""
from __future__ import annotations

import json
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

from chalicelib.dal import catalogue_store, load_store
from chalicelib.dal.db import shared_client
from chalicelib.dal.models import BookingItem, RemoteRequestItem
from chalicelib.schemas import BookingIn, RemoteRequestIn
from chalicelib.services import bookings, jobs, office_day, remote_requests, router
from chalicelib.settings import get_settings
from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.remote_support import request_body
from tests.integration.support import as_admin, as_citizen, as_operator, post, problem


def put(client, path: str, body: dict, headers: dict):
    return client.http.put(path, body=json.dumps(body, ensure_ascii=False), headers=headers)


def declare(client, office: str, service: str, body: dict, headers: dict | None = None):
    return put(client, f"/v1/office/services/{service}", body, headers or as_operator(office, "mgr-1", manager=True))


@contextmanager
def dynamodb_calls():
    """Every DynamoDB call the app makes meanwhile, as (operation, table) pairs."""
    calls: list[tuple[str, str]] = []

    def seen(model, params, **_):
        calls.append((model.name, params.get("TableName") or ",".join(params.get("RequestItems") or ())))

    events = shared_client().meta.events
    events.register("before-parameter-build.dynamodb", seen, unique_id="count-calls")
    try:
        yield calls
    finally:
        events.unregister("before-parameter-build.dynamodb", unique_id="count-calls")


def remote_offices(result: dict) -> set[str]:
    return {i["office"]["office_id"] for i in result["items"]}


def open_all(now) -> None:
    for office_id, n in (("OF-A", 3), ("OF-B", 1), ("OF-C", 2)):
        load_store.set_open(office_id, n, now)
    jobs.snapshot_office_load(now)


def test_an_in_person_declaration_leaves_remote_suggestions_and_routing_at_the_next_decision(client):
    now = at(next_open_day(), "09:00")
    open_all(now)
    assert "OF-A" in remote_offices(router.suggest("S0001", "remote", None, None, None, 5, now))

    declared = declare(client, "OF-A", "S0001", {"offered": True, "in_person_required": True})
    assert declared.status_code == 200, declared.body
    body = json.loads(declared.body)
    assert (body["office_id"], body["in_person_required"], body["remote_here"]) == ("OF-A", True, False)

    # The very next decision, no sleep: OF-A is gone from remote suggestions, still there in person.
    assert remote_offices(router.suggest("S0001", "remote", None, None, None, 5, now)) == {"OF-B", "OF-C"}
    in_person = router.suggest("S0001", "in_person", 35.7, 51.4, None, 5, now)
    assert "OF-A" in {i["office"]["office_id"] for i in in_person["items"]}
    # Remote routing: OF-A (the most open counters) never gets S0001's remote work, on arrival or by pull.
    made = [remote_requests._submit(RemoteRequestIn.model_validate(request_body(n)), now + timedelta(seconds=n))
            for n in range(1, 8)]
    assert {m["office"]["office_id"] for m in made if m["office"]} == {"OF-B", "OF-C"}
    waiting = [m for m in made if m["status"] == "RECEIVED"]
    assert len(waiting) == 4  # OF-B 1 + OF-C 2 counters took three; the rest wait nationally
    assert remote_requests.next_request("OF-A", "op-a", now + timedelta(minutes=1)) is None
    stored = [RemoteRequestItem.get(f"RQ#{m['tracking_code']}", "REQUEST", consistent_read=True) for m in made]
    assert [s.office_id for s in stored if s.office_id == "OF-A"] == []
    # The office's list says so too, and the change is in the catalogue's versions with before/after.
    listed = json.loads(client.http.get("/v1/office/services", headers=as_operator("OF-A", "mgr-1", manager=True)).body)
    s0001 = next(i for i in listed["items"] if i["service_id"] == "S0001")
    assert s0001["in_person_required"] is True and s0001["remote_here"] is False
    versions = json.loads(client.http.get("/v1/admin/catalogue/versions?entity=OF-A", headers=as_admin()).body)
    latest = versions["items"][0]
    assert (latest["action"], latest["kind"], latest["ids"]) == ("declare", "office", ["OF-A"])
    assert latest["by"].startswith("manager:") and latest["number"] == versions["current"]
    assert "S0001" not in latest["before"]["in_person_required"] and "S0001" in latest["after"]["in_person_required"]

    # Declared remote again: OF-A is back at the next decision.
    assert declare(client, "OF-A", "S0001", {"offered": True}).status_code == 200
    assert "OF-A" in remote_offices(router.suggest("S0001", "remote", None, None, None, 5, now))


def test_another_container_catches_up_by_point_reads_and_nothing_on_the_request_path_scans(client):
    now = at(next_open_day(), "09:00")
    open_all(now)
    router.suggest("S0001", "remote", None, None, None, 5, now)  # this container's catalogue is loaded
    view = catalogue_store._view
    stale = (view.version, view.offices, view.services)

    assert declare(client, "OF-C", "S0001", {"offered": True, "in_person_required": True}).status_code == 200
    # Another container: it still holds the catalogue as before the declaration, and its last version
    # check is one check interval old (CATALOGUE_CHECK_SECONDS, the bound on its staleness).
    view.version, view.offices, view.services = stale
    view.checked = time.monotonic() - get_settings().catalogue_check_seconds
    with dynamodb_calls() as calls:
        result = router.suggest("S0001", "remote", None, None, None, 5, now)
    assert remote_offices(result) == {"OF-A", "OF-B"}
    operations = Counter(op for op, _ in calls)
    assert operations["Scan"] == 0, calls
    network, offices = get_settings().table_name("network"), get_settings().table_name("offices")
    assert ("GetItem", network) in calls and ("Query", network) in calls  # the version, then what changed
    assert ("BatchGetItem", offices) in calls  # only the changed office read back

    # Within the interval nothing of the catalogue is read again, and the request path (slots,
    # a booking, a remote request, the office's list) makes no scan at all.
    day = next_open_day()
    with dynamodb_calls() as calls:
        router.suggest("S0001", "remote", None, None, None, 5, now)
        client.http.get(f"/v1/offices/OF-A/slots?service=S0001&date={day.isoformat()}")
        bookings.book(BookingIn(office_id="OF-A", service_id="S0001", start=at(day, "10:00").isoformat(),
                                national_id=national_id(40), mobile=mobile(40)), now=now - timedelta(days=1))
        remote_requests._submit(RemoteRequestIn.model_validate(request_body(41)), now)
        client.http.get("/v1/office/services", headers=as_operator("OF-A", "mgr-1", manager=True))
    assert [c for c in calls if c[0] == "Scan"] == []
    assert [c for c in calls if c[1] in (offices, get_settings().table_name("services"))] == []


def test_a_retired_service_refuses_new_bookings_while_an_existing_one_is_served(client):
    day = next_open_day()
    before = at(day, "08:00") - timedelta(days=1)
    existing = bookings.book(BookingIn(office_id="OF-A", service_id="S0001", start=at(day, "09:00").isoformat(),
                                       national_id=national_id(1), mobile=mobile(1)), now=before)
    operator = as_operator("OF-A")
    assert client.http.post("/v1/admin/services/S0001/retire", headers=operator).status_code == 403

    retired = client.http.post("/v1/admin/services/S0001/retire", headers=as_admin())
    assert retired.status_code == 200, retired.body
    assert json.loads(retired.body)["active"] is False

    booking = {"office_id": "OF-A", "service_id": "S0001", "start": at(day, "10:00").isoformat(),
               "national_id": national_id(2), "mobile": mobile(2)}
    doc = problem(post(client, "/v1/bookings", booking), 409, "service-retired")
    assert "حذف" in doc["detail_fa"]
    hold = {"office_id": "OF-A", "service_id": "S0001", "start": at(day, "10:00").isoformat()}
    problem(post(client, "/v1/holds", hold, as_citizen(2)), 409, "service-retired")
    problem(post(client, "/v1/requests", request_body(3), {"Idempotency-Key": "retired-service-1"}), 409,
            "service-retired")
    problem(client.http.get(f"/v1/offices/OF-A/slots?service=S0001&date={day.isoformat()}"), 409, "service-retired")
    problem(client.http.get("/v1/suggestions?service=S0001&mode=remote"), 409, "service-retired")
    found = json.loads(client.http.get("/v1/services?q=petition").body)
    assert "S0001" not in [s["service_id"] for s in found["items"]]

    # The booking made before stands: the office checks the citizen in and completes it.
    office_day.act("OF-A", "op-1", existing["booking_id"], "check_in", national_id=national_id(1),
                   now=at(day, "08:55"))
    office_day.act("OF-A", "op-1", existing["booking_id"], "complete", now=at(day, "09:10"))
    stored = BookingItem.get(f"BK#{existing['booking_id']}", "BOOKING", consistent_read=True)
    assert stored.status == "COMPLETED"

    versions = json.loads(client.http.get("/v1/admin/catalogue/versions?entity=S0001", headers=as_admin()).body)
    change = versions["items"][0]
    assert (change["action"], change["before"]["active"], change["after"]["active"]) == ("retire", True, False)
    assert change["by"].startswith("association:")
    # Reinstated, it takes bookings again.
    assert client.http.post("/v1/admin/services/S0001/reinstate", headers=as_admin()).status_code == 200
    assert post(client, "/v1/bookings", booking).status_code == 201


def test_durations_within_bounds_and_only_the_manager_declares(client):
    day = next_open_day()
    manager = as_operator("OF-A", "mgr-1", manager=True)
    # S0001's standard is 15 min; its default bounds 7-30.
    problem(declare(client, "OF-A", "S0001", {"offered": True, "duration_min": 45}), 422, "invalid-input")
    problem(declare(client, "OF-A", "S0001", {"offered": True, "duration_min": 5}), 422, "invalid-input")
    problem(declare(client, "OF-A", "S0001", {"offered": True}, as_operator("OF-A")), 403)
    problem(declare(client, "OF-A", "S0001", {"offered": True}, as_admin()), 401)  # not an office token
    assert client.http.put("/v1/office/services/S0001", body=json.dumps({"offered": True}),
                           headers={"Content-Type": "application/json"}).status_code == 401
    problem(declare(client, "OF-A", "S9999", {"offered": True}), 404)
    problem(declare(client, "OF-A", "S0003", {"offered": True, "in_person_required": True}), 422)

    ok = declare(client, "OF-A", "S0001", {"offered": True, "duration_min": 30})
    assert ok.status_code == 200 and json.loads(ok.body)["duration_min"] == 30
    slots = json.loads(client.http.get(f"/v1/offices/OF-A/slots?service=S0001&date={day.isoformat()}").body)
    assert slots["duration_min"] == 30
    assert json.loads(client.http.get(f"/v1/offices/OF-B/slots?service=S0001&date={day.isoformat()}").body)[
        "duration_min"] == 15
    # The association narrows the bounds: the office's 30 minutes are held to the new maximum.
    edited = put(client, "/v1/admin/services/S0001", {"max_duration_min": 20, "name_en": "Petition filing (e-court)"},
                 as_admin())
    assert edited.status_code == 200, edited.body
    assert json.loads(edited.body)["max_duration_min"] == 20
    slots = json.loads(client.http.get(f"/v1/offices/OF-A/slots?service=S0001&date={day.isoformat()}").body)
    assert slots["duration_min"] == 20
    problem(put(client, "/v1/admin/services/S0001", {"duration_min": 25}, as_admin()), 422)  # outside its bounds

    # Not offered: OF-A leaves the offices listed for S0001.
    assert declare(client, "OF-A", "S0001", {"offered": False}).status_code == 200
    listed = json.loads(client.http.get("/v1/offices?service=S0001").body)
    assert "OF-A" not in [o["office_id"] for o in listed["items"]]
    problem(client.http.get(f"/v1/offices/OF-A/slots?service=S0001&date={day.isoformat()}"), 404)
    mine = json.loads(client.http.get("/v1/office/services", headers=manager).body)
    assert next(i for i in mine["items"] if i["service_id"] == "S0001")["offered"] is False


def test_the_association_adds_a_service_that_offices_of_its_category_offer(client):
    body = {"service_id": "S2001", "category": "petitions", "name_en": "Online petition review",
            "name_fa": "بررسی برخط دادخواست", "mode": "remote_allowed", "duration_min": 20}
    problem(post(client, "/v1/admin/services", body, as_operator("OF-A", "mgr-1", manager=True)), 403)
    added = post(client, "/v1/admin/services", body, as_admin())
    assert added.status_code == 201, added.body
    problem(post(client, "/v1/admin/services", body, as_admin()), 409)
    found = json.loads(client.http.get("/v1/services?q=petition review").body)
    assert "S2001" in [s["service_id"] for s in found["items"]]
    listed = json.loads(client.http.get("/v1/offices?service=S2001").body)
    assert {o["office_id"] for o in listed["items"]} == {"OF-A", "OF-B", "OF-C"}
    bad = {**body, "service_id": "S2002", "duration_min": 30, "max_duration_min": 20}
    problem(post(client, "/v1/admin/services", bad, as_admin()), 422)


def test_office_hours_are_validated_and_obeyed_while_earlier_bookings_stand(client):
    day = next_open_day()
    early = bookings.book(BookingIn(office_id="OF-B", service_id="S0001", start=at(day, "08:00").isoformat(),
                                    national_id=national_id(5), mobile=mobile(5)), now=at(day, "08:00") - timedelta(days=1))
    manager = as_operator("OF-B", "mgr-b", manager=True)
    problem(put(client, "/v1/office/hours", {"hours": {"sat": [["12:00", "09:00"]]}}, manager), 422)
    problem(put(client, "/v1/office/hours", {"hours": {"sat": [["05:00", "09:00"]]}}, manager), 422)
    problem(put(client, "/v1/office/hours", {"hours": {"sat": [["08:00", "11:00"], ["10:00", "12:00"]]}}, manager), 422)
    problem(put(client, "/v1/office/hours", {"hours": {"sat": [["08:00", "25:00"]]}}, manager), 422)
    problem(put(client, "/v1/office/hours", {"hours": {"sat": [["09:00", "12:00"]]}}, as_operator("OF-B")), 403)

    weekly = {d: [["09:00", "12:00"]] for d in ("sat", "sun", "mon", "tue", "wed", "thu")}
    changed = put(client, "/v1/office/hours", {"hours": weekly}, manager)
    assert changed.status_code == 200, changed.body
    assert json.loads(changed.body)["hours"]["sat"] == [["09:00", "12:00"]]
    slots = json.loads(client.http.get(f"/v1/offices/OF-B/slots?service=S0001&date={day.isoformat()}").body)
    assert slots["slots"][0]["at"].startswith(f"{day.isoformat()}T09:00")
    late = {"office_id": "OF-B", "service_id": "S0001", "start": at(day, "08:30").isoformat(),
            "national_id": national_id(6), "mobile": mobile(6)}
    problem(post(client, "/v1/bookings", late), 422)
    # The 08:00 booking made under the old hours stands.
    assert BookingItem.get(f"BK#{early['booking_id']}", "BOOKING", consistent_read=True).status == "BOOKED"
    assert json.loads(client.http.get("/v1/office/hours", headers=manager).body)["hours"] == weekly
