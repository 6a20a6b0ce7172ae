"""Scheduled work of remote requests on DynamoDB Local: the SLA sweep returns requests not
accepted in time and records the breach; partner callbacks are signed, carry no national ID, are
retried with backoff, stopped on 410, and never sent to private addresses."""
from __future__ import annotations

import dataclasses
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from chalicelib.dal import load_store, outbox_store, request_store
from chalicelib.domain import calendar, outbox, remote, webhooks
from chalicelib.schemas import PartnerIn, PartnerRequestIn, RemoteRequestIn
from chalicelib.services import partners, remote_jobs, remote_requests
from tests.integration.fixtures import national_id
from tests.integration.remote_support import ReadCounter, request_body


def partner_with_request(n=1, callback="https://partner.example/cb"):
    view, _ = partners.upsert("call-1470", PartnerIn(name="1470", kind="call_centre_1470", callback_url=callback),
                              "admin-1")
    secret = view["new_secret"]["secret"]
    from chalicelib.dal import partner_store
    partner = partner_store.get("call-1470")
    created, _ = remote_requests.submit_from_partner(
        partner, f"msg_{n}", PartnerRequestIn.model_validate({**request_body(n), "partner_ref": f"REF-{n}"}))
    return secret, created["tracking_code"]


def set_callback(url: str) -> None:
    """Bypass the registration check, as a misconfigured or rebinding partner would."""
    from chalicelib.dal import partner_store
    partner_store.save(dataclasses.replace(partner_store.get("call-1470"), callback_url=url))


def test_sla_sweep_returns_unaccepted_requests_and_records_the_breach(network):
    now = calendar.now_tehran()
    late = remote_requests._submit(RemoteRequestIn.model_validate(request_body(1)), now)["tracking_code"]
    started = remote_requests._submit(RemoteRequestIn.model_validate(request_body(2)), now)["tracking_code"]
    load_store.set_open("OF-A", 2, now)
    got = {remote_requests.next_request("OF-A", "op-1", now)["tracking_code"] for _ in range(2)}
    assert got == {late, started}
    remote_requests.act("OF-A", "op-1", started, "start", now=now)
    assert remote_jobs.sweep_sla(now) == {"returned": 0, "stale": 0, "raced": 0}  # not overdue yet

    after = now + timedelta(minutes=31)
    assert remote_jobs.sweep_sla(after) == {"returned": 1, "stale": 0, "raced": 0}
    item = request_store.get(late)
    assert item.status == "RECEIVED" and item.office_id is None and item.queue_office_id is None
    assert item.history[-1]["actor"] == "sla-sweep" and item.history[-1]["office"] == "OF-A"
    assert load_store.counter("OF-A").busy == 1  # only the started one holds a counter
    assert request_store.breaches("OF-A", after.date().isoformat()) == 1
    assert request_store.get(started).status == "IN_PROGRESS"
    # Off the office's work list with it; the started one stays.
    assert [i["tracking_code"] for i in remote_requests.work_list("OF-A")["items"]] == [started]
    # Back in the national queue: another office pulls it; the sweep has nothing left.
    assert remote_requests.next_request("OF-C", "op-2", after)["tracking_code"] == late
    assert remote_jobs.sweep_sla(after) == {"returned": 0, "stale": 0, "raced": 0}


