"""Booking rules with no I/O: states and transitions, the booking window, identifiers and
secrets. The data layer enforces the same rules atomically with conditions."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from chalicelib.domain.channels import ShareClaim
from chalicelib.domain.sessions import SessionDetails

BOOKED, CHECKED_IN, COMPLETED, NO_SHOW, CANCELLED = "BOOKED", "CHECKED_IN", "COMPLETED", "NO_SHOW", "CANCELLED"
EXCUSED = "EXCUSED"  # a no-show whose appeal was accepted: it leaves the citizen's record
LIVE = (BOOKED, CHECKED_IN)

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "cancel": ((BOOKED,), CANCELLED),
    "reschedule": ((BOOKED,), BOOKED),
    "check_in": ((BOOKED,), CHECKED_IN),
    "complete": ((CHECKED_IN,), COMPLETED),  # only a citizen who came (was checked in) is served
    "no_show": ((BOOKED,), NO_SHOW),
    "excuse": ((NO_SHOW,), EXCUSED),  # an accepted appeal
}

# Letters and digits a citizen can read back on the phone without confusion.
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def allowed(action: str, status: str) -> bool:
    return status in TRANSITIONS[action][0]


def visitors_delta(before: str, after: str) -> int:
    """Change to the office's count of visitors waiting in person: a check-in adds one, leaving
    CHECKED_IN (served) removes one."""
    return (after == CHECKED_IN) - (before == CHECKED_IN)


def _code(length: int) -> str:
    # 32 symbols divide 256 evenly, so `byte % 32` is uniform; one urandom call per code.
    return "".join(_CODE_ALPHABET[b % 32] for b in secrets.token_bytes(length))


def new_booking_id() -> str:
    return "BK" + _code(12)


def new_hold_id() -> str:
    return "HD" + _code(12)


def new_access_code() -> str:
    return _code(8)


def hash_access_code(booking_id: str, code: str) -> str:
    return hashlib.sha256(f"{booking_id}:{code.strip().upper()}".encode()).hexdigest()


def access_code_matches(booking_id: str, code: str | None, stored_hash: str) -> bool:
    if not code:
        return False
    return hmac.compare_digest(hash_access_code(booking_id, code), stored_hash)


def citizen_key(national_id: str, pepper: str) -> str:
    """A stable pseudonym of a citizen: caps and no-show blocks work across offices without
    storing the national ID in clear."""
    return hmac.new(pepper.encode(), national_id.encode(), hashlib.sha256).hexdigest()[:32]


ANSWER_KEPT = timedelta(hours=24)  # how long a retry under an Idempotency-Key gets the first answer


def body_fingerprint(body: dict, pepper: str) -> str:
    """A keyed hash of a request body (canonical JSON), so another body under the same
    Idempotency-Key is told apart without keeping the body (it holds a national ID)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(pepper.encode(), canonical.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class FirstAnswer:
    """What a booking made under an Idempotency-Key answered (the body without its access code),
    written in the booking's own transaction, so a retry after a lost response gets it again.
    `fingerprint` is its request body's (another body under the key is refused); it is kept
    until `expires_at`."""
    key: str
    fingerprint: str
    answer: dict
    expires_at: datetime

    def is_for(self, fingerprint: str) -> bool:
        return hmac.compare_digest(self.fingerprint, fingerprint)


def within_window(day: date, today: date, horizon_days: int) -> bool:
    """No same-day booking; no booking beyond the horizon."""
    return today < day <= today + timedelta(days=horizon_days)


def can_mark_no_show(start: datetime, now: datetime, grace_minutes: int = 15) -> bool:
    return now >= start + timedelta(minutes=grace_minutes)


# Why an operator's step is refused at this moment (the state machine aside).
NOT_THE_DAY, TOO_EARLY = "not_the_day", "too_early"


def on_the_day(start: datetime, now: datetime) -> bool:
    """`now` falls on the appointment's day, in the zone the appointment was made in (Tehran)."""
    return now.astimezone(start.tzinfo).date() == start.date()


def day_step_refusal(action: str, start: datetime, now: datetime, no_show_grace_minutes: int) -> str | None:
    """Check-in, complete and no-show happen at the office on the appointment's day: never ahead
    of it (an operator cannot close a booking two days early) nor on a later day; a no-show only
    once the slot plus the grace has passed. None when the step may be taken now."""
    if action not in ("check_in", "complete", "no_show"):
        return None
    if not on_the_day(start, now):
        return NOT_THE_DAY
    if action == "no_show" and not can_mark_no_show(start, now, no_show_grace_minutes):
        return TOO_EARLY
    return None


def reminder_time(start: datetime, now: datetime, hours_before: int) -> datetime | None:
    """When to remind: `hours_before` the start; if that is too close to the booking itself
    (the confirmation just went out), two hours before; never in the past."""
    for lead in (timedelta(hours=hours_before), timedelta(hours=2)):
        at = start - lead
        if at >= now + timedelta(hours=1):
            return at
    return None


@dataclass(frozen=True)
class BookingDraft:
    """Everything the data layer needs to write a new booking atomically."""
    booking_id: str
    office_id: str
    service_id: str
    day: date
    start: datetime
    cells: tuple[str, ...]
    counter: int
    citizen_key: str
    national_id_masked: str
    mobile: str
    name: str | None
    access_code_hash: str
    office_name_fa: str = ""
    extra: dict = field(default_factory=dict)
    session: SessionDetails | None = None  # a remote session held from a remote counter's seat
    # The channel that booked (web, or a partner's channel on behalf of the citizen) and the
    # seats it takes from its channel's counts of the day (conditional on each count's cap).
    channel: str = "web"
    share: tuple[ShareClaim, ...] = ()
    partner_id: str | None = None
    partner_ref: str | None = None
    fingerprint: str | None = None  # a partner's booking: its delivery's body, to refuse another body under the same webhook-id
    tariff_version: int | None = None  # the tariff-book version the booking was priced at
    fee_rials: int | None = None


# What `taken_seats` answers: grid cell (HH:MM) -> the counters in use in it (booked, or held
# and not yet expired).
TakenSeats = dict[str, set[int]]


@dataclass(frozen=True)
class Hold:
    """A short hold on one counter of a slot while the citizen fills in the form."""
    hold_id: str
    office_id: str
    service_id: str
    day: date
    start: datetime
    cells: tuple[str, ...]
    counter: int
    expires_at: datetime  # whole seconds: the data layer compares epoch seconds
    citizen_key: str | None = None  # the citizen whose session made it (one live hold each)

    def is_for(self, office_id: str, service_id: str, start: datetime) -> bool:
        return (self.office_id, self.service_id, self.start) == (office_id, service_id, start)


@dataclass(frozen=True)
class Move:
    """Where a rescheduled booking goes."""
    day: date
    start: datetime
    cells: tuple[str, ...]
    counter: int
    # To another day: the channel counts taken there (None: the booking's own, unconditionally).
    share: tuple[ShareClaim, ...] | None = None


@dataclass(frozen=True)
class StatusChange:
    """One line of a booking's audit trail."""
    at: datetime
    actor: str  # "citizen" or "operator:{id}"
    from_status: str | None
    to_status: str
    moved_from: datetime | None = None  # a reschedule: where the booking was


@dataclass(frozen=True)
class Booking:
    """A citizen's appointment. No national ID in clear: `citizen_key` is a keyed hash of it."""
    booking_id: str
    office_id: str
    service_id: str
    day: date
    start: datetime
    cells: tuple[str, ...]
    counter: int
    status: str
    citizen_key: str
    national_id_masked: str
    mobile: str
    name: str | None
    access_code_hash: str
    created_at: datetime
    updated_at: datetime
    history: tuple[StatusChange, ...] = ()
    version: int | None = field(default=None, compare=False)  # optimistic-locking stamp of the stored booking
    session: SessionDetails | None = None  # set when the booking is a remote session (domain/sessions.py)
    channel: str = "web"
    share: tuple[tuple[str, int], ...] = ()  # (channel count, seats) taken on its day; released with the seats
    partner_id: str | None = None  # booked by this partner on behalf of the citizen
    partner_ref: str | None = None
    fingerprint: str | None = None
    tariff_version: int | None = None  # the tariff-book version it was priced at (None: booked before the book)
    fee_rials: int | None = None

    @property
    def kind(self) -> str:
        return "session" if self.session is not None else "visit"

    @classmethod
    def new(cls, draft: BookingDraft, now: datetime) -> Booking:
        stamp = now.replace(microsecond=0)
        actor = f"partner:{draft.partner_id}" if draft.partner_id else "citizen"
        return cls(draft.booking_id, draft.office_id, draft.service_id, draft.day, draft.start, draft.cells,
                   draft.counter, BOOKED, draft.citizen_key, draft.national_id_masked, draft.mobile, draft.name,
                   draft.access_code_hash, created_at=stamp, updated_at=stamp,
                   history=(StatusChange(stamp, actor, None, BOOKED),), version=1, session=draft.session,
                   channel=draft.channel,
                   share=tuple((c.key, c.seats) for c in draft.share), partner_id=draft.partner_id,
                   partner_ref=draft.partner_ref, fingerprint=draft.fingerprint,
                   tariff_version=draft.tariff_version, fee_rials=draft.fee_rials)

    def changed(self, to: str, actor: str, now: datetime) -> Booking:
        """The booking after an actor moved it to `to` (what the data layer writes, if still current)."""
        return replace(self, status=to, updated_at=now,
                       history=(*self.history, StatusChange(now.replace(microsecond=0), actor, self.status, to)),
                       version=(self.version or 0) + 1)

    def with_session(self, details: SessionDetails, actor: str, now: datetime) -> Booking:
        """The session after the office changed its details (confirmed it with join details): the
        status stays, the audit trail records who did it."""
        return replace(self, session=details, updated_at=now,
                       history=(*self.history, StatusChange(now.replace(microsecond=0), actor, self.status, self.status)),
                       version=(self.version or 0) + 1)

    def moved(self, move: Move, now: datetime, actor: str = "citizen") -> Booking:
        """The booking after the citizen rescheduled it to `move` (or the office moved it to
        another counter of the same slot)."""
        change = StatusChange(now.replace(microsecond=0), actor, self.status, BOOKED, moved_from=self.start)
        share = self.share if move.day == self.day or move.share is None else tuple((c.key, c.seats) for c in move.share)
        return replace(self, day=move.day, start=move.start, cells=move.cells, counter=move.counter,
                       updated_at=now, history=(*self.history, change), version=(self.version or 0) + 1,
                       share=share)
