"""Faults injected between the real HTTP stack (`chalice local`, the test stage's own database
budget) and DynamoDB Local by tests/integration/fault_proxy.py, and at the SMS gateway, a partner's
callback endpoint and the stream consumers. Each scenario counts, in the answers and in the
database: requests answered (and within 3 s), data lost, duplicates; and records the figures
(tests/integration/fault_figures.py: one table at the end of the run)."""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from datetime import date

import pytest
import requests

from tests.integration import fault_figures
from tests.integration.conftest import MANY_CLIENTS_ON_ONE_ADDRESS, STAGE_BUDGET
from tests.integration.fault_proxy import FaultProxy
from tests.integration.fixtures import at, mobile, national_id, next_open_day
from tests.integration.remote_support import request_body
from tests.integration.support import citizen_headers

OFFICE = "OF-C"  # six counters
BUDGET_S = 3.0


@pytest.fixture(scope="module")
def stack(tables, ddb_endpoint):
    """The HTTP stack with its database behind the fault proxy; the test itself reads DynamoDB
    Local directly, so what it counts does not pass through the faults."""
    from tests.integration.remote_support import LocalApi
    proxy = FaultProxy(ddb_endpoint)
    server = LocalApi({**MANY_CLIENTS_ON_ONE_ADDRESS, **STAGE_BUDGET, "DDB_ENDPOINT": proxy.endpoint})
    yield server.base, proxy
    server.stop()
    proxy.stop()


_warm: set[str] = set()


@pytest.fixture()
def faulty(stack, network):
    api, proxy = stack
    proxy.reset()
    if api not in _warm:
        # A first booking imports the route's use cases and builds the server's database client:
        # seconds on a busy machine, which the scenarios' 3-second clock is not about.
        warm = Asked(f"{api}/v1/bookings", booking_bodies(next_open_day(skip=3), 1, 6000)[0])
        warm.send(timeout=120)
        assert _status(warm.last) == 201, warm.last
        _warm.add(api)
        from chalicelib.dal import catalogue_store, limit_store
        from chalicelib.services import router
        from tests.integration import fixtures
        from tests.integration.support import empty_tables
        empty_tables()
        catalogue_store.save_all(fixtures.items())
        catalogue_store.clear_cache()
        limit_store.forget()
        router.reset_views()
    yield api, proxy
    proxy.reset()


class Asked:
    """One client's request: the same body and Idempotency-Key on every try, each try's answer."""

    def __init__(self, url: str, body: dict):
        self.url, self.body, self.key = url, body, f"key-{uuid.uuid4().hex}"
        self.answers: list[requests.Response | Exception] = []
        self.seconds: list[float] = []

    def send(self, timeout: float = 10) -> None:
        started = time.monotonic()
        try:
            answer = requests.post(self.url, data=json.dumps(self.body).encode(), timeout=timeout, headers={
                "Content-Type": "application/json", "Idempotency-Key": self.key, **citizen_headers(self.body)})
        except requests.RequestException as exc:
            answer = exc
        self.seconds.append(time.monotonic() - started)
        self.answers.append(answer)

    @property
    def last(self):
        return self.answers[-1]

    @property
    def final(self) -> bool:
        """Answered with something other than 'try again' (a 503, or a 409 while the key's first
        request is still in progress)."""
        last = self.last
        if not isinstance(last, requests.Response) or last.status_code == 503:
            return False
        return not (last.status_code == 409 and last.json()["type"].endswith("request-in-progress"))


def together(asked: list[Asked]) -> None:
    barrier = threading.Barrier(len(asked))

    def one(a: Asked) -> None:
        barrier.wait()
        a.send()

    threads = [threading.Thread(target=one, args=(a,)) for a in asked]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def retried_until_answered(asked: list[Asked], rounds: int = 6) -> None:
    """Clients that got a 503 (or no answer) try again after Retry-After, with the same key."""
    for _ in range(rounds):
        waiting = [a for a in asked if not a.final]
        if not waiting:
            return
        waits = [int(a.last.headers.get("Retry-After", 1)) for a in waiting if isinstance(a.last, requests.Response)]
        time.sleep(max(waits, default=1))
        together(waiting)


