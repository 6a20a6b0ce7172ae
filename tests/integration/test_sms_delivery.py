"""SMS from the outbox through a real sender: the SMS.ir client against a local fake receiver,
on DynamoDB Local. Persian text arrives as sent, refusals that never pass finish the message,
failures that may pass back off, and overlapping delivery runs (each of several passes) send every
message exactly once."""
from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from chalicelib.dal import outbox_store
from chalicelib.domain import calendar
from chalicelib.domain import outbox as messages
from chalicelib.domain.outbox import SMS
from chalicelib.gateways.sms_ir import SmsIrSender
from chalicelib.services import jobs
from infra.local.fake_smsir import FakeSmsIr


@pytest.fixture()
def smsir():
    with FakeSmsIr(api_key="bench-key") as fake:
        yield fake, SmsIrSender(line_number="30004505000017", api_key=lambda: "bench-key", base_url=fake.url)


def _queue(now, count: int) -> list[messages.OutboxMessage]:
    queued = [messages.sms("remote_received", f"+9891{n:08d}", now - timedelta(seconds=1),
                           params={"service_fa": "ثبت نام ثنا", "tracking_code": f"RQ{n:010d}"}) for n in range(count)]
    outbox_store.put(queued)
    return queued


def test_a_run_with_little_time_left_still_sends(empty_outbox, smsir):
    """A function stopped in 3 s (shorter than the usual margin) keeps a quarter of it free and sends."""
    _, sender = smsir
    now = calendar.now_tehran()
    _queue(now, 2)

    class ThreeSecondsLeft:
        @staticmethod
        def get_remaining_time_in_millis() -> int:
            return 3000

    assert jobs.deliver_outbox(now, sender, lambda_context=ThreeSecondsLeft())["sent"] == 2


def test_persian_sms_reaches_the_gateway_as_unicode_and_segments_are_counted(empty_outbox, smsir, monkeypatch):
    fake, sender = smsir
    now = calendar.now_tehran()
    _queue(now, 3)
    courier_segments = []

    class Spy(jobs.SmsCourier):
        def __init__(self, sender):
            super().__init__(sender)
            courier_segments.append(self)

    monkeypatch.setattr(jobs, "SmsCourier", Spy)
    assert jobs.deliver_outbox(now, sender) == {"sent": 3, "dropped": 0, "failed": 0}
    bodies = [json.loads(r["body"]) for r in fake.requests]
    assert sorted(b["mobiles"][0] for b in bodies) == ["09100000000", "09100000001", "09100000002"]
    assert all(b["messageText"].startswith("درخواست شما برای «ثبت نام ثنا» ثبت شد. کد رهگیری: RQ") for b in bodies)
    # 62 UTF-16 units: one UCS-2 segment each.
    assert courier_segments[0].segments == 3 and not outbox_store.pending(SMS)


def test_refusals_finish_the_message_and_passing_failures_back_off(empty_outbox, smsir):
    fake, sender = smsir
    now = calendar.now_tehran()
    _queue(now, 1)
    fake.fail_next(400, 104)  # an invalid number: never retried
    assert jobs.deliver_outbox(now, sender) == {"sent": 0, "dropped": 0, "failed": 1}
    assert not outbox_store.pending(SMS)
    (dead,) = outbox_store.dead_letters(SMS)  # kept, with why and after how many attempts
    assert dead.attempts == 1 and dead.reason and dead.message.content.template == "remote_received"

    (queued,) = _queue(now, 1)
    fake.fail_next(429, 20)  # throttled: tried again after the backoff
    assert jobs.deliver_outbox(now, sender) == {"sent": 0, "dropped": 0, "failed": 1}
    (waiting,) = outbox_store.pending(SMS)
    assert waiting.message_id == queued.message_id and waiting.attempts == 1 and waiting.due > now
    assert jobs.deliver_outbox(now + timedelta(minutes=2), sender)["sent"] == 1
    assert not outbox_store.pending(SMS) and sum(fake.accepted.values()) == 1


def test_the_last_attempt_finishes_a_message_that_keeps_failing(empty_outbox, smsir):
    fake, sender = smsir
    now = calendar.now_tehran()
    _queue(now, 1)
    fake.fail_next(503, 0, times=messages.SMS_MAX_ATTEMPTS)
    at = now
    for attempt in range(messages.SMS_MAX_ATTEMPTS):
        assert jobs.deliver_outbox(at, sender)["failed"] == 1, attempt
        at += timedelta(hours=1)
    assert not outbox_store.pending(SMS) and not fake.accepted
    assert len(fake.requests) == messages.SMS_MAX_ATTEMPTS
    (dead,) = outbox_store.dead_letters(SMS)
    assert dead.attempts == messages.SMS_MAX_ATTEMPTS and dead.reason


def test_overlapping_runs_of_several_passes_send_each_sms_exactly_once(empty_outbox, smsir):
    fake, sender = smsir
    now = calendar.now_tehran()
    queued = _queue(now, 1200)  # more than one pass reads (100 per partition, 8 partitions)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(jobs.deliver_outbox(now, sender, budget_s=600))
        except BaseException as exc:  # noqa: BLE001 - failed below
            errors.append(exc)

    runs = [threading.Thread(target=run) for _ in range(2)]
    for t in runs:
        t.start()
    for t in runs:
        t.join(timeout=600)
    assert not errors and len(results) == 2, errors
    assert sum(r["sent"] for r in results) == len(queued)
    assert len(fake.accepted) == len(queued) and set(fake.accepted.values()) == {1}
    assert not outbox_store.pending(SMS)  # and the database agrees: nothing left, nothing leased
