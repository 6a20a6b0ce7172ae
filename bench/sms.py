"""SMS delivery throughput: the outbox on DynamoDB Local is filled with N due Persian SMS, then the
`deliver_outbox` schedule's use case sends them (claim, send, finish; the outbox's worker threads
send concurrently) through the real SMS.ir client to a local fake receiver that answers after a
realistic latency. Prints messages delivered per minute per run and their median, against the
target of 1,000 a minute.

    python -m bench.sms [--n 2000] [--runs 3] [--latency-ms 50 100] [--smoke]

The receiver runs as its own process, so it does not share the sender's CPU and interpreter lock.
Every run checks that the receiver accepted each message exactly once and that the outbox is
empty afterwards, so a fast wrong run cannot count."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infra.local.ddb_local import DynamoDBLocal, free_port  # noqa: E402

TARGET_PER_MINUTE = 1000
API_KEY = "bench-smsir-key"


def _env(endpoint: str) -> None:
    os.environ.update({
        "STAGE": "test", "TABLE_PREFIX": "ejso-bench-sms", "DDB_ENDPOINT": endpoint, "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "me-central-1", "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR", "SMS_MODE": "log",
        "DB_READ_TIMEOUT_S": "10",
    })


PARAMS = {"office_fa": "دفتر خدمات الکترونیک قضایی تهران ۱۲", "service_fa": "ثبت نام ثنا",
          "when_jalali": "۱۴۰۵/۰۹/۱۰ ساعت ۰۹:۰۰", "access_code": "K7Q2M9", "booking_id": "BK-0-0000000"}


def _fill(n: int, run: int, now) -> None:
    """Queue n booking confirmations (not timed: filling is the booking's work, not delivery's)."""
    from chalicelib.dal import outbox_store
    from chalicelib.domain import outbox as messages
    queued = [messages.sms("booking_confirmed", f"+9891{run}{i:07d}", now - timedelta(seconds=1),
                           booking_id=f"BK-{run}-{i:07d}", params={**PARAMS, "booking_id": f"BK-{run}-{i:07d}"})
              for i in range(n)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(outbox_store.put, [queued[i::8] for i in range(8)]))


class Receiver:
    """The fake SMS.ir receiver in a child process; `stats()` are its totals."""

    def __init__(self, latency_ms: tuple[float, float]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "infra.local.fake_smsir", "--port", str(self.port), "--api-key", API_KEY,
                   "--latency-ms", *map(str, latency_ms)]
        self.proc = subprocess.Popen(command, cwd=ROOT)  # noqa: S603 - our own module, fixed arguments
        deadline = time.monotonic() + 20
        while True:
            try:
                self.stats()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("the fake SMS.ir receiver did not start") from None
                time.sleep(0.1)

    def stats(self) -> dict:
        import urllib.request
        with urllib.request.urlopen(f"{self.url}/_stats", timeout=5) as answer:  # noqa: S310 - our own loopback URL
            return json.load(answer)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def one_run(n: int, run: int, receiver: Receiver, sender) -> float:
    from chalicelib.dal import outbox_store
    from chalicelib.domain import calendar
    from chalicelib.domain.outbox import SMS
    from chalicelib.services import jobs
    now = calendar.now_tehran()
    _fill(n, run, now)
    before = receiver.stats()
    started = time.perf_counter()
    result = jobs.deliver_outbox(now, sender, budget_s=3600)
    elapsed = time.perf_counter() - started
    after = receiver.stats()
    # Each run writes to its own n recipients: n more accepted, n more recipients, none twice.
    if result["sent"] != n or after["accepted"] - before["accepted"] != n \
            or after["recipients"] - before["recipients"] != n or after["most_to_one"] != 1 or outbox_store.pending(SMS):
        raise SystemExit(f"run {run}: not every message was delivered exactly once: {result} {before} {after}")
    return n / elapsed * 60


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="due SMS per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, nargs=2, default=(50.0, 100.0), metavar=("LOW", "HIGH"),
                        help="the receiver's answer time, uniform between LOW and HIGH")
    parser.add_argument("--smoke", action="store_true",
                        help="a quick check of exactly-once delivery: 200 messages, one run, the rate not judged")
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.runs = 200, 1
    receiver = Receiver(args.latency_ms)
    try:
        return _bench(args, receiver)
    finally:
        receiver.stop()


def _bench(args, receiver: Receiver) -> int:
    with DynamoDBLocal() as ddb:
        _env(ddb.endpoint)
        from chalicelib.dal.models import OutboxItem
        from chalicelib.domain.sms import measure
        from chalicelib.gateways.sms_ir import SmsIrSender
        from chalicelib.services.jobs import TEMPLATES_FA
        from chalicelib.settings import get_settings
        from infra.local.bootstrap import create_tables
        create_tables((OutboxItem,))
        sender = SmsIrSender(line_number="30004505000017", api_key=lambda: API_KEY, base_url=receiver.url)
        size = measure(TEMPLATES_FA["booking_confirmed"].format(**PARAMS))
        print(f"SMS delivery: {args.n} due booking confirmations per run ({size.encoding}, {size.segments} segments "
              f"each), outbox on DynamoDB Local, SMS.ir client -> local receiver answering in "
              f"{args.latency_ms[0]:.0f}-{args.latency_ms[1]:.0f} ms, {get_settings().sms_concurrency} concurrent sends")
        rates = []
        for run in range(args.runs):
            rates.append(one_run(args.n, run, receiver, sender))
            print(f"  run {run + 1}: {rates[-1]:,.0f} messages/min")
        median = statistics.median(rates)
        verdict = "PASS" if median >= TARGET_PER_MINUTE else "FAIL"
        print(f"median: {median:,.0f} messages delivered per minute (target >= {TARGET_PER_MINUTE:,}): {verdict}")
        # A smoke run proves delivery exactly once; its rate, cold and tiny, is only printed.
        return 0 if verdict == "PASS" or args.smoke else 1


if __name__ == "__main__":
    sys.exit(main())
