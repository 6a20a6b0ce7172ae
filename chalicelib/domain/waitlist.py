"""The waitlist, with no I/O: a verified citizen waits for a seat at one office and service on a
few chosen days; a seat freed there is offered to the first waiting citizen of that day (by the
time they joined) as a hold that lives a set time; an offer not taken passes to the next.

One entry per citizen, office and service (its days are its lines: one place in each day's line);
a citizen keeps at most a few live entries."""
from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chalicelib.domain.booking import BOOKED, CANCELLED, Hold, within_window

WAITING, OFFERED = "WAITING", "OFFERED"
MAX_DAYS = 5  # days one entry may wait for
# An offer that would leave the citizen less than this long to confirm is not made: the booking
# window closes at midnight before the day (no same-day booking).
MIN_OFFER_MINUTES = 5

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_entry_id() -> str:
    return "WL" + "".join(_ALPHABET[b % 32] for b in secrets.token_bytes(12))


@dataclass(frozen=True)
class WaitlistEntry:
    """A citizen waiting for a seat at `office_id` for `service_id` on `days` (sorted)."""
    entry_id: str
    citizen_key: str
    office_id: str
    service_id: str
    days: tuple[date, ...]
    mobile: str
    joined_at: datetime  # whole milliseconds: the order of the lines

    def live(self, today: date) -> bool:
        return any(d > today for d in self.days)


@dataclass(frozen=True)
class Waiter:
    """One citizen's place in one day's line: WAITING, or OFFERED (a hold `hold_id` until
    `offer_expires`)."""
    office_id: str
    service_id: str
    day: date
    entry_id: str
    citizen_key: str
    mobile: str
    joined_at: datetime
    status: str = WAITING
    hold_id: str | None = None
    offer_expires: datetime | None = None
    offered_start: datetime | None = None


@dataclass(frozen=True)
class FreedSeat:
    """Seats of one slot that a booking left (cancelled, or moved elsewhere)."""
    office_id: str
    service_id: str
    day: date
    start: datetime
    cells: tuple[str, ...]
    counter: int


@dataclass(frozen=True)
class Offer:
    """A hold made for a waiter; the outstanding offers are swept when they expire."""
    hold: Hold
    waiter: Waiter


def check_days(days: Iterable[date], today: date, horizon_days: int) -> tuple[date, ...] | str:
    """The chosen days, sorted and unique, or why they are refused: "empty", "too_many", "window"
    (a day today or earlier, or past the booking horizon)."""
    chosen = tuple(sorted(set(days)))
    if not chosen:
        return "empty"
    if len(chosen) > MAX_DAYS:
        return "too_many"
    if not all(within_window(d, today, horizon_days) for d in chosen):
        return "window"
    return chosen


def offer_expiry(seat_day: date, now: datetime, offer_minutes: int) -> datetime | None:
    """Until when an offer made `now` for a seat on `seat_day` lives: `offer_minutes`, but never
    past the midnight that closes the day's booking window. None when too little time is left."""
    midnight = datetime.combine(seat_day, datetime.min.time(), now.tzinfo) - timedelta(seconds=1)
    expires = min(now + timedelta(minutes=offer_minutes), midnight).replace(microsecond=0)
    if expires - now < timedelta(minutes=MIN_OFFER_MINUTES):
        return None
    return expires


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def freed_by(new: Mapping | None, old: Mapping | None) -> FreedSeat | None:
    """The seats a booking's change left free: a cancellation frees its slot, a move frees the
    slot it left (a move to another counter of the same slot frees that counter). The images are
    the booking before (`old`) and after (`new`) the change."""
    if not new or not old or old.get("status") != BOOKED or old.get("kind") == "session":
        return None  # a remote session's seat is a remote counter's, not an office visit's
    moved = new.get("status") == BOOKED and (new.get("start") != old.get("start")
                                             or int(new.get("counter") or 0) != int(old.get("counter") or 0))
    if new.get("status") != CANCELLED and not moved:
        return None
    try:
        return FreedSeat(str(old["office_id"]), str(old["service_id"]), _as_date(old["day"]),
                         _as_datetime(old["start"]), tuple(str(c) for c in old["cells"]), int(old["counter"]))
    except (KeyError, TypeError, ValueError):
        return None
