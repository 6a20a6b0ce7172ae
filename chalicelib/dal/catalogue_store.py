"""The service catalogue and the offices, kept whole per Lambda container and kept current by a
version check, never by rescanning.

Every change of an office's declarations (services, hours, closures) or of a service is one
transaction: the entity (conditional on the version it was read at), a change record under the
next catalogue version (`network` table, pk CATALOGUE, sk V#{n}: who, when, before and after) and
the CATALOGUE/CURRENT pointer moved from n to n+1. A container loads the catalogue once (two scans,
on the first use that needs it whole, such as a listing; a request that names its office and
service, such as a booking, reads just those, one consistent point read each, and keeps them), then,
at most every CATALOGUE_CHECK_SECONDS, reads the pointer (one point read);
when it moved, it queries the change records since its version and reads back only the offices and
services they name (BatchGetItem). The container that made a change applies it at once. So a
decision sees a change at once in the container that made it and within CATALOGUE_CHECK_SECONDS
elsewhere; only a bulk import (`save_all`) makes containers load everything again.

The same pointer item also carries one stamp (a counter) per kind of small read-mostly data the
request path keeps per container (`cached`): the calendar's corrections, the offices' licences, the
network configuration, the tariff book's head. Every writer of a kind moves its stamp, in its own
transaction. When a kept value's CATALOGUE_CACHE_SECONDS have passed, the container reads the
pointer once (shared with the catalogue's check of the same moment), keeps every value whose stamp
did not move for another period and loads again only the kinds whose stamp moved: a request after
an expiry pays one point read, not one read per kind, and a change is still seen elsewhere within
CATALOGUE_CACHE_SECONDS."""
from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import NamedTuple

from pynamodb.exceptions import DoesNotExist

from chalicelib.dal.db import Tx, TxConditionFailed, TxConflict, unavailable_guard
from chalicelib.dal.models import NetworkItem, OfficeItem, ServiceItem
from chalicelib.domain.catalogue import CatalogueChange, Office, Service, document
from chalicelib.errors import Conflict
from chalicelib.settings import get_settings

CATALOGUE, CURRENT = "CATALOGUE", "CURRENT"
MAX_ATTEMPTS = 6  # a change re-read and retried when another change took the version it meant to write


# --- the version item: the catalogue's number and the stamps of the cached kinds ---------------

# Kind -> its counter on CATALOGUE/CURRENT. Every writer of a kind moves its stamp (in its own
# transaction where it has one), so one read of that item tells which cached kinds changed.
STAMPS = {"calendar": NetworkItem.calendar_stamp, "licences": NetworkItem.licences_stamp,
          "config": NetworkItem.config_stamp, "tariffs": NetworkItem.tariffs_stamp}


class _Pointer(NamedTuple):
    at: float  # monotonic time the read was sent: what it returned is at least as new as this
    number: int
    stamps: dict[str, int]


_pointer: _Pointer | None = None  # the last read of CATALOGUE/CURRENT, shared by every check
_pointer_lock = threading.Lock()


def _pointer_item() -> tuple[int, dict[str, int]]:
    try:
        item = NetworkItem.get(CATALOGUE, CURRENT, consistent_read=True)
    except DoesNotExist:
        return 0, {}
    return int(item.number or 0), {k: int(getattr(item, a.attr_name) or 0) for k, a in STAMPS.items()}


def _read_pointer() -> _Pointer:
    """CATALOGUE/CURRENT now (one consistent point read), kept for the checks that follow."""
    global _pointer
    at = time.monotonic()
    number, stamps = _pointer_item()
    read = _Pointer(at, number, stamps)
    with _pointer_lock:
        if _pointer is None or _pointer.at < at:
            _pointer = read
    return read


def _recent_pointer(max_age: float) -> _Pointer:
    """The last read of the version item when it is younger than `max_age` seconds, else a new one:
    a request's catalogue check and its cache checks share one read."""
    kept = _pointer
    if kept is not None and time.monotonic() - kept.at < max_age:
        return kept
    return _read_pointer()


