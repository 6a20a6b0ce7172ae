"""Remote requests on the in-memory fakes: intake from citizens and partners (a partner's
delivery processed once per webhook-id), the office's pull (claimed once, never beyond its open
counters), the transitions, and the SLA sweep."""
from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest

from chalicelib.domain import outbox, remote
from chalicelib.domain.partner import Partner, PartnerSecret
from chalicelib.errors import IdempotencyKeyReused, NoFreeCounter, RequestStateConflict
from chalicelib.schemas import PartnerRequestIn, RemoteRequestIn
from chalicelib.services import remote_jobs, remote_requests
from tests.fakes.accounts import FakeAccountsStore
from tests.fakes.idempotency import FakeIdempotencyStore
from tests.fakes.outbox import FakeOutboxStore
from tests.fakes.partners import FakePartnerStore
from tests.fakes.remote import FakeCounterStore, FakeRequestStore
from tests.unit.services.network import NOW, SERVICES, fake_network, office


def body(n: int = 1, **extra) -> dict:
    nid = f"{(n * 7919) % 10**9:09d}"
    check = sum(int(nid[i]) * (10 - i) for i in range(9)) % 11
    return {"service_id": "S-PET", "national_id": nid + str(check if check < 2 else 11 - check),
            "mobile": f"0912{n:07d}", "description": "درخواست ثبت دادخواست", **extra}


@contextlib.contextmanager
def remote_network():
    counters, messages, partners = FakeCounterStore(), FakeOutboxStore(), FakePartnerStore()
    accounts = FakeAccountsStore()
    requests = FakeRequestStore(counters, messages, partners, accounts)
    with fake_network([office("OF-A"), office("OF-B", lat=35.8)], requests=requests, load=counters,
                      outbox=messages, partners=partners, idempotency=FakeIdempotencyStore(),
                      accounts=accounts) as fakes:
        yield fakes


def submit(n: int = 1, when=NOW, **extra) -> dict:
    return remote_requests._submit(RemoteRequestIn.model_validate(body(n, **extra)), when)


def partner(fakes) -> Partner:
    stamp = NOW.isoformat()
    return fakes["partners"].save(Partner("call-1470", "1470", "call_centre_1470", 60, stamp, stamp,
                                          callback_url="https://partner.example/cb",
                                          secrets=(PartnerSecret("sk_1", "whsec_x", stamp),)))


def test_a_citizen_request_waits_in_the_national_queue_with_its_sms():
    with remote_network() as fakes:
        created = submit(1)
        assert created["status"] == remote.RECEIVED and created["queue"] == "national" and created["office"] is None
        stored = fakes["requests"].get(created["tracking_code"])
        assert stored.mobile == "+989120000001" and body(1)["national_id"] not in repr(stored)
        [sms] = fakes["outbox"].pending(outbox.SMS)
        assert sms.content.template == "remote_received" and sms.content.params["tracking_code"] == stored.tracking_code
        # Read back with its access code only.
        assert remote_requests.read(stored.tracking_code, created["access_code"])["status"] == remote.RECEIVED
        # A preferred office that serves it remotely keeps it in its own queue.
        own = submit(2, preferred_office_id="OF-B")
        assert own["queue"] == "office"
        petitions = remote.WorkScope("OF-A", frozenset({"petitions"}))
        assert [e.tracking_code for e in fakes["requests"].eligible_heads(petitions, 5)] == [stored.tracking_code]


def test_an_idempotency_key_creates_one_request():
    with remote_network() as fakes:
        req = RemoteRequestIn.model_validate(body(3))
        first = remote_requests.submit(req, "key-123456789", lambda_context="ctx")
        assert fakes["idempotency"].context == "ctx"  # a timed-out invocation's record expires with it
        # The same request, without its access code: the record a retry reads never held it.
        assert first["access_code"]
        assert remote_requests.submit(req, "key-123456789") == {k: v for k, v in first.items() if k != "access_code"}
        assert len(fakes["requests"].requests) == 1
        with pytest.raises(IdempotencyKeyReused):
            remote_requests.submit(RemoteRequestIn.model_validate(body(4)), "key-123456789")


