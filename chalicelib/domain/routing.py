"""Load-based routing of requests to offices ("QLD-Hybrid": queue-length and quality aware). Pure: no I/O.

Two decisions, both scored in minutes:
* **Remote request, pull.** On arrival the best *idle* office (a free open counter and nobody waiting in
  person) that may do the service claims it, by expected service time + quality penalty (+ a reserve when
  it would take the office's last free counter, kept for visitors in person). When no office
  is idle the request waits in the national queue, ordered by deadline, and the next counter that frees
  with no in-person visitor waiting pulls it (`pull_remote`). Quality only decides which idle office
  works, so remote waiting stays that of one national pool.
* **In-person visit, push.** Offices within the citizen's radius are scored: expected wait + expected
  service + quality penalty + travel; the citizen is shown the best k, and the best one is claimed.

Herding is the known failure of routing on global state: decisions read a *view* of office load (the
scheduled snapshot plus this router's own claims), so every decision ends with a conditional claim on
the live counters. `claim_holds` is that condition; the data layer evaluates it atomically and, when it
fails, returns the live item, which corrects the view before the decision goes on.

An exploration floor keeps every office's share of remote work from collapsing: an office whose remote
claims today fall a whole job short of `floor × its capacity share × national remote claims` goes first
when idle (a higher floor for offices in deprived areas), for short requests only (expected service there
at most `exploration_short_share` of its mean): a job placed by the floor costs its extra service time,
which is least on a short one. Ties always break on office_id.
"""
from __future__ import annotations

import heapq
import math
import operator
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from copy import copy
from dataclasses import asdict, dataclass, fields
from typing import Any, NamedTuple, TypeVar

IN_PERSON, REMOTE = "in_person", "remote"
REQUEST_MODES = (IN_PERSON, REMOTE)
CATALOGUE_MODES = ("in_person", "remote_allowed", "remote_only")  # ServiceItem.mode
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
LOAD_FIELDS = ("open", "counters_open", "busy", "queue_in_person", "queue_remote", "remote_claimed",
               "bookings_today")
_load_of = operator.attrgetter(*LOAD_FIELDS)
# What a new load snapshot may change of an office: its load and its measured pace.
SNAPSHOT_FIELDS = (*LOAD_FIELDS, "mean_service_min")
snapshot_fields_of = operator.attrgetter(*SNAPSHOT_FIELDS)
_GRID_DEG = 0.5  # spatial grid cell for in-person candidates: about 55 km, so a radius spans a few cells
_INF = math.inf

T = TypeVar("T")


# --- configuration -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RoutingParams:
    """Versioned routing parameters. They live in configuration, not code: `from_dict` validates a
    stored document, and every suggestion carries the version it was computed with."""
    version: str = "routing-3"
    quality_weight_min: float = 2.0  # κ: minutes a citizen trades for a full unit of quality (tier 1 → 5)
    travel_min_per_km: float = 0.2  # γ: minutes-equivalent of one km of travel
    radius_km_urban: float = 25.0
    radius_km_rural: float = 50.0
    fallback_offices: int = 3  # nothing eligible within the radius: the nearest few, flagged as fallback
    exploration_floor: float = 0.15  # share of an office's capacity-proportional remote work it always gets
    exploration_floor_deprived: float = 0.3
    exploration_short_share: float = 0.75  # the floor places only requests whose expected service at the office is
    # at most this share of its measured mean service: short requests keep an office in work at least cost
    rho_low: float = 0.85  # quality preference fades linearly from rho_low to rho_high national utilisation
    rho_high: float = 0.97
    untiered_quality: float = 0.5  # an office the ranking has not tiered yet counts as the median
    max_claim_attempts: int = 16  # a failed claim is one conditional write and corrects the view; giving up
    # early queues a remote request while idle offices exist (the view misses counters freed since the snapshot)
    last_counter_min: float = 4.0  # remote: minutes added to an idle office whose last free counter it would take
    # (remote work may start anywhere, a visitor arriving in person only here: keep a counter free for them)
    claim_slack_min: float = 0.0  # an in-person claim holds while the live wait is ≤ the one ranked on + slack
    suggestions: int = 3
    pull_scan_limit: int = 256  # queued requests an office looks at when it pulls (keeps a pull O(1))

    def __post_init__(self) -> None:
        numbers = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "version"}
        if not isinstance(self.version, str) or not self.version:
            raise ValueError("version must be a non-empty string")
        for name, value in numbers.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number")
            if value < 0:
                raise ValueError(f"{name} must not be negative")
        if self.radius_km_urban <= 0 or self.radius_km_rural <= 0:
            raise ValueError("radii must be positive")
        if not 0 <= self.exploration_floor <= 1 or not 0 <= self.exploration_floor_deprived <= 1:
            raise ValueError("exploration floors are shares in [0, 1]")
        if not 0 <= self.untiered_quality <= 1:
            raise ValueError("untiered_quality is in [0, 1]")
        if not self.rho_low < self.rho_high:
            raise ValueError("rho_low must be below rho_high")
        for name in ("fallback_offices", "max_claim_attempts", "suggestions", "pull_scan_limit"):
            if int(numbers[name]) != numbers[name] or numbers[name] < 1:
                raise ValueError(f"{name} must be a positive integer")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoutingParams:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown routing parameters: {sorted(unknown)}")
        values = dict(data)
        for name, value in values.items():
            if name != "version" and not isinstance(value, bool | str | int | float):
                values[name] = float(value)  # DynamoDB numbers arrive as Decimal
        for name in ("fallback_offices", "max_claim_attempts", "suggestions", "pull_scan_limit"):
            if isinstance(values.get(name), float) and values[name].is_integer():
                values[name] = int(values[name])  # and JSON may write 3 as 3.0
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def radius_km(self, urban: bool) -> float:
        return self.radius_km_urban if urban else self.radius_km_rural


