"""Load-based routing on the live network: office suggestions for citizens, assignment of remote
work on arrival, and the routing parameters the association adopts.

The router's view = the catalogue's offices + the last load snapshot (a minute old at most) + the
ranking's tiers, built into a `routing.RoutingIndex` per container and mode. It is built whole when
the parameters, the catalogue, the day or the calendar change; a new snapshot or a new minute only
updates the offices whose line of the snapshot or whose being open changed (and those a decision
corrected since), each office's opening hours of the day read once per build. The view only
ranks: an assignment always ends in a conditional claim on the live counters (the request store's
`claim`), and a failed claim corrects the view (herding is the known failure of routing on stale
data)."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from chalicelib.domain import calendar, remote, routing
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.config import ConfigVersion, StaleVersion
from chalicelib.domain.load import LoadSnapshot, OfficeLoad
from chalicelib.domain.remote import RemoteRequest
from chalicelib.domain.text import normalise, to_persian_digits
from chalicelib.errors import Conflict, InvalidInput, TxConditionFailed, TxConflict
from chalicelib.observability import logger, metrics
from chalicelib.services import catalogue, remote_jobs
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

PARAMS = "routing"
URBAN_KM, URBAN_OFFICES = 10.0, 3  # a citizen with ≥ 3 offices within 10 km is in a town: urban radius
_views: dict[str, _View] = {}
# A view is corrected in place by its decisions. In Lambda one request runs at a time per
# container; `chalice local` serves requests on threads, so decisions on a view take turns.
_deciding = threading.Lock()


# --- parameters (versioned configuration) --------------------------------------------------

def _params_of(adopted: ConfigVersion | None) -> routing.RoutingParams:
    return routing.RoutingParams.from_dict(adopted.document) if adopted else routing.RoutingParams()


def params() -> routing.RoutingParams:
    return _params_of(stores.config.current(PARAMS))


def params_view() -> dict:
    adopted = stores.config.current(PARAMS, cached=False)
    return {"number": adopted.number if adopted else 0, "params": _params_of(adopted).to_dict(),
            "history": [v.record() for v in stores.config.history(PARAMS)]}


def national_queue(day=None) -> dict:
    """The national remote queue's length through `day` (default today), as the load snapshot
    sampled it each minute, and the last snapshot's count."""
    day = day or calendar.now_tehran().date()
    snapshot = stores.load.snapshot([])  # its minute and count, no office's line
    latest = ({**calendar.datetime_out(snapshot.at), "length": snapshot.queue_remote}
              if snapshot.at is not None else None)
    return {**calendar.date_out(day), "latest": latest,
            "samples": [{**calendar.datetime_out(s.at), "length": s.length} for s in stores.load.queue_lengths(day)]}


def adopt_params(changes: dict, expected: int, actor: str, now: datetime | None = None) -> dict:
    """A new version of the routing parameters: the current ones with `changes`, validated, adopted
    only if `expected` is still the current version number (no lost update between two admins)."""
    now = now or calendar.now_tehran()
    adopted = stores.config.current(PARAMS, cached=False)
    number = adopted.number if adopted else 0
    if expected != number:
        raise Conflict(f"Version {number} is current, not {expected}; read the parameters again",
                       "نسخه پارامترها تغییر کرده است؛ دوباره بخوانید")
    base = _params_of(adopted)
    if "version" in changes:
        raise InvalidInput("The version label is assigned on adoption", "برچسب نسخه هنگام تصویب تعیین می‌شود")
    try:
        new = routing.RoutingParams.from_dict({**base.to_dict(), **changes, "version": f"routing-v{number + 1}"})
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"Invalid routing parameters: {exc}", "پارامترهای مسیریابی نامعتبر است") from exc
    try:
        stores.config.adopt(PARAMS, new.to_dict(), number, actor, now)
    except StaleVersion as exc:
        raise Conflict("Another version was adopted meanwhile; read the parameters again",
                       "در این فاصله نسخه دیگری تصویب شد؛ دوباره بخوانید") from exc
    _views.clear()
    logger.info("routing parameters adopted", extra={"version": new.version, "actor": actor})
    return params_view()


# --- the view ---------------------------------------------------------------------------------

@dataclass
class _View:
    """One mode's routing index and what each office's state in it was computed from."""
    base: tuple  # (parameters, catalogue version, day, calendar corrections): a change builds anew
    index: routing.RoutingIndex
    this_week: dict[str, bool]  # per office, in person: opens on one of the next working days
    opening: dict[str, list[tuple[datetime, datetime]]]  # per office: today's opening hours
    stamp: tuple = ()  # (snapshot time, minute) the offices were last brought up to
    seen: dict[str, tuple] = field(default_factory=dict)  # per office: (its snapshot line, open now)
    applied: dict[str, tuple] = field(default_factory=dict)  # per office: the SNAPSHOT_FIELDS so computed


