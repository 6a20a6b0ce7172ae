"""Partners' deliveries, with no I/O."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class WebhookDelivery:
    """A partner's delivery, identified by its `webhook-id`: remembered until `keep_until` (past
    the partner's retry horizon) so a replay creates nothing."""
    partner_id: str
    webhook_id: str
    keep_until: datetime

    @classmethod
    def received(cls, partner_id: str, webhook_id: str, now: datetime, keep_hours: int) -> WebhookDelivery:
        return cls(partner_id, webhook_id, now + timedelta(hours=keep_hours))
