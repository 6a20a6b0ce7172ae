"""The association's accounts on DynamoDB Local: 1,000 completions across 50 offices priced at
three tariff versions make exactly 1,000 fee records, whatever is retried (completion calls, two
operators completing the same visit at once, the bookings stream redelivered); the statement's
office lines add up to its total; the reconciliation passes, and fails once a record is tampered
with. Then the citizen's receipt, and a refund, through the API."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from chalicelib.domain import calendar, ranking_live
from chalicelib.domain.booking import CHECKED_IN, hash_access_code
from chalicelib.errors import InvalidTransition, ServiceUnavailable
from tests.integration import fixtures
from tests.integration.remote_support import request_body
from tests.integration.support import as_admin, as_operator, post, problem

OFFICES = [f"OF-T{n:02d}" for n in range(50)]
PER_OFFICE = 20
ADMIN = as_admin()
SERVICE_FEES = {"S0001": 500_000, "S0002": 300_000, "S0004": 200_000}  # the seed (version 1)


def _today_at(hhmm: str) -> datetime:
    now = calendar.now_tehran()
    hour, minute = (int(p) for p in hhmm.split(":"))
    return now.replace(hour=hour, minute=minute, second=0, microsecond=0)


@pytest.fixture()
def scale(network):
    """50 offices, a tariff book of three versions, and 1,000 checked-in visits of today priced at
    versions 1, 2 and 3 in turn, written in batches (the setup is not what is being tested)."""
    from pynamodb.exceptions import PutError

    from chalicelib.dal import accounts_store, catalogue_store
    from chalicelib.dal.models import BookingItem
    from chalicelib.domain.tariffs import BookVersion, TariffLine, seed_line

    catalogue_store.save_all([fixtures.office(o, 5, province=("Tehran", "Fars", "Khuzestan")[i % 3])
                              for i, o in enumerate(OFFICES)])
    catalogue_store.clear_cache()
    accounts_store.forget_cache()
    now = calendar.now_tehran()
    stamp = now.isoformat(timespec="seconds")
    # versions 2 and 3 as the prices that were in force when those visits were booked
    lines2 = {s: TariffLine(50_000, fee + 100_000, fee) for s, fee in SERVICE_FEES.items()}
    lines3 = {s: TariffLine(50_000, fee + 200_000, fee + 150_000) for s, fee in SERVICE_FEES.items()}
    accounts_store.adopt_versions([
        BookVersion(1, datetime(2020, 3, 20).date(), {s.service_id: seed_line(s.tariff_rials)
                                                      for s in fixtures.SERVICES}, "seed", stamp),
        BookVersion(2, (now - timedelta(days=40)).date(), lines2, "admin-1", stamp, "v2"),
        BookVersion(3, (now - timedelta(days=10)).date(), lines3, "admin-1", stamp, "v3")], 0)
    expected = {1: {s: seed_line(f) for s, f in SERVICE_FEES.items()}, 2: lines2, 3: lines3}
    day = now.date()
    visits, items = [], []
    for i, office in enumerate(OFFICES):
        for k in range(PER_OFFICE):
            n = i * PER_OFFICE + k
            booking_id = f"BKT{n:05d}"
            service = list(SERVICE_FEES)[n % 3]
            version = n % 3 + 1
            start = datetime.combine(day, datetime.min.time(), calendar.TEHRAN) + timedelta(hours=8, minutes=k)
            items.append(BookingItem(
                f"BK#{booking_id}", "BOOKING", office_id=office, service_id=service, day=day.isoformat(),
                start=start.isoformat(), cells=[f"{start:%H:%M}"], counter=1, status=CHECKED_IN,
                citizen_key=f"ck{n}", national_id_masked="*******899", mobile=fixtures.mobile(n),
                access_code_hash=hash_access_code(booking_id, f"CODE{n}"), created_at=stamp, updated_at=stamp,
                history=[], tariff_version=version, fee_rials=expected[version][service].total_rials,
                gsi1pk=f"OD#{office}#{day.isoformat()}", gsi1sk=f"{start:%H:%M}#{booking_id}",
                gsi2pk=f"CZ#ck{n}", gsi2sk=start.isoformat(), version=1))
            visits.append((office, booking_id, service, version))
    for first in range(0, len(items), 100):  # unconditional puts: a chunk that timed out is written again
        for attempt in range(4):
            try:
                with BookingItem.batch_write() as batch:
                    for item in items[first:first + 100]:
                        batch.save(item)
                break
            except PutError:
                if attempt == 3:
                    raise
    return {"visits": visits, "expected": expected, "period": ranking_live.period_of(now)}


def _complete(office: str, booking_id: str) -> str:
    """An operator's completion, retried as the console retries a 503 (a slow database on a busy
    machine): a retry after a completion that did commit is refused, and writes nothing."""
    from chalicelib.services import office_day
    for _ in range(5):
        try:
            office_day.act(office, "op-1", booking_id, "complete", now=_today_at("12:00"))
            return "done"
        except InvalidTransition:
            return "refused"
        except ServiceUnavailable:
            continue
    return "unavailable"


def _by_office(visits) -> list[list[tuple[str, str]]]:
    """Each worker takes whole offices, as the offices' operators would."""
    lanes: list[list[tuple[str, str]]] = [[] for _ in range(4)]
    for office, booking_id, _, _ in visits:
        lanes[OFFICES.index(office) % 4].append((office, booking_id))
    return lanes