def _open_at(intervals: list[tuple[datetime, datetime]], now: datetime) -> bool:
    return any(start <= now < end for start, end in intervals)


def _opens_this_week(office: Office, today: date) -> bool:
    return any(catalogue.opening(office, today + timedelta(days=d)) for d in range(7))


def _state(office: Office, load: OfficeLoad, mode: str, open_now: bool, this_week: bool) -> routing.OfficeState:
    """The office as the router sees it. It operates for remote work when open now; for an
    in-person visit when it opens on one of the next working days (a citizen choosing at night
    books for tomorrow)."""
    counters = int(office.counters)
    opened = load.open  # None: the office has not declared its open counters today
    if mode == routing.IN_PERSON and load.desk_counters:  # the desk counters calling today
        opened = load.desk_counters
    elif opened is None:  # in person, its installed counters serve; remote work needs a declaration
        opened = counters if mode == routing.IN_PERSON else 0
    # A closed office has no queue to wait in: the citizen comes when it opens (its wait part is 0
    # and the suggestion shows when it opens instead of a wait).
    busy, waiting = (load.busy, load.waiting) if mode == routing.REMOTE or open_now else (0, 0)
    return routing.OfficeState(
        office_id=office.office_id, lat=float(office.lat), lon=float(office.lon), counters=counters,
        counters_open=min(counters, int(opened)), open=open_now if mode == routing.REMOTE else this_week,
        busy=busy, queue_in_person=waiting, remote_claimed=load.remote_claimed, bookings_today=load.booked,
        mean_service_min=load.pace_min or 12.0,  # measured at the office (12: before any snapshot carries it)
        tier=None if office.tier is None else int(office.tier),
        categories=frozenset(office.offered_categories or ()), not_offered=frozenset(office.not_offered or ()),
        in_person_required=frozenset(office.in_person_required or ()), deprived=bool(office.deprived),
        services=frozenset(office.offered_services))


def _build(mode: str, base: tuple, params_: routing.RoutingParams, loads, now: datetime) -> _View:
    offices = stores.catalogue.all_offices()
    today = now.date()
    opening = {o.office_id: catalogue.opening(o, today) for o in offices.values()}
    this_week = {o.office_id: mode == routing.IN_PERSON and _opens_this_week(o, today) for o in offices.values()}
    states, seen = [], {}
    for o in offices.values():
        load, open_now = loads.get(o.office_id) or OfficeLoad(), _open_at(opening[o.office_id], now)
        seen[o.office_id] = (load, open_now)
        states.append(_state(o, load, mode, open_now, this_week[o.office_id]))
    index = routing.RoutingIndex(states, params_)
    return _View(base, index, this_week, opening, seen=seen,
                 applied={o.office_id: routing.snapshot_fields_of(o) for o in index.offices})


def _bring_up(current: _View, mode: str, loads, now: datetime) -> int:
    """A new snapshot or minute: recompute only the offices whose snapshot line or being open
    changed, or whose state a decision corrected since; the index then equals one built whole.
    Returns how many offices were recomputed."""
    offices = stores.catalogue.all_offices()
    index, changes, recomputed = current.index, {}, 0
    for state in index.offices:
        office_id = state.office_id
        load = loads.get(office_id) or OfficeLoad()
        seen = (load, _open_at(current.opening[office_id], now))
        values = routing.snapshot_fields_of(state)
        if seen == current.seen[office_id] and values == current.applied[office_id]:
            continue
        recomputed += 1
        fresh = routing.snapshot_fields_of(_state(offices[office_id], load, mode, seen[1], current.this_week[office_id]))
        current.seen[office_id], current.applied[office_id] = seen, fresh
        if fresh != values:
            changes[office_id] = fresh
    if changes:
        index.reload(changes)
    return recomputed


def _calendar_key() -> str:
    return json.dumps(stores.catalogue.calendar_corrections(), sort_keys=True, default=str)


