"""Use cases of the association governing the catalogue: add a service, edit it (mode, names,
category, standard duration and the bounds of an office's own one), retire it, and read the
catalogue's versions (who changed what, when, before and after). A retired service takes no new
holds, bookings or remote requests and leaves search and suggestions; bookings and requests made
before stand and are served to the end. (The tariff of a service is the tariff book's.)"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalicelib.domain import calendar
from chalicelib.domain.catalogue import CatalogueChange, Service
from chalicelib.errors import InvalidInput, NotFound
from chalicelib.services.stores import stores

EDITABLE = ("category", "name_en", "name_fa", "mode", "duration_min", "min_duration_min", "max_duration_min")


def admin_view(s: Service) -> dict:
    low, high = s.duration_bounds()
    return {"service_id": s.service_id, "category": s.category, "name_en": s.name_en, "name_fa": s.name_fa,
            "mode": s.mode, "duration_min": int(s.duration_min), "tariff_rials": int(s.tariff_rials),
            "active": bool(s.active), "min_duration_min": low, "max_duration_min": high}


def _checked(service: Service) -> Service:
    """The bounds must hold the standard duration (offices declare within them)."""
    low, high = service.duration_bounds()
    if not low <= service.duration_min <= high:
        raise InvalidInput(f"The standard duration {service.duration_min} must lie within the bounds {low}-{high}",
                           "مدت استاندارد باید درون محدوده کمینه و بیشینه باشد")
    return service


def add(fields: dict, actor: str, now: datetime | None = None) -> dict:
    now = now or calendar.now_tehran()
    service = _checked(Service(**{"tariff_rials": 0, **fields}))
    stores.catalogue.add_service(service, actor, now.isoformat(timespec="seconds"))
    return admin_view(service)


def _change(service_id: str, change, action: str, actor: str, now: datetime | None) -> dict:
    now = now or calendar.now_tehran()
    result = stores.catalogue.change_service(service_id, change, action, actor, now.isoformat(timespec="seconds"))
    if result is None:
        raise NotFound(f"No service {service_id}", "خدمت مورد نظر یافت نشد")
    return admin_view(result[1])


def edit(service_id: str, changes: dict, actor: str, now: datetime | None = None) -> dict:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"Not editable here: {', '.join(sorted(unknown))}", "این فیلدها در اینجا قابل ویرایش نیستند")
    return _change(service_id, lambda s: _checked(replace(s, **changes)), "edit", actor, now)


def retire(service_id: str, actor: str, now: datetime | None = None) -> dict:
    """Retire the service (again: no change, no new version)."""
    return _change(service_id, lambda s: replace(s, active=False), "retire", actor, now)


def reinstate(service_id: str, actor: str, now: datetime | None = None) -> dict:
    return _change(service_id, lambda s: replace(s, active=True), "reinstate", actor, now)


def change_view(c: CatalogueChange) -> dict:
    return {"number": c.number, "kind": c.kind, "action": c.action, "by": c.by, "at": c.at, "ids": list(c.ids),
            "before": c.before, "after": c.after}


def versions(limit: int, before: int | None, entity_id: str | None) -> dict:
    return {"current": stores.catalogue.version(),
            "items": [change_view(c) for c in stores.catalogue.history(limit, before, entity_id)]}
