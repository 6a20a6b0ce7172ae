"""A day closed under booked citizens, with no I/O: what a closure is called, which bookings an
office with fewer counters than bookings keeps, and the link that lets a cancelled citizen book
again. Closing a day never loses a booking silently: each one is cancelled with an SMS."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from chalicelib.domain.booking import BOOKED, CHECKED_IN, Booking

# What a closure is called when whoever declared it gave no name in that language: a closed day
# always shows a name in Persian and English, never an empty string.
OFFICE_CLOSED = ("Office closed", "تعطیلی دفتر")
NETWORK_CLOSED = ("Closed by the association", "تعطیل به اعلام کانون")
FEWER_COUNTERS = ("Fewer counters open at the office", "کاهش باجه‌های فعال دفتر")


@dataclass(frozen=True)
class DayName:
    name_en: str
    name_fa: str


def day_name(name_en: str | None, name_fa: str | None, default: tuple[str, str]) -> DayName:
    """The closure's names, each falling back to the default of its kind when blank."""
    return DayName((name_en or "").strip() or default[0], (name_fa or "").strip() or default[1])


@dataclass(frozen=True)
class CounterCut:
    """What an office day with `counters` counters keeps: `cancel` the bookings that no longer fit,
    `moves` booking id -> the counter a kept booking moves to (its own counter is gone)."""
    cancel: tuple[Booking, ...]
    moves: dict[str, int]


def cut_to_counters(bookings: Iterable[Booking], counters: int, now: datetime | None = None) -> CounterCut:
    """Fit the day's BOOKED bookings on counters 1..`counters`. The earliest booked keep their
    place: in booking order each keeps its own counter if it still exists and is free in all its
    cells, else takes the lowest free one, else it is cancelled; so the latest booked go first.
    Checked-in citizens, and bookings whose time has come (`now`), are left alone and keep their
    seats taken; finished ones hold none."""
    bookings = list(bookings)
    taken: dict[str, set[int]] = {}
    live = sorted((b for b in bookings if b.status == BOOKED and not started(b, now)),
                  key=lambda b: (b.created_at, b.booking_id))
    for b in bookings:
        if b.status == CHECKED_IN or (b.status == BOOKED and started(b, now)):
            for cell in b.cells:
                taken.setdefault(cell, set()).add(b.counter)
    cancel: list[Booking] = []
    moves: dict[str, int] = {}
    for b in live:
        def free(k: int, cells=b.cells) -> bool:
            return all(k not in taken.get(c, ()) for c in cells)
        choice = b.counter if b.counter <= counters and free(b.counter) else next(
            (k for k in range(1, counters + 1) if free(k)), None)
        if choice is None:
            cancel.append(b)
            continue
        if choice != b.counter:
            moves[b.booking_id] = choice
        for cell in b.cells:
            taken.setdefault(cell, set()).add(choice)
    return CounterCut(tuple(cancel), moves)


def started(booking: Booking, now: datetime | None) -> bool:
    """The appointment's time has come: a closure no longer cancels it (the office records what
    became of it), and nobody is told by SMS of a cancellation after the fact."""
    return now is not None and booking.start <= now


def rebook_link(web_url: str, office_id: str, service_id: str) -> str:
    """The public web app's page of the office's days for the service: public identifiers only,
    nothing about the citizen."""
    return f"{web_url.rstrip('/')}/offices/{quote(office_id, safe='')}/services/{quote(service_id, safe='')}/days"
