"""The waitlist store: citizens' entries, the days' lines, and offers (holds made for the first
waiting citizen). Every change is atomic. A refused change raises `TxConditionFailed` labelled:

  duplicate   join: the citizen already waits for this office and service;
              offer: the citizen already has a live booking of this service that day
  revision    join: the citizen's entries changed since they were read (count them again)
  entry       leave: the entry is gone or was replaced
  seat        offer: a seat of the slot is booked, or held and not expired
  waiter      offer: the place is no longer WAITING (offered meanwhile, or left)
  live_hold   offer: the citizen holds another slot now
  cap         offer: the citizen has the day's maximum of live bookings
  blocked     offer: the citizen is blocked after a no-show
  offer       settle: the offer was settled already

`TxConflict` means a concurrent transaction touched the same items: safe to retry."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from chalicelib.domain.booking import Hold
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.waitlist import Offer, Waiter, WaitlistEntry


class WaitlistStore(Protocol):
    def entries_of(self, citizen_key: str) -> tuple[list[WaitlistEntry], int]:
        """The citizen's entries (past days included) and the revision they were read at."""

    def join(self, entry: WaitlistEntry, revision: int, drop: Iterable[WaitlistEntry] = ()) -> None:
        """The entry and one WAITING place per day (ordered by `entry.joined_at`), if the citizen's
        entries are still at `revision`; `drop` entries are deleted with it. Labels: duplicate, revision."""

    def leave(self, entry: WaitlistEntry) -> None:
        """The entry and its places are deleted (an outstanding offer's hold lives on until it
        expires). Label: entry."""

    def places_of(self, entry: WaitlistEntry) -> list[Waiter]:
        """The entry's places still in the lines, by day."""

    def line(self, office_id: str, service_id: str, day: date, *, limit: int = 200) -> list[Waiter]:
        """The day's line in join order, waiting and offered places alike."""

    def offer(self, waiter: Waiter, hold: Hold, now: datetime, *, max_per_day: int,
              messages: Iterable[OutboxMessage]) -> Offer:
        """The hold (the citizen's one live hold, under their cap of the day), the place OFFERED,
        the outstanding offer and `messages`, together. Labels: seat, waiter, live_hold, cap,
        blocked, duplicate."""

    def due_offers(self, now: datetime, *, limit: int = 100) -> list[Offer]:
        """Outstanding offers expired before `now`, earliest first."""

    def settle(self, offer: Offer, now: datetime) -> None:
        """The offer leaves the outstanding ones, its place leaves the line, and its hold, if not
        booked, is deleted. Label: offer."""