# --- inputs ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Citizen:
    lat: float
    lon: float
    urban: bool = True  # decides the in-person radius


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """The service asked for. `minutes` is its standard service time at an office of speed 1."""
    service_id: str
    category: str
    minutes: float
    mode: str = "remote_allowed"  # the catalogue's mode

    def allows(self, request_mode: str) -> bool:
        if request_mode == IN_PERSON:
            return self.mode != "remote_only"
        if request_mode == REMOTE:
            return self.mode != "in_person"
        raise ValueError(f"unknown request mode {request_mode!r}")


@dataclass(slots=True)
class OfficeState:
    """One office as the router sees it: static declarations plus live load (LOAD_FIELDS).
    Mutable on purpose: a router's view is corrected in place by claims and snapshot refreshes."""
    office_id: str
    lat: float
    lon: float
    counters: int = 1  # installed counters (capacity share for the exploration floor)
    counters_open: int = 1
    open: bool = True
    busy: int = 0  # counters serving someone now
    queue_in_person: int = 0  # visitors waiting at the office
    queue_remote: int = 0  # remote requests pushed to this office and not started (0 under pull)
    remote_claimed: int = 0  # remote requests this office claimed today
    bookings_today: int = 0  # carried for explanations; appointments show up in busy when they start
    mean_service_min: float = 12.0  # observed mean service time of this office's mix (drains its queue)
    speed: float = 1.0  # observed work rate relative to the standard minutes (1.2 = 20 % faster)
    tier: int | None = None  # ranking tier 1..5 (5 best); None until ranked
    categories: frozenset[str] = frozenset()
    not_offered: frozenset[str] = frozenset()  # service ids excepted from offered categories
    in_person_required: frozenset[str] = frozenset()  # service ids this office does only in person
    deprived: bool = False
    urban: bool = True
    services: frozenset[str] = frozenset()  # service ids offered beyond the offered categories

    def __post_init__(self) -> None:
        if self.speed <= 0 or self.mean_service_min <= 0:
            raise ValueError("speed and mean_service_min must be positive")
        if self.tier is not None and self.tier not in (1, 2, 3, 4, 5):
            raise ValueError("tier is 1..5 or None")

    def offers(self, service: ServiceSpec) -> bool:
        return ((service.category in self.categories or service.service_id in self.services)
                and service.service_id not in self.not_offered)

    def requires_in_person(self, service_id: str) -> bool:
        return service_id in self.in_person_required

    def is_idle(self) -> bool:
        """A remote request may start here now: a free open counter and no in-person visitor waiting."""
        return self.open and self.busy < self.counters_open and self.queue_in_person == 0

    def load(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in LOAD_FIELDS}

    @classmethod
    def from_record(cls, record: Mapping[str, Any], **overrides: Any) -> OfficeState:
        """From an office item (OfficeItem / demo network dict); load and observed rates via overrides."""
        counters = int(record.get("counters", 1))
        tier = record.get("tier")
        values: dict[str, Any] = {
            "office_id": record["office_id"], "lat": float(record["lat"]), "lon": float(record["lon"]),
            "counters": counters, "counters_open": counters, "tier": None if tier is None else int(tier),
            "categories": frozenset(record.get("offered_categories") or ()),
            "not_offered": frozenset(record.get("not_offered") or ()),
            "in_person_required": frozenset(record.get("in_person_required") or ()),
            "services": frozenset(record.get("offered_services") or ()),
            "deprived": bool(record.get("deprived", False)),
        }
        values.update(overrides)
        return cls(**values)


# --- the score ---------------------------------------------------------------------------

class ScoreParts(NamedTuple):
    wait: float
    service: float
    quality: float
    travel: float
    total: float


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def quality(office: OfficeState, params: RoutingParams) -> float:
    """Tier as a quality in [0, 1]: tier 1 → 0, tier 5 → 1."""
    return params.untiered_quality if office.tier is None else (office.tier - 1) / 4


