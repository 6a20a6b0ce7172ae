"""Load-based routing on DynamoDB Local: live load written with the events it counts, the load
snapshot, remote work assigned on arrival by a conditional claim (never on the view alone),
suggestions for citizens, and versioned routing parameters."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.dal import catalogue_store, load_store, request_store
from chalicelib.dal.models import OutboxItem, QueueItem
from chalicelib.domain import calendar
from chalicelib.schemas import BookingIn, RemoteRequestIn
from chalicelib.services import bookings, jobs, office_day, remote_requests, router
from tests.integration.fixtures import HOURS, at, mobile, national_id, next_open_day
from tests.integration.remote_support import request_body
from tests.integration.support import as_admin, as_operator


def visit(office: str, day, n: int) -> str:
    """A booking on `day` made the day before, checked in at 08:30 that day."""
    created = bookings.book(BookingIn(office_id=office, service_id="S0002", start=at(day, "09:00").isoformat(),
                                           national_id=national_id(n), mobile=mobile(n)),
                            now=at(day - timedelta(days=1), "10:00"))
    office_day.act(office, "op-1", created["booking_id"], "check_in", national_id=national_id(n),
                   now=at(day, "08:30"))
    return created["booking_id"]


def submit(n: int, now, **extra) -> dict:
    return remote_requests._submit(RemoteRequestIn.model_validate(request_body(n, **extra)), now)


def busy(office: str) -> int:
    item = load_store.counter(office)
    return int(item.busy or 0) if item else 0


def test_check_in_and_completion_count_visitors_and_the_snapshot_reads_live_load(network):
    day = next_open_day()
    first, _ = visit("OF-A", day, 1), visit("OF-A", day, 2)
    office_day.act("OF-A", "op-1", first, "complete", now=at(day, "09:20"))
    load_store.set_open("OF-C", 2, at(day, "08:00"))
    submit(10, at(day, "08:00"))  # offices not open yet: nothing is idle, it waits in the national queue
    remote_requests.next_request("OF-C", "op-9", at(day, "09:30"))

    assert jobs.snapshot_office_load(at(day, "09:30"))["offices"] >= 3
    snapshot = load_store.snapshot()
    assert snapshot.day == day and snapshot.queue_remote == 0
    a, c = snapshot.offices["OF-A"], snapshot.offices["OF-C"]
    assert (a.waiting, a.open, a.busy, a.booked) == (1, None, 0, 2)
    assert (c.waiting, c.open, c.busy, c.remote_claimed) == (0, 2, 1, 1)
    # The same numbers straight from the table, as the snapshot's batches read them.
    assert load_store.office_loads(["OF-A", "OF-C"], day)["OF-A"].waiting == 1


def test_a_remote_request_goes_on_arrival_to_an_idle_office_by_a_conditional_claim(network):
    day = next_open_day()
    opened = at(day, "09:00")
    load_store.set_open("OF-A", 1, opened)
    load_store.set_open("OF-C", 2, opened)
    jobs.snapshot_office_load(opened)
    # A visitor checks in at OF-A after the snapshot: the view still thinks OF-A is idle.
    visit("OF-A", day, 3)

    created = submit(11, opened + timedelta(minutes=1))
    assert created["status"] == "ASSIGNED" and created["office"]["office_id"] == "OF-C"
    item = request_store.get(created["tracking_code"])
    assert item.history[-1]["actor"] == "router" and item.accept_by
    assert (busy("OF-A"), busy("OF-C")) == (0, 1)  # OF-A's claim failed on its visitor and changed nothing
    assert [q for q in QueueItem.scan(consistent_read=True) if q.pk.startswith("Q") and q.request_id == item.tracking_code] == []
    assert load_store.office_loads(["OF-C"], day)["OF-C"].remote_claimed == 1
    # The office finds it on its work list (it must start it before accept_by), until it is done.
    listed = remote_requests.work_list("OF-C")["items"]
    assert [(i["tracking_code"], i["source"], i["accept_by"] is not None) for i in listed] == [
        (created["tracking_code"], "citizen", True)]
    assert remote_requests.work_list("OF-A")["items"] == []
    remote_requests.act("OF-C", "op-1", created["tracking_code"], "start", now=opened + timedelta(minutes=2))
    assert remote_requests.work_list("OF-C")["items"][0]["status"] == "IN_PROGRESS"
    remote_requests.act("OF-C", "op-1", created["tracking_code"], "complete", now=opened + timedelta(minutes=9))
    assert remote_requests.work_list("OF-C")["items"] == [] and busy("OF-C") == 0
    # The citizen got the tracking code by SMS, written with the request.
    texts = [m for m in OutboxItem.scan() if m.template == "remote_received"]
    assert [m.params["tracking_code"] for m in texts] == [created["tracking_code"]]


def test_without_an_idle_office_a_request_waits_in_the_queue_and_a_preferred_office_is_respected(network):
    day = next_open_day()
    opened = at(day, "09:00")
    load_store.set_open("OF-C", 1, opened)
    jobs.snapshot_office_load(opened)
    first = submit(12, opened)
    assert first["status"] == "ASSIGNED" and first["office"]["office_id"] == "OF-C"
    # The view now knows OF-C is busy (its own claim); the live counter agrees: the next one waits.
    second = submit(13, opened + timedelta(minutes=1))
    assert second["status"] == "RECEIVED" and second["queue"] == "national"
    assert busy("OF-C") == 1
    load_store.set_open("OF-A", 1, opened)
    jobs.snapshot_office_load(opened + timedelta(minutes=2))
    preferred = submit(14, opened + timedelta(minutes=2), preferred_office_id="OF-B")
    assert preferred["status"] == "RECEIVED" and preferred["queue"] == "office"
    assert busy("OF-A") == 0


def test_in_person_suggestions_explain_themselves_and_skip_offices_without_the_service(client):
    resp = client.http.get("/v1/suggestions?service=S0004&lat=35.7&lon=51.4&limit=5")
    assert resp.status_code == 200, resp.body
    body = json.loads(resp.body)
    assert body["mode"] == "in_person" and body["params_version"] == "routing-3"
    offices = [i["office"]["office_id"] for i in body["items"]]
    assert sorted(offices) == ["OF-A", "OF-B"]  # OF-C does not offer S0004
    top = body["items"][0]
    assert top["distance_km"] == 0.0 and top["tier"] is None
    # on the real clock: a wait while the office is open, else when it opens (pinned clocks below)
    assert ("wait" in top["explanation_en"]) == top["open_now"] == (top["expected_wait_min"] is not None)
    assert "دقیقه" in top["explanation_fa"] and top["next"].startswith(f"/v1/offices/{offices[0]}/slots")
    first_day = next_open_day()
    assert top["next_free_slot"]["at"] == at(first_day, "08:00").isoformat(timespec="minutes")
    # Its first slot taken on every counter, the next free one is a slot later.
    for n in range(int(catalogue_store.get_office(offices[0]).counters)):
        bookings.book(BookingIn(office_id=offices[0], service_id="S0004", start=at(first_day, "08:00").isoformat(),
                                     national_id=national_id(60 + n), mobile=mobile(60 + n)))
    again = json.loads(client.http.get("/v1/suggestions?service=S0004&lat=35.7&lon=51.4&limit=5").body)
    mine = next(i for i in again["items"] if i["office"]["office_id"] == offices[0])
    assert mine["next_free_slot"]["at"] == at(first_day, "08:15").isoformat(timespec="minutes")
    by_city = json.loads(client.http.get("/v1/suggestions?service=S0004&city=كرج").body)  # Arabic kaf folded
    assert by_city["items"]


@pytest.mark.parametrize("query", [
    "service=S0004",  # in person needs a place
    "service=S0004&lat=35.7",  # lat without lon
    "service=S0004&lat=91&lon=51",  # outside Iran
    "service=S0003&mode=in_person&lat=35.7&lon=51.4",  # remote-only service
    "service=S0004&city=Atlantis",
    "service=S0004&lat=35.7&lon=51.4&limit=99",
])
def test_bad_suggestion_queries_are_422_problems(client, query):
    resp = client.http.get(f"/v1/suggestions?{query}")
    assert resp.status_code == 422, (query, resp.body)
    problem = json.loads(resp.body)
    assert resp.headers["Content-Type"] == "application/problem+json" and problem["detail_fa"]


def _evening_and_friday() -> list:
    """A working day's 20:24 with the next day open too, and a Friday 11:00 before an open Saturday."""
    day = next_open_day()
    while not (calendar.opening_intervals(day, HOURS) and calendar.opening_intervals(day + timedelta(days=1), HOURS)):
        day += timedelta(days=1)
    friday = day + timedelta(days=(4 - day.weekday()) % 7)
    while not calendar.opening_intervals(friday + timedelta(days=1), HOURS):
        friday += timedelta(days=7)
    return [(at(day, "20:24"), at(day + timedelta(days=1), "08:00")),
            (at(friday, "11:00"), at(friday + timedelta(days=1), "08:00"))]


