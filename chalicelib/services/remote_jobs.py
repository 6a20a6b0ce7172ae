"""Scheduled work of remote requests: the SLA sweep (requests not accepted in time go back to
the national queue, and the office's breach is recorded), the counter reconciliation, and the
courier of signed status callbacks to partners, which the outbox's delivery loop hands each due
callback (retries with backoff and jitter, stop on 410, SSRF guard)."""
from __future__ import annotations

import http.client
import json
import random
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from chalicelib.domain import calendar, remote, webhooks
from chalicelib.domain.outbox import CALLBACK, OutboxMessage, status_callback
from chalicelib.domain.partner import Partner
from chalicelib.errors import TxConditionFailed, TxConflict
from chalicelib.observability import logger, metrics
from chalicelib.services import catalogue, outbox
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

MAX_RESPONSE_BYTES = 65_536


def callbacks(partner_id: str | None, tracking_code: str, status: str, now: datetime,
              reason: str | None = None) -> list[OutboxMessage]:
    """The outbox message announcing a status change to the partner that sent the request, if
    any, as the list a store's transaction takes."""
    message = status_callback(partner_id, tracking_code, status, now, reason)
    return [message] if message is not None else []


# --- SLA sweep ------------------------------------------------------------------------------------

def sweep_sla(now: datetime | None = None) -> dict:
    now = now or calendar.now_tehran()
    returned = stale = raced = 0
    for lease in stores.requests.overdue_leases(now):
        item = stores.requests.get(lease.tracking_code)
        if item is None or item.status != remote.ASSIGNED or item.office_id != lease.office_id or not item.accept_by:
            stores.requests.drop_lease(lease)  # the request moved on; the lease is left over
            stale += 1
            continue
        category = catalogue.known_service(item.service_id).category
        try:
            stores.requests.requeue(item, category, now, callbacks(item.partner_id, lease.tracking_code,
                                                                   remote.RECEIVED, now))
        except (TxConditionFailed, TxConflict):
            raced += 1  # started (or rejected) at this very moment: nothing to return
            continue
        returned += 1
        metrics.add_metric(name="RemoteRequestSlaBreach", unit="Count", value=1)
        logger.info("request returned to the national queue", extra={"request_id": lease.tracking_code,
                                                                     "office_id": lease.office_id})
    return {"returned": returned, "stale": stale, "raced": raced}


# --- counter reconciliation ----------------------------------------------------------------------

def reconcile_counters(now: datetime | None = None) -> dict:
    """Busy counters back to the truth (requests ASSIGNED or IN_PROGRESS at the office). The
    counters are read BEFORE the requests and corrected only where busy has not moved since, so a
    claim or release racing the job is never overwritten; a drift left by it is fixed next run.
    Reads are O(offices + requests in hand): point reads of the catalogue's offices' counters and
    the sparse index of live work, never the finished requests. That index lags writes a little, so
    an office whose counters changed within the settle window waits for the next run."""
    now = now or calendar.now_tehran()
    settled_before = now - timedelta(seconds=get_settings().reconcile_settle_seconds)
    counters = stores.load.counters_of(sorted(stores.catalogue.all_offices()))
    held = stores.requests.held_per_office()
    corrected = skipped = unsettled = 0
    for office_id, busy, updated_at in ((c.office_id, c.busy, c.updated_at) for c in counters):
        actual = held.get(office_id, 0)
        if busy == actual:
            continue
        if updated_at is not None and updated_at > settled_before:
            unsettled += 1
            continue
        if stores.load.correct_busy(office_id, busy, actual, now):
            corrected += 1
            logger.warning("office counter corrected", extra={"office_id": office_id, "busy": busy, "actual": actual})
        else:
            skipped += 1
    metrics.add_metric(name="OfficeCountersCorrected", unit="Count", value=corrected)
    return {"offices": len(counters), "corrected": corrected, "skipped": skipped, "unsettled": unsettled}


# --- partner callbacks ------------------------------------------------------------------------------

class CallbackRefused(Exception):
    """The callback URL is not allowed (scheme, or it resolves to a non-public address)."""


