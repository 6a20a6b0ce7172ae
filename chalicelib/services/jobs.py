"""Scheduled work: the SMS courier (the outbox's delivery loop hands it each due SMS) and the
office load snapshot. (Booking outcomes reach the ranking through its own stream consumer,
services/ranking.py.)"""
from __future__ import annotations

import random
from datetime import datetime

from chalicelib.dal import booking_store
from chalicelib.domain import booking as rules
from chalicelib.domain import calendar, slots
from chalicelib.domain.load import LoadSnapshot, OfficeLoad
from chalicelib.domain.outbox import SMS, OutboxMessage, Sms, sms_retry_delay
from chalicelib.domain.validators import mask_mobile
from chalicelib.observability import logger, metrics
from chalicelib.services import catalogue, outbox
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

TEMPLATES_FA = {
    "booking_confirmed": ("نوبت شما در {office_fa} برای «{service_fa}» در {when_jalali} ثبت شد. "
                          "شناسه: {booking_id} کد دسترسی: {access_code}"),
    "booking_reminder": "یادآوری: نوبت شما در {office_fa} برای «{service_fa}» در {when_jalali} است. شناسه: {booking_id}",
    "booking_cancelled": "نوبت {booking_id} در {office_fa} لغو شد.",
    "booking_rescheduled": "نوبت {booking_id} در {office_fa} به {when_jalali} منتقل شد.",
    "remote_received": "درخواست شما برای «{service_fa}» ثبت شد. کد رهگیری: {tracking_code}",
    "remote_rating_invite": ("درخواست {tracking_code} انجام شد. لطفاً با کد {rating_token} "
                             "به کیفیت خدمت دفتر امتیاز دهید."),
}


class SmsGateway:
    """Local and test stages log (masked) instead of sending; the real gateway plugs in here."""

    def send(self, recipient: str, text: str) -> None:
        if get_settings().sms_mode != "log":
            raise NotImplementedError("no SMS gateway is configured for this stage")
        logger.info("sms (not sent: local stage)", extra={"to": mask_mobile(recipient), "chars": len(text)})


def _still_relevant(sms: Sms, now: datetime) -> bool:
    """A reminder goes only to a live booking that still starts when the reminder says."""
    if sms.template != "booking_reminder":
        return True
    item = booking_store.get_booking(sms.booking_id) if sms.booking_id else None
    return (item is not None and item.status == rules.BOOKED and item.start == sms.params.get("start")
            and datetime.fromisoformat(item.start) > now)


def sms_courier(gateway: SmsGateway) -> outbox.Courier:
    """Render and send one SMS, or drop a reminder that no longer applies; a failure is tried
    again with the SMS backoff."""
    def deliver(message: OutboxMessage, now: datetime) -> outbox.Outcome:
        sms = message.content
        if not _still_relevant(sms, now):
            return outbox.Outcome("dropped")
        try:
            gateway.send(sms.recipient, TEMPLATES_FA[sms.template].format_map(_Params(sms.params)))
        except Exception:  # noqa: BLE001 - any gateway failure is retried later with backoff
            logger.exception("sms delivery failed", extra={"template": sms.template})
            return outbox.Outcome("failed", sms_retry_delay(message.attempts, random.uniform(0.8, 1.2)))
        return outbox.Outcome("sent")
    return deliver


def deliver_outbox(now: datetime | None = None, gateway: SmsGateway | None = None) -> dict:
    """Send the due SMS (the schedule of the same name)."""
    report = outbox.deliver(SMS, sms_courier(gateway or SmsGateway()), now)
    counts = {"sent": report.counts["sent"], "dropped": report.counts["dropped"], "failed": report.counts["failed"]}
    metrics.add_metric(name="SmsSent", unit="Count", value=counts["sent"])
    return counts


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return "-"


def snapshot_office_load(now: datetime | None = None) -> dict:
    """Every office's load now, in one network item the API and the router read cheaply: today's
    bookings vs capacity, open and busy remote counters, visitors waiting, remote work claimed
    today, and the national queue. O(offices) reads (batches), whatever the traffic."""
    now = now or calendar.now_tehran()
    today = now.date()
    offices = stores.catalogue.all_offices()
    ids = sorted(offices)
    counts = stores.bookings.office_day_counts(ids, today)
    live = stores.load.office_loads(ids, today)
    grid = get_settings().slot_grid_minutes
    lines = {}
    for office_id, office in offices.items():
        cells = len(slots.candidate_starts(catalogue.opening(office, today), grid, grid))
        lines[office_id] = OfficeLoad.of(live[office_id], booked=counts.get(office_id, 0),
                                         capacity=cells * int(office.counters), open_today=bool(cells))
    stores.load.save_snapshot(LoadSnapshot(day=today, at=now.replace(microsecond=0), offices=lines,
                                           queue_remote=stores.load.national_queue_length()))
    return {"offices": len(lines)}