def first_tries(asked: list[Asked]) -> tuple[int, int]:
    """(answered, answered within 3 s) of the first tries; every answer is a final one or a 503
    problem with Retry-After."""
    answered = within = 0
    for a in asked:
        first = a.answers[0]
        if not isinstance(first, requests.Response):
            continue
        answered += 1
        within += a.seconds[0] < BUDGET_S
        if first.status_code == 503:
            assert first.headers.get("Retry-After") and first.headers["Content-Type"] == "application/problem+json"
    return answered, within


def booking_bodies(day: date, count: int, first: int) -> list[dict]:
    """`count` citizens over slots of six counters: every one of them fits."""
    def start(n: int) -> str:
        slot = n // 6
        return at(day, f"{9 + slot // 4:02d}:{15 * (slot % 4):02d}").isoformat()
    return [{"office_id": OFFICE, "service_id": "S0001", "start": start(n),
             "national_id": national_id(first + n), "mobile": mobile(first + n)} for n in range(count)]


def stored_bookings(day: date) -> dict:
    from chalicelib.dal import booking_store
    from chalicelib.dal.models import BookingItem, OutboxItem, SeatItem
    pk = booking_store.office_day_pk(OFFICE, day)
    rows = [b for b in BookingItem.office_day_index.query(pk) if b.status != "CANCELLED"]
    seats = [s for s in SeatItem.query(pk, SeatItem.sk.startswith("SEAT#"), consistent_read=True)
             if s.status == "BOOKED"]
    return {"rows": rows, "seats": seats, "counted": booking_store.office_day_counts([OFFICE], day, consistent=True)[OFFICE],
            "confirmations": sum(m.template == "booking_confirmed" for m in OutboxItem.scan(consistent_read=True))}


def booking_outcome(scenario: str, asked: list[Asked], day: date, note: str) -> None:
    answered, within = first_tries(asked)
    retried_until_answered(asked)
    finals = Counter(a.last.status_code if isinstance(a.last, requests.Response) else type(a.last).__name__
                     for a in asked)
    made = {a.last.json()["booking_id"] for a in asked if isinstance(a.last, requests.Response)
            and a.last.status_code == 201}
    # Every try of one client that was answered 201 named the same booking.
    for a in asked:
        ids = {r.json()["booking_id"] for r in a.answers if isinstance(r, requests.Response) and r.status_code == 201}
        assert len(ids) <= 1, ids
    stored = stored_bookings(day)
    rows = {b.booking_id_value for b in stored["rows"]}
    per_citizen = Counter(b.citizen_key for b in stored["rows"])
    lost = len(made - rows)
    duplicates = len(rows - made) + sum(n - 1 for n in per_citizen.values())
    firsts = dict(Counter(_status(a.answers[0]) for a in asked))
    fault_figures.record(scenario, requests=len(asked), answered=answered, within_3s=within, lost=lost,
                         duplicates=duplicates, note=f"{note}; first answers {firsts}, after retries {dict(finals)}")
    # Every first try was answered (an HTTP answer, not a client timeout); the 3-second promise is
    # the hung database's (test_bookings_when_the_database_hangs...): here the time is the busy
    # machine's and the local server's, recorded, not asserted.
    assert answered == len(asked)
    assert finals == Counter({201: len(asked)}), finals
    assert lost == 0 and duplicates == 0, (made ^ rows, per_citizen)
    # The counts the rest of the system reads agree with the rows.
    assert stored["counted"] == len(rows) == len({s.booking_id for s in stored["seats"]})
    assert stored["confirmations"] == len(rows)


def _status(answer) -> str | int:
    return answer.status_code if isinstance(answer, requests.Response) else type(answer).__name__


def bookings(api: str, day: date, count: int, first: int) -> list[Asked]:
    return [Asked(f"{api}/v1/bookings", body) for body in booking_bodies(day, count, first)]


@pytest.mark.parametrize("mode, times, note", [
    ("throttle", None, "every TransactWriteItems throttled (ProvisionedThroughputExceeded) while the citizens ask"),
    ("conflict", 16, "16 TransactWriteItems cancelled with TransactionConflict"),
    ("drop", 8, "the database applies each first transaction and the answer is lost"),
])
def test_bookings_when_the_database_throttles_conflicts_or_loses_answers(faulty, mode, times, note):
    api, proxy = faulty
    day = next_open_day()
    asked = bookings(api, day, 8, 6100)
    proxy.set(mode, only=("TransactWriteItems",), times=times)
    together(asked)
    proxy.set("pass")
    booking_outcome(f"bookings: {mode}", asked, day, note)


