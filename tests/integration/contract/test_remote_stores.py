"""The remote side's stores, on the in-memory fakes and on DynamoDB Local with the same checks:
a queued request is claimed once, an office never holds more requests than its open counters
(busy < open), a partner delivery is processed once per webhook-id, and an outbox message is
claimed by one delivery run until its lease expires."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from chalicelib.domain import calendar, outbox, remote
from chalicelib.domain.partner import Partner, PartnerSecret, WebhookDelivery
from chalicelib.domain.remote import RemoteRequest
from chalicelib.errors import Conflict, TxConditionFailed
from tests.fakes.outbox import FakeOutboxStore
from tests.fakes.partners import FakePartnerStore
from tests.fakes.remote import FakeCounterStore, FakeRequestStore

NOW = calendar.now_tehran().replace(microsecond=0)


def petitions(office_id: str) -> remote.WorkScope:
    return remote.WorkScope(office_id, frozenset({"petitions"}))


class Stores:
    def __init__(self, requests, counters, partners, outbox_store):
        self.requests, self.counters, self.partners, self.outbox = requests, counters, partners, outbox_store


@pytest.fixture(params=["fake", "dynamodb"])
def stores(request):
    if request.param == "fake":
        counters, partners, messages = FakeCounterStore(), FakePartnerStore(), FakeOutboxStore()
        return Stores(FakeRequestStore(counters, messages, partners), counters, partners, messages)
    request.getfixturevalue("tables")
    from chalicelib.dal import load_store, outbox_store, partner_store, request_store
    from chalicelib.dal.models import OutboxItem, PartnerItem, RemoteRequestItem
    from tests.integration.support import empty_tables
    empty_tables((RemoteRequestItem, PartnerItem, OutboxItem))
    return Stores(request_store, load_store, partner_store, outbox_store)


def new_request(n: int, *, office: str | None = None, partner: str | None = None) -> RemoteRequest:
    return RemoteRequest(remote.new_tracking_code(), "S0001", remote.RECEIVED, "partner" if partner else "citizen",
                         citizen_key=f"k{n}", national_id_masked="*******679", mobile="+989121234567", country="IR",
                         time_zone="Asia/Tehran", sla_deadline=NOW + timedelta(hours=8, minutes=n), created_at=NOW,
                         updated_at=NOW, partner_id=partner, queue_office_id=office,
                         history=[{"at": NOW.isoformat(), "actor": "citizen", "from": None, "to": remote.RECEIVED}])


def test_a_request_round_trips_and_waits_in_its_queue(stores):
    first, own = new_request(1), new_request(2, office="OF-A")
    stores.requests.create(first, "petitions", NOW)
    stores.requests.create(own, "petitions", NOW)
    assert stores.requests.get(first.tracking_code) == first
    assert stores.requests.get("RQ2222222222") is None
    heads = stores.requests.eligible_heads(petitions("OF-A"), 5)
    assert [e.tracking_code for e in heads] == [first.tracking_code, own.tracking_code]  # earliest deadline first
    assert heads[1].office_id == "OF-A" and heads[0].office_id is None
    assert [e.tracking_code for e in stores.requests.eligible_heads(petitions("OF-B"), 5)] == [first.tracking_code]
    with pytest.raises(TxConditionFailed) as failed:
        stores.requests.create(first, "petitions", NOW)
    assert "request" in failed.value.labels


def test_a_queued_request_is_claimed_once_and_never_beyond_the_open_counters(stores):
    stores.counters.set_open("OF-A", 1, NOW)
    stores.counters.set_open("OF-B", 1, NOW)
    one, two = new_request(1), new_request(2)
    for r in (one, two):
        stores.requests.create(r, "petitions", NOW)
    [entry, other] = stores.requests.eligible_heads(petitions("OF-A"), 5)
    accept_by = NOW + timedelta(minutes=30)
    stores.requests.claim(entry, "OF-A", "operator:op-1", NOW, accept_by)
    with pytest.raises(TxConditionFailed) as taken:  # the same entry, for another office
        stores.requests.claim(entry, "OF-B", "operator:op-2", NOW, accept_by)
    assert taken.value.labels >= {"queue", "request"}
    with pytest.raises(TxConditionFailed) as full:  # OF-A's one counter is busy
        stores.requests.claim(other, "OF-A", "operator:op-1", NOW, accept_by)
    assert full.value.labels == {"counter"}
    assert stores.counters.counter("OF-A") == remote.OfficeCounters("OF-A", 1, 1)
    assert stores.counters.counter("OF-B") == remote.OfficeCounters("OF-B", 1, 0)
    held = stores.requests.get(entry.tracking_code)
    assert (held.status, held.office_id, held.accept_by) == (remote.ASSIGNED, "OF-A", accept_by)
    assert [r.tracking_code for r in stores.requests.in_hand("OF-A")] == [entry.tracking_code]
    assert [e.tracking_code for e in stores.requests.eligible_heads(petitions("OF-B"), 5)] == [other.tracking_code]
    # Started, then completed: the counter is freed once, the lease ends with the start.
    stores.requests.transition(held, remote.IN_PROGRESS, "operator:op-1", NOW, release_counter=False)
    with pytest.raises(TxConditionFailed):  # read before the start: stale
        stores.requests.transition(held, remote.REJECTED, "operator:op-1", NOW, release_counter=True)
    started = stores.requests.get(entry.tracking_code)
    stores.requests.transition(started, remote.COMPLETED, "operator:op-1", NOW, release_counter=True)
    assert stores.counters.counter("OF-A").busy == 0 and stores.requests.in_hand("OF-A") == []
    assert stores.requests.overdue_leases(accept_by + timedelta(minutes=1)) == []


def test_an_unaccepted_request_goes_back_to_the_national_queue(stores):
    stores.counters.set_open("OF-A", 1, NOW)
    request = new_request(1, office="OF-A")
    stores.requests.create(request, "petitions", NOW)
    [entry] = stores.requests.eligible_heads(petitions("OF-A"), 5)
    accept_by = NOW + timedelta(minutes=30)
    stores.requests.claim(entry, "OF-A", "operator:op-1", NOW, accept_by)
    assert stores.requests.overdue_leases(NOW) == []
    later = accept_by + timedelta(seconds=1)
    [lease] = stores.requests.overdue_leases(later)
    assert (lease.tracking_code, lease.office_id, lease.accept_by) == (request.tracking_code, "OF-A", accept_by)
    stores.requests.requeue(stores.requests.get(request.tracking_code), "petitions", later)
    back = stores.requests.get(request.tracking_code)
    assert (back.status, back.office_id, back.queue_office_id) == (remote.RECEIVED, None, None)
    assert stores.requests.overdue_leases(later) == []
    assert stores.counters.counter("OF-A").busy == 0
    assert stores.requests.breaches("OF-A", later.date().isoformat()) == 1
    assert [e.tracking_code for e in stores.requests.eligible_heads(petitions("OF-B"), 5)] == [request.tracking_code]


def test_a_partner_delivery_is_processed_once_per_webhook_id(stores):
    delivery = WebhookDelivery.received("call-1470", "msg_1", NOW, 76)
    first = new_request(1, partner="call-1470")
    stores.requests.create(first, "petitions", NOW, delivery=delivery)
    assert stores.partners.seen_request("call-1470", "msg_1", NOW) == first.tracking_code
    assert stores.partners.seen_request("call-1470", "msg_2", NOW) is None
    with pytest.raises(TxConditionFailed) as replayed:
        stores.requests.create(new_request(2, partner="call-1470"), "petitions", NOW, delivery=delivery)
    assert replayed.value.labels == {"webhook"}
    # Past its keeping time the record no longer counts (TTL deletes lazily).
    after = delivery.keep_until + timedelta(seconds=1)
    assert stores.partners.seen_request("call-1470", "msg_1", after) is None
    late = new_request(3, partner="call-1470")
    stores.requests.create(late, "petitions", after, delivery=WebhookDelivery.received("call-1470", "msg_1", after, 76))
    assert stores.partners.seen_request("call-1470", "msg_1", after) == late.tracking_code


def test_partners_are_saved_under_their_version(stores):
    stamp = NOW.isoformat()
    partner = Partner("call-1470", "1470", "call_centre_1470", 2, stamp, stamp,
                      secrets=(PartnerSecret("sk_1", "whsec_x", stamp),))
    saved = stores.partners.save(partner)
    assert stores.partners.get("call-1470") == partner and saved.version is not None
    with pytest.raises(Conflict):
        stores.partners.save(partner)  # created meanwhile by someone else
    stores.partners.save(dataclasses.replace(saved, name="1470 network"))
    with pytest.raises(Conflict):
        stores.partners.save(dataclasses.replace(saved, name="stale"))


def test_the_registry_lists_every_partner_by_id(stores):
    stamp = NOW.isoformat()
    assert stores.partners.all_partners() == []
    for partner_id, active in (("court-1", False), ("call-1470", True)):
        stores.partners.save(Partner(partner_id, partner_id, "court_system", 2, stamp, stamp,
                                     secrets=(PartnerSecret("sk_1", "whsec_x", stamp),), active=active))
    listed = stores.partners.all_partners()
    assert [(p.partner_id, p.active) for p in listed] == [("call-1470", True), ("court-1", False)]
    assert listed[0] == stores.partners.get("call-1470")


def test_an_outbox_message_is_claimed_once_until_its_lease_expires(stores):
    sms = outbox.sms("remote_received", "+989121234567", NOW - timedelta(seconds=1), params={"tracking_code": "T"})
    later = outbox.sms("remote_received", "+989121234567", NOW + timedelta(hours=1))
    stores.outbox.put([sms, later])
    assert [m.message_id for m in stores.outbox.due(outbox.SMS, NOW)] == [sms.message_id]
    assert stores.outbox.due(outbox.CALLBACK, NOW) == []
    mine = stores.outbox.claim(sms, NOW, 60)
    assert mine is not None and mine.lease
    assert stores.outbox.claim(sms, NOW, 60) is None  # another run
    assert stores.outbox.due(outbox.SMS, NOW) == []  # held: not offered to another run
    expired = NOW + timedelta(seconds=61)
    theirs = stores.outbox.claim(sms, expired, 60)  # the first run died: a later run takes it over
    assert theirs is not None and theirs.lease != mine.lease
    assert stores.outbox.done(mine) is False  # the first run's lease is gone
    assert stores.outbox.retry_later(theirs, NOW + timedelta(minutes=5)) is True
    [moved, _] = stores.outbox.pending(outbox.SMS)
    assert (moved.message_id, moved.attempts, moved.lease) == (sms.message_id, 1, None)
    again = stores.outbox.claim(moved, NOW + timedelta(minutes=5), 60)
    assert stores.outbox.done(again) is True
    assert [m.message_id for m in stores.outbox.pending(outbox.SMS)] == [later.message_id]
    assert stores.outbox.pending_count() == 1


def test_due_messages_are_read_page_by_page_each_once_past_those_another_run_holds(stores):
    """A backlog deeper than a page is read on, not re-read from the top: every due message no
    run holds comes once, earliest first within each page; held and future ones never do."""
    due = [outbox.sms("booking_reminder", f"+98912{n:07d}", NOW - timedelta(seconds=n), booking_id=f"BK{n}")
           for n in range(120)]
    future = outbox.sms("booking_reminder", "+989120009999", NOW + timedelta(minutes=1), booking_id="BKF")
    stores.outbox.put([*due, future])
    held = {m.message_id for m in due[::7]}
    for message in due[::7]:
        assert stores.outbox.claim(message, NOW, 60) is not None
    pages = stores.outbox.due_pages(outbox.SMS, NOW, 10)
    first = next(pages)
    assert 0 < len(first) < 120 - len(held) and first == sorted(first, key=lambda m: (m.due, m.message_id))
    rest = [m for page in pages for m in page]
    seen = [m.message_id for m in [*first, *rest]]
    assert len(seen) == len(set(seen))  # each once
    assert set(seen) == {m.message_id for m in due} - held
    assert all(m.lease is None for m in [*first, *rest])
    assert list(stores.outbox.due_pages(outbox.CALLBACK, NOW, 10)) == []


def test_a_message_given_up_is_kept_as_a_dead_letter_without_its_secrets(stores):
    sms = outbox.sms("booking_confirmed", "+989121234567", NOW - timedelta(seconds=1), booking_id="BK1",
                     params={"access_code": "7K3M9QX2", "office_fa": "دفتر"})
    stores.outbox.put([sms])
    mine = stores.outbox.claim(sms, NOW, 60)
    stolen = stores.outbox.claim(sms, NOW + timedelta(seconds=61), 60)  # mine expired, another run took it
    assert stores.outbox.bury(outbox.given_up(mine, "invalid number", 104, NOW), mine.lease) is False
    assert stores.outbox.dead_letters(outbox.SMS) == []
    assert stores.outbox.bury(outbox.given_up(stolen, "invalid number", 104, NOW), stolen.lease) is True
    assert stores.outbox.pending(outbox.SMS) == [] and stores.outbox.pending_count() == 0
    (dead,) = stores.outbox.dead_letters(outbox.SMS)
    assert (dead.reason, dead.code, dead.attempts, dead.dead_at) == ("invalid number", "104", 1, NOW)
    assert dead.message.message_id == sms.message_id and dead.message.content.booking_id == "BK1"
    assert dict(dead.message.content.params) == {"office_fa": "دفتر"}  # the access code is not kept
    assert stores.outbox.dead_letters(outbox.CALLBACK) == []


def test_an_office_reads_only_the_work_its_scope_admits_earliest_first(stores):
    """Older work of other categories, and of services the office excluded, never hides what it
    may take; each partition gives at most `per_partition` admitted entries."""
    def queued(n: int, category: str, service: str = "S0001", office: str | None = None) -> RemoteRequest:
        request = dataclasses.replace(new_request(n, office=office), service_id=service)
        stores.requests.create(request, category, NOW)
        return request

    others = [queued(n, "consulting", "S0003") for n in range(1, 8)]
    excluded = [queued(n, "petitions", "S0009") for n in range(10, 40)]
    wanted = [queued(n, "petitions") for n in range(40, 43)]
    own = queued(50, "sana", "S0002", office="OF-A")  # its own queue: any category it offers
    by_name = queued(60, "notices", "S0004")  # a service offered one by one
    scope = remote.WorkScope("OF-A", frozenset({"petitions", "sana"}), services=frozenset({"S0004"}),
                             excluded=frozenset({"S0009"}), service_categories=frozenset({"notices"}))
    heads = stores.requests.eligible_heads(scope, 2)
    assert [e.tracking_code for e in heads] == [wanted[0].tracking_code, wanted[1].tracking_code, own.tracking_code,
                                                by_name.tracking_code]
    assert [e.office_id for e in heads] == [None, None, "OF-A", None]
    assert (heads[0].service_id, heads[0].category) == ("S0001", "petitions")
    # Another office serving consulting sees the oldest of it, not what waits in OF-A's own queue.
    consulting = stores.requests.eligible_heads(remote.WorkScope("OF-B", frozenset({"consulting", "sana"})), 5)
    assert [e.tracking_code for e in consulting] == [r.tracking_code for r in others[:5]]
    assert len(excluded) == 30 and stores.requests.eligible_heads(remote.WorkScope("OF-C", frozenset()), 5) == []