def move_stamps(tx: Tx, *kinds: str) -> None:
    """Move these kinds' stamps in the writer's own transaction: the change and the signal that
    other containers must read it again are written together or not at all."""
    tx.update("stamps", NetworkItem(CATALOGUE, CURRENT), [STAMPS[k].add(1) for k in kinds], versioned=False)


def move_stamps_now(*kinds: str) -> None:
    """As `move_stamps`, alone (one UpdateItem): for bulk writes that are not one transaction, after them."""
    NetworkItem(CATALOGUE, CURRENT).update([STAMPS[k].add(1) for k in kinds])
    _forget_pointer()


# --- small read-mostly data kept per container ---------------------------------------------------

class _Entry(NamedTuple):
    at: float  # monotonic time the value was known current (its load, or the stamp read renewing it)
    value: object
    kind: str | None
    stamp: int


_cache: dict[str, _Entry] = {}


def cached(name: str, load: Callable[[], object], *, kind: str | None = None):
    """`load()`, kept per container, never used more than CATALOGUE_CACHE_SECONDS after it was
    known current (0: not kept).

    With `kind` (a key of STAMPS: the calendar's corrections, an office's licences, the network
    configuration, the tariff book's head), the value carries that kind's stamp. When its period
    has passed, the container reads the version item (once for all its entries and the
    catalogue's own check: `_recent_pointer`), keeps the value for another period when the stamp
    did not move, and calls `load()` again only when it did. Every writer of these kinds moves the
    stamp, so a change is still seen elsewhere within CATALOGUE_CACHE_SECONDS.

    Without `kind` (the ranking's published rows, tests' own names), the value is loaded again
    once its period has passed."""
    ttl = get_settings().catalogue_cache_seconds
    if ttl <= 0:
        return load()
    hit = _cache.get(name)
    now = time.monotonic()
    if hit and now - hit.at < ttl:
        return hit.value
    if kind is None:
        value = load()
        _cache[name] = _Entry(now, value, None, 0)
        return value
    # Never older than the period: a renewal dates from the stamp read, not from now.
    pointer = _recent_pointer(min(ttl, get_settings().catalogue_check_seconds))
    current = pointer.stamps.get(kind, 0)
    if hit and hit.kind == kind and hit.stamp == current:
        _cache[name] = hit._replace(at=pointer.at)
        return hit.value
    value = load()  # read after the stamp: at least as new as it
    _cache[name] = _Entry(pointer.at, value, kind, current)
    return value


def forget(name: str) -> None:
    _cache.pop(name, None)


def age(seconds: float) -> None:
    """As if `seconds` had passed for this container's caches: its entries, its last read of the
    version item and its catalogue check grow that much older (benchmarks and tests of expiry)."""
    global _pointer
    for name, entry in list(_cache.items()):
        _cache[name] = entry._replace(at=entry.at - seconds)
    with _pointer_lock:
        if _pointer is not None:
            _pointer = _pointer._replace(at=_pointer.at - seconds)
    with _view.lock:
        _view.checked -= seconds


def service_from(item: ServiceItem) -> Service:
    return Service(item.service_id, category=item.category, name_en=item.name_en, name_fa=item.name_fa,
                   mode=item.mode, duration_min=int(item.duration_min), tariff_rials=int(item.tariff_rials),
                   active=bool(item.active), session_modes=frozenset(item.session_modes or ()),
                   min_duration_min=_int(item.min_duration_min), max_duration_min=_int(item.max_duration_min))


def _int(value) -> int | None:
    return None if value is None else int(value)


def office_from(item: OfficeItem) -> Office:
    return Office(
        item.office_id, name_en=item.name_en, name_fa=item.name_fa, province=item.province,
        province_fa=item.province_fa, city=item.city, city_fa=item.city_fa, lat=float(item.lat), lon=float(item.lon),
        counters=int(item.counters), hours=item.hours, offered_categories=frozenset(item.offered_categories or ()),
        not_offered=frozenset(item.not_offered or ()), in_person_required=frozenset(item.in_person_required or ()),
        closures=frozenset(item.closures or ()), deprived=bool(item.deprived),
        closure_names={d: (n["name_en"], n["name_fa"]) for d, n in (item.closure_names or {}).items()},
        tier=int(item.tier) if item.tier is not None else None, version=item.version,
        offered_services=frozenset(item.offered_services or ()),
        durations={k: int(v) for k, v in (item.durations or {}).items()})