@pytest.mark.parametrize("mode, note", [
    ("hang", "the database accepts connections and never answers, then comes back"),
    ("refuse", "the database refuses connections, then comes back"),
])
def test_bookings_when_the_database_hangs_or_goes_away_and_comes_back(faulty, mode, note):
    api, proxy = faulty
    day = next_open_day()
    asked = bookings(api, day, 8, 6200)
    proxy.set(mode)
    together(asked)
    assert all(_status(a.answers[0]) == 503 for a in asked), [_status(a.answers[0]) for a in asked]
    assert all(a.seconds[0] < BUDGET_S for a in asked), [a.seconds[0] for a in asked]
    proxy.set("pass")
    booking_outcome(f"bookings: {mode}", asked, day, note)


def stored_requests() -> list:
    from chalicelib.dal.models import RemoteRequestItem
    return [i for i in RemoteRequestItem.scan(consistent_read=True) if i.sk == "REQUEST"]


@pytest.mark.parametrize("mode, times, note", [
    ("throttle", None, "every write throttled while the citizens ask"),
    ("drop", 8, "the database applies the request's transaction and the answer is lost"),
])
def test_remote_requests_when_the_database_throttles_or_loses_answers(faulty, mode, times, note):
    api, proxy = faulty
    asked = [Asked(f"{api}/v1/requests", request_body(6300 + n)) for n in range(8)]
    proxy.set(mode, only=("TransactWriteItems", "PutItem", "UpdateItem"), times=times)
    together(asked)
    proxy.set("pass")
    answered, within = first_tries(asked)
    retried_until_answered(asked)
    finals = Counter(_status(a.last) for a in asked)
    made = {a.last.json()["tracking_code"] for a in asked if _status(a.last) == 201}
    rows = [i.pk.removeprefix("RQ#") for i in stored_requests()]
    lost = len(made - set(rows))
    duplicates = len(rows) - len(made)
    fault_figures.record(f"remote requests: {mode}", requests=len(asked), answered=answered, within_3s=within,
                         lost=lost, duplicates=duplicates,
                         note=f"{note}; first answers {dict(Counter(_status(a.answers[0]) for a in asked))}, "
                              f"after retries {dict(finals)}")
    assert answered == within == len(asked)
    assert finals == Counter({201: len(asked)}), finals
    assert lost == 0 and duplicates == 0, (made, rows)


# --- the SMS gateway --------------------------------------------------------------------------------

class Flaky:
    """The SMS.ir client in front of the local fake, with failures scripted per run: the fake's 5xx,
    a gateway that cannot be reached (its port refuses), one that answers after our read timeout."""

    def __init__(self, fake, **timeouts):
        from chalicelib.gateways.sms_ir import SmsIrSender
        self.fake = fake
        self.sender = SmsIrSender(line_number="30004505000017", api_key=lambda: "bench-key", base_url=fake.url,
                                  **timeouts)


def _drain_sms(sender, now, runs: int = 8) -> list[dict]:
    from datetime import timedelta

    from chalicelib.dal import outbox_store
    from chalicelib.domain.outbox import SMS
    from chalicelib.services import jobs
    reports = []
    for _ in range(runs):
        if not outbox_store.pending(SMS):
            break
        reports.append(jobs.deliver_outbox(now, sender))
        now += timedelta(minutes=40)  # past any SMS backoff (1, 2, 4, 8, 16 minutes)
    return reports


def _queue_sms(now, count: int, first: int) -> dict[str, str]:
    from datetime import timedelta

    from chalicelib.dal import outbox_store
    from chalicelib.domain import outbox as messages
    queued = [messages.sms("remote_received", f"+9891{first + n:08d}", now - timedelta(seconds=1),
                           params={"service_fa": "ثبت نام ثنا", "tracking_code": f"RQ{first + n:010d}"})
              for n in range(count)]
    outbox_store.put(queued)
    return {f"091{first + n:08d}": m.message_id for n, m in enumerate(queued)}