class Recorder:
    def __init__(self, answers):
        self.answers, self.calls = list(answers), []

    def __call__(self, url, body, headers):
        self.calls.append((url, body, headers))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_callbacks_are_signed_thin_and_follow_the_lifecycle(network):
    secret, tracking = partner_with_request()
    now = calendar.now_tehran()
    assert remote_requests.next_request("OF-A", "op-1", now)["tracking_code"] == tracking
    remote_requests.act("OF-A", "op-1", tracking, "start", now=now)
    remote_requests.act("OF-A", "op-1", tracking, "complete", now=now)
    sender = Recorder([(200, None)] * 3)
    assert remote_jobs.deliver_callbacks(now + timedelta(seconds=1), sender) == {
        "sent": 3, "retried": 0, "stopped": 0, "dropped": 0}
    statuses = []
    for url, body, headers in sender.calls:
        assert url == "https://partner.example/cb"
        webhooks.verify(headers, body, [secret], int((now + timedelta(seconds=1)).timestamp()))
        event = json.loads(body)
        assert event["type"] == "request.status" and event["data"]["tracking_code"] == tracking
        assert event["data"]["partner_ref"] == "REF-1"
        assert national_id(1) not in body.decode() and "mobile" not in body.decode()
        statuses.append(event["data"]["status"])
    assert sorted(statuses) == sorted(["ASSIGNED", "IN_PROGRESS", "COMPLETED"])
    assert outbox_store.pending(outbox.CALLBACK) == []


def test_callbacks_retry_with_backoff_and_stop_on_410(network):
    _, tracking = partner_with_request()
    now = calendar.now_tehran()
    remote_requests.next_request("OF-A", "op-1", now)
    sender = Recorder([(503, 120)])
    assert remote_jobs.deliver_callbacks(now, sender)["retried"] == 1
    [waiting] = outbox_store.pending(outbox.CALLBACK)
    assert waiting.attempts == 1 and waiting.due >= now + timedelta(seconds=120)  # Retry-After honoured
    assert waiting.lease is None  # the run let go of it
    first_id = waiting.content.webhook_id
    sender = Recorder([ConnectionError("down")])
    later = now + timedelta(seconds=121)
    assert remote_jobs.deliver_callbacks(later, sender)["retried"] == 1
    [waiting] = outbox_store.pending(outbox.CALLBACK)
    assert waiting.attempts == 2 and waiting.content.webhook_id == first_id  # same id on every retry
    assert waiting.due >= later + timedelta(seconds=0.8 * webhooks.RETRY_DELAYS[1])
    sender = Recorder([(410, None)])
    assert remote_jobs.deliver_callbacks(later + timedelta(hours=1), sender)["stopped"] == 1
    assert outbox_store.pending(outbox.CALLBACK) == []
    assert tracking


def test_callbacks_to_private_addresses_are_never_sent(network):
    partners.upsert("call-1470", PartnerIn(name="1470", kind="call_centre_1470", callback_url="https://cb.example/x"),
                    "admin-1")
    now = calendar.now_tehran()
    for target in ("https://127.0.0.1/cb", "https://169.254.169.254/latest", "http://10.0.0.1/cb"):
        outbox_store.put([outbox.status_callback("call-1470", "RQ2222222222", "ASSIGNED", now)])
        set_callback(target)
        assert remote_jobs.deliver_callbacks(now, remote_jobs.http_sender())["dropped"] == 1, target


def test_the_real_sender_posts_signed_callbacks(network):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        secret, tracking = partner_with_request()
        set_callback(f"http://127.0.0.1:{server.server_port}/ejso")  # as `make run` (stage local) may
        now = calendar.now_tehran()
        remote_requests.next_request("OF-A", "op-1", now)
        # Refused by default (a loopback address); only the local stage allows it, for the simulator.
        assert remote_jobs.deliver_callbacks(now, remote_jobs.http_sender())["dropped"] == 1
        remote_requests.act("OF-A", "op-1", tracking, "start", now=now)
        assert remote_jobs.deliver_callbacks(now, remote_jobs.http_sender(allow_private=True))["sent"] == 1
    finally:
        server.shutdown()
    [(headers, body)] = received
    assert webhooks.verify(headers, body, [secret], int(now.timestamp()))
    assert json.loads(body)["data"]["status"] == remote.IN_PROGRESS


