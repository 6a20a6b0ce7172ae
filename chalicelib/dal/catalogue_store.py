"""The service catalogue and the offices: small, read-mostly tables read whole and cached
per Lambda container for a short time (1,470 services, ~1,300 offices)."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from pynamodb.exceptions import DoesNotExist

from chalicelib.dal.db import unavailable_guard
from chalicelib.dal.models import NetworkItem, OfficeItem, ServiceItem
from chalicelib.domain.catalogue import Office, Service
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
                   active=bool(item.active))


def office_from(item: OfficeItem) -> Office:
    return Office(
        item.office_id, name_en=item.name_en, name_fa=item.name_fa, province=item.province,
        province_fa=item.province_fa, city=item.city, city_fa=item.city_fa, lat=float(item.lat), lon=float(item.lon),
        counters=int(item.counters), hours=item.hours, offered_categories=frozenset(item.offered_categories or ()),
        not_offered=frozenset(item.not_offered or ()), in_person_required=frozenset(item.in_person_required or ()),
        closures=frozenset(item.closures or ()), deprived=bool(item.deprived),
        tier=int(item.tier) if item.tier is not None else None, version=item.version)


def _item_of(entity: Service | Office) -> ServiceItem | OfficeItem:
    if isinstance(entity, Service):
        return ServiceItem(entity.service_id, category=entity.category, name_en=entity.name_en,
                           name_fa=entity.name_fa, mode=entity.mode, duration_min=entity.duration_min,
                           tariff_rials=entity.tariff_rials, active=entity.active)
    return OfficeItem(
        entity.office_id, name_en=entity.name_en, name_fa=entity.name_fa, province=entity.province,
        province_fa=entity.province_fa, city=entity.city, city_fa=entity.city_fa, lat=entity.lat, lon=entity.lon,
        counters=entity.counters, hours=entity.hours,
        # DynamoDB refuses empty sets: an empty declaration is stored as no attribute.
        offered_categories=set(entity.offered_categories) or None, not_offered=set(entity.not_offered) or None,
        in_person_required=set(entity.in_person_required) or None, closures=set(entity.closures) or None,
        deprived=entity.deprived, tier=entity.tier)


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
