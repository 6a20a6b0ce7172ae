"""Remote requests under concurrency, through the real HTTP stack (`chalice local`) on DynamoDB
Local: clients released together by a barrier, outcomes counted in responses and in the database."""
from __future__ import annotations

from collections import Counter

from tests.integration.remote_support import dumps, fire, request_body, statuses
from tests.integration.staff import issue_token
from tests.integration.support import citizen_headers


def stored_requests():
    from chalicelib.dal.models import RemoteRequestItem
    return [i for i in RemoteRequestItem.scan(consistent_read=True) if i.sk == "REQUEST"]


def test_fifty_posts_with_one_idempotency_key(api, network):
    body = dumps(request_body(40))
    headers = {"Content-Type": "application/json", "Idempotency-Key": "one-key-for-fifty",
               **citizen_headers(request_body(40))}
    results = fire([("POST", f"{api}/v1/requests", body, headers)] * 50)
    counts = statuses(results)
    assert set(counts) <= {201, 409} and counts[201] >= 1, counts
    created = {r.json()["tracking_code"] for r in results if r.status_code == 201}
    assert len(created) == 1  # every 201 is the first request, replayed
    for r in results:
        if r.status_code == 409:
            assert r.json()["type"].endswith("request-in-progress") and r.headers.get("Retry-After")
    assert [i.pk.removeprefix("RQ#") for i in stored_requests()] == list(created)
    from chalicelib.dal.models import QueueItem
    assert sum(1 for i in QueueItem.scan(consistent_read=True) if i.sk[0].isdigit()) == 1


def test_hundred_pulls_from_twenty_offices_over_thirty_requests(api, network):
    from chalicelib.dal import catalogue_store, load_store
    from chalicelib.dal.models import OfficeCounterItem, QueueItem
    from chalicelib.domain import calendar
    from chalicelib.schemas import RemoteRequestIn
    from chalicelib.services import remote_requests
    from tests.integration import fixtures

    offices = {f"OF-P{i:02d}": 1 + i % 3 for i in range(20)}  # open counters: 1, 2 or 3 (39 in all)
    catalogue_store.save_all([fixtures.office(o, 3) for o in offices])
    now = calendar.now_tehran()
    for office, open_counters in offices.items():
        load_store.set_open(office, open_counters, now)
    codes = {remote_requests._submit(RemoteRequestIn.model_validate(request_body(100 + n)), None)["tracking_code"]
             for n in range(30)}
    assert len(codes) == 30

    calls = []
    for k in range(100):
        office = list(offices)[k % 20]
        calls.append(("POST", f"{api}/v1/office/queue/next", b"",
                      {"Authorization": f"Bearer {issue_token(f'op-{k}', office)}"}))
    results = fire(calls)
    counts = statuses(results)
    assert set(counts) <= {200, 204, 409}, counts  # no 5xx, no transport errors
    print('pull outcomes', dict(counts))
    won = Counter()
    claimed = []
    for r in results:
        if r.status_code == 200:
            view = r.json()
            claimed.append(view["tracking_code"])
            won[view["office"]["office_id"]] += 1
        elif r.status_code == 409:
            assert r.json()["type"].endswith("no-free-counter")
    # In the responses: every request exactly once, no office above its open counters.
    assert sorted(claimed) == sorted(codes), counts
    assert all(won[o] <= offices[o] for o in offices), won
    # In the database: the same, and the counters equal the rows.
    rows = {i.pk.removeprefix("RQ#"): i for i in stored_requests()}
    assert all(r.status == "ASSIGNED" for r in rows.values())
    by_office = Counter(r.office_id for r in rows.values())
    assert by_office == won
    busy = {i.pk.removeprefix("OC#"): int(i.busy) for i in OfficeCounterItem.scan(consistent_read=True)
            if i.sk == "COUNTERS" and i.pk.startswith("OC#OF-P")}
    assert all(busy[o] == by_office[o] <= offices[o] for o in offices), busy
    assert not [i for i in QueueItem.scan(consistent_read=True) if i.pk.startswith("Q")]
    assert all(len(r.history) == 2 and r.history[-1]["to"] == "ASSIGNED" for r in rows.values())


def test_twenty_identical_deliveries_at_once_create_one_request(api, network):
    from chalicelib.schemas import PartnerIn
    from chalicelib.services import partners
    from tests.integration.remote_support import signed

    view, _ = partners.upsert("call-1470", PartnerIn(name="1470", kind="call_centre_1470", quota_per_minute=1000),
                              "admin-1")
    payload = dumps({**request_body(60), "partner_ref": "1470-CALL-000060"})
    headers = signed(view["new_secret"]["secret"], payload, msg_id="msg_storm_1")
    results = fire([("POST", f"{api}/v1/partners/call-1470/requests", payload, headers)] * 20)
    counts = statuses(results)
    assert counts[201] == 1 and counts[200] == 19, counts
    assert len({r.json()["tracking_code"] for r in results}) == 1
    assert len(stored_requests()) == 1
