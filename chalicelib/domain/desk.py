"""The front desk (پیشخوان): walk-ins and checked-in appointments in one line of tickets, the rule
that picks whom a counter calls next, the office's service pace and its live wait estimate. Pure:
no I/O; the data layer enforces the same rule atomically (the line's state is a condition).

Every citizen at the desk holds a ticket: a walk-in gets one from an operator, an appointment
gets one when it is checked in. Tickets are numbered per office and day from one sequence, so a
number never repeats within an office-day and the number order is the arrival order.

Call-next order (`pick_next`):
1. An appointment that is *due*: checked in on time (at the latest `grace` minutes after its
   start) and its start is at most `early` minutes away. Earliest start first.
2. Else the walk-in lane in ticket order: walk-ins, and appointments checked in late (after their
   grace window), which lose their appointment's priority.
3. Else an appointment checked in ahead of its time (a counter with nobody else to call serves it
   early).
The walk-in cap: while someone waits in the walk-in lane, at most `walk_in_cap` appointments are
called in a row; the next call takes the oldest of the lane. `streak` counts those calls.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from chalicelib.domain.text import to_persian_digits

WALK_IN, APPOINTMENT = "walk_in", "appointment"
KINDS = (WALK_IN, APPOINTMENT)
# A ticket's life: WAITING -> CALLED -> SERVED | NOT_PRESENT; a checked-in appointment's ticket
# also ends (CLOSED) when its booking is closed outside the desk (completed from the day list).
WAITING, CALLED, SERVED, NOT_PRESENT, CLOSED = "WAITING", "CALLED", "SERVED", "NOT_PRESENT", "CLOSED"
ENDED = (SERVED, NOT_PRESENT, CLOSED)
# The letter before a ticket's number: Persian on the board, Latin for clients without Persian text.
LETTERS = {WALK_IN: ("ح", "W"), APPOINTMENT: ("ن", "A")}  # حضوری (walk-in), نوبت (appointment)
MAX_COUNTER = 99


@dataclass(frozen=True)
class DeskRules:
    """The published desk rules (settings): the walk-in cap, the appointments' grace window (the
    same minutes after which a booking may be marked a no-show) and how early a due appointment
    may be called."""
    walk_in_cap: int = 3
    grace_minutes: int = 15
    early_minutes: int = 5

    def __post_init__(self) -> None:
        if self.walk_in_cap < 0 or self.grace_minutes < 0 or self.early_minutes < 0:
            raise ValueError("desk rules are non-negative minutes and counts")


@dataclass(frozen=True)
class Ticket:
    """A citizen in the office's line. `arrived_at` is when the walk-in's ticket was issued or the
    appointment was checked in; `due` is the appointment's start (None for a walk-in). No national
    ID in clear: `citizen_key` is its keyed hash, when the operator entered one."""
    office_id: str
    day: date
    number: int
    kind: str
    service_id: str
    status: str
    arrived_at: datetime
    due: datetime | None = None
    booking_id: str | None = None
    citizen_key: str | None = None
    national_id_masked: str | None = None
    counter: int | None = None
    called_at: datetime | None = None
    called_by: str | None = None
    ended_at: datetime | None = None
    recalls: int = 0
    issued_by: str | None = None
    call_seq: int | None = None  # the call's position in the office-day's calls (1, 2, ...)

    @property
    def label(self) -> str:
        return ticket_label(self.kind, self.number)[1]

    @property
    def label_fa(self) -> str:
        return ticket_label(self.kind, self.number)[0]

    @property
    def waited_min(self) -> float | None:
        """Minutes from arrival (ticket or check-in) to the call; None until called."""
        return None if self.called_at is None else minutes_between(self.arrived_at, self.called_at)

    @property
    def served_min(self) -> float | None:
        """Minutes at the counter, from the call to the end of the visit."""
        if self.called_at is None or self.ended_at is None:
            return None
        return minutes_between(self.called_at, self.ended_at)

    def called(self, counter: int, operator: str, now: datetime, call_seq: int | None = None) -> Ticket:
        return replace(self, status=CALLED, counter=counter, called_at=now.replace(microsecond=0), called_by=operator,
                       call_seq=call_seq)

    def ended(self, outcome: str, now: datetime) -> Ticket:
        return replace(self, status=outcome, ended_at=now.replace(microsecond=0))


def minutes_between(start: datetime, end: datetime) -> float:
    return round(max(0.0, (end - start).total_seconds() / 60), 1)


def ticket_label(kind: str, number: int) -> tuple[str, str]:
    """(Persian, Latin) label of a ticket: the kind's letter and the number, three digits at least:
    ("ح۰۱۲", "W012")."""
    fa, latin = LETTERS[kind]
    digits = f"{number:03d}"
    return f"{fa}{to_persian_digits(digits)}", f"{latin}{digits}"


# --- the call-next rule --------------------------------------------------------------------

DUE, LANE, EARLY = "due", "lane", "early"


def place(ticket: Ticket, now: datetime, rules: DeskRules) -> str:
    """Where a waiting ticket stands in the call order at `now`: a due appointment, the walk-in
    lane, or an appointment checked in early that is not yet due."""
    if ticket.kind == WALK_IN or ticket.due is None:
        return LANE
    if ticket.arrived_at > ticket.due + timedelta(minutes=rules.grace_minutes):
        return LANE  # came after the grace window: the appointment's priority is lost
    if now >= ticket.due - timedelta(minutes=rules.early_minutes):
        return DUE
    return EARLY


@dataclass(frozen=True)
class Pick:
    ticket: Ticket
    streak: int  # appointments called in a row while the walk-in lane waited, after this call
    reason: str  # due_appointment | walk_in | walk_in_cap | early_appointment


def pick_next(waiting: Iterable[Ticket], streak: int, now: datetime, rules: DeskRules) -> Pick | None:
    """The ticket the next free counter calls, by the published order (module doc), and the
    office's streak after the call. None when nobody waits."""
    due, lane, early = [], [], []
    for t in waiting:
        if t.status != WAITING:
            continue
        {DUE: due, LANE: lane, EARLY: early}[place(t, now, rules)].append(t)
    due.sort(key=lambda t: (t.due, t.number))
    lane.sort(key=lambda t: t.number)
    early.sort(key=lambda t: (t.due, t.number))
    if due and lane:
        if streak >= rules.walk_in_cap:
            return Pick(lane[0], 0, "walk_in_cap")
        return Pick(due[0], streak + 1, "due_appointment")
    if due:
        return Pick(due[0], 0, "due_appointment")
    if lane:
        return Pick(lane[0], 0, "walk_in")
    if early:
        return Pick(early[0], 0, "early_appointment")
    return None


