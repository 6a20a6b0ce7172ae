"""The appeals store: no-show appeals, their decisions and the pending list. A refused change raises
`TxConditionFailed` labelled:

  duplicate   file: the booking was appealed already
  appeal      decide: the appeal is no longer PENDING (decided by someone else)
  booking     decide (accept): the booking is no longer the no-show read
  block       decide (accept): the citizen's block was set by another no-show meanwhile"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from chalicelib.domain.appeals import Appeal, Decision
from chalicelib.domain.booking import Booking
from chalicelib.domain.outbox import OutboxMessage


class AppealStore(Protocol):
    def file(self, appeal: Appeal, messages: Iterable[OutboxMessage]) -> None:
        """A new PENDING appeal, on the pending list, with `messages`. Label: duplicate."""

    def get(self, appeal_id: str) -> Appeal | None: ...

    def history(self, appeal_id: str) -> list[dict]:
        """The audit trail: [{at, actor, from, to, reason}], oldest first."""

    def pending(self, office_id: str | None = None) -> list[Appeal]:
        """Pending appeals of the office (or all), oldest first."""

    def decide(self, appeal: Appeal, decision: Decision, messages: Iterable[OutboxMessage], *,
               excuse: tuple[Booking, Booking] | None = None, lift_block: bool = False) -> Appeal:
        """The decision, off the pending list; with `excuse` (booking as read, booking EXCUSED) the
        booking changes too, and with `lift_block` the block its no-show set is deleted. Labels:
        appeal, booking, block."""