def view(mode: str, now: datetime | None = None) -> tuple[routing.RoutingIndex, LoadSnapshot]:
    """The routing index for `mode` and the snapshot it was brought up to, per container."""
    now = now or calendar.now_tehran()
    snapshot = stores.load.snapshot()
    params_ = params()
    base = (params_.version, stores.catalogue.version(), now.date(), _calendar_key())
    stamp = (snapshot.at, now.replace(second=0, microsecond=0))
    current = _views.get(mode)
    if current is not None and current.base == base and current.stamp == stamp:
        return current.index, snapshot
    loads = snapshot.loads_on(now.date())
    with _deciding:  # decisions correct the index in place: an update waits for them
        if current is None or current.base != base:
            current = _views[mode] = _build(mode, base, params_, loads, now)
        elif current.stamp != stamp:
            _bring_up(current, mode, loads, now)
        current.stamp = stamp
    return current.index, snapshot


def spec(service: Service) -> routing.ServiceSpec:
    return routing.ServiceSpec(service.service_id, service.category, float(service.duration_min), service.mode)


# --- suggestions for citizens -------------------------------------------------------------------

def _where(lat: float | None, lon: float | None, city: str | None) -> tuple[float, float] | None:
    if lat is not None and lon is not None:
        return lat, lon
    if not city:
        return None
    wanted = normalise(city)
    points = [(float(o.lat), float(o.lon)) for o in stores.catalogue.all_offices().values()
              if wanted in (normalise(o.city), normalise(o.city_fa))]
    if not points:
        raise InvalidInput(f"No office is in a city called {city!r}; send lat and lon instead",
                           "شهری با این نام در شبکه دفاتر یافت نشد؛ مختصات را بفرستید")
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def _explain(s: routing.Suggestion, closed: bool, opens: tuple[str, str] | None) -> tuple[str, str]:
    """The suggestion in words (English, Persian): its wait, or when a closed office opens; its
    service time, distance and tier."""
    if closed:
        first_en = f"closed now, opens {opens[1]}" if opens else "closed now"
        first_fa = f"اکنون بسته است، باز می‌شود {opens[0]}" if opens else "اکنون بسته است"
    else:
        first_en, first_fa = f"wait ≈ {round(s.expected_wait_min)} min", f"انتظار حدود {round(s.expected_wait_min)} دقیقه"
    en = [first_en, f"service ≈ {round(s.expected_service_min)} min"]
    fa = [first_fa, f"انجام کار حدود {round(s.expected_service_min)} دقیقه"]
    if s.distance_km is not None:
        en.append(f"{s.distance_km:.1f} km away")
        fa.append(f"فاصله {s.distance_km:.1f} کیلومتر")
    en.append(f"tier {s.tier}" if s.tier is not None else "not yet tiered")
    fa.append(f"رتبه {s.tier}" if s.tier is not None else "هنوز رتبه‌بندی نشده")
    if s.fallback:
        en.append("nearest office offering the service (none within your radius)")
        fa.append("نزدیک‌ترین دفتر ارائه‌دهنده (در شعاع شما دفتری نبود)")
    return ", ".join(en), to_persian_digits("، ".join(fa))


def _opening_out(moment: datetime, now: datetime) -> dict:
    fa, en = calendar.when_phrase(moment, now)
    return {**calendar.datetime_out(moment), "phrase_fa": fa, "phrase_en": en}


def _item(s: routing.Suggestion, offices: dict[str, Office], service: Service, mode: str,
          now: datetime) -> dict:
    office = offices.get(s.office_id) if s.office_id else None
    # An office closed now shows when it opens, never a wait (its queue is not there to wait in).
    closed = office is not None and not catalogue.is_open(office, now)
    opens = catalogue.next_opening(office, now) if closed else None
    en, fa = _explain(s, closed, calendar.when_phrase(opens, now) if opens else None)
    out = {
        "rank": s.rank, "score_min": round(s.score_min, 1),
        "expected_wait_min": None if closed else round(s.expected_wait_min, 1),
        "expected_service_min": round(s.expected_service_min, 1),
        "quality_penalty_min": round(s.quality_penalty_min, 1), "travel_min": round(s.travel_min, 1),
        "distance_km": None if s.distance_km is None else round(s.distance_km, 1), "tier": s.tier,
        "fallback": s.fallback, "explanation_en": en if office is not None else s.explanation or "",
        "explanation_fa": fa, "open_now": not closed,
        "opens_at": _opening_out(opens, now) if opens else None,
    }
    # In person the visit is by appointment: when the citizen could come, from the office's seats.
    slot = catalogue.next_free_slot(office, service, now) if office is not None and mode == routing.IN_PERSON else None
    out["next_free_slot"] = calendar.datetime_out(slot) if slot else None
    if office is not None:
        out["office"] = {"office_id": office.office_id, "name_en": office.name_en, "name_fa": office.name_fa,
                         "city": office.city, "city_fa": office.city_fa, "province": office.province}
        if mode == routing.IN_PERSON:  # the slots of the day of the first free seat, else of the next open day
            day = slot.date() if slot else catalogue.first_bookable_day(office, now)
            out["next"] = f"/v1/offices/{office.office_id}/slots?service={service.service_id}&date={day.isoformat()}"
        else:
            out["next"] = "/v1/requests"
    else:
        out["office"] = None  # let the network choose: the request goes to the national queue
        out["next"] = "/v1/requests"
    return out


