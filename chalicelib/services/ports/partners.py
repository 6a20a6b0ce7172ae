"""Partners: the registry (versioned: a save under a stale version raises `Conflict`), the
deliveries already processed (by webhook-id) and the per-minute quota."""
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.domain.partner import Partner


class PartnerStore(Protocol):
    def get(self, partner_id: str) -> Partner | None: ...

    def all_partners(self) -> list[Partner]:
        """Every registered partner (active or not), by id."""

    def save(self, partner: Partner) -> Partner:
        """Create (version None: only if new) or replace under the version read; the partner as
        saved, with its new version."""

    def seen_request(self, partner_id: str, webhook_id: str, now: datetime) -> str | None:
        """The tracking code a delivery created, while its dedupe record lasts."""
