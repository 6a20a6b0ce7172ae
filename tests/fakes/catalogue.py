"""In-memory catalogue: services, offices and calendar corrections in dicts. Nothing is kept
between reads (`cached` loads every time), as with a zero cache lifetime."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TypeVar

from chalicelib.domain.catalogue import Office, Service

T = TypeVar("T")


class FakeCatalogueStore:
    def __init__(self, entities: Iterable[Service | Office] = ()) -> None:
        self.services: dict[str, Service] = {}
        self.offices: dict[str, Office] = {}
        self.corrections: dict[str, dict] = {}
        self.save_all(entities)

    def all_services(self) -> dict[str, Service]:
        return dict(self.services)

    def all_offices(self) -> dict[str, Office]:
        return dict(self.offices)

    def get_service(self, service_id: str) -> Service | None:
        return self.services.get(service_id)

    def get_office(self, office_id: str) -> Office | None:
        return self.offices.get(office_id)

    def save_all(self, entities: Iterable[Service | Office], progress: Callable[[int], None] | None = None) -> int:
        count = 0
        for entity in entities:
            if isinstance(entity, Service):
                self.services[entity.service_id] = entity
            else:
                self.offices[entity.office_id] = entity
            count += 1
        return count

    def calendar_corrections(self) -> dict[str, dict]:
        return dict(self.corrections)

    def save_calendar_correction(self, day: str, data: dict, stamp: str) -> None:
        self.corrections[day] = dict(data)

    def delete_calendar_correction(self, day: str) -> bool:
        return self.corrections.pop(day, None) is not None

    def close_office_day(self, office_id: str, day: str, name_en: str, name_fa: str) -> bool | None:
        office = self.offices.get(office_id)
        if office is None:
            return None
        self.offices[office_id] = replace(office, closures=office.closures | {day},
                                          closure_names={**office.closure_names, day: (name_en, name_fa)})
        return day not in office.closures

    def reopen_office_day(self, office_id: str, day: str) -> bool:
        office = self.offices.get(office_id)
        if office is None or day not in office.closures:
            return False
        names = {d: n for d, n in office.closure_names.items() if d != day}
        self.offices[office_id] = replace(office, closures=office.closures - {day}, closure_names=names)
        return True

    def cached(self, name: str, load: Callable[[], T]) -> T:
        return load()

    def forget(self, name: str) -> None:
        pass

    def clear_cache(self) -> None:
        pass
