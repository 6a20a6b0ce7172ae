"""Remote requests (خدمات غیرحضوری) with no I/O: the request and its queue entry, lifecycle
states and transitions, the SLA deadline in network work hours (Asia/Tehran), identifiers and
input checks that are specific to citizens abroad. The data layer enforces the same transitions
with conditions."""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain import calendar
from chalicelib.domain.booking import hash_access_code
from chalicelib.domain.catalogue import Office
from chalicelib.domain.text import to_latin_digits

RECEIVED, ASSIGNED, IN_PROGRESS = "RECEIVED", "ASSIGNED", "IN_PROGRESS"
COMPLETED, REJECTED, NEEDS_IN_PERSON = "COMPLETED", "REJECTED", "NEEDS_IN_PERSON"
STATUSES = (RECEIVED, ASSIGNED, IN_PROGRESS, COMPLETED, REJECTED, NEEDS_IN_PERSON)
FINAL = (COMPLETED, REJECTED, NEEDS_IN_PERSON)
HOLDS_COUNTER = (ASSIGNED, IN_PROGRESS)  # an office counter is busy with the request

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "assign": ((RECEIVED,), ASSIGNED),
    "start": ((ASSIGNED,), IN_PROGRESS),
    "complete": ((IN_PROGRESS,), COMPLETED),
    "reject": ((ASSIGNED, IN_PROGRESS), REJECTED),
    "needs_in_person": ((ASSIGNED, IN_PROGRESS), NEEDS_IN_PERSON),
    "requeue": ((ASSIGNED,), RECEIVED),  # the SLA sweep: not accepted in time
}
REMOTE_MODES = ("remote_allowed", "remote_only")

# The network's working hours for SLA clocks (offices' own hours differ; the SLA is national).
NETWORK_HOURS = {day: [["08:00", "16:00"]] for day in ("sat", "sun", "mon", "tue", "wed")} | {
    "thu": [["08:00", "12:00"]]}
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class RemoteRequest:
    """A remote request. No national ID in clear: `citizen_key` is an HMAC of it. While it waits it
    sits in the national queue, or in `queue_office_id`'s own queue (the citizen's preferred
    office); `office_id` is the office holding it. `history` is the audit trail of its changes."""
    tracking_code: str
    service_id: str
    status: str
    source: str  # citizen | partner
    citizen_key: str
    national_id_masked: str
    mobile: str
    country: str
    time_zone: str
    sla_deadline: datetime
    created_at: datetime
    updated_at: datetime
    partner_id: str | None = None
    partner_ref: str | None = None
    description: str | None = None
    documents: list[dict[str, Any]] = field(default_factory=list)
    preferred_office_id: str | None = None
    queue_office_id: str | None = None
    office_id: str | None = None
    access_code_hash: str | None = None  # citizens only; partners read with a signature
    accept_by: datetime | None = None
    reason: str | None = None
    in_person_offer: list[dict[str, Any]] | None = None  # NEEDS_IN_PERSON: nearby offices to book at
    rating_token: str | None = None  # a sampled completion's one-time rating invitation
    rating: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    tariff_version: int | None = None  # the tariff-book version it was priced at (None: filed before the book)
    fee_rials: int | None = None

    def queue_entry(self, category: str) -> QueueEntry:
        return QueueEntry(self.tracking_code, self.service_id, category, self.sla_deadline,
                          office_id=self.queue_office_id, partner_id=self.partner_id)


@dataclass(frozen=True)
class QueueEntry:
    """A request waiting to be pulled: in an office's own queue (`office_id`) or the national one,
    served earliest deadline first."""
    tracking_code: str
    service_id: str
    category: str
    deadline: datetime
    office_id: str | None = None
    partner_id: str | None = None  # so a claim can announce itself to the partner

    @property
    def order(self) -> tuple[int, str]:
        """Earliest deadline (to the second) first; the tracking code breaks ties."""
        return epoch(self.deadline), self.tracking_code


@dataclass(frozen=True)
class WorkScope:
    """What an office may pull: its own queue, and the national queue's partitions of the
    categories it offers whole or offers services of one by one. An entry is admitted when its
    category is offered whole or its service one by one, and the office has not withdrawn the
    service nor declared it in person only. The office reads only these partitions, so work it
    cannot do, however old, never stands in front of work it can."""
    office_id: str
    categories: frozenset[str]  # offered whole
    services: frozenset[str] = frozenset()  # offered one by one, beyond the categories
    excluded: frozenset[str] = frozenset()  # not offered, or in person only at this office
    service_categories: frozenset[str] = frozenset()  # where `services` wait in the national queue

    @classmethod
    def of(cls, office: Office, category_of: Callable[[str], str | None]) -> WorkScope:
        """The office's scope (a catalogue `Office`); `category_of` gives a service's category
        (None for a service the catalogue no longer has)."""
        extra = frozenset(office.offered_services or ())
        return cls(office.office_id, frozenset(office.offered_categories or ()), extra,
                   frozenset(office.not_offered or ()) | frozenset(office.in_person_required or ()),
                   frozenset(c for c in map(category_of, sorted(extra)) if c))

    @property
    def national(self) -> tuple[str, ...]:
        """The categories whose partitions of the national queue the office reads."""
        return tuple(sorted(self.categories | self.service_categories))

    def admits(self, entry: QueueEntry) -> bool:
        return ((entry.category in self.categories or entry.service_id in self.services)
                and entry.service_id not in self.excluded)