Sender = Callable[[str, bytes, dict[str, str]], tuple[int, int | None]]


def http_sender(allow_private: bool = False, timeout: float = 15.0) -> Sender:
    """POST with http.client: no redirects followed, a bounded response read, and every address the
    host resolves to must be public (no private, loopback, link-local or metadata addresses)."""
    def send(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, int | None]:
        problem = webhooks.callback_url_problem(url, allow_private=allow_private)
        if problem:
            raise CallbackRefused(problem)
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            raise ConnectionError("cannot resolve the callback host") from exc
        if not allow_private and not all(webhooks.address_is_public(info[4][0]) for info in infos):
            raise CallbackRefused("the host resolves to a non-public address")
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = cls(parts.hostname, port, timeout=timeout)
        try:
            conn.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body=body,
                         headers={**headers, "Content-Type": "application/json",
                                  "User-Agent": "ejso-network-callbacks/1"})
            response = conn.getresponse()
            response.read(MAX_RESPONSE_BYTES)
            retry_after = response.getheader("Retry-After")
            return response.status, int(retry_after) if retry_after and retry_after.isdigit() else None
        finally:
            conn.close()
    return send


def callback_courier(send: Sender) -> outbox.Courier:
    """Sign and send one callback, with the partner's current secrets and the request's partner
    reference; what became of it, for the outbox's loop."""
    partners: dict[str, Partner | None] = {}  # one read per partner and run
    # Partners whose endpoint did not answer (a timeout, a refused connection) in this run: their
    # other callbacks wait for a later run instead of each holding a worker for another timeout
    # while other partners' callbacks wait behind them.
    unreachable: set[str] = set()

    def deliver(message: OutboxMessage, now: datetime) -> outbox.Outcome:
        callback = message.content
        if callback.partner_id not in partners:
            partners[callback.partner_id] = stores.partners.get(callback.partner_id)
        partner = partners[callback.partner_id]
        if partner is None or not partner.active or not partner.callback_url or not partner.secrets:
            return outbox.Outcome("dropped")
        request = stores.requests.get(callback.tracking_code)
        payload = {**callback.payload, "data": {**callback.payload["data"],
                                                "partner_ref": request.partner_ref if request else None}}
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = webhooks.sign_headers(partner.signing_secrets, callback.webhook_id,
                                        int(now.timestamp()), body)
        status, retry_after = None, None
        if partner.partner_id in unreachable:
            return _retry_or_stop(partner, message, None, None)
        try:
            status, retry_after = send(partner.callback_url, body, headers)
        except CallbackRefused as exc:
            logger.warning("callback refused (SSRF guard)", extra={"partner_id": partner.partner_id, "why": str(exc)})
            return outbox.Outcome("dropped")
        except Exception as exc:  # noqa: BLE001 - any transport failure is retried later
            unreachable.add(partner.partner_id)
            logger.warning("callback failed", extra={"partner_id": partner.partner_id, "error": type(exc).__name__})
        if status is not None and 200 <= status < 300:
            return outbox.Outcome("sent")
        return _retry_or_stop(partner, message, status, retry_after)
    return deliver


def _retry_or_stop(partner: Partner, message: OutboxMessage, status: int | None, retry_after: int | None) -> outbox.Outcome:
    delay = webhooks.next_delay(message.attempts, status, retry_after, random.uniform(0.8, 1.2))
    if delay is None:
        logger.warning("callback given up", extra={"partner_id": partner.partner_id, "status": status,
                                                   "attempts": message.attempts + 1})
        return outbox.Outcome("stopped")
    return outbox.Outcome("retried", delay)


def deliver_callbacks(now: datetime | None = None, send: Sender | None = None) -> dict:
    """Deliver the due partner callbacks (the schedule `deliver_partner_callbacks`)."""
    send = send or http_sender(allow_private=get_settings().stage == "local")
    report = outbox.deliver(CALLBACK, callback_courier(send), now)
    counts = {label: report.counts[label] for label in ("sent", "retried", "stopped", "dropped")}
    metrics.add_metric(name="PartnerCallbacksSent", unit="Count", value=counts["sent"])
    return counts
