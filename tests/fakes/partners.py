"""In-memory partners (ports.partners.PartnerStore): versioned saves, deliveries remembered by
webhook-id until they expire, and a per-minute quota."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalicelib.domain.partner import Partner, WebhookDelivery
from chalicelib.errors import Conflict


class FakePartnerStore:
    def __init__(self) -> None:
        self.partners: dict[str, Partner] = {}
        self.seen: dict[tuple[str, str], tuple[str, datetime]] = {}  # (partner, webhook-id) -> (request, keep until)

    def get(self, partner_id: str) -> Partner | None:
        return self.partners.get(partner_id)

    def all_partners(self) -> list[Partner]:
        return [self.partners[k] for k in sorted(self.partners)]

    def save(self, partner: Partner) -> Partner:
        stored = self.partners.get(partner.partner_id)
        if (stored is None) != (partner.version is None) or (stored is not None and stored.version != partner.version):
            raise Conflict("The partner changed meanwhile; read it again",
                           "اطلاعات همکار در این فاصله تغییر کرده است؛ دوباره بخوانید")
        saved = replace(partner, version=(partner.version or 0) + 1)
        self.partners[partner.partner_id] = saved
        return saved

    # What a request's transaction checks and writes (the fake request store calls these).
    def already_seen(self, delivery: WebhookDelivery, now: datetime) -> bool:
        seen = self.seen.get((delivery.partner_id, delivery.webhook_id))
        return seen is not None and not seen[1] < now

    def remember(self, delivery: WebhookDelivery, tracking_code: str) -> None:
        self.seen[(delivery.partner_id, delivery.webhook_id)] = (tracking_code, delivery.keep_until)

    def seen_request(self, partner_id: str, webhook_id: str, now: datetime) -> str | None:
        seen = self.seen.get((partner_id, webhook_id))
        return seen[0] if seen is not None and not seen[1] < now else None