# --- pace and the live wait ----------------------------------------------------------------

def next_pace(previous: float | None, prior_min: float, served_min: float, alpha: float) -> float:
    """The office's service pace: an exponentially weighted mean of its served visits' minutes at
    the counter. Before any visit was measured it starts from `prior_min` (the catalogue's
    standard duration of the service served)."""
    if not 0 < alpha <= 1:
        raise ValueError("alpha is in (0, 1]")
    base = prior_min if previous is None else previous
    return round(alpha * max(0.0, served_min) + (1 - alpha) * base, 2)


def wait_estimate(waiting: int, serving: int, counters_open: int, pace_min: float) -> float | None:
    """Minutes a citizen arriving now waits before a counter calls them: everyone ahead (waiting,
    and at the counters) beyond the open counters, drained by all of them at the office's pace.
    None when no counter is open (nobody will call)."""
    if counters_open <= 0:
        return None
    excess = max(0, waiting) + max(0, serving) + 1 - counters_open
    return round(excess * pace_min / counters_open, 1) if excess > 0 else 0.0


def mean_duration(durations: Iterable[float], default: float) -> float:
    """The mean of catalogue durations (a prior when an office has measured nothing yet)."""
    found = [float(d) for d in durations if d and math.isfinite(float(d))]
    return round(sum(found) / len(found), 1) if found else default


# --- what the data layer reads and keeps -----------------------------------------------------

@dataclass(frozen=True)
class Line:
    """An office-day's desk, read at once (one consistent query): its tickets in number order, who
    is at each counter, the streak of the walk-in cap and `calls` (every call changes it: a call is
    conditional on the line being as read), counters opened today, and the running counts."""
    office_id: str
    day: date
    tickets: tuple[Ticket, ...] = ()
    at_counter: dict[int, int] = field(default_factory=dict)  # counter -> ticket number served there
    streak: int = 0
    calls: int = 0
    open_counters: frozenset[int] = frozenset()

    def waiting(self) -> list[Ticket]:
        return [t for t in self.tickets if t.status == WAITING]

    def ticket(self, number: int) -> Ticket | None:
        return next((t for t in self.tickets if t.number == number), None)

    def at(self, counter: int) -> Ticket | None:
        number = self.at_counter.get(counter)
        return None if number is None else self.ticket(number)


@dataclass(frozen=True)
class DeskLoad:
    """An office-day's desk for the load snapshot: the counters opened today (those that called,
    until closed). Its visitors (waiting or at a counter) are the office's live `waiting` count."""
    open_counters: int = 0


@dataclass(frozen=True)
class Pace:
    """The office's measured service pace (minutes per served visit) and how many visits it folds."""
    minutes: float
    measured: int