@pytest.mark.parametrize("now, opens", _evening_and_friday(), ids=["evening-20:24", "friday"])
def test_closed_offices_say_when_they_open_and_every_next_link_answers(client, monkeypatch, now, opens):
    monkeypatch.setattr(calendar, "now_tehran", lambda: now)
    for office_id in ("OF-A", "OF-B"):  # a queue left from the day: not a wait for tomorrow
        load_store.set_open(office_id, 1, now)
    jobs.snapshot_office_load(now)
    resp = client.http.get("/v1/suggestions?service=S0004&lat=35.7&lon=51.4&limit=5")
    assert resp.status_code == 200, resp.body
    items = json.loads(resp.body)["items"]
    assert len(items) == 2
    for item in items:
        assert item["open_now"] is False and item["expected_wait_min"] is None
        assert item["opens_at"]["at"] == opens.isoformat(timespec="minutes")
        assert item["opens_at"]["jalali"] == f"{calendar.to_jalali(opens.date())} 08:00"
        assert item["opens_at"]["phrase_fa"].startswith("فردا، ") and "۰۸:۰۰" in item["opens_at"]["phrase_fa"]
        assert "wait" not in item["explanation_en"] and "باز می‌شود" in item["explanation_fa"]
        assert f"&date={opens.date().isoformat()}" in item["next"]
        followed = client.http.get(item["next"])
        assert followed.status_code == 200, (item["next"], followed.body)
        slots = json.loads(followed.body)
        assert slots["open"] and slots["slots"][0]["at"] == item["next_free_slot"]["at"]
    # remote: nothing is open now, so the answer says when the first office opens
    remote = json.loads(client.http.get("/v1/suggestions?service=S0001&mode=remote").body)
    assert remote["items"] == [] and remote["network_opens_at"]["at"] == opens.isoformat(timespec="minutes")


