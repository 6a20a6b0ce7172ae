"""Channel shares of an office's seats, with no I/O.

An office-day's seats (one counter for one grid step, as the seat grid has them) are shared
between the channels that book them: the web, and the partner channels (the 1470 network,
consulates, court systems; a partner's channel is its kind). The association adopts the shares
as whole percentages summing to 100: a network default and, per office, an override.

The seats of a day are split by the largest-remainder rule, in exact integer arithmetic: each
channel gets floor(seats × percent / 100); the seats left over (fewer than the channels) go one
each to the channels with the largest remainders, ties to the earlier channel in CHANNELS. So
the parts always add up to the seats, none is negative, and a channel at 0 % gets nothing.

Before the release time (a set number of hours before the office-day opens, in Tehran time) a
partner channel's share is reserved: the web books only its own part. From the release time on,
what a partner channel has not used returns to the web (the web is bounded by the free seats
only), and a partner channel may still book up to its share while seats are free."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WEB = "web"
PARTNER_CHANNELS = ("call_centre_1470", "consulate", "court_system")
CHANNELS = (WEB, *PARTNER_CHANNELS)
ALL_WEB: Mapping[str, int] = {WEB: 100}


class SharesInvalid(ValueError):
    """Shares that are not whole percentages of known channels summing to 100."""


def checked(shares: Mapping[str, int]) -> dict[str, int]:
    """The shares with every channel present (0 where absent), or SharesInvalid."""
    unknown = set(shares) - set(CHANNELS)
    if unknown:
        raise SharesInvalid(f"unknown channels: {', '.join(sorted(unknown))}")
    out = {c: shares.get(c, 0) for c in CHANNELS}
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 or v > 100 for v in out.values()):
        raise SharesInvalid("each share is a whole percentage from 0 to 100")
    if sum(out.values()) != 100:
        raise SharesInvalid(f"shares must add up to 100, not {sum(out.values())}")
    return out


def split(seats: int, shares: Mapping[str, int]) -> dict[str, int]:
    """The seats of each channel: largest remainders, ties to the earlier channel in CHANNELS
    (then to the earlier key, for names outside CHANNELS). The parts sum to `seats`."""
    if seats < 0:
        raise ValueError("seats cannot be negative")
    total = sum(shares.values())
    if total <= 0:
        raise ValueError("shares must add up to more than 0")
    order = {c: i for i, c in enumerate(CHANNELS)}
    names = sorted(shares, key=lambda c: (order.get(c, len(order)), c))
    parts = {c: seats * shares[c] // total for c in names}
    left = seats - sum(parts.values())
    # `left` < number of channels with a non-zero remainder, so each gets at most one more.
    by_remainder = sorted(names, key=lambda c: (-(seats * shares[c] % total), order.get(c, len(order)), c))
    for c in by_remainder[:left]:
        parts[c] += 1
    return parts


def even_split(total: int, parts: int) -> list[int]:
    """`total` in `parts` near-equal whole parts (the first ones one larger), summing to `total`."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def day_seats(intervals: list[tuple[datetime, datetime]], counters: int, grid_minutes: int) -> int:
    """Seats of an office-day: grid steps of its opening intervals × the counters open to bookings."""
    step = timedelta(minutes=grid_minutes)
    return counters * sum((end - start) // step for start, end in intervals)


def release_at(intervals: list[tuple[datetime, datetime]], hours_before: int) -> datetime | None:
    """When unused partner shares of the day return to the web: `hours_before` its first opening."""
    if not intervals:
        return None
    return min(start for start, _ in intervals) - timedelta(hours=hours_before)


@dataclass(frozen=True)
class DayShares:
    """The channel caps of one office-day at one moment (decided when a booking is made).
    `caps[channel]` is the most seats the channel may hold; the web's is None once released."""
    seats: int
    parts: Mapping[str, int]
    released: bool
    caps: Mapping[str, int | None] = field(default_factory=dict)

    @classmethod
    def at(cls, seats: int, shares: Mapping[str, int], released: bool) -> DayShares:
        parts = split(seats, shares)
        caps: dict[str, int | None] = dict(parts)
        if released:
            caps[WEB] = None
        return cls(seats, parts, released, caps)

    def cap(self, channel: str) -> int | None:
        return self.caps.get(channel, 0)

    @property
    def web_is_bounded(self) -> bool:
        """The web counts its seats only while partner channels hold a reserve it may not take."""
        return not self.released and self.parts.get(WEB, 0) < self.seats


@dataclass(frozen=True)
class ShareClaim:
    """Seats a booking takes from a channel's count of the day: `key` names the count (a
    partner channel, or one part of the web's), `cap` is that count's most, None when unbounded."""
    key: str
    seats: int
    cap: int | None = None


def web_part_key(k: int) -> str:
    return f"{WEB}#{k}"


def web_part_caps(web_cap: int, parts: int) -> dict[str, int]:
    """The web's cap split over `parts` counts (so web bookings of one office-day spread their
    writes over several items instead of one)."""
    return {web_part_key(k): cap for k, cap in enumerate(even_split(web_cap, parts))}


def allocate(room: Mapping[str, int], seats: int) -> dict[str, int] | None:
    """Take `seats` from counts with `room` left, fullest room first (fewest counts touched);
    None when all together have less room than `seats`."""
    if sum(max(0, r) for r in room.values()) < seats:
        return None
    taken: dict[str, int] = {}
    need = seats
    for key in sorted(room, key=lambda k: (-room[k], k)):
        if need == 0:
            break
        take = min(need, max(0, room[key]))
        if take:
            taken[key] = take
            need -= take
    return taken


@dataclass(frozen=True)
class ShareConfig:
    """The adopted shares: the network default and the offices' overrides."""
    network: Mapping[str, int] = field(default_factory=lambda: dict(ALL_WEB))
    offices: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def of_office(self, office_id: str) -> dict[str, int]:
        return checked(self.offices.get(office_id, self.network))

    @classmethod
    def from_dict(cls, doc: Mapping) -> ShareConfig:
        return cls(checked(doc.get("network", ALL_WEB)),
                   {o: checked(s) for o, s in (doc.get("offices") or {}).items()})

    def to_dict(self) -> dict:
        return {"network": checked(self.network), "offices": {o: checked(s) for o, s in sorted(self.offices.items())}}
