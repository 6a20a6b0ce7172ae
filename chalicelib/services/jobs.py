"""Scheduled work: the SMS courier (the outbox's delivery loop hands it each due SMS) and the
office load snapshot. (Booking outcomes reach the ranking through its own stream consumer,
services/ranking.py.)"""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from datetime import datetime, timedelta

from chalicelib.domain import booking as rules
from chalicelib.domain import calendar, remote, slots, validators
from chalicelib.domain import desk as desk_rules
from chalicelib.domain import sms as sms_rules
from chalicelib.domain.load import LoadSnapshot, OfficeLoad, QueueSample
from chalicelib.domain.outbox import SMS, OutboxMessage, Sms, sms_retry_delay
from chalicelib.domain.validators import mask_mobile
from chalicelib.gateways.sms import PermanentSmsError, SmsError, SmsSender, configured_sender
from chalicelib.observability import logger, metrics
from chalicelib.services import catalogue, desk, outbox
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

TEMPLATES_FA = {
    "booking_confirmed": ("نوبت شما در {office_fa} برای «{service_fa}» در {when_jalali} ثبت شد. "
                          "شناسه: {booking_id} کد دسترسی: {access_code}"),
    "booking_reminder": "یادآوری: نوبت شما در {office_fa} برای «{service_fa}» در {when_jalali} است. شناسه: {booking_id}",
    "booking_cancelled": "نوبت {booking_id} در {office_fa} لغو شد.",
    "booking_rescheduled": "نوبت {booking_id} در {office_fa} به {when_jalali} منتقل شد.",
    "booking_cancelled_closure": ("نوبت {booking_id} در {office_fa} ({when_jalali}) به دلیل «{reason_fa}» لغو شد. "
                                  "نوبت تازه: {link}"),
    "session_booked": ("جلسه {contact_fa} شما با {office_fa} برای «{service_fa}» در {when_local} ثبت شد؛ "
                       "پس از تأیید دفتر، اطلاعات ورود پیامک می‌شود. شناسه: {booking_id} کد دسترسی: {access_code}"),
    "session_confirmed_video": ("جلسه تصویری شما با {office_fa} برای «{service_fa}» در {when_local} تأیید شد. "
                                "پیوند ورود: {join} شناسه: {booking_id}"),
    "session_confirmed_phone": ("جلسه تلفنی شما با {office_fa} برای «{service_fa}» در {when_local} تأیید شد. "
                                "دفتر از شماره {join} با شما تماس می‌گیرد. شناسه: {booking_id}"),
    "session_cancelled": "جلسه {booking_id} با {office_fa} ({when_local}) لغو شد.",
    "waitlist_offer": ("نوبتی در {office_fa} برای «{service_fa}» در {when_jalali} آزاد شد و تا {until_fa} "
                       "برای شما نگه داشته می‌شود. تأیید: {link}"),
    "appeal_received": ("اعتراض شما به ثبت عدم حضور در نوبت {booking_id} ({office_fa}) دریافت شد و "
                        "حداکثر ظرف سه روز کاری بررسی می‌شود."),
    "appeal_accepted": ("اعتراض شما به عدم حضور در نوبت {booking_id} پذیرفته شد؛ محدودیت نوبت‌گیری برداشته شد."),
    "appeal_rejected": "اعتراض شما به عدم حضور در نوبت {booking_id} پذیرفته نشد. دلیل: {reason_fa}",
    "remote_received": "درخواست شما برای «{service_fa}» ثبت شد. کد رهگیری: {tracking_code}",
    "fee_receipt": "رسید «{service_fa}» در {office_fa}: {amount_fa}. شماره رسید: {receipt_id}",
    "remote_rating_invite": ("درخواست {tracking_code} انجام شد. لطفاً با کد {rating_token} "
                             "به کیفیت خدمت دفتر امتیاز دهید."),
}
# A delivery run claims no message after this many seconds: the scheduled function is stopped
# at 60 s, and a message claimed last still needs one send (SMS_CONNECT/READ_TIMEOUT_S, 1 + 5 s)
# and two writes (2 s each at most) to finish. A message claimed by a run that is stopped anyway
# is only delayed (its lease expires), never sent twice.
SMS_RUN_BUDGET_S = 45
SMS_RUN_MARGIN_S = 12  # kept free before the function's own timeout when the run knows it


def _still_relevant(sms: Sms, now: datetime) -> bool:
    """A reminder goes only to a live booking that still starts when the reminder says."""
    if sms.template != "booking_reminder":
        return True
    booking = stores.bookings.get_booking(sms.booking_id) if sms.booking_id else None
    return (booking is not None and booking.status == rules.BOOKED
            and booking.start.isoformat() == sms.params.get("start") and booking.start > now)


def _e164(recipient: str) -> str:
    """Recipients are stored normalised; older or partner-written ones are normalised here."""
    try:
        return validators.mobile(recipient)
    except ValueError:
        try:
            return remote.international_mobile(recipient)
        except ValueError:
            raise PermanentSmsError("invalid_number", "not a mobile number") from None