def test_a_partner_delivery_replayed_by_webhook_id_creates_one_request():
    with remote_network() as fakes:
        sender = partner(fakes)
        req = PartnerRequestIn.model_validate({**body(5), "partner_ref": "REF-5"})
        view, created = remote_requests.submit_from_partner(sender, "msg_1", req, NOW)
        again, created_again = remote_requests.submit_from_partner(sender, "msg_1", req, NOW + timedelta(minutes=5))
        assert (created, created_again) == (True, False)
        assert again["tracking_code"] == view["tracking_code"] and again["partner_ref"] == "REF-5"
        other, _ = remote_requests.submit_from_partner(sender, "msg_2", req, NOW)
        assert other["tracking_code"] != view["tracking_code"]
        assert len(fakes["requests"].requests) == 2
        assert fakes["outbox"].pending(outbox.SMS) == []  # a partner tells its citizen itself


def test_the_office_pulls_the_earliest_deadline_once_and_never_beyond_its_counters():
    with remote_network():
        first = submit(6)["tracking_code"]
        second = submit(7, when=NOW + timedelta(minutes=1))["tracking_code"]
        remote_requests.office_counters("OF-A", 1, NOW)
        remote_requests.office_counters("OF-B", 1, NOW)
        pulled = remote_requests.next_request("OF-A", "op-1", NOW)
        assert pulled["tracking_code"] == first and pulled["status"] == remote.ASSIGNED
        with pytest.raises(NoFreeCounter):
            remote_requests.next_request("OF-A", "op-1", NOW)
        assert remote_requests.next_request("OF-B", "op-2", NOW)["tracking_code"] == second
        with pytest.raises(NoFreeCounter):  # OF-B is full now
            remote_requests.next_request("OF-B", "op-2", NOW)
        remote_requests.office_counters("OF-B", 2, NOW)
        assert remote_requests.next_request("OF-B", "op-2", NOW) is None  # nothing left to pull
        assert remote_requests.office_counters("OF-A", None, NOW) == {"office_id": "OF-A", "open": 1, "busy": 1}
        assert [i["tracking_code"] for i in remote_requests.work_list("OF-A")["items"]] == [first]


def test_transitions_free_the_counter_and_announce_themselves_to_the_partner():
    with remote_network() as fakes:
        sender = partner(fakes)
        view, _ = remote_requests.submit_from_partner(
            sender, "msg_9", PartnerRequestIn.model_validate({**body(9), "partner_ref": "REF-9"}), NOW)
        code = view["tracking_code"]
        remote_requests.office_counters("OF-A", 1, NOW)
        assert remote_requests.next_request("OF-A", "op-1", NOW)["tracking_code"] == code
        with pytest.raises(RequestStateConflict):  # not started yet
            remote_requests.act("OF-A", "op-1", code, "complete", now=NOW)
        remote_requests.act("OF-A", "op-1", code, "start", now=NOW)
        done = remote_requests.act("OF-A", "op-1", code, "complete", now=NOW)
        assert done["status"] == remote.COMPLETED
        assert remote_requests.office_counters("OF-A", None, NOW)["busy"] == 0
        statuses = [m.content.payload["data"]["status"] for m in fakes["outbox"].pending(outbox.CALLBACK)]
        assert sorted(statuses) == sorted([remote.ASSIGNED, remote.IN_PROGRESS, remote.COMPLETED])
        history = fakes["requests"].get(code).history
        assert [h["to"] for h in history] == [remote.RECEIVED, remote.ASSIGNED, remote.IN_PROGRESS, remote.COMPLETED]


def test_the_sla_sweep_returns_an_unaccepted_request_and_counts_the_breach():
    with remote_network() as fakes:
        late = submit(11)["tracking_code"]
        remote_requests.office_counters("OF-A", 1, NOW)
        pulled = remote_requests.next_request("OF-A", "op-1", NOW)
        assert pulled["tracking_code"] == late
        assert remote_jobs.sweep_sla(NOW) == {"returned": 0, "stale": 0, "raced": 0}
        after = NOW + timedelta(minutes=31)
        assert remote_jobs.sweep_sla(after) == {"returned": 1, "stale": 0, "raced": 0}
        back = fakes["requests"].get(late)
        assert (back.status, back.office_id) == (remote.RECEIVED, None)
        assert back.history[-1]["actor"] == "sla-sweep"
        assert fakes["requests"].breaches("OF-A", after.date().isoformat()) == 1
        assert remote_requests.office_counters("OF-A", None, after)["busy"] == 0
        assert remote_requests.next_request("OF-A", "op-1", after)["tracking_code"] == late  # pulled again
        assert remote_jobs.sweep_sla(after) == {"returned": 0, "stale": 0, "raced": 0}