def _item_of(entity: Service | Office) -> ServiceItem | OfficeItem:
    if isinstance(entity, Service):
        return ServiceItem(entity.service_id, category=entity.category, name_en=entity.name_en,
                           name_fa=entity.name_fa, mode=entity.mode, duration_min=entity.duration_min,
                           tariff_rials=entity.tariff_rials, active=entity.active,
                           session_modes=set(entity.session_modes) or None,
                           min_duration_min=entity.min_duration_min, max_duration_min=entity.max_duration_min)
    return OfficeItem(
        entity.office_id, name_en=entity.name_en, name_fa=entity.name_fa, province=entity.province,
        province_fa=entity.province_fa, city=entity.city, city_fa=entity.city_fa, lat=entity.lat, lon=entity.lon,
        counters=entity.counters, hours=entity.hours,
        # DynamoDB refuses empty sets: an empty declaration is stored as no attribute.
        offered_categories=set(entity.offered_categories) or None, not_offered=set(entity.not_offered) or None,
        in_person_required=set(entity.in_person_required) or None, closures=set(entity.closures) or None,
        closure_names=_names_out(entity.closure_names), deprived=entity.deprived, tier=entity.tier,
        offered_services=set(entity.offered_services) or None, durations=dict(entity.durations) or None)


def _names_out(names: dict[str, tuple[str, str]]) -> dict | None:
    return {d: {"name_en": en, "name_fa": fa} for d, (en, fa) in names.items()} or None


# --- the per-container view, kept current by version --------------------------------------------

class _View:
    """What this container knows of the catalogue, and at which version."""

    def __init__(self) -> None:
        self.version: int | None = None  # None: not loaded
        self.services: dict[str, Service] = {}
        self.offices: dict[str, Office] = {}
        # False: the offices and services read one by one so far (a request that names its office
        # and service never pays the whole catalogue's load); True once loaded whole.
        self.complete = False
        self.checked = -math.inf  # monotonic time of the last version check
        self.lock = threading.RLock()


_view = _View()


def _log_sk(number: int) -> str:
    return f"V#{number:010d}"


def _current_number() -> int:
    """The catalogue's version now (writers, and a whole load, read it fresh)."""
    return _read_pointer().number


def _load_all(view: _View) -> None:
    number = _current_number()  # read first: a change after it is caught up by the next check
    view.services = {s.service_id: service_from(s) for s in ServiceItem.scan()}
    view.offices = {o.office_id: office_from(o) for o in OfficeItem.scan()}
    view.version, view.complete = number, True


def _catch_up(view: _View, number: int) -> None:
    """Apply the changes after the view's version up to `number`: point reads of what they name."""
    office_ids: set[str] = set()
    service_ids: set[str] = set()
    records = NetworkItem.query(CATALOGUE, NetworkItem.sk.between(_log_sk(view.version + 1), _log_sk(number)),
                                consistent_read=True)
    for record in records:
        kind, ids = record.data.get("kind"), record.data.get("ids") or []
        if kind == "all":
            if view.complete:
                _load_all(view)
            else:  # a partial view starts again, reading what it needs one by one
                view.offices, view.services, view.version = {}, {}, number
            return
        (service_ids if kind == "service" else office_ids).update(ids)
    offices, services = dict(view.offices), dict(view.services)
    for ids, model, target, convert, key in ((office_ids, OfficeItem, offices, office_from, "office_id"),
                                             (service_ids, ServiceItem, services, service_from, "service_id")):
        for gone in ids:
            target.pop(gone, None)  # read back below unless deleted
        if ids:
            for item in model.batch_get(sorted(ids), consistent_read=True):
                target[getattr(item, key)] = convert(item)
    view.offices, view.services, view.version = offices, services, number


