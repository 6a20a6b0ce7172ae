"""The service catalogue and the offices: small, read-mostly tables read whole and cached
per Lambda container for a short time (1,470 services, ~1,300 offices)."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from pynamodb.exceptions import DoesNotExist

from chalicelib.dal.db import unavailable_guard
from chalicelib.dal.models import NetworkItem, OfficeItem, ServiceItem
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


@unavailable_guard
def all_services() -> dict[str, ServiceItem]:
    return cached("services", lambda: {s.service_id: s for s in ServiceItem.scan()})


@unavailable_guard
def all_offices() -> dict[str, OfficeItem]:
    return cached("offices", lambda: {o.office_id: o for o in OfficeItem.scan()})


@unavailable_guard
def get_office(office_id: str) -> OfficeItem | None:
    try:
        return OfficeItem.get(office_id)
    except DoesNotExist:
        return None


@unavailable_guard
def get_service(service_id: str) -> ServiceItem | None:
    found = all_services().get(service_id)
    if found is not None:
        return found
    try:
        return ServiceItem.get(service_id)
    except DoesNotExist:
        return None


@unavailable_guard
def is_empty() -> bool:
    return next(iter(OfficeItem.scan(limit=1)), None) is None


@unavailable_guard
def save_all(items: Iterable[ServiceItem | OfficeItem], progress: Callable[[int], None] | None = None) -> int:
    """Bulk load (seed and catalogue imports). Unconditional writes: callers load a known state."""
    count = 0
    by_model: dict[type, list] = {}
    for item in items:
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


@unavailable_guard
def load_snapshot() -> dict:
    def read():
        try:
            return NetworkItem.get("LOAD", "SNAPSHOT").data
        except DoesNotExist:
            return {}
    return cached("load", read)


@unavailable_guard
def save_snapshot(data: dict, stamp: str) -> None:
    NetworkItem("LOAD", "SNAPSHOT", data=data, updated_at=stamp).save()
