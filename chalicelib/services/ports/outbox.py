"""The outbox: SMS and partner callbacks, one due-time queue. A message is claimed (leased) by
one delivery run before it is sent, so overlapping runs never send it twice."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Protocol

from chalicelib.domain.outbox import DeadLetter, OutboxMessage


class OutboxStore(Protocol):
    def put(self, messages: Iterable[OutboxMessage]) -> None:
        """Queue messages on their own (other stores add theirs inside their transactions)."""

    def due(self, kind: str, now: datetime, limit: int = 100) -> list[OutboxMessage]:
        """Due messages of `kind` no run holds a live lease on, earliest first."""

    def due_pages(self, kind: str, now: datetime, page: int = 100) -> Iterator[list[OutboxMessage]]:
        """The due messages of `kind` no run holds a lease on, a page at a time (up to `page`
        from each partition, earliest first within the page), each partition read on from where
        its last page ended, as they are asked for. Together the pages hold each such message once;
        one claimed meanwhile may still be there (its claim fails)."""

    def claim(self, message: OutboxMessage, now: datetime, lease_seconds: float) -> OutboxMessage | None:
        """The message leased to the caller, or None when another run holds it or it is gone."""

    def done(self, message: OutboxMessage) -> bool:
        """Remove a claimed message; False when the caller's lease was lost meanwhile."""

    def retry_later(self, message: OutboxMessage, due_at: datetime) -> bool:
        """Move a claimed message to `due_at`, one more attempt, lease released; False when the
        caller's lease was lost meanwhile."""

    def bury(self, dead: DeadLetter, lease: str | None) -> bool:
        """Finish a claimed message (`lease`: the caller's) as a dead letter, kept with its
        reason and attempts; False when the caller's lease was lost meanwhile."""

    def dead_letters(self, kind: str, limit: int = 100) -> list[DeadLetter]:
        """The latest dead letters of `kind`, newest first."""

    def pending(self, kind: str) -> list[OutboxMessage]:
        """Every queued message of `kind`, due or not, earliest first."""

    def leased(self, kind: str) -> list[OutboxMessage]: ...

    def pending_count(self) -> int: ...