def suggest(service_id: str, mode: str | None, lat: float | None, lon: float | None, city: str | None,
            limit: int, now: datetime | None = None) -> dict:
    now = now or calendar.now_tehran()
    service = catalogue.get_service(service_id)
    mode = mode or (routing.REMOTE if service.mode == "remote_only" else routing.IN_PERSON)
    if not spec(service).allows(mode):
        raise InvalidInput(f"This service cannot be had {mode.replace('_', ' ')}",
                           "این خدمت به این شیوه ارائه نمی‌شود")
    where = _where(lat, lon, city)
    if mode == routing.IN_PERSON and where is None:
        raise InvalidInput("In-person suggestions need lat and lon, or a city", "برای پیشنهاد حضوری، مختصات یا شهر لازم است")
    index, snapshot = view(mode, now)
    citizen = None
    if where is not None:
        near = index.within(routing.Citizen(where[0], where[1]), URBAN_KM)
        citizen = routing.Citizen(where[0], where[1], urban=len(near) >= URBAN_OFFICES)
    result = routing.suggest(citizen, spec(service), mode, index, index.params, limit,
                             remote_queue=snapshot.queue_remote)
    offices = stores.catalogue.all_offices()
    metrics.add_metric(name="SuggestionsServed", unit="Count", value=1)
    opens = None
    if mode == routing.REMOTE and not result.items and result.network_option is None:
        opens = _network_opening(service, offices.values(), now)
    return {
        "service": catalogue.service_view(service), "mode": mode, "params_version": result.params_version,
        "load_at": snapshot.at.isoformat(timespec="seconds") if snapshot.at else None, "fallback": result.fallback,
        "area": None if citizen is None else ("urban" if citizen.urban else "rural"),
        "radius_km": None if citizen is None else routing.radius_km(citizen, index.params),
        "items": [_item(s, offices, service, mode, now) for s in result.items],
        "network_option": _item(result.network_option, offices, service, mode, now) if result.network_option else None,
        "network_opens_at": _opening_out(opens, now) if opens else None,
    }


def _network_opening(service: Service, offices, now: datetime) -> datetime | None:
    """When the first office that may do `service` remotely opens (remote work starts then)."""
    able = [o for o in offices if catalogue.offers(o, service) and service.service_id not in (o.in_person_required or ())]
    found = [t for t in (catalogue.next_opening(o, now, days=7) for o in able) if t is not None]
    return min(found, default=None)


# --- remote work on arrival ------------------------------------------------------------------

class _AlreadyTaken(Exception):
    """The request left the queue meanwhile (an office pulled it): nothing more to route."""


def assign_on_arrival(request: RemoteRequest, service: Service, now: datetime) -> str | None:
    """Give a new remote request to the best idle office that may do it, claimed on the live
    counters; None when no office is idle (it waits in the queue for the next pull). A request
    for a preferred office waits in that office's queue."""
    if request.queue_office_id:
        return None
    index, _ = view(routing.REMOTE, now)
    tracking = request.tracking_code
    entry = request.queue_entry(service.category)
    accept_by = now + timedelta(minutes=get_settings().remote_accept_minutes)

    def claim(office: routing.OfficeState, mode: str, wanted: routing.ServiceSpec, strict: bool):
        callbacks = remote_jobs.callbacks(request.partner_id, tracking, remote.ASSIGNED, now)
        try:
            stores.requests.claim(entry, office.office_id, "router", now, accept_by, callbacks, only_if_no_visitor=True)
        except TxConditionFailed as exc:
            if exc.labels & {"queue", "request"}:
                raise _AlreadyTaken() from exc
            return False, {"busy": max(office.busy, office.counters_open)}  # not idle after all
        except TxConflict:
            return False, None
        return True, None

    try:
        with _deciding:
            decision = routing.route_remote(spec(service), index, index.params, claim)
    except _AlreadyTaken:
        return None
    if decision.office_id:
        metrics.add_metric(name="RemoteRequestRouted", unit="Count", value=1)
        logger.info("remote request routed on arrival",
                    extra={"request_id": tracking, "office_id": decision.office_id, "claims": decision.claims,
                           "explored": decision.explored})
    return decision.office_id


def reset_views() -> None:
    _views.clear()