@unavailable_guard
def _fresh(whole: bool = True) -> _View:
    """The view, checked against the version pointer at most every CATALOGUE_CHECK_SECONDS;
    `whole`: loaded whole (the first time, two scans) rather than read one by one."""
    view = _view

    def current() -> bool:
        return (view.version is not None and (view.complete or not whole)
                and time.monotonic() - view.checked < get_settings().catalogue_check_seconds)

    if current():
        return view
    with view.lock:
        if current():
            return view  # another thread checked meanwhile
        if whole and not view.complete:
            _load_all(view)
            view.checked = time.monotonic()
        else:
            # Shared with the cache checks of the same moment; dated from when it was read.
            pointer = _recent_pointer(get_settings().catalogue_check_seconds)
            if view.version is None:
                view.version = pointer.number  # read first: what is read after it is at least as new
            elif pointer.number > view.version:
                _catch_up(view, pointer.number)
            view.checked = pointer.at
    return view


def _applied(number: int, office: Office | None = None, service: Service | None = None) -> None:
    """This container made change `number`: apply it now when the view is just before it, else
    check the version on the next read."""
    view = _view
    _forget_pointer()
    with view.lock:
        if view.version is not None and view.version == number - 1:
            if office is not None:
                view.offices = {**view.offices, office.office_id: office}
            if service is not None:
                view.services = {**view.services, service.service_id: service}
            view.version = number
        else:
            view.checked = -math.inf


def _forget_pointer() -> None:
    """This container wrote the version item: a read of it from before, however recent, is out of
    date (the next check reads it anew)."""
    global _pointer
    with _pointer_lock:
        _pointer = None


def _recheck() -> None:
    """This container moved the catalogue on: its next read checks the pointer anew."""
    _view.checked = -math.inf
    _forget_pointer()


def clear_cache() -> None:
    """Forget everything this container keeps: the next read loads the catalogue whole, every
    cached value is loaded again and the version item read again."""
    _cache.clear()
    _forget_pointer()
    with _view.lock:
        _view.version, _view.offices, _view.services, _view.checked = None, {}, {}, -math.inf
        _view.complete = False


def version() -> int:
    """The catalogue version this container's decisions now use (checked as `all_offices`)."""
    return int(_fresh().version)


def all_services() -> dict[str, Service]:
    return _fresh().services


def all_offices() -> dict[str, Office]:
    return _fresh().offices


def _one(kind: str, key: str, model, convert):
    """One office or service from the view (checked as ever), read by point read and kept in it
    when the view does not hold it: the whole catalogue is never loaded for one entity."""
    view = _fresh(whole=False)
    held = view.offices if kind == "office" else view.services
    found = held.get(key)
    if found is not None:
        return found
    version = view.version
    try:
        found = convert(model.get(key, consistent_read=True))  # kept: never older than `version`
    except DoesNotExist:
        return None
    with view.lock:
        if view.version == version:  # else a newer version may have changed it since it was read
            if kind == "office":
                view.offices = {**view.offices, key: found}
            else:
                view.services = {**view.services, key: found}
    return found


@unavailable_guard
def get_office(office_id: str) -> Office | None:
    return _one("office", office_id, OfficeItem, office_from)


@unavailable_guard
def get_service(service_id: str) -> Service | None:
    return _one("service", service_id, ServiceItem, service_from)


@unavailable_guard
def is_empty() -> bool:
    return next(iter(OfficeItem.scan(limit=1)), None) is None


# --- changes, one version each -------------------------------------------------------------------

def _record(number: int, kind: str, action: str, by: str, at: str, ids: Iterable[str],
            before: dict | None, after: dict | None) -> dict:
    return {"number": number, "kind": kind, "action": action, "by": by, "at": at, "ids": sorted(ids),
            "before": before, "after": after}


def _version_tx(tx: Tx, number: int, record: dict, at: str) -> None:
    """The change record of version number+1 and the pointer moved from `number` to it."""
    tx.put("log", NetworkItem(CATALOGUE, _log_sk(number + 1), data=record, updated_at=at),
           condition=NetworkItem.pk.does_not_exist())
    # An update, not a put: the pointer item also holds the cached kinds' stamps.
    condition = NetworkItem.number.does_not_exist() if number == 0 else NetworkItem.number == number
    tx.update("version", NetworkItem(CATALOGUE, CURRENT),
              [NetworkItem.number.set(number + 1), NetworkItem.updated_at.set(at),
               NetworkItem.data.set({"by": record["by"], "at": at, "action": record["action"]})],
              condition=condition, versioned=False)