@dataclass(frozen=True)
class AcceptLease:
    """An assigned request the office must start by `accept_by`, or the SLA sweep takes it back."""
    tracking_code: str
    office_id: str
    accept_by: datetime


@dataclass(frozen=True)
class OfficeCounters:
    """An office's counters open for remote work, and how many of them hold a request."""
    office_id: str
    open: int
    busy: int
    # When a claim, release or opening last changed them (None if never stamped); not part of
    # the counts' equality.
    updated_at: datetime | None = field(default=None, compare=False)



def allowed(action: str, status: str) -> bool:
    return status in TRANSITIONS[action][0]


def target(action: str) -> str:
    return TRANSITIONS[action][1]


def releases_counter(action: str, status: str) -> bool:
    """Whether the transition frees the office's busy counter."""
    return status in HOLDS_COUNTER and target(action) not in HOLDS_COUNTER


def _code(length: int) -> str:
    return "".join(_CODE_ALPHABET[b % 32] for b in secrets.token_bytes(length))


def new_tracking_code() -> str:
    """`RQ` + 10 symbols (50 bits): read back on the phone without confusion."""
    return "RQ" + _code(10)


def new_access_code() -> str:
    return _code(8)


def hash_code(tracking_code: str, code: str) -> str:
    return hash_access_code(tracking_code, code)


TRACKING_CODE = re.compile(r"^RQ[2-9A-HJ-NP-Z]{10}$")


def is_tracking_code(value: str) -> bool:
    return bool(TRACKING_CODE.match(value or ""))


def invited_to_rate(draw: float, sample_rate: float) -> bool:
    """A random sample of completed requests is invited to rate (`draw` uniform in [0, 1))."""
    return draw < sample_rate


# --- SLA -----------------------------------------------------------------------------------

def sla_deadline(arrival: datetime, work_hours: int, *, is_closed: Callable[[date], bool] = lambda d: False,
                 thursday_open: bool = True) -> datetime:
    """The moment `work_hours` of network working time (Sat-Wed 08-16, Thu 08-12, Asia/Tehran,
    not Fridays or network holidays) have passed after `arrival`."""
    remaining = timedelta(hours=work_hours)
    moment = arrival.astimezone(calendar.TEHRAN)
    day = moment.date()
    for _ in range(400):
        if not is_closed(day):
            for opens, closes in calendar.opening_intervals(day, NETWORK_HOURS, thursday_open=thursday_open,
                                                            corrections={}):
                start = max(opens, moment)
                if start >= closes:
                    continue
                if closes - start >= remaining:
                    return start + remaining
                remaining -= closes - start
        day += timedelta(days=1)
    raise ValueError("no working time within 400 days")


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# --- needs in person -----------------------------------------------------------------------

def in_person_offer(origin: tuple[float, float], candidates: list[tuple[str, float, float]], k: int = 3,
                    ) -> list[tuple[str, float]]:
    """The `k` offices nearest to `origin` among `candidates` (office_id, lat, lon) that serve the
    service in person, with their distance in km; ties break on office_id."""
    from chalicelib.domain.routing import haversine_km  # the routing module's distance, one definition
    ranked = sorted((round(haversine_km(origin[0], origin[1], lat, lon), 1), office_id)
                    for office_id, lat, lon in candidates)
    return [(office_id, km) for km, office_id in ranked[:k]]


# --- inputs of citizens abroad -------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-_.()]")


def international_mobile(value: object, country: str | None = None) -> str:
    """A mobile number abroad, validated against the numbering plan of its country (Google's
    libphonenumber, the `phonenumbers` package), in E.164. Written internationally (+49..., 0049...)
    or nationally for `country` (0151... in DE). It must be able to receive SMS: mobile, or a plan
    that does not tell mobile from fixed lines apart (the US, Canada)."""
    import phonenumbers  # only intake of citizens abroad pays for the import
    from phonenumbers import PhoneNumberType

    if not isinstance(value, str):
        raise ValueError("mobile must be a string")
    text = _SEPARATORS.sub("", to_latin_digits(value))
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else country)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("mobile abroad must be in international form, such as +4915112345678") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number of its country")
    if phonenumbers.number_type(number) not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise ValueError("not a mobile number: it cannot receive SMS")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def time_zone(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z_]+(?:/[A-Za-z0-9_\-+]+){0,2}", value):
        raise ValueError("time zone must be an IANA name such as Europe/Berlin")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("unknown time zone") from exc
    return value


def country(value: object) -> str:
    """An ISO 3166-1 alpha-2 code that has a telephone numbering plan (libphonenumber's regions)."""
    from phonenumbers import SUPPORTED_REGIONS
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise ValueError("country must be an ISO 3166-1 alpha-2 code such as IR or DE")
    code = value.strip().upper()
    if code not in SUPPORTED_REGIONS:
        raise ValueError("unknown country code")
    return code