def effective_quality_weight(params: RoutingParams, rho: float) -> float:
    """κ_eff: full κ below rho_low, fading to 0 at rho_high, so quality never costs pooling near saturation."""
    fade = (params.rho_high - rho) / (params.rho_high - params.rho_low)
    return params.quality_weight_min * min(1.0, max(0.0, fade))


def ahead(office: OfficeState, mode: str) -> int:
    """Requests served before a new one: in-person visitors have non-preemptive priority over remote work."""
    return office.busy + office.queue_in_person + (office.queue_remote if mode == REMOTE else 0)


def expected_wait(office: OfficeState, mode: str = IN_PERSON) -> float:
    """SED wait in minutes: 0 while a counter is free, else the excess ahead drained by all open counters."""
    if not office.open or office.counters_open <= 0:
        return _INF
    excess = ahead(office, mode) + 1 - office.counters_open
    return excess * office.mean_service_min / office.counters_open if excess > 0 else 0.0


def expected_service(office: OfficeState, service: ServiceSpec) -> float:
    return service.minutes / office.speed


def score(office: OfficeState, service: ServiceSpec, mode: str, params: RoutingParams, *,
          distance_km: float = 0.0, kappa: float | None = None) -> ScoreParts:
    """Expected wait + expected service + κ_eff·(1 − quality) + γ·distance (travel only for in-person)."""
    kappa = params.quality_weight_min if kappa is None else kappa
    return _parts(office, service, mode, kappa, 1.0 - quality(office, params),
                  distance_km if mode == IN_PERSON else 0.0, params.travel_min_per_km)


def _parts(office: OfficeState, service: ServiceSpec, mode: str, kappa: float, penalty_unit: float,
           distance_km: float, gamma: float) -> ScoreParts:
    # The one place the sum is formed, in one order, so equal inputs give bit-equal totals (ties are exact).
    wait = expected_wait(office, mode)
    serve = service.minutes / office.speed
    qual = kappa * penalty_unit
    travel = gamma * distance_km
    return ScoreParts(wait, serve, qual, travel, wait + serve + qual + travel)


def radius_km(citizen: Citizen, params: RoutingParams) -> float:
    return params.radius_km(citizen.urban)


def eligible(office: OfficeState, service: ServiceSpec, mode: str, params: RoutingParams,
             citizen: Citizen | None = None, *, distance_km: float | None = None) -> bool:
    """May this office be suggested? Never closed, never without the service, never beyond the radius
    for in-person, never an office that requires in-person for this service when the citizen asked remote."""
    if not service.allows(mode) or not office.open or office.counters_open <= 0 or not office.offers(service):
        return False
    if mode == REMOTE:
        return not office.requires_in_person(service.service_id)
    if citizen is None:
        raise ValueError("an in-person request needs the citizen's location")
    if distance_km is None:
        distance_km = haversine_km(citizen.lat, citizen.lon, office.lat, office.lon)
    return distance_km <= radius_km(citizen, params)


def claim_holds(live: OfficeState, seen: OfficeState, mode: str, params: RoutingParams,
                service: ServiceSpec | None = None, *, strict: bool = True) -> bool:
    """The condition of a claim, which the data layer evaluates on the live item atomically with the
    increment. Always: open, with an open counter, offering the service. Remote: still idle, and not
    in-person-only here. In-person, strict: its wait is no worse than the one ranked on (+ slack); the
    non-strict form is the last resort after max_claim_attempts strict failures."""
    if not live.open or live.counters_open <= 0 or (service is not None and not live.offers(service)):
        return False
    if mode == REMOTE:
        return live.is_idle() and (service is None or not live.requires_in_person(service.service_id))
    return not strict or expected_wait(live, IN_PERSON) <= expected_wait(seen, IN_PERSON) + params.claim_slack_min


# --- outputs -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Suggestion:
    """One ranked option and why: every part of the score, the distance and the tier."""
    rank: int
    office_id: str | None  # None: "let the network choose" (remote)
    score_min: float
    expected_wait_min: float
    expected_service_min: float
    quality_penalty_min: float
    travel_min: float
    distance_km: float | None
    tier: int | None
    fallback: bool = False  # in-person beyond the radius because nothing eligible lies within it
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class SuggestionSet:
    params_version: str
    mode: str
    service_id: str
    items: tuple[Suggestion, ...]
    network_option: Suggestion | None = None  # remote only
    fallback: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """A routing decision, already claimed. office_id None: nothing eligible, or (queued=True) a remote
    request that waits in the national queue for a pull."""
    office_id: str | None
    suggestion: Suggestion | None
    claims: int  # claim attempts made (1: the first held)
    queued: bool = False
    fallback: bool = False
    explored: bool = False  # remote: chosen by the exploration floor


# A claim: (office as the router saw it, mode, service, strict) → (held?, live load or None). On success
# the item after the increment, on failure the current one (DynamoDB ReturnValuesOnConditionCheckFailure);
# None lets the router apply its own increment. The condition is `claim_holds`.
Claim = Callable[[OfficeState, str, ServiceSpec, bool], tuple[bool, Mapping[str, Any] | None]]


