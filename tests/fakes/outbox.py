"""In-memory outbox (ports.outbox.OutboxStore): the same claim as the data layer, a lease that
only one caller gets until it expires, and only the lease holder finishes the message."""
from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib.domain.outbox import KINDS, DeadLetter, OutboxMessage


class FakeOutboxStore:
    def __init__(self) -> None:
        self.messages: dict[str, tuple[OutboxMessage, datetime | None]] = {}  # id -> (message, leased until)
        self.dead: list[DeadLetter] = []
        self._lock = threading.Lock()

    def put(self, messages: Iterable[OutboxMessage]) -> None:
        with self._lock:
            for message in messages:
                self.messages[message.message_id] = (replace(message, lease=None), None)

    def due(self, kind: str, now: datetime, limit: int = 100) -> list[OutboxMessage]:
        with self._lock:
            found = [m for m, until in self.messages.values()
                     if m.kind == kind and m.due <= now and (until is None or until < now)]
        return sorted(found, key=lambda m: (m.due, m.message_id))

    def due_pages(self, kind: str, now: datetime, page: int = 100) -> Iterator[list[OutboxMessage]]:
        # One partition here; a page is read when asked for, after the last one's last message.
        after = None
        while True:
            with self._lock:
                found = sorted((m for m, until in self.messages.values()
                                if m.kind == kind and m.due <= now and (until is None or until < now)
                                and (after is None or (m.due, m.message_id) > after)),
                               key=lambda m: (m.due, m.message_id))[:page]
            if not found:
                return
            after = (found[-1].due, found[-1].message_id)
            yield found

    def claim(self, message: OutboxMessage, now: datetime, lease_seconds: float) -> OutboxMessage | None:
        with self._lock:
            held = self.messages.get(message.message_id)
            if held is None or (held[1] is not None and held[1] >= now):
                return None
            claimed = held[0].claimed(secrets.token_hex(8))
            self.messages[message.message_id] = (claimed, now + timedelta(seconds=lease_seconds))
            return claimed

    def _holds(self, message: OutboxMessage) -> bool:
        held = self.messages.get(message.message_id)
        return held is not None and held[0].lease is not None and held[0].lease == message.lease

    def done(self, message: OutboxMessage) -> bool:
        with self._lock:
            if not self._holds(message):
                return False
            del self.messages[message.message_id]
            return True

    def retry_later(self, message: OutboxMessage, due_at: datetime) -> bool:
        with self._lock:
            if not self._holds(message):
                return False
            self.messages[message.message_id] = (replace(message, due=due_at, attempts=message.attempts + 1,
                                                         lease=None), None)
            return True

    def bury(self, dead: DeadLetter, lease: str | None) -> bool:
        with self._lock:
            held = self.messages.get(dead.message.message_id)
            if held is None or held[0].lease is None or held[0].lease != lease:
                return False
            del self.messages[dead.message.message_id]
            self.dead.append(dead)
            return True

    def dead_letters(self, kind: str, limit: int = 100) -> list[DeadLetter]:
        with self._lock:
            found = [d for d in self.dead if d.message.kind == kind]
        return sorted(found, key=lambda d: (d.dead_at, d.message.message_id), reverse=True)[:limit]

    def pending(self, kind: str) -> list[OutboxMessage]:
        with self._lock:
            found = [m for m, _ in self.messages.values() if m.kind == kind]
        return sorted(found, key=lambda m: (m.due, m.message_id))

    def leased(self, kind: str) -> list[OutboxMessage]:
        return [m for m in self.pending(kind) if m.lease is not None]

    def pending_count(self) -> int:
        return sum(len(self.pending(kind)) for kind in KINDS)
