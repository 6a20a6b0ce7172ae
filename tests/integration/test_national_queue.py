"""The national remote queue through the day: the load snapshot samples its length each minute
and the association's staff read the day's series (GET /v1/admin/network/queue)."""
from __future__ import annotations

import json

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