def _records(period: str) -> list:
    from chalicelib.dal import accounts_store
    return [r for o in OFFICES for r in accounts_store.office_records(o, period)]


def _stream_records(visits) -> list[dict]:
    """The bookings stream's MODIFY records of the completions (CHECKED_IN -> COMPLETED)."""
    from boto3.dynamodb.types import TypeSerializer

    from chalicelib.dal.db import shared_client
    from chalicelib.settings import get_settings
    ser, table, out = TypeSerializer(), get_settings().table_name("bookings"), []
    for i, (_, booking_id, _, _) in enumerate(visits):
        new = shared_client().get_item(TableName=table, Key={"pk": {"S": f"BK#{booking_id}"}, "sk": {"S": "BOOKING"}},
                                       ConsistentRead=True)["Item"]
        old = dict(new, status=ser.serialize(CHECKED_IN))
        out.append({"eventID": f"ev-{booking_id}", "eventName": "MODIFY", "eventVersion": "1.1",
                    "eventSource": "aws:dynamodb", "awsRegion": "me-central-1",
                    "eventSourceARN": f"arn:aws:dynamodb:me-central-1:000000000000:table/{table}/stream/local",
                    "dynamodb": {"ApproximateCreationDateTime": 1_790_000_000, "SequenceNumber": str(1000 + i),
                                 "SizeBytes": 100, "StreamViewType": "NEW_AND_OLD_IMAGES",
                                 "Keys": {"pk": new["pk"], "sk": new["sk"]}, "NewImage": new, "OldImage": old}})
    return out


