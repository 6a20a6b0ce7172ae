"""The national remote queue through the day: the load snapshot samples its length each minute
and the association's staff read the day's series (GET /v1/admin/network/queue)."""
from __future__ import annotations

import json

from chalicelib.domain import remote
from chalicelib.services import jobs
from tests.integration.fixtures import at, next_open_day
from tests.integration.remote_support import request_body
from tests.integration.support import as_admin, as_operator, with_token

URL = "/v1/admin/network/queue"


def test_each_snapshot_samples_the_queue_and_staff_read_the_day(client):
    from chalicelib.schemas import RemoteRequestIn
    from chalicelib.services import remote_requests
    from tests.integration.staff import issue_token

    day = next_open_day()
    jobs.snapshot_office_load(at(day, "07:00"))
    # Before the offices open nothing is idle: each request waits in the national queue.
    for n in range(1, 4):
        remote_requests._submit(RemoteRequestIn.model_validate(request_body(n)), at(day, "07:00"))
    jobs.snapshot_office_load(at(day, "07:01"))
    waiting = 3  # the three requests sent, on an otherwise empty network

    reply = client.http.get(f"{URL}?date={day.isoformat()}", headers=as_admin())
    assert reply.status_code == 200, reply.body
    body = json.loads(reply.body)
    assert body["date"] == day.isoformat() and body["jalali"].startswith("14")
    assert [(s["at"][11:16], s["length"]) for s in body["samples"]] == [("07:00", 0), ("07:01", waiting)]
    assert body["latest"]["length"] == waiting and body["latest"]["jalali"].endswith("07:01")

    # The queue is national: a provincial representative reads the same series.
    rep = with_token(issue_token("rep-1", None, role="province", province="Tehran"))
    assert json.loads(client.http.get(f"{URL}?date={day.isoformat()}", headers=rep).body)["samples"] == body["samples"]
    # Another day has its own (empty) series.
    other = json.loads(client.http.get(f"{URL}?date=1405/01/01", headers=as_admin()).body)
    assert other["samples"] == [] and other["date"] == "2026-03-21"


def test_only_the_association_reads_the_queue_and_a_bad_date_is_refused(client):
    assert client.http.get(URL).status_code == 401
    assert client.http.get(URL, headers=as_operator("OF-A")).status_code == 403
    bad = client.http.get(f"{URL}?date=yesterday", headers=as_admin())
    assert bad.status_code == 422
    problem = json.loads(bad.body)
    assert problem["detail"] and problem["detail_fa"]


def test_an_office_pulls_work_it_can_do_from_behind_older_work_it_cannot(network, monkeypatch):
    """The queue's 60 oldest requests (more than the 8 x 5 heads the sharded queue used to read)
    are of a category the office does not serve, and 30 more of a service it declared in person
    only; the one request it can do waits behind them all. One pull gets it, with a fixed number
    of queries: its own queue, and its one category's partition read past the 30 it excluded."""
    from chalicelib.dal import catalogue_store, load_store, request_store
    from chalicelib.domain.catalogue import Service
    from chalicelib.schemas import RemoteRequestIn
    from chalicelib.services import remote_requests
    from tests.integration import fixtures
    from tests.integration.remote_support import ReadCounter

    filing = Service("S0005", category="petitions", name_en="Petition by post", name_fa="دادخواست پستی",
                     mode="remote_allowed", duration_min=15, tariff_rials=500_000)
    catalogue_store.save_all([filing, fixtures.office("OF-Q", 2, offered_categories={"petitions"},
                                                      in_person_required={"S0005"})])
    catalogue_store.clear_cache()
    day = next_open_day()

    def submit(n: int, service: str, hhmm: str) -> str:
        body = RemoteRequestIn.model_validate(request_body(n, service=service))
        return remote_requests._submit(body, at(day, hhmm))["tracking_code"]

    # Before any office has opened counters nothing is routed on arrival: all of it waits.
    consulting = [submit(500 + n, "S0003", f"08:{n // 2:02d}") for n in range(60)]
    by_post = [submit(600 + n, "S0005", f"09:{n:02d}") for n in range(30)]
    petition = submit(700, "S0001", "10:00")
    queued = {e.tracking_code: e for e in request_store.eligible_heads(
        remote.WorkScope("OF-ANY", frozenset({"petitions", "consulting"})), 100)}
    assert set(queued) == {*consulting, *by_post, petition}
    assert all(queued[c].order < queued[petition].order for c in [*consulting, *by_post])

    now = at(day, "10:05")
    load_store.set_open("OF-Q", 1, now)
    counter = ReadCounter(monkeypatch)
    pulled = remote_requests.next_request("OF-Q", "op-1", now)
    monkeypatch.undo()
    assert pulled["tracking_code"] == petition and pulled["status"] == "ASSIGNED"
    # Its own queue (empty), then the petitions partition, 25 entries a page: the 30 it excluded
    # and the petition over two pages. The 60 consulting requests are never read.
    queue_reads = [(key, n) for key, n in counter.queried if key.startswith("Q")]
    assert queue_reads == [("QO#OF-Q", 0), ("QC#petitions", 25), ("QC#petitions", 6)], counter.queried
    assert request_store.get(petition).office_id == "OF-Q"
    assert all(request_store.get(c).status == "RECEIVED" for c in [*consulting, *by_post])