def test_remote_suggestions_respect_in_person_declarations_and_offer_the_network(network):
    day = next_open_day()
    now = at(day, "09:00")
    office = catalogue_store.get_office("OF-A")
    catalogue_store.save_all([replace(office, in_person_required=frozenset({"S0001"}))])
    for office_id in ("OF-A", "OF-B", "OF-C"):
        load_store.set_open(office_id, 1, now)
    jobs.snapshot_office_load(now)
    result = router.suggest("S0001", "remote", None, None, None, 5, now)
    assert {i["office"]["office_id"] for i in result["items"]} == {"OF-B", "OF-C"}
    option = result["network_option"]
    assert option["office"] is None and option["expected_wait_min"] == 0.0 and option["next"] == "/v1/requests"
    # After hours nothing is open for remote work now; the network option estimates the queue instead.
    late = router.suggest("S0001", "remote", None, None, None, 5, at(day, "13:00"))
    assert late["items"] == []


def test_routing_parameters_are_versioned_and_adopted_without_lost_updates(client):
    url = "/v1/admin/routing/params"
    assert client.http.get(url).status_code == 401
    start = json.loads(client.http.get(url, headers=as_admin()).body)
    assert start["number"] == 0 and start["params"]["version"] == "routing-3"
    change = {"expected_number": 0, "changes": {"travel_min_per_km": 0.8, "radius_km_urban": 20}}
    adopted = client.http.put(url, body=json.dumps(change), headers=as_admin())
    assert adopted.status_code == 200, adopted.body
    body = json.loads(adopted.body)
    assert body["number"] == 1 and body["params"]["version"] == "routing-v1"
    assert body["params"]["travel_min_per_km"] == 0.8 and len(body["history"]) == 1
    stale = client.http.put(url, body=json.dumps(change), headers=as_admin())
    assert stale.status_code == 409
    bad = client.http.put(url, body=json.dumps({"expected_number": 1, "changes": {"radius_km_urban": -3}}),
                          headers=as_admin())
    assert bad.status_code == 422 and json.loads(bad.body)["detail_fa"]
    unknown = client.http.put(url, body=json.dumps({"expected_number": 1, "changes": {"speed_of_light": 3}}),
                              headers=as_admin())
    assert unknown.status_code == 422
    suggested = json.loads(client.http.get("/v1/suggestions?service=S0004&lat=35.7&lon=51.4").body)
    assert suggested["params_version"] == "routing-v1" and suggested["radius_km"] == 20
    operator = as_operator("OF-A")
    assert client.http.put(url, body=json.dumps(change), headers=operator).status_code == 403