def test_a_thousand_completions_make_a_thousand_fee_records(scale, client):
    from chalicelib.services import accounts

    visits, period = scale["visits"], scale["period"]
    lanes = _by_office(visits)
    with ThreadPoolExecutor(4) as pool:
        outcomes = [o for lane in pool.map(lambda lane: [_complete(*v) for v in lane], lanes) for o in lane]
    assert "unavailable" not in outcomes and outcomes.count("done") + outcomes.count("refused") == 1000
    from chalicelib.dal import booking_store
    assert {booking_store.get_booking(b).status for _, b, _, _ in visits} == {"COMPLETED"}

    # retries: the operator's client retries every 10th completion; two operators complete 20
    # visits at the same moment; the bookings stream delivers its records twice
    retried = [_complete(office, b) for office, b, _, _ in visits[::10]]
    assert set(retried) == {"refused"}
    barrier = threading.Barrier(2)

    def twice(visit):
        barrier.wait()
        return _complete(visit[0], visit[1])

    with ThreadPoolExecutor(2) as pool:
        for visit in visits[5:25]:
            assert list(pool.map(twice, [visit, visit])) == ["refused", "refused"]  # completed already
    records = _stream_records(visits)
    for _ in range(2):
        for i in range(0, len(records), 100):
            result = client.lambda_.invoke("fold_booking_ranking", {"Records": records[i:i + 100]})
            assert result.payload == {"batchItemFailures": []}

    found = _records(period)
    assert len(found) == 1000 and len({r.record_key for r in found}) == 1000
    assert len({r.receipt_id for r in found}) == 1000
    by_key = {r.subject: r for r in found}
    for office, booking_id, service, version in visits:
        r = by_key[booking_id]
        line = scale["expected"][version][service]
        assert (r.office_id, r.tariff_version, r.government_rials, r.office_rials, r.share_base_rials) == (
            office, version, line.government_rials, line.office_rials, line.share_base_rials)

    view = accounts.statement(period)
    assert len(view["items"]) == 50
    assert sum(i["levy_rials"] for i in view["items"]) == view["total_levy_rials"]
    assert sum(i["services"] for i in view["items"]) == 1000
    assert view["total_share_base_rials"] == sum(r.share_base_rials for r in found)
    csv_reply = client.http.get(f"/v1/admin/accounts/statements?month={period}&format=csv", headers=ADMIN)
    assert csv_reply.status_code == 200 and csv_reply.headers["Content-Type"].startswith("text/csv")
    assert csv_reply.body.decode().splitlines()[-1].endswith(f",{view['total_levy_rials']}")
    provinces = json.loads(client.http.get(f"/v1/admin/accounts/provinces?month={period}", headers=ADMIN).body)
    assert sum(p["levy_rials"] for p in provinces["items"]) == view["total_levy_rials"]
    assert sorted(p["province"] for p in provinces["items"]) == ["Fars", "Khuzestan", "Tehran"]

    ok = client.http.post(f"/v1/admin/accounts/reconcile?month={period}", headers=ADMIN)
    assert ok.status_code == 200 and json.loads(ok.body)["records"] == 1000, ok.body

    # someone edits one record in the table: the reconciliation fails loudly
    from chalicelib.dal.db import shared_client
    from chalicelib.settings import get_settings
    target = found[123]
    shared_client().update_item(TableName=get_settings().table_name("accounts"),
                                Key={"pk": {"S": f"FE#{target.office_id}#{period}"}, "sk": {"S": target.record_key}},
                                UpdateExpression="SET office_rials = :v", ExpressionAttributeValues={":v": {"N": "1"}})
    failed = problem(client.http.post(f"/v1/admin/accounts/reconcile?month={period}", headers=ADMIN), 409,
                     "accounts-disagree")
    assert [m["office_id"] for m in failed["mismatches"]] == [target.office_id]


def completed_request(client, n: int) -> tuple[dict, dict]:
    """A citizen's remote request, pulled, started and completed by an operator of OF-A through
    the API: the request as submitted (with its access code) and the operator's headers."""
    resp = post(client, "/v1/requests", request_body(n), {"Idempotency-Key": f"key-{n:08d}"})
    assert resp.status_code == 201, resp.body
    made = json.loads(resp.body)
    op = as_operator("OF-A")
    assert post(client, "/v1/office/counters", {"open": 1}, op).status_code == 200
    assert json.loads(post(client, "/v1/office/queue/next", None, op).body)["tracking_code"] == made["tracking_code"]
    for step in ("start", "complete"):
        r = post(client, f"/v1/office/requests/{made['tracking_code']}/{step}", None, op)
        assert r.status_code == 200, r.body
    return made, op