def _explain(parts: ScoreParts, distance_km: float | None, tier: int | None, fallback: bool) -> str:
    bits = [f"wait ≈ {parts.wait:.0f} min", f"service ≈ {parts.service:.0f} min"]
    if distance_km is not None:
        bits.append(f"{distance_km:.1f} km away")
    bits.append(f"tier {tier}" if tier is not None else "not yet tiered")
    if fallback:
        bits.append("nearest office offering the service (none within your radius)")
    return ", ".join(bits)


def _suggestion(rank: int, office: OfficeState, parts: ScoreParts, distance_km: float | None,
                fallback: bool) -> Suggestion:
    return Suggestion(rank, office.office_id, parts.total, parts.wait, parts.service, parts.quality, parts.travel,
                      distance_km, office.tier, fallback, _explain(parts, distance_km, office.tier, fallback))


# --- the index ---------------------------------------------------------------------------

def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    p, lam = math.radians(lat), math.radians(lon)
    return math.cos(p) * math.cos(lam), math.cos(p) * math.sin(lam), math.sin(p)


class RoutingIndex:
    """A router's view of the network, with what can be precomputed from static data:
    * a spatial grid for in-person candidates;
    * offices grouped by tier and sorted by speed inside a group: for any service time and κ, a lazy
      merge of the groups yields offices in exact remote-score order, and a merge of the *idle* members
      only (kept sorted as load changes) yields the best idle office in O(tiers);
    * the exploration-floor bookkeeping (a heap of the national remote total at which each office falls
      a job short of its floor), kept up to date claim by claim.
    Offices are held in office_id order, so input order never changes a result. The index keeps the
    OfficeState objects it is given and decisions update them (a view is mutable by design): pass copies
    to keep the originals. Build it once per static change (tiers, speeds, declarations) and feed it
    load through `load_snapshot` and `update`."""

    def __init__(self, offices: Iterable[OfficeState], params: RoutingParams) -> None:
        self.params = params
        self.offices: list[OfficeState] = sorted(offices, key=lambda o: o.office_id)
        self.position = {o.office_id: i for i, o in enumerate(self.offices)}
        if len(self.position) != len(self.offices):
            raise ValueError("office ids must be unique")
        self._xyz = [_unit(o.lat, o.lon) for o in self.offices]
        self._grid: dict[tuple[int, int], list[int]] = {}
        for i, o in enumerate(self.offices):
            self._grid.setdefault(self._cell(o.lat, o.lon), []).append(i)
        self._penalty = [1.0 - quality(o, params) for o in self.offices]
        groups: dict[float, list[int]] = {}
        for i, pen in enumerate(self._penalty):
            groups.setdefault(pen, []).append(i)
        self._groups = [(pen, sorted(ix, key=lambda i: (-self.offices[i].speed, self.offices[i].office_id)))
                        for pen, ix in sorted(groups.items())]
        self._slot = [(0, 0)] * len(self.offices)  # office → (group, rank in group)
        for g, (_, members) in enumerate(self._groups):
            for rank, i in enumerate(members):
                self._slot[i] = (g, rank)
        capacity = [o.counters * o.speed for o in self.offices]
        total = sum(capacity) or 1.0
        self._floor_rate = [  # floor × capacity share: the office's due share of national remote claims
            (params.exploration_floor_deprived if o.deprived else params.exploration_floor) * c / total
            for o, c in zip(self.offices, capacity, strict=True)]
        self.refresh()

    @staticmethod
    def _cell(lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / _GRID_DEG), math.floor(lon / _GRID_DEG)

    # live load ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute everything that depends on load from the offices' current values."""
        offices = self.offices
        self._busy = sum(o.busy + o.queue_in_person for o in offices if o.open)
        self._capacity = sum(o.counters_open for o in offices if o.open)
        self.drain_per_min = sum(o.counters_open / o.mean_service_min for o in offices if o.open)
        self.remote_total = sum(o.remote_claimed for o in offices)
        self.idle: set[int] = {i for i, o in enumerate(offices) if o.is_idle()}
        self._idle_ranks = [[rank for rank, i in enumerate(members) if i in self.idle] for _, members in self._groups]
        self._threshold = [self._due(i) for i in range(len(offices))]
        self._heap = [(t, i) for i, t in enumerate(self._threshold)]
        heapq.heapify(self._heap)
        self.deficit: set[int] = set()
        self.deficit_idle: set[int] = set()
        self._advance_floor()

    def _due(self, i: int) -> float:
        # national remote total at which office i is a whole job short of its floor
        rate = self._floor_rate[i]
        return (self.offices[i].remote_claimed + 1) / rate if rate > 0 else _INF

    def _advance_floor(self) -> None:
        heap, total = self._heap, self.remote_total
        while heap and heap[0][0] <= total:
            due, i = heapq.heappop(heap)
            if due == self._threshold[i]:  # else a stale entry: the office claimed since
                self.deficit.add(i)
                if i in self.idle:
                    self.deficit_idle.add(i)

    @property
    def rho(self) -> float:
        return self._busy / self._capacity if self._capacity > 0 else 1.0

    def load_snapshot(self, states: Iterable[OfficeState | tuple[str, Mapping[str, Any]]]) -> None:
        """A new snapshot: apply the load of every office named, touching only those that changed."""
        offices, position = self.offices, self.position
        for item in states:
            if isinstance(item, OfficeState):
                load = _load_of(item)
                if load != _load_of(offices[position[item.office_id]]):
                    self.update(item.office_id, dict(zip(LOAD_FIELDS, load, strict=True)))
            else:
                self.update(*item)

    def reload(self, changes: Mapping[str, Sequence[Any]]) -> None:
        """A new snapshot, given only for the offices whose SNAPSHOT_FIELDS changed (office_id ->
        values in that order): those offices take the new values, then everything that depends on
        load is recomputed as a new index built from the same offices would have it."""
        for office_id, values in changes.items():
            office = self.offices[self.position[office_id]]
            for name, value in zip(SNAPSHOT_FIELDS, values, strict=True):
                setattr(office, name, value)
            if office.mean_service_min <= 0:
                raise ValueError("mean_service_min must be positive")
        self.refresh()

    def update(self, office_id: str, load: Mapping[str, Any]) -> None:
        """Apply one office's live load (a claim's returned item, a snapshot row, or an own increment)."""
        i = self.position[office_id]
        office = self.offices[i]
        if office.open:
            self._busy -= office.busy + office.queue_in_person
            self._capacity -= office.counters_open
            self.drain_per_min -= office.counters_open / office.mean_service_min
        claimed = office.remote_claimed
        for name, value in load.items():
            if name not in LOAD_FIELDS:
                raise ValueError(f"{name} is not a load field")
            setattr(office, name, value)
        if office.open:
            self._busy += office.busy + office.queue_in_person
            self._capacity += office.counters_open
            self.drain_per_min += office.counters_open / office.mean_service_min
        idle = office.is_idle()
        if idle != (i in self.idle):
            g, rank = self._slot[i]
            ranks = self._idle_ranks[g]
            if idle:
                self.idle.add(i)
                insort(ranks, rank)
                if i in self.deficit:
                    self.deficit_idle.add(i)
            else:
                self.idle.discard(i)
                del ranks[bisect_left(ranks, rank)]
                self.deficit_idle.discard(i)
        if office.remote_claimed != claimed:
            self.remote_total += office.remote_claimed - claimed
            due = self._due(i)
            self._threshold[i] = due
            if due > self.remote_total:
                self.deficit.discard(i)
                self.deficit_idle.discard(i)
            heapq.heappush(self._heap, (due, i))
            self._advance_floor()

    # candidates -----------------------------------------------------------------------
    def _box(self, citizen: Citizen, radius: float) -> tuple[list[Any], tuple[float, float, float], float]:
        """Grid cells that may hold offices within `radius` km, the citizen's unit vector, and the chord²
        limit (chord length on the unit sphere is monotone in great-circle distance: the haversine cut)."""
        x0y0z0 = _unit(citizen.lat, citizen.lon)
        half = radius / (2 * EARTH_RADIUS_KM)
        if half >= math.pi / 2:
            return list(self._grid.values()), x0y0z0, 4.0
        limit = (2 * math.sin(half)) ** 2
        span = math.degrees(radius / EARTH_RADIUS_KM) * 1.0001
        lat_lo, lat_hi = citizen.lat - span, citizen.lat + span
        widest = max(abs(lat_lo), abs(lat_hi))
        lon_span = 180.0 if widest >= 89.9 else min(180.0, span / math.cos(math.radians(widest)))
        (a, b), (c, d) = self._cell(lat_lo, citizen.lon - lon_span), self._cell(lat_hi, citizen.lon + lon_span)
        grid = self._grid
        if (c - a + 1) * (d - b + 1) <= len(grid):
            cells = [grid.get((ci, cj), ()) for ci in range(a, c + 1) for cj in range(b, d + 1)]
        else:  # a box wider than the network: walk the occupied cells instead of the empty ones
            cells = [members for (ci, cj), members in grid.items() if a <= ci <= c and b <= cj <= d]
        return cells, x0y0z0, limit

    def within(self, citizen: Citizen, radius: float) -> list[tuple[int, float]]:
        """(office position, km) of every office within `radius` km."""
        cells, (x0, y0, z0), limit = self._box(citizen, radius)
        xyz, found = self._xyz, []
        for members in cells:
            for i in members:
                x, y, z = xyz[i]
                chord2 = (x - x0) ** 2 + (y - y0) ** 2 + (z - z0) ** 2
                if chord2 <= limit:
                    found.append((i, 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(chord2) / 2))))
        return found

    def _km(self, i: int, x0: float, y0: float, z0: float) -> float:
        x, y, z = self._xyz[i]
        chord = math.sqrt((x - x0) ** 2 + (y - y0) ** 2 + (z - z0) ** 2)
        return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2))

    def nearest(self, citizen: Citizen, keep: Callable[[OfficeState], bool], k: int,
                start_km: float = 50.0) -> list[tuple[int, float]]:
        """The k nearest offices passing `keep` (the fallback): exact, by doubling the search radius until
        k are found within it (the k nearest then all lie within it)."""
        radius = start_km
        while True:
            found = [(km, self.offices[i].office_id, i) for i, km in self.within(citizen, radius)
                     if keep(self.offices[i])]
            if len(found) >= k or radius >= math.pi * EARTH_RADIUS_KM:
                return [(i, km) for km, _, i in sorted(found)[:k]]
            radius *= 2

    def remote_order(self, minutes: float, kappa: float, idle_only: bool = False) -> Iterator[tuple[float, int]]:
        """Offices in increasing (minutes/speed + κ·(1 − quality), office_id), which is the remote score of
        an idle office: a lazy merge of the per-tier lists. idle_only: the idle members only; safe while
        the view changes under the walk (each step looks up the next idle rank after the last one)."""
        offices, groups, heap = self.offices, self._groups, []
        lists = self._idle_ranks if idle_only else [range(len(m)) for _, m in groups]
        for g, (pen, members) in enumerate(groups):
            if lists[g]:
                rank = lists[g][0]
                first = offices[members[rank]]
                heap.append((minutes / first.speed + kappa * pen, first.office_id, g, rank))
        heapq.heapify(heap)
        while heap:
            key, _, g, rank = heap[0]
            pen, members = groups[g]
            ranks = lists[g]
            k = bisect_right(ranks, rank) if idle_only else rank + 1
            if k < len(ranks):
                nxt = offices[members[ranks[k]]]
                heapq.heapreplace(heap, (minutes / nxt.speed + kappa * pen, nxt.office_id, g, ranks[k]))
            else:
                heapq.heappop(heap)
            yield key, members[rank]