@pytest.mark.parametrize("fault", ["5xx", "refused", "late answer"])
def test_sms_gateway_errors_are_retried_and_none_is_lost(empty_outbox, fault):
    from chalicelib.dal import outbox_store
    from chalicelib.domain import calendar
    from chalicelib.domain.outbox import SMS
    from infra.local.fake_smsir import FakeSmsIr
    now = calendar.now_tehran()
    wanted = _queue_sms(now, 12, {"5xx": 100, "refused": 200, "late answer": 300}[fault])
    fake = FakeSmsIr(api_key="bench-key").start()
    port = fake._server.server_address[1]
    late = 0
    if fault == "5xx":
        fake.fail_next(503, 0, times=7)  # the provider's outage: 7 sends answered 503, then it serves
        sender = Flaky(fake).sender
        reports = _drain_sms(sender, now)
    elif fault == "refused":
        sender = Flaky(fake, connect_timeout_s=0.5).sender
        fake.stop()  # nothing listens on its port: every send is refused
        first = _drain_sms(sender, now, runs=1)
        fake = FakeSmsIr(api_key="bench-key", port=port).start()  # and it comes back
        reports = first + _drain_sms(sender, now + __import__("datetime").timedelta(minutes=40))
    else:
        fake.stop()
        fake = FakeSmsIr(api_key="bench-key", port=port, latency_s=(0.8, 0.8)).start()
        sender = Flaky(fake, read_timeout_s=0.3).sender
        first = _drain_sms(sender, now, runs=1)  # the gateway takes each, and answers after we gave up
        late = first[0]["failed"]
        fake.latency_s = (0.0, 0.0)
        reports = first + _drain_sms(sender, now + __import__("datetime").timedelta(minutes=40))
    time.sleep(1.5)  # the gateway's late answers still in flight (0.8 s each) are counted too
    try:
        accepted = Counter({m: n for m, n in fake.accepted.items() if m in wanted})
    finally:
        fake.stop()
    lost = sum(1 for m in wanted if not accepted[m])
    duplicates = sum(n - 1 for n in accepted.values() if n > 1)
    failed = sum(r["failed"] for r in reports)
    left = outbox_store.pending(SMS)
    fault_figures.record(f"SMS gateway: {fault}", requests=len(wanted), answered=len(wanted) - len(left),
                         lost=lost, duplicates=duplicates,
                         note=f"{failed} failed sends retried over {len(reports)} delivery runs; "
                              f"{len(outbox_store.dead_letters(SMS))} given up")
    assert not left and not outbox_store.dead_letters(SMS)
    assert lost == 0 and failed >= 1
    # A send the gateway took but answered after our read timeout is sent again (SMS.ir takes no
    # idempotency key): exactly those, and no other, reach the citizen twice.
    assert duplicates == late, (duplicates, late)


# --- a partner's callback endpoint ------------------------------------------------------------------