def test_the_citizen_reads_the_receipt_and_the_association_refunds(client):
    """A remote request completed at an office: its fee, the receipt by SMS and by access code,
    a refund recorded once."""
    from chalicelib.dal import accounts_store

    made, op = completed_request(client, 1)
    problem(post(client, f"/v1/office/requests/{made['tracking_code']}/complete", None, op), 409)  # a retry
    period = ranking_live.period_of(calendar.now_tehran())
    [record] = accounts_store.office_records("OF-A", period)
    assert (record.subject, record.channel, record.total_rials) == (made["tracking_code"], "remote", 500_000)
    r = client.http.get(f"/v1/receipts/{record.receipt_id}", headers={"X-Access-Code": made["access_code"]})
    assert r.status_code == 200, r.body
    receipt = json.loads(r.body)
    assert (receipt["net_rials"], receipt["net_fa"]) == (500_000, "۵۰۰٬۰۰۰ ریال")
    problem(client.http.get(f"/v1/receipts/{record.receipt_id}", headers={"X-Access-Code": "WRONG1"}), 404)
    problem(client.http.get(f"/v1/receipts/{record.receipt_id}"), 404)
    body = {"reference": "REF-1", "kind": "refund", "government_rials": 0, "office_rials": -500_000,
            "share_base_rials": -500_000, "reason": "خدمت ارائه نشد"}
    path = f"/v1/admin/receipts/{record.receipt_id}/adjustments"
    headers = {**ADMIN, "Content-Type": "application/json"}
    first = client.http.post(path, headers=headers, body=json.dumps(body, ensure_ascii=False))
    again = client.http.post(path, headers=headers, body=json.dumps(body, ensure_ascii=False))
    assert (first.status_code, again.status_code) == (201, 200), first.body
    assert json.loads(first.body)["record_key"] == json.loads(again.body)["record_key"]
    problem(client.http.post(path, headers=headers, body=json.dumps({**body, "reference": "REF-2"})), 422)
    # The same reference for another adjustment is refused, not taken for a retry.
    other = {**body, "office_rials": -400_000, "share_base_rials": -400_000}
    problem(client.http.post(path, headers=headers, body=json.dumps(other, ensure_ascii=False)), 409)
    assert json.loads(client.http.get(f"/v1/receipts/{record.receipt_id}",
                                      headers={"X-Access-Code": made["access_code"]}).body)["net_rials"] == 0
    assert accounts_store.month_totals(period)["OF-A"].amounts() == (1, 0, 0, 0)


def test_an_office_manager_reads_their_own_office_statement_only(client):
    """The manager's statement is the association's line of their office, nothing of another's;
    an operator who is not the manager, and the association's token, are refused."""
    _, op = completed_request(client, 2)
    period = ranking_live.period_of(calendar.now_tehran())

    whole = json.loads(client.http.get(f"/v1/admin/accounts/statements?month={period}", headers=ADMIN).body)
    [line_a] = [i for i in whole["items"] if i["office_id"] == "OF-A"]
    path = f"/v1/office/accounts/statement?month={period}"
    mine = client.http.get(path, headers=as_operator("OF-A", "mgr-a", manager=True))
    assert mine.status_code == 200, mine.body
    mine = json.loads(mine.body)
    assert mine["items"] == [line_a] and line_a["services"] == 1 and line_a["share_base_rials"] == 500_000
    assert (mine["total_share_base_rials"], mine["total_levy_rials"]) == (500_000, line_a["levy_rials"])
    other = json.loads(client.http.get(path, headers=as_operator("OF-B", "mgr-b", manager=True)).body)
    assert (other["items"], other["total_levy_rials"]) == ([], 0)
    csv_reply = client.http.get(path + "&format=csv", headers=as_operator("OF-A", "mgr-a", manager=True))
    assert csv_reply.status_code == 200 and csv_reply.headers["Content-Type"].startswith("text/csv")
    assert csv_reply.body.decode().splitlines()[1].startswith("OF-A,")

    problem(client.http.get(path, headers=op), 403)
    problem(client.http.get(path, headers=ADMIN), 401)  # not an operator token
    problem(client.http.get("/v1/office/accounts/statement?month=1405-13",
                            headers=as_operator("OF-A", "mgr-a", manager=True)), 422)