def _as_index(offices: RoutingIndex | Iterable[OfficeState], params: RoutingParams) -> RoutingIndex:
    return offices if isinstance(offices, RoutingIndex) else RoutingIndex(offices, params)


# --- in-person ---------------------------------------------------------------------------

def _in_person_candidates(citizen: Citizen, service: ServiceSpec, index: RoutingIndex, params: RoutingParams,
                          kappa: float) -> tuple[list[tuple[float, str, int, float]], bool]:
    """(total score, office_id, position, km) of every eligible office within the radius, or of the
    nearest few offering the service when there is none (fallback=True). The hot loop of an in-person
    decision: distance cut, eligibility and score in one pass, the total formed exactly as `_parts` does
    (so it is bit-equal to the explained score)."""
    cells, (x0, y0, z0), limit = index._box(citizen, params.radius_km(citizen.urban))
    offices, xyz, pens = index.offices, index._xyz, index._penalty
    category, service_id, minutes, gamma = service.category, service.service_id, service.minutes, \
        params.travel_min_per_km
    asin, sqrt, two_r = math.asin, math.sqrt, 2 * EARTH_RADIUS_KM
    ranked = []
    for members in cells:
        for i in members:
            x, y, z = xyz[i]
            chord2 = (x - x0) ** 2 + (y - y0) ** 2 + (z - z0) ** 2
            if chord2 > limit:
                continue
            o = offices[i]
            c = o.counters_open
            if not o.open or c <= 0 or service_id in o.not_offered or (
                    category not in o.categories and service_id not in o.services):
                continue
            km = two_r * asin(min(1.0, sqrt(chord2) / 2))
            excess = o.busy + o.queue_in_person + 1 - c
            wait = excess * o.mean_service_min / c if excess > 0 else 0.0
            ranked.append((wait + minutes / o.speed + kappa * pens[i] + gamma * km, o.office_id, i, km))
    if ranked:
        return ranked, False
    near = index.nearest(citizen, lambda o: o.open and o.counters_open > 0 and o.offers(service),
                         params.fallback_offices, 2 * params.radius_km(citizen.urban))
    return _rank_in_person(near, service, index, params, kappa), True