def test_reconciliation_fixes_drifted_counters_and_never_a_racing_claim(network, monkeypatch):
    now = calendar.now_tehran()
    for n in range(3):
        remote_requests._submit(RemoteRequestIn.model_validate(request_body(70 + n)), now)
    load_store.set_open("OF-A", 3, now)
    load_store.set_open("OF-B", 1, now)
    held = remote_requests.next_request("OF-A", "op-1", now)["tracking_code"]
    remote_requests.next_request("OF-A", "op-1", now)
    later = now + timedelta(minutes=2)  # past the settle window of the claims above
    assert remote_jobs.reconcile_counters(later)["corrected"] == 0  # no drift
    # Drift: a lost release on OF-A, a phantom claim on OF-B.
    from chalicelib.dal.models import OfficeCounterItem
    OfficeCounterItem("OC#OF-A", "COUNTERS").update(actions=[OfficeCounterItem.busy.set(3)])
    OfficeCounterItem("OC#OF-B", "COUNTERS").update(actions=[OfficeCounterItem.busy.set(1)])
    # Counters that changed within the settle window are left for the next run: the index of
    # requests in hand may not have caught up with them yet.
    assert remote_jobs.reconcile_counters(now) == {"offices": 2, "corrected": 0, "skipped": 0, "unsettled": 2}
    assert load_store.counter("OF-A").busy == 3
    assert remote_jobs.reconcile_counters(later) == {"offices": 2, "corrected": 2, "skipped": 0, "unsettled": 0}
    assert load_store.counter("OF-A").busy == 2 and load_store.counter("OF-B").busy == 0
    # A claim racing the job (after the job read the counters) is never overwritten.
    OfficeCounterItem("OC#OF-A", "COUNTERS").update(actions=[OfficeCounterItem.busy.set(0)])
    real = request_store.held_per_office

    def claim_meanwhile():
        # OF-B claims after the job read its counter (busy 0) and before the requests are read.
        remote_requests.next_request("OF-B", "op-2", now)
        return real()

    monkeypatch.setattr(request_store, "held_per_office", claim_meanwhile)
    next_run = later + timedelta(minutes=2)  # the correction above restamped OF-A's counters
    result = remote_jobs.reconcile_counters(next_run)
    assert result["corrected"] == 1 and result["skipped"] == 1  # OF-A fixed; OF-B left for next run
    monkeypatch.undo()
    assert load_store.counter("OF-A").busy == 2 and load_store.counter("OF-B").busy == 1
    assert remote_jobs.reconcile_counters(next_run + timedelta(minutes=2))["corrected"] == 0
    assert held


def finish(n_from: int, count: int, now) -> None:
    """`count` remote requests submitted, pulled, started and completed at OF-A."""
    for n in range(n_from, n_from + count):
        code = remote_requests._submit(RemoteRequestIn.model_validate(request_body(n)), now)["tracking_code"]
        assert remote_requests.next_request("OF-A", "op-1", now)["tracking_code"] == code
        remote_requests.act("OF-A", "op-1", code, "start", now=now)
        remote_requests.act("OF-A", "op-1", code, "complete", reason="done", now=now)


def test_reconciliation_reads_the_same_with_ten_times_the_finished_requests(network, monkeypatch):
    now = calendar.now_tehran()
    later = now + timedelta(minutes=2)
    load_store.set_open("OF-A", 2, now)
    finish(200, 4, now)
    # Two requests in hand, so the job has live work to count.
    for n in (300, 301):
        remote_requests._submit(RemoteRequestIn.model_validate(request_body(n)), now)
        remote_requests.next_request("OF-A", "op-1", now)
    remote_jobs.reconcile_counters(later)  # warm the catalogue view: its load is not the job's work

    counter = ReadCounter(monkeypatch)
    assert remote_jobs.reconcile_counters(later)["corrected"] == 0
    once = list(counter.calls)
    monkeypatch.undo()

    load_store.set_open("OF-A", 3, now)
    finish(400, 36, now)  # 40 finished in all: ten times as many
    load_store.set_open("OF-A", 2, now)
    counter = ReadCounter(monkeypatch)
    assert remote_jobs.reconcile_counters(later) == {"offices": 1, "corrected": 0, "skipped": 0, "unsettled": 0}
    assert counter.calls == once, (once, counter.calls)
    assert counter.items() > 0 and any(name == "Scan" and n == 2 for name, n in counter.calls)
