"""Partners (the 1470 network, consulates, court systems) book in-person appointments on behalf
of a citizen, within their channel's share of the office-day, once per delivery (`webhook-id`).
The citizen's national ID and mobile serve the booking and its SMS; the partner's answer never
repeats them, and they are never logged."""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from chalicelib.domain import calendar
from chalicelib.domain.booking import Booking
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.channels import PARTNER_CHANNELS
from chalicelib.domain.partner import Partner, WebhookDelivery
from chalicelib.errors import ChannelShareFull, NotFound, ServiceUnavailable, WebhookIdReused
from chalicelib.observability import logger, metrics
from chalicelib.schemas.channels import PartnerBookingIn
from chalicelib.services import bookings
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings


def fingerprint(req: PartnerBookingIn) -> str:
    """The delivery's body, keyed (it holds a national ID): to tell a replay from another body
    sent under the same webhook-id."""
    canonical = json.dumps(req.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hmac.new(get_settings().citizen_pepper.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def book_for_citizen(partner: Partner, webhook_id: str, req: PartnerBookingIn,
                     now: datetime | None = None) -> tuple[dict, bool]:
    """A verified partner delivery. Returns (view, created): a replay of a processed `webhook-id`
    returns the booking the first delivery made and books nothing; another body under it is refused."""
    now = now or calendar.now_tehran()
    mark = fingerprint(req)
    earlier = stores.partners.seen_request(partner.partner_id, webhook_id, now)
    if earlier is not None:
        return _replay(partner, earlier, mark), False
    if partner.kind not in PARTNER_CHANNELS:
        raise ChannelShareFull("Your channel has no share of the offices' seats", "کانال شما سهمی از نوبت‌ها ندارد")
    delivery = WebhookDelivery.received(partner.partner_id, webhook_id, now, get_settings().webhook_dedupe_hours)
    on_behalf = bookings.OnBehalf(partner, delivery, req.partner_ref, mark)
    try:
        booking, office, service, _ = bookings.create(req, now, on_behalf=on_behalf)
    except bookings.Replayed:
        earlier = stores.partners.seen_request(partner.partner_id, webhook_id, now)
        if earlier is None:
            raise ServiceUnavailable() from None
        return _replay(partner, earlier, mark), False
    metrics.add_metric(name="PartnerBookingCreated", unit="Count", value=1)
    logger.info("partner booking created", extra={"booking_id": booking.booking_id, "partner_id": partner.partner_id,
                                                  "office_id": office.office_id, "channel": booking.channel})
    return partner_view(booking, office, service), True


def _replay(partner: Partner, earlier: str, mark: str) -> dict:
    booking = stores.bookings.get_booking(earlier)
    if booking is None or booking.partner_id != partner.partner_id or not hmac.compare_digest(
            booking.fingerprint or "", mark):
        raise WebhookIdReused()
    return partner_view(booking)


def partner_view(booking: Booking, office: Office | None = None, service: Service | None = None) -> dict:
    """What the partner reads: the appointment, without the citizen's identifiers or access code."""
    view = bookings.booking_view(booking, office, service)
    return {"booking_id": view["booking_id"], "status": view["status"], "channel": booking.channel,
            "partner_ref": booking.partner_ref, "office": view["office"], "service": view["service"],
            "start": view["start"], "created_at": view["created_at"], "updated_at": view["updated_at"]}


def read_for_partner(partner_id: str, booking_id: str) -> dict:
    booking = stores.bookings.get_booking(booking_id) if booking_id.startswith("BK") else None
    if booking is None or booking.partner_id != partner_id:
        raise NotFound("No booking of yours with this id", "نوبتی از شما با این شناسه یافت نشد")
    return partner_view(booking)
