"""Partners (the 1470 network, consulates, court systems) and their deliveries, with no I/O."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class PartnerSecret:
    """A signing secret. Several are active while a partner rotates; shown once, at creation."""
    id: str
    secret: str = field(repr=False)
    created_at: str


@dataclass(frozen=True)
class Partner:
    """A registered partner, its callback URL, quota per minute and signing secrets."""
    partner_id: str
    name: str
    kind: str
    quota_per_minute: int
    created_at: str
    updated_at: str
    callback_url: str | None = None
    secrets: tuple[PartnerSecret, ...] = ()
    active: bool = True
    version: int | None = field(default=None, compare=False)  # optimistic-locking stamp of the stored partner

    @property
    def signing_secrets(self) -> list[str]:
        return [s.secret for s in self.secrets]


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