def _rank_in_person(cands: list[tuple[int, float]], service: ServiceSpec, index: RoutingIndex,
                    params: RoutingParams, kappa: float) -> list[tuple[float, str, int, float]]:
    """(total, office_id, position, km) per (position, km), for open offices with a counter."""
    return [(_in_person_parts(index, i, service, kappa, km, params).total, index.offices[i].office_id, i, km)
            for i, km in cands]


def _in_person_parts(index: RoutingIndex, i: int, service: ServiceSpec, kappa: float, km: float,
                     params: RoutingParams) -> ScoreParts:
    return _parts(index.offices[i], service, IN_PERSON, kappa, index._penalty[i], km, params.travel_min_per_km)


def _claim_or_view(claim: Claim | None, office: OfficeState, mode: str, service: ServiceSpec, strict: bool,
                   params: RoutingParams) -> tuple[bool, Mapping[str, Any] | None]:
    if claim is None:  # the view is the truth (a single in-process router, or a test)
        return claim_holds(office, office, mode, params, service, strict=strict), None
    return claim(copy(office), mode, service, strict)  # the claim sees the view, never changes it


def route_in_person(citizen: Citizen, service: ServiceSpec, offices: RoutingIndex | Iterable[OfficeState],
                    params: RoutingParams, claim: Claim | None = None) -> Decision:
    """Send an in-person visitor to the best-scored eligible office within the radius (the nearest few
    offering the service when none is, flagged fallback), and claim it.

    A failed claim returns the live item: the view is corrected, the office re-scored and the best tried
    again. After max_claim_attempts the claim drops the wait condition (still open and offering)."""
    index = _as_index(offices, params)
    if not service.allows(IN_PERSON):
        return Decision(None, None, 0)
    kappa = effective_quality_weight(params, index.rho)
    ranked, fallback = _in_person_candidates(citizen, service, index, params, kappa)
    attempts, cap = 0, params.max_claim_attempts + len(ranked)
    while ranked and attempts < cap:
        best = min(ranked)
        _, office_id, i, km = best
        office = index.offices[i]
        parts = _in_person_parts(index, i, service, kappa, km, params)
        attempts += 1
        held, live = _claim_or_view(claim, office, IN_PERSON, service, attempts <= params.max_claim_attempts, params)
        if held:
            index.update(office_id, live if live is not None else {"queue_in_person": office.queue_in_person + 1})
            return Decision(office_id, _suggestion(1, office, parts, km, fallback), attempts, fallback=fallback)
        ranked.remove(best)
        if live is not None:
            index.update(office_id, live)
            if office.open and office.counters_open > 0 and office.offers(service):
                ranked.extend(_rank_in_person([(i, km)], service, index, params, kappa))
    return Decision(None, None, attempts, fallback=fallback)


