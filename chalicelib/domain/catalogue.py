"""The catalogue's entities: a service of the national catalogue and an office with its own
declarations. Plain values, no I/O: the data layer maps them to and from storage."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Service:
    """One service of the national catalogue (خدمت)."""
    service_id: str
    category: str
    name_en: str
    name_fa: str
    mode: str  # in_person | remote_allowed | remote_only
    duration_min: int
    tariff_rials: int
    active: bool = True  # False: retired, takes no new bookings or requests; existing ones stand
    # Contact modes ("video", "phone") in which an office may hold it as a timed remote session;
    # empty: not a session service (domain/sessions.py).
    session_modes: frozenset[str] = frozenset()
    # Bounds of an office's own duration; None: the catalogue's default bounds (duration_bounds)
    min_duration_min: int | None = None
    max_duration_min: int | None = None

    def duration_bounds(self) -> tuple[int, int]:
        """The durations an office may declare for this service: the catalogue's bounds, else half
        to twice the standard duration (at least 5 minutes)."""
        low = self.min_duration_min if self.min_duration_min is not None else max(5, self.duration_min // 2)
        high = self.max_duration_min if self.max_duration_min is not None else self.duration_min * 2
        return int(low), int(high)


@dataclass(frozen=True)
class Office:
    """An office (دفتر) and its own declarations: hours, counters, services, in-person needs."""
    office_id: str
    name_en: str
    name_fa: str
    province: str
    province_fa: str
    city: str
    city_fa: str
    lat: float
    lon: float
    counters: int
    hours: dict[str, Any]
    offered_categories: frozenset[str] = frozenset()
    not_offered: frozenset[str] = frozenset()
    in_person_required: frozenset[str] = frozenset()
    closures: frozenset[str] = frozenset()  # ISO dates the office declared closed
    # ISO date -> (English, Persian) name of a closure declared with one (older ones have none)
    closure_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    deprived: bool = False
    tier: int | None = None  # set by the ranking; None until the first ranking run
    version: int | None = field(default=None, compare=False)  # optimistic-locking stamp of the stored office
    offered_services: frozenset[str] = frozenset()  # service ids offered beyond the offered categories
    durations: dict[str, int] = field(default_factory=dict)  # service id -> the office's own duration (minutes)

    def offers(self, service: Service) -> bool:
        return ((service.category in self.offered_categories or service.service_id in self.offered_services)
                and service.service_id not in self.not_offered)

    def duration_of(self, service: Service) -> int:
        """The office's own duration for the service, else the catalogue's standard one; held within
        the catalogue's bounds (which the association may have narrowed since the declaration)."""
        own = self.durations.get(service.service_id)
        if own is None:
            return int(service.duration_min)
        low, high = service.duration_bounds()
        return min(max(int(own), low), high)

    def needs_in_person(self, service: Service) -> bool:
        """The office's own declaration wins over the catalogue's default mode."""
        return service.mode == "in_person" or service.service_id in self.in_person_required


@dataclass(frozen=True)
class Declaration:
    """What an office declares about one service of the catalogue."""
    offered: bool
    in_person_required: bool
    duration_min: int | None = None  # None: the catalogue's standard duration


def declaration_of(office: Office, service: Service) -> Declaration:
    own = office.durations.get(service.service_id)
    return Declaration(office.offers(service), service.service_id in office.in_person_required,
                       int(own) if own is not None else None)


def declare(office: Office, service: Service, declared: Declaration) -> Office:
    """The office with its declaration about `service` (the duration checked against the catalogue's
    bounds by the caller): offered beyond its categories or withdrawn from them, in person or not,
    its own duration or the standard one."""
    sid = service.service_id
    in_category = service.category in office.offered_categories
    if declared.offered:
        not_offered = office.not_offered - {sid}
        extra = office.offered_services if in_category else office.offered_services | {sid}
    else:
        not_offered = office.not_offered | {sid} if in_category else office.not_offered - {sid}
        extra = office.offered_services - {sid}
    in_person = office.in_person_required | {sid} if declared.in_person_required else office.in_person_required - {sid}
    durations = {k: v for k, v in office.durations.items() if k != sid}
    if declared.duration_min is not None and declared.duration_min != service.duration_min:
        durations[sid] = int(declared.duration_min)
    return replace(office, not_offered=frozenset(not_offered), offered_services=frozenset(extra),
                   in_person_required=frozenset(in_person), durations=durations)


WEEKDAYS = ("sat", "sun", "mon", "tue", "wed", "thu", "fri")
EARLIEST, LATEST = "06:00", "22:00"  # an office's day lies within these (Tehran time)


def hours_problem(hours: dict[str, list[list[str]]]) -> str | None:
    """Why weekly opening hours are not acceptable (None when they are): known weekdays, each
    interval HH:MM with open < close, within 06:00-22:00, in order and not overlapping."""
    for day, intervals in hours.items():
        if day not in WEEKDAYS:
            return f"unknown weekday {day!r} (one of {', '.join(WEEKDAYS)})"
        last = None
        for interval in intervals:
            if len(interval) != 2 or not all(_is_hhmm(t) for t in interval):
                return f"{day}: each interval is [open, close] as HH:MM"
            opens, closes = interval
            if not opens < closes:
                return f"{day}: {opens} must be before {closes}"
            if opens < EARLIEST or closes > LATEST:
                return f"{day}: hours lie within {EARLIEST}-{LATEST}"
            if last is not None and opens < last:
                return f"{day}: intervals must be in order and not overlap"
            last = closes
    return None


def _is_hhmm(value: object) -> bool:
    return (isinstance(value, str) and len(value) == 5 and value[2] == ":" and value[:2].isdigit()
            and value[3:].isdigit() and int(value[:2]) < 24 and int(value[3:]) < 60)


@dataclass(frozen=True)
class CatalogueChange:
    """One version of the catalogue: what changed (an office's declarations, a service), who
    changed it, when, and the entity before and after (None before a creation)."""
    number: int
    kind: str  # office | service | offices | all
    action: str  # declare | hours | close-day | reopen-day | add | edit | retire | tiers | import
    by: str
    at: str
    ids: tuple[str, ...] = ()
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def document(entity: Office | Service | None) -> dict[str, Any] | None:
    """An entity as a change record keeps it (JSON-ready: sets as sorted lists, coordinates as
    text, no version stamp)."""
    if entity is None:
        return None
    out: dict[str, Any] = {}
    for key, value in asdict(entity).items():
        if key != "version":
            out[key] = sorted(value) if isinstance(value, frozenset | set) else value
    if isinstance(entity, Office):
        out["closure_names"] = {d: list(n) for d, n in entity.closure_names.items()}
        out["lat"], out["lon"] = str(entity.lat), str(entity.lon)
    return out