class Receiver:
    """A partner's callback endpoint: counts the deliveries it acknowledged, by webhook-id."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        acked: Counter[str] = Counter()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers["Content-Length"]))
                acked[self.headers["webhook-id"]] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.acked = acked
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/cb"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Hung:
    """An endpoint that accepts connections and never answers."""

    def __init__(self):
        import socket
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/cb"

    def _accept(self):
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def stop(self):
        for conn in self.held:
            conn.close()
        self.sock.close()


def _partner(partner_id: str, url: str) -> None:
    import dataclasses

    from chalicelib.dal import partner_store
    from chalicelib.schemas import PartnerIn
    from chalicelib.services import partners
    partners.upsert(partner_id, PartnerIn(name=partner_id, kind="call_centre_1470", callback_url="https://cb.example/x"),
                    "admin-1")
    # The registration refuses loopback addresses; these partners' endpoints are local on purpose.
    partner_store.save(dataclasses.replace(partner_store.get(partner_id), callback_url=url))


def test_a_hung_partner_endpoint_holds_up_no_other_partner_and_loses_nothing(network):
    from datetime import timedelta

    from chalicelib.dal import outbox_store
    from chalicelib.domain import calendar, outbox
    from chalicelib.services import remote_jobs
    from chalicelib.services.outbox import WORKERS as outbox_workers
    hung, good, back = Hung(), Receiver(), Receiver()
    timeout = 2.0
    try:
        _partner("hung-partner", hung.url)
        _partner("good-partner", good.url)
        now = calendar.now_tehran()
        to_hung = [outbox.status_callback("hung-partner", f"RQ{3_000_000_000 + n}", "ASSIGNED", now) for n in range(40)]
        to_good = [outbox.status_callback("good-partner", f"RQ{3_100_000_000 + n}", "ASSIGNED", now) for n in range(20)]
        outbox_store.put(to_hung + to_good)
        started = time.monotonic()
        first = remote_jobs.deliver_callbacks(now, remote_jobs.http_sender(allow_private=True, timeout=timeout))
        took = time.monotonic() - started
        # The hung endpoint was tried by at most one send per worker (they wait their timeout
        # together), not once per message one after another; the other partner's went out in the
        # same run.
        tried = len(hung.held)
        assert dict(good.acked) == {m.content.webhook_id: 1 for m in to_good}, first
        assert first["sent"] == 20 and first["retried"] == 40, first
        assert tried <= outbox_workers, tried
        waiting = outbox_store.pending(outbox.CALLBACK)
        assert len(waiting) == 40 and all(m.lease is None and m.due > now for m in waiting)
        # The partner's endpoint comes back (here: at another address); the next runs deliver the rest.
        _partner("hung-partner", back.url)
        later = now
        for _ in range(4):
            later += timedelta(hours=1)
            remote_jobs.deliver_callbacks(later, remote_jobs.http_sender(allow_private=True, timeout=timeout))
        left = outbox_store.pending(outbox.CALLBACK)
    finally:
        for endpoint in (hung, good, back):
            endpoint.stop()
    delivered = Counter(good.acked) + Counter(back.acked)
    wanted = {m.content.webhook_id for m in to_hung + to_good}
    lost = len(wanted - set(delivered))
    duplicates = sum(n - 1 for n in delivered.values())
    fault_figures.record("partner callback endpoint hangs", requests=len(wanted), answered=len(wanted) - len(left),
                         lost=lost, duplicates=duplicates,
                         note=f"first run {took:.1f} s with a {timeout:.0f} s send timeout, {tried} sends to the hung "
                              f"endpoint (8 workers): the other partner's 20 sent, the hung one's 40 retried later "
                              f"(one webhook-id each), all delivered when it came back")
    assert not left and lost == 0 and duplicates == 0


# --- stream records twice and out of order ------------------------------------------------------------

def test_stream_records_twice_and_out_of_order_fold_as_once_in_order(client):
    import random

    from chalicelib.dal import ranking_store
    from tests.integration.support import empty_tables
    from tests.integration.test_ranking_live import PERIOD, booking_records, deliver, request_records

    def folded() -> dict:
        return {o: {k: v for k, v in a.counts.items() if k != "updated"}
                for o, a in ranking_store.period_aggregates(PERIOD).items()}

    bookings_, requests_ = booking_records(30, "f"), request_records(30, "f")
    deliver(client, "fold_booking_ranking", bookings_)
    deliver(client, "fold_request_ranking", requests_)
    once = folded()
    from chalicelib.dal.models import AggregateItem
    empty_tables((AggregateItem,))
    assert folded() == {}
    rng = random.Random(15)
    messy = {}
    for name, records in (("fold_booking_ranking", bookings_), ("fold_request_ranking", requests_)):
        twice = records + records  # every record delivered twice
        rng.shuffle(twice)  # and in no particular order
        messy[name] = twice
        deliver(client, name, twice, batch=7)
    again = folded()
    counts = {(o, k) for o in once | again for k in (once.get(o, {}) | again.get(o, {}))}
    lost = sum(max(0, once.get(o, {}).get(k, 0) - again.get(o, {}).get(k, 0)) for o, k in counts)
    duplicates = sum(max(0, again.get(o, {}).get(k, 0) - once.get(o, {}).get(k, 0)) for o, k in counts)
    fault_figures.record("stream records twice, out of order (ranking)", requests=sum(map(len, messy.values())),
                         answered=sum(map(len, messy.values())), lost=lost, duplicates=duplicates,
                         note=f"{len(bookings_) + len(requests_)} booking and request events, each delivered twice, "
                              "shuffled, in batches of 7: aggregates equal the once-in-order fold")
    assert once and again == once