def _remote_ok(office: OfficeState, service: ServiceSpec) -> bool:
    return office.open and office.counters_open > 0 and office.offers(service) \
        and service.service_id not in office.in_person_required


def _idle_candidates(index: RoutingIndex, service: ServiceSpec, kappa: float) -> Iterator[tuple[float, int, bool]]:
    """Idle offices, best first: those behind their exploration floor (few), then all in remote-score order."""
    offices, pens, minutes = index.offices, index._penalty, service.minutes
    if index.deficit_idle:
        short = index.params.exploration_short_share
        floor = sorted((minutes / offices[i].speed + kappa * pens[i], offices[i].office_id, i)
                       for i in index.deficit_idle if _remote_ok(offices[i], service)
                       and minutes / offices[i].speed <= short * offices[i].mean_service_min)
        for key, _, i in floor:
            yield key, i, True
    for key, i in index.remote_order(minutes, kappa, idle_only=True):
        yield key, i, False


def takes_last_counter(office: OfficeState) -> bool:
    """A remote request started here would leave no open counter free for a visitor arriving in person."""
    return office.counters_open - office.busy <= 1


def _keeping_a_counter(cands: Iterator[tuple[float, int, bool]], offices: list[OfficeState],
                       reserve: float) -> Iterator[tuple[float, int, bool]]:
    """The idle candidates re-ranked by remote score + `reserve` for an office whose last free counter the
    request would take: remote work can start at any idle office, a visitor in person only at theirs, so it
    goes where a counter stays free unless that costs more than `reserve` minutes. Lazy: the score is a lower
    bound of the re-ranked key, so a candidate is yielded once no later one can rank before it. Offices behind
    their exploration floor keep going first."""
    if reserve <= 0:
        yield from cands
        return
    pending: list[tuple[float, str, int]] = []
    for key, i, explored in cands:
        if explored:
            yield key, i, True
            continue
        while pending and pending[0][0] <= key:
            ranked, _, j = heapq.heappop(pending)
            yield ranked, j, False
        office = offices[i]
        heapq.heappush(pending, (key + reserve if takes_last_counter(office) else key, office.office_id, i))
    while pending:
        ranked, _, j = heapq.heappop(pending)
        yield ranked, j, False