def test_an_office_finds_the_work_it_can_do_behind_older_work_it_cannot():
    """The national queue's oldest requests are all of a category an office does not serve; the
    one it can do waits behind them. The office reads only its own queue and its categories'
    partitions, so it gets that request in one pull, whatever waits elsewhere."""
    petitions_only = office("OF-P", offered_categories=frozenset({"petitions"}))
    call_by_name = office("OF-S", offered_categories=frozenset({"sana"}), offered_services=frozenset({"S-CALL"}))
    in_person_calls = office("OF-I", offered_categories=frozenset({"consulting"}),
                             in_person_required=frozenset({"S-CALL"}))
    counters, messages, partners = FakeCounterStore(), FakeOutboxStore(), FakePartnerStore()
    requests = FakeRequestStore(counters, messages, partners, FakeAccountsStore())
    with fake_network([petitions_only, call_by_name, in_person_calls], requests=requests, load=counters,
                      outbox=messages, partners=partners, idempotency=FakeIdempotencyStore()):
        calls = [submit(100 + n, when=NOW + timedelta(seconds=n), service_id="S-CALL")["tracking_code"]
                 for n in range(60)]  # more than the 8 x 5 heads the sharded queue read
        petition = submit(200, when=NOW + timedelta(minutes=5))["tracking_code"]
        assert all(e.order < requests.queued[petition].order for e in requests.queued.values()
                   if e.tracking_code != petition)
        for office_id in ("OF-P", "OF-S", "OF-I"):
            remote_requests.office_counters(office_id, 1, NOW)

        requests.partitions_read = 0
        assert remote_requests.next_request("OF-P", "op-1", NOW)["tracking_code"] == petition
        assert requests.partitions_read == 2  # its own queue and the petitions partition, once
        # A service offered one by one is found in its category's partition, oldest first.
        assert remote_requests.next_request("OF-S", "op-2", NOW)["tracking_code"] == calls[0]
        # A service the office declared in person only is never pulled there, however old.
        assert remote_requests.next_request("OF-I", "op-3", NOW) is None


def test_an_offices_scope_is_what_it_offers_minus_what_it_withdrew():
    declared = office("OF-D", offered_categories=frozenset({"petitions"}), offered_services=frozenset({"S-CALL", "S-GONE"}),
                      not_offered=frozenset({"S-PET2"}), in_person_required=frozenset({"S-PET3"}))
    scope = remote.WorkScope.of(declared, lambda s: SERVICES[s].category if s in SERVICES else None)
    assert scope.national == ("consulting", "petitions")  # a service the catalogue lost adds no partition
    due = NOW + timedelta(hours=8)
    assert scope.admits(remote.QueueEntry("RQ1", "S-PET", "petitions", due))
    assert scope.admits(remote.QueueEntry("RQ2", "S-CALL", "consulting", due))
    assert not scope.admits(remote.QueueEntry("RQ3", "S-OTHER", "consulting", due))
    assert not scope.admits(remote.QueueEntry("RQ4", "S-PET2", "petitions", due))
    assert not scope.admits(remote.QueueEntry("RQ5", "S-PET3", "petitions", due))
    assert not scope.admits(remote.QueueEntry("RQ6", "S-SANA", "sana", due))


def test_a_partner_whose_endpoint_does_not_answer_is_tried_once_a_run():
    """Its other callbacks wait for a later run (retried, not lost) instead of each holding a
    worker for another timeout; another partner's go out in the same run."""
    import base64
    import dataclasses
    with remote_network() as fakes:
        down = partner(fakes)
        secrets = (PartnerSecret("sk_1", "whsec_" + base64.b64encode(b"k" * 24).decode(), NOW.isoformat()),)
        down = fakes["partners"].save(dataclasses.replace(down, secrets=secrets))
        fakes["partners"].save(dataclasses.replace(down, partner_id="other", callback_url="https://other.example/cb",
                                                   version=None))
        fakes["outbox"].put([outbox.status_callback("call-1470", f"RQ{n:010d}", "ASSIGNED", NOW) for n in range(5)]
                            + [outbox.status_callback("other", f"RQ{n:010d}", "ASSIGNED", NOW) for n in range(5, 8)])
        sent = []

        def send(url, body, headers):
            sent.append(url)
            if "partner.example" in url:
                raise TimeoutError("timed out")
            return 204, None

        report = remote_jobs.deliver_callbacks(NOW, send)
        assert report == {"sent": 3, "retried": 5, "stopped": 0, "dropped": 0}
        # one try at the hung endpoint per run and worker at most, never one per message
        assert sent.count("https://partner.example/cb") < 5 and sent.count("https://other.example/cb") == 3
        assert len(fakes["outbox"].pending(outbox.CALLBACK)) == 5
