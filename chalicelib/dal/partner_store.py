"""Partners: the registry (table `partners`, one item per partner with its signing secrets;
changes go through the item's version, so two administrators rotating at once cannot lose a
secret), and what their deliveries leave in the `requests` table:

  WH#{partner}#{webhook_id} / SEEN   a delivery already processed (kept past the partner's retries)
"""
from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.dal.db import Tx, unavailable_guard
from chalicelib.dal.models import PartnerItem, WebhookSeenItem
from chalicelib.domain.partner import Partner, PartnerSecret, WebhookDelivery
from chalicelib.errors import Conflict

SEEN_SK = "SEEN"


def _seen_pk(partner_id: str, webhook_id: str) -> str:
    return f"WH#{partner_id}#{webhook_id}"


def _conditional_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def _partner(item: PartnerItem) -> Partner:
    return Partner(item.partner_id, name=item.name, kind=item.kind, quota_per_minute=int(item.quota_per_minute),
                   created_at=item.created_at, updated_at=item.updated_at, callback_url=item.callback_url,
                   secrets=tuple(PartnerSecret(s["id"], s["secret"], s["created_at"]) for s in item.secrets or []),
                   active=bool(item.active), version=item.version)


@unavailable_guard
def get(partner_id: str) -> Partner | None:
    try:
        return _partner(PartnerItem.get(partner_id, consistent_read=True))
    except DoesNotExist:
        return None


@unavailable_guard
def all_partners() -> list[Partner]:
    """Every registered partner, by id: a scan, as the registry holds a few dozen at most."""
    return sorted((_partner(item) for item in PartnerItem.scan(consistent_read=True)), key=lambda p: p.partner_id)


@unavailable_guard
def save(partner: Partner) -> Partner:
    """Create, or replace under the version read (optimistic locking); the partner as saved."""
    item = PartnerItem(partner.partner_id, name=partner.name, kind=partner.kind, callback_url=partner.callback_url,
                       quota_per_minute=partner.quota_per_minute,
                       secrets=[{"id": s.id, "secret": s.secret, "created_at": s.created_at} for s in partner.secrets],
                       active=partner.active, created_at=partner.created_at, updated_at=partner.updated_at)
    if partner.version is not None:  # a new partner has none: saved only if it does not exist yet
        item.version = partner.version
    try:
        item.save()
    except PutError as exc:
        if _conditional_failed(exc):
            raise Conflict("The partner changed meanwhile; read it again",
                           "اطلاعات همکار در این فاصله تغییر کرده است؛ دوباره بخوانید") from exc
        raise
    return _partner(item)


# --- deliveries: dedupe by webhook-id, quota per minute -----------------------------------------

def remember_delivery(tx: Tx, delivery: WebhookDelivery, tracking_code: str, now: datetime) -> None:
    """Record, inside the transaction creating the request, that this delivery was processed; the
    transaction fails (label `webhook`) when it already was and the record has not expired."""
    item = WebhookSeenItem(_seen_pk(delivery.partner_id, delivery.webhook_id), SEEN_SK, request_id=tracking_code,
                           ttl=delivery.keep_until)
    # TTL deletes lazily: an expired record no longer counts.
    tx.put("webhook", item, condition=WebhookSeenItem.pk.does_not_exist() | (WebhookSeenItem.ttl < now))


@unavailable_guard
def seen_request(partner_id: str, webhook_id: str, now: datetime) -> str | None:
    """The request a delivery created, if it was processed and not yet expired (TTL is lazy)."""
    try:
        item = WebhookSeenItem.get(_seen_pk(partner_id, webhook_id), SEEN_SK, consistent_read=True)
    except DoesNotExist:
        return None
    if item.ttl is not None and item.ttl < now:
        return None
    return item.request_id