class SmsCourier:
    """Render one SMS in Persian and hand it to the sender, or drop a reminder that no longer
    applies. A failure that may pass is tried again with the SMS backoff; a refusal that never
    will (invalid number, opted out), and the last failed attempt, finish the message as
    undeliverable. Called from the outbox's worker threads: the tallies are locked."""

    def __init__(self, sender: SmsSender):
        self.sender = sender
        self.segments = 0
        self.undeliverable = 0
        self._lock = threading.Lock()

    def __call__(self, message: OutboxMessage, now: datetime) -> outbox.Outcome:
        sms = message.content
        if not _still_relevant(sms, now):
            return outbox.Outcome("dropped")
        text = TEMPLATES_FA[sms.template].format_map(_Params(sms.params))
        size = sms_rules.measure(text)
        try:
            self.sender.send(_e164(sms.recipient), text)
        except PermanentSmsError as exc:
            return self._undeliverable(sms, exc.reason, exc.code, message.attempts + 1)
        except Exception as exc:  # noqa: BLE001 - retryable errors, and anything unexpected, back off
            retry_in = sms_retry_delay(message.attempts, random.uniform(0.8, 1.2))
            extra = {"template": sms.template, "attempt": message.attempts + 1, "retry_in_s": retry_in,
                     "reason": getattr(exc, "reason", type(exc).__name__), "code": getattr(exc, "code", None)}
            # A typed gateway error says enough; anything else gets its traceback.
            (logger.warning if isinstance(exc, SmsError) else logger.exception)("sms delivery failed", extra=extra)
            if retry_in is None:
                return self._undeliverable(sms, extra["reason"], extra["code"], message.attempts + 1)
            return outbox.Outcome("failed", retry_in)
        with self._lock:
            self.segments += size.segments
        return outbox.Outcome("sent")

    def _undeliverable(self, sms: Sms, reason: str, code, attempts: int) -> outbox.Outcome:
        with self._lock:
            self.undeliverable += 1
        logger.error("sms undeliverable", extra={"template": sms.template, "reason": reason, "code": code,
                                                 "attempts": attempts, "to": mask_mobile(sms.recipient)})
        return outbox.Outcome("failed", given_up=(str(reason), None if code is None else str(code)))


def deliver_outbox(now: datetime | None = None, gateway: SmsSender | None = None,
                   budget_s: float = SMS_RUN_BUDGET_S, lambda_context=None) -> dict:
    """Send the due SMS (the schedule of the same name), `SMS_CONCURRENCY` at once, reading the
    due messages page by page until none is left or the run's time is up: `budget_s`, or less
    when the Lambda context says the function will be stopped sooner (SMS_RUN_MARGIN_S before
    it, or a quarter of the time left when that is less: a short timeout still sends). A read
    finds what fell due while the run was sending, so the run reads again while the last one
    made progress."""
    now = now or calendar.now_tehran()
    if lambda_context is not None:
        left_s = lambda_context.get_remaining_time_in_millis() / 1000
        budget_s = min(budget_s, left_s - min(SMS_RUN_MARGIN_S, left_s / 4))
    courier = SmsCourier(gateway or configured_sender())
    counts = Counter()
    buried = 0
    started = time.monotonic()
    while (left := budget_s - (time.monotonic() - started)) > 0:
        report = outbox.deliver(SMS, courier, now + timedelta(seconds=time.monotonic() - started),
                                workers=get_settings().sms_concurrency, budget_s=left)
        counts.update(report.counts)
        buried += report.buried
        if not sum(report.counts.values()):
            break
    result = {"sent": counts["sent"], "dropped": counts["dropped"], "failed": counts["failed"]}
    metrics.add_metric(name="SmsSent", unit="Count", value=result["sent"])
    metrics.add_metric(name="SmsSegments", unit="Count", value=courier.segments)
    if buried:  # messages that entered the dead-letter state this run (the SmsUndeliverable alarm)
        metrics.add_metric(name="SmsUndeliverable", unit="Count", value=buried)
    return result


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return "-"


def snapshot_office_load(now: datetime | None = None) -> dict:
    """Every office's load now, in shards of the network table the API and the router read cheaply: today's
    bookings vs capacity, open and busy remote counters, visitors waiting, remote work claimed
    today, the national queue, and each desk's live wait (visitors waiting or at a counter, the
    counters calling, the pace measured at that office). O(offices) reads (batches), whatever the
    traffic."""
    now = now or calendar.now_tehran()
    today = now.date()
    offices = stores.catalogue.all_offices()
    ids = sorted(offices)
    counts = stores.bookings.office_day_counts(ids, today)
    live = stores.load.office_loads(ids, today)
    desks = stores.desk.desk_loads(ids, today)
    paces = stores.desk.paces(ids)
    grid = get_settings().slot_grid_minutes
    lines = {}
    for office_id, office in offices.items():
        cells = len(slots.candidate_starts(catalogue.opening(office, today), grid, grid))
        pace = desk.pace_minutes(office, paces.get(office_id))
        open_now = catalogue.is_open(office, now)
        counters = desks[office_id].open_counters or (int(office.counters) if open_now else 0)
        wait = desk_rules.wait_estimate(live[office_id].waiting, 0, counters, pace) if open_now else None
        lines[office_id] = OfficeLoad.of(live[office_id], booked=counts.get(office_id, 0),
                                         capacity=cells * int(office.counters), open_today=bool(cells),
                                         desk_counters=desks[office_id].open_counters, pace_min=pace, wait_min=wait)
    queue = stores.load.national_queue_length()
    at = now.replace(microsecond=0)
    stores.load.save_snapshot(LoadSnapshot(day=today, at=at, offices=lines, queue_remote=queue),
                              {office_id: office.province for office_id, office in offices.items()})
    stores.load.record_queue_length(QueueSample(at=at, length=queue))  # the queue through the day
    return {"offices": len(lines)}