def _change(kind: str, model, key: str, entity_from, change, action: str, by: str, at: str):
    """Read the `kind` ("office" or "service") item now, apply `change` (None or the same entity:
    nothing to change) and write the result with the next catalogue version, in one transaction
    conditional on the item's version and the catalogue's. (before, after); None when there is no
    such item."""
    for _ in range(MAX_ATTEMPTS):
        try:
            item = model.get(key, consistent_read=True)
        except DoesNotExist:
            return None
        before = entity_from(item)
        after = change(before)
        if after is None or after == before:
            return before, before
        number = _current_number()
        new = _item_of(after)
        if item.version is not None:  # the save is conditional on it and moves it on
            new.version = item.version
        tx = Tx()
        tx.put(kind, new)
        _version_tx(tx, number, _record(number + 1, kind, action, by, at, [key], document(before),
                                        document(after)), at)
        try:
            tx.commit()
        except (TxConditionFailed, TxConflict):
            continue  # the item or the catalogue moved on meanwhile: read again
        if kind == "office":  # an office carries the version it was read at
            after = replace(after, version=(item.version or 0) + 1)
        _applied(number + 1, **{kind: after})
        return before, after
    raise TxConflict()


@unavailable_guard
def change_office(office_id: str, change: Callable[[Office], Office | None], action: str, by: str,
                  at: str) -> tuple[Office, Office] | None:
    """Change an office with the next catalogue version (see `_change`)."""
    return _change("office", OfficeItem, office_id, office_from, change, action, by, at)


@unavailable_guard
def change_service(service_id: str, change: Callable[[Service], Service | None], action: str, by: str,
                   at: str) -> tuple[Service, Service] | None:
    """As `change_office`, for a service of the catalogue."""
    return _change("service", ServiceItem, service_id, service_from, change, action, by, at)


@unavailable_guard
def add_service(service: Service, by: str, at: str) -> Service:
    """A new service of the catalogue; Conflict when its id is taken."""
    for _ in range(MAX_ATTEMPTS):
        number = _current_number()
        tx = Tx()
        tx.put("service", _item_of(service), condition=ServiceItem.service_id.does_not_exist())
        _version_tx(tx, number, _record(number + 1, "service", "add", by, at, [service.service_id], None,
                                        document(service)), at)
        try:
            tx.commit()
        except TxConditionFailed as exc:
            if "service" in exc.labels:
                raise Conflict(f"A service {service.service_id} exists already",
                               "خدمتی با این شناسه از قبل وجود دارد") from exc
            continue
        except TxConflict:
            continue
        _applied(number + 1, service=service)
        return service
    raise TxConflict()


@unavailable_guard
def note_changed(office_ids: Iterable[str], action: str, by: str, at: str) -> int:
    """A new catalogue version naming offices changed by a field that is not a declaration (the
    ranking's tiers): containers read those offices back. Returns the version."""
    ids = sorted(set(office_ids))
    for _ in range(MAX_ATTEMPTS):
        number = _current_number()
        tx = Tx()
        _version_tx(tx, number, _record(number + 1, "offices", action, by, at, ids, None, None), at)
        try:
            tx.commit()
        except (TxConditionFailed, TxConflict):
            continue
        with _view.lock:
            _recheck()
        return number + 1
    raise TxConflict()


def _change_from(data: dict) -> CatalogueChange:
    return CatalogueChange(int(data["number"]), data["kind"], data["action"], data["by"], data["at"],
                           tuple(data.get("ids") or ()), data.get("before"), data.get("after"))