def route_remote(service: ServiceSpec, offices: RoutingIndex | Iterable[OfficeState], params: RoutingParams,
                 claim: Claim | None = None) -> Decision:
    """Give a remote request to the best idle office (JFIQ with quality, keeping a counter free for
    visitors where that costs at most last_counter_min), or queue it for a pull.

    Idle per the view, then claimed on the live item (still idle): a failed claim corrects the view and
    the next best is tried, up to max_claim_attempts; then the request joins the national queue, where
    the next counter to free pulls it (`pull_remote`)."""
    index = _as_index(offices, params)
    if not service.allows(REMOTE):
        return Decision(None, None, 0)
    kappa = effective_quality_weight(params, index.rho)
    offices_, gamma = index.offices, params.travel_min_per_km
    attempts, tried = 0, set()
    for _, i, explored in _keeping_a_counter(_idle_candidates(index, service, kappa), offices_,
                                             params.last_counter_min):
        office = offices_[i]
        if i in tried or not office.is_idle() or not _remote_ok(office, service):
            continue  # the view changed under the walk (a failed claim) or the office cannot do it
        tried.add(i)
        attempts += 1
        parts = _parts(office, service, REMOTE, kappa, index._penalty[i], 0.0, gamma)
        held, live = _claim_or_view(claim, office, REMOTE, service, True, params)
        if held:
            index.update(office.office_id, live if live is not None else
                         {"busy": office.busy + 1, "remote_claimed": office.remote_claimed + 1})
            return Decision(office.office_id, _suggestion(1, office, parts, None, False), attempts,
                            explored=explored)
        if live is not None:
            index.update(office.office_id, live)
        if attempts >= params.max_claim_attempts:
            break
    return Decision(None, None, attempts, queued=True)


def pull_remote(office: OfficeState, pending: Iterable[T], service_of: Callable[[T], ServiceSpec],
                params: RoutingParams) -> T | None:
    """A counter freed at `office` and nobody waits there in person: the first queued remote request
    (the caller iterates the national queue in deadline order) that this office may do, or None. Looks at
    most pull_scan_limit requests, so a pull is O(1) whatever the backlog."""
    if not office.is_idle():
        return None
    for seen, item in enumerate(pending):
        if seen >= params.pull_scan_limit:
            break
        wanted = service_of(item)
        if office.offers(wanted) and wanted.service_id not in office.in_person_required:
            return item
    return None


# --- suggestions -------------------------------------------------------------------------

def suggest(citizen: Citizen | None, service: ServiceSpec, mode: str, offices: RoutingIndex | Iterable[OfficeState],
            params: RoutingParams, k: int | None = None, *, remote_queue: int = 0) -> SuggestionSet:
    """The k best offices for the citizen, each explaining itself, without claiming anything.
    In-person: within the radius (fallback: the nearest few offering the service), by wait + service +
    quality + travel. Remote: nationally by wait + service + quality, plus the "let the network choose"
    option (the pull: wait ≈ 0 while any suitable office is idle)."""
    index = _as_index(offices, params)
    k = params.suggestions if k is None else k
    if mode not in REQUEST_MODES:
        raise ValueError(f"unknown request mode {mode!r}")
    if not service.allows(mode) or k <= 0:
        return SuggestionSet(params.version, mode, service.service_id, ())
    kappa = effective_quality_weight(params, index.rho)
    if mode == IN_PERSON:
        if citizen is None:
            raise ValueError("an in-person request needs the citizen's location")
        ranked, fallback = _in_person_candidates(citizen, service, index, params, kappa)
        ranked = sorted(ranked)[:k]
        items = tuple(_suggestion(n, index.offices[i], _in_person_parts(index, i, service, kappa, km, params), km,
                                  fallback) for n, (_, _, i, km) in enumerate(ranked, 1))
        return SuggestionSet(params.version, mode, service.service_id, items, None, fallback)

    offices_, best = index.offices, []
    for key, i in index.remote_order(service.minutes, kappa):
        if len(best) == k and key > best[-1][0]:
            break  # a full score is never below its static part: nothing later can enter
        office = offices_[i]
        if _remote_ok(office, service):
            parts = _parts(office, service, REMOTE, kappa, index._penalty[i], 0.0, params.travel_min_per_km)
            best.append((parts.total, office.office_id, i, parts))
            best.sort()
            del best[k:]
    items = []
    for n, (_, _, i, parts) in enumerate(best, 1):
        office = offices_[i]
        km = None if citizen is None else haversine_km(citizen.lat, citizen.lon, office.lat, office.lon)
        items.append(_suggestion(n, office, parts, km, False))
    return SuggestionSet(params.version, mode, service.service_id, tuple(items),
                         _network_option(index, service, kappa, remote_queue, params))


def _network_option(index: RoutingIndex, service: ServiceSpec, kappa: float, remote_queue: int,
                    params: RoutingParams) -> Suggestion | None:
    for _, i, _ in _keeping_a_counter(_idle_candidates(index, service, kappa), index.offices,
                                      params.last_counter_min):
        office = index.offices[i]
        if office.is_idle() and _remote_ok(office, service):
            parts = _parts(office, service, REMOTE, kappa, index._penalty[i], 0.0, params.travel_min_per_km)
            return Suggestion(0, None, parts.total, 0.0, parts.service, parts.quality, 0.0, None, office.tier,
                              explanation=f"a suitable office is free now: starts at once, service ≈ "
                                          f"{parts.service:.0f} min, tier {office.tier or '–'}")
    if index.drain_per_min <= 0:
        return None
    wait = (remote_queue + 1) / index.drain_per_min
    return Suggestion(0, None, wait + service.minutes, wait, service.minutes, 0.0, 0.0, None, None,
                      explanation=f"the first suitable counter to free up takes it: wait ≈ {wait:.0f} min")