def test_arrivals_and_pulls_at_once_never_exceed_open_counters_nor_pass_a_waiting_visitor(network):
    """30 arrivals and 12 operator pulls released together on 5 open counters: the router's
    claims and the pulls race on the same live counters. Counted in the database."""
    import threading
    from collections import Counter

    from chalicelib.dal.models import OfficeCounterItem, RemoteRequestItem
    from chalicelib.errors import NoFreeCounter

    day = next_open_day()
    opened = at(day, "09:00")
    open_counters = {"OF-A": 2, "OF-B": 1, "OF-C": 2}
    for office, n in open_counters.items():
        load_store.set_open(office, n, opened)
    jobs.snapshot_office_load(opened)
    visit("OF-B", day, 40)  # after the snapshot: the router's view still thinks OF-B is idle

    start, errors, outcomes = threading.Barrier(42), [], Counter()
    now = opened + timedelta(minutes=1)

    def arrive(n: int) -> None:
        start.wait()
        try:
            outcomes[submit(100 + n, now)["status"]] += 1
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(repr(exc))

    def pull(office: str, k: int) -> None:
        start.wait()
        try:
            outcomes["pulled" if remote_requests.next_request(office, f"op-{k}", now) else "empty"] += 1
        except NoFreeCounter:
            outcomes["no-free-counter"] += 1
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = [threading.Thread(target=arrive, args=(n,)) for n in range(30)]
    threads += [threading.Thread(target=pull, args=(("OF-A", "OF-C")[k % 2], k)) for k in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]

    def database():
        rows = [i for i in RemoteRequestItem.scan(consistent_read=True) if i.sk == "REQUEST"]
        busy = {i.pk[3:]: int(i.busy or 0) for i in OfficeCounterItem.scan(consistent_read=True) if i.sk == "COUNTERS"}
        return rows, busy

    rows, busy = database()
    assigned = Counter(r.office_id for r in rows if r.status == "ASSIGNED")
    assert len(rows) == 30 and sum(outcomes[s] for s in ("ASSIGNED", "RECEIVED")) == 30
    assert busy == {o: assigned[o] for o in open_counters}  # counters equal the rows
    assert all(assigned[o] <= n for o, n in open_counters.items()), assigned
    assert assigned["OF-B"] == 0  # nobody jumped the visitor waiting at OF-B
    # What is left waits in the queue; operators pulling until their counters are full fill them all.
    for office in ("OF-A", "OF-C"):
        while True:
            try:
                if not remote_requests.next_request(office, "op-x", now):
                    break
            except NoFreeCounter:
                break
    rows, busy = database()
    assert Counter(r.status for r in rows) == {"ASSIGNED": 4, "RECEIVED": 26}
    assert busy == {"OF-A": 2, "OF-B": 0, "OF-C": 2}