@unavailable_guard
def history(limit: int = 50, before: int | None = None, entity_id: str | None = None) -> list[CatalogueChange]:
    """Versions of the catalogue, newest first (before version `before`, when given; only those
    naming `entity_id`, when given: filtered after the read, so a page may hold fewer)."""
    condition = NetworkItem.sk.startswith("V#") if before is None else NetworkItem.sk.between(
        _log_sk(0), _log_sk(max(0, before - 1)))
    found = []
    for item in NetworkItem.query(CATALOGUE, condition, scan_index_forward=False, limit=limit):
        change = _change_from(item.data)
        if entity_id is None or entity_id in change.ids:
            found.append(change)
    return found


@unavailable_guard
def save_all(entities: Iterable[Service | Office], progress: Callable[[int], None] | None = None,
             by: str = "import") -> int:
    """Bulk load (seed and catalogue imports). Unconditional writes: callers load a known state;
    a catalogue version of kind "all" makes every container load the catalogue again."""
    count = 0
    by_model: dict[type, list] = {}
    for entity in entities:
        item = _item_of(entity)
        by_model.setdefault(type(item), []).append(item)
    for model, batch in by_model.items():
        with model.batch_write() as writer:
            for item in batch:
                writer.save(item)
                count += 1
                if progress and count % 100 == 0:
                    progress(count)
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for _ in range(MAX_ATTEMPTS):
        number = _current_number()
        tx = Tx()
        _version_tx(tx, number, _record(number + 1, "all", "import", by, at, (), None, {"entities": count}), at)
        try:
            tx.commit()
            break
        except (TxConditionFailed, TxConflict):
            continue
    clear_cache()
    return count


@unavailable_guard
def calendar_corrections() -> dict[str, dict]:
    """ISO date -> the association's correction of that day (see domain.calendar.Correction)."""
    return cached("calendar", lambda: {i.sk: i.data for i in NetworkItem.query("CALENDAR")}, kind="calendar")


def commit_stamped(tx: Tx, kind: str, cached_as: str) -> None:
    """Commit a writer's transaction with its kind's stamp moved in it, again when it met another
    transaction on the version item (TxConditionFailed is the caller's to judge). Whatever the
    outcome, this container forgets what it keeps under `cached_as`, so it sees its own write at once."""
    move_stamps(tx, kind)
    try:
        for attempt in range(MAX_ATTEMPTS):
            try:
                tx.commit()
                _forget_pointer()
                return
            except TxConflict:
                if attempt == MAX_ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0, 0.01 * 2 ** attempt))  # jittered: the other writer goes first
    finally:
        forget(cached_as)


@unavailable_guard
def save_calendar_correction(day: str, data: dict, stamp: str) -> None:
    tx = Tx()
    tx.put("correction", NetworkItem("CALENDAR", day, data=data, updated_at=stamp))
    commit_stamped(tx, "calendar", "calendar")


@unavailable_guard
def delete_calendar_correction(day: str) -> bool:
    tx = Tx()
    tx.delete("correction", NetworkItem("CALENDAR", day), condition=NetworkItem.sk.exists(), versioned=False)
    try:
        commit_stamped(tx, "calendar", "calendar")
    except TxConditionFailed:
        return False
    return True


# --- an office's own closures --------------------------------------------------------------

def _stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@unavailable_guard
def close_office_day(office_id: str, day: str, name_en: str, name_fa: str, by: str = "office") -> bool | None:
    """Close the office on `day` under these names. True when the day was open before (a second
    close only renames it), None when there is no such office."""
    def close(office: Office) -> Office:
        return replace(office, closures=office.closures | {day},
                       closure_names={**office.closure_names, day: (name_en, name_fa)})

    result = change_office(office_id, close, "close-day", by, _stamp())
    return None if result is None else day not in result[0].closures


@unavailable_guard
def reopen_office_day(office_id: str, day: str, by: str = "office") -> bool:
    """Open a closed day again; False when it was not closed (or there is no such office)."""
    def reopen(office: Office) -> Office | None:
        if day not in office.closures:
            return None
        return replace(office, closures=office.closures - {day},
                       closure_names={d: n for d, n in office.closure_names.items() if d != day})

    result = change_office(office_id, reopen, "reopen-day", by, _stamp())
    return result is not None and result[0] != result[1]
