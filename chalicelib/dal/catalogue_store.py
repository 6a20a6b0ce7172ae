"""The service catalogue and the offices: small, read-mostly tables read whole and cached
per Lambda container for a short time (1,470 services, ~1,300 offices)."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.dal.db import unavailable_guard
from chalicelib.dal.models import NetworkItem, OfficeItem, ServiceItem
from chalicelib.domain.catalogue import Office, Service
from chalicelib.errors import TxConflict
from chalicelib.settings import get_settings

_cache: dict[str, tuple[float, object]] = {}


def cached(name: str, load: Callable[[], object]):
    """`load()`, kept per container for CATALOGUE_CACHE_SECONDS (small, read-mostly data)."""
    ttl = get_settings().catalogue_cache_seconds
    hit = _cache.get(name)
    if hit and time.monotonic() - hit[0] < ttl:
        return hit[1]
    value = load()
    _cache[name] = (time.monotonic(), value)
    return value


def clear_cache() -> None:
    _cache.clear()


def forget(name: str) -> None:
    _cache.pop(name, None)


def service_from(item: ServiceItem) -> Service:
    return Service(item.service_id, category=item.category, name_en=item.name_en, name_fa=item.name_fa,
                   mode=item.mode, duration_min=int(item.duration_min), tariff_rials=int(item.tariff_rials),
                   active=bool(item.active), session_modes=frozenset(item.session_modes or ()))


def office_from(item: OfficeItem) -> Office:
    return Office(
        item.office_id, name_en=item.name_en, name_fa=item.name_fa, province=item.province,
        province_fa=item.province_fa, city=item.city, city_fa=item.city_fa, lat=float(item.lat), lon=float(item.lon),
        counters=int(item.counters), hours=item.hours, offered_categories=frozenset(item.offered_categories or ()),
        not_offered=frozenset(item.not_offered or ()), in_person_required=frozenset(item.in_person_required or ()),
        closures=frozenset(item.closures or ()), deprived=bool(item.deprived),
        closure_names={d: (n["name_en"], n["name_fa"]) for d, n in (item.closure_names or {}).items()},
        tier=int(item.tier) if item.tier is not None else None, version=item.version)


def _item_of(entity: Service | Office) -> ServiceItem | OfficeItem:
    if isinstance(entity, Service):
        return ServiceItem(entity.service_id, category=entity.category, name_en=entity.name_en,
                           name_fa=entity.name_fa, mode=entity.mode, duration_min=entity.duration_min,
                           tariff_rials=entity.tariff_rials, active=entity.active,
                           session_modes=set(entity.session_modes) or None)
    return OfficeItem(
        entity.office_id, name_en=entity.name_en, name_fa=entity.name_fa, province=entity.province,
        province_fa=entity.province_fa, city=entity.city, city_fa=entity.city_fa, lat=entity.lat, lon=entity.lon,
        counters=entity.counters, hours=entity.hours,
        # DynamoDB refuses empty sets: an empty declaration is stored as no attribute.
        offered_categories=set(entity.offered_categories) or None, not_offered=set(entity.not_offered) or None,
        in_person_required=set(entity.in_person_required) or None, closures=set(entity.closures) or None,
        closure_names=_names_out(entity.closure_names), deprived=entity.deprived, tier=entity.tier)


def _names_out(names: dict[str, tuple[str, str]]) -> dict | None:
    return {d: {"name_en": en, "name_fa": fa} for d, (en, fa) in names.items()} or None


@unavailable_guard
def all_services() -> dict[str, Service]:
    return cached("services", lambda: {s.service_id: service_from(s) for s in ServiceItem.scan()})


@unavailable_guard
def all_offices() -> dict[str, Office]:
    return cached("offices", lambda: {o.office_id: office_from(o) for o in OfficeItem.scan()})


@unavailable_guard
def get_office(office_id: str) -> Office | None:
    try:
        return office_from(OfficeItem.get(office_id))
    except DoesNotExist:
        return None


@unavailable_guard
def get_service(service_id: str) -> Service | None:
    found = all_services().get(service_id)
    if found is not None:
        return found
    try:
        return service_from(ServiceItem.get(service_id))
    except DoesNotExist:
        return None


@unavailable_guard
def is_empty() -> bool:
    return next(iter(OfficeItem.scan(limit=1)), None) is None


@unavailable_guard
def save_all(entities: Iterable[Service | Office], progress: Callable[[int], None] | None = None) -> int:
    """Bulk load (seed and catalogue imports). Unconditional writes: callers load a known state."""
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
    clear_cache()
    return count


@unavailable_guard
def calendar_corrections() -> dict[str, dict]:
    """ISO date -> the association's correction of that day (see domain.calendar.Correction)."""
    return cached("calendar", lambda: {i.sk: i.data for i in NetworkItem.query("CALENDAR")})


@unavailable_guard
def save_calendar_correction(day: str, data: dict, stamp: str) -> None:
    NetworkItem("CALENDAR", day, data=data, updated_at=stamp).save()
    _cache.pop("calendar", None)


@unavailable_guard
def delete_calendar_correction(day: str) -> bool:
    try:
        NetworkItem.get("CALENDAR", day).delete()
    except DoesNotExist:
        return False
    finally:
        _cache.pop("calendar", None)
    return True


# --- an office's own closures --------------------------------------------------------------

def _change_office(office_id: str, change: Callable[[OfficeItem], bool]) -> bool | None:
    """Read the office, apply `change` (it says whether anything changed) and write it back on
    the version read; a concurrent write makes it read and apply again. None: no such office."""
    for _ in range(5):
        try:
            item = OfficeItem.get(office_id, consistent_read=True)
        except DoesNotExist:
            return None
        changed = change(item)
        if not changed:
            return False
        try:
            item.save()  # conditional on the version read (VersionAttribute)
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                continue
            raise
        forget("offices")
        return True
    raise TxConflict()


@unavailable_guard
def close_office_day(office_id: str, day: str, name_en: str, name_fa: str) -> bool | None:
    """Close the office on `day` under these names. True when the day was open before (a second
    close only renames it), None when there is no such office."""
    newly = False

    def close(item: OfficeItem) -> bool:
        nonlocal newly
        names = dict(item.closure_names or {})
        newly = day not in (item.closures or set())
        if not newly and names.get(day) == {"name_en": name_en, "name_fa": name_fa}:
            return False
        names[day] = {"name_en": name_en, "name_fa": name_fa}
        item.closures, item.closure_names = set(item.closures or ()) | {day}, names
        return True

    result = _change_office(office_id, close)
    return None if result is None else newly


@unavailable_guard
def reopen_office_day(office_id: str, day: str) -> bool:
    """Open a closed day again; False when it was not closed (or there is no such office)."""
    def reopen(item: OfficeItem) -> bool:
        if day not in (item.closures or set()):
            return False
        names = dict(item.closure_names or {})
        names.pop(day, None)
        # DynamoDB refuses empty sets: the last closure gone, the attribute goes.
        item.closures, item.closure_names = (set(item.closures) - {day}) or None, names or None
        return True

    return bool(_change_office(office_id, reopen))
