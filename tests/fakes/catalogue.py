"""In-memory catalogue: services, offices, catalogue versions and calendar corrections in dicts.
Nothing is kept between reads (`cached` loads every time), as with a zero cache lifetime; every
change is one version with its record, as in the data layer."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TypeVar

from chalicelib.domain.catalogue import CatalogueChange, Office, Service, document
from chalicelib.errors import Conflict

T = TypeVar("T")


class FakeCatalogueStore:
    def __init__(self, entities: Iterable[Service | Office] = ()) -> None:
        self.services: dict[str, Service] = {}
        self.offices: dict[str, Office] = {}
        self.corrections: dict[str, dict] = {}
        self.changes: list[CatalogueChange] = []
        self.save_all(entities)

    def all_services(self) -> dict[str, Service]:
        return dict(self.services)

    def all_offices(self) -> dict[str, Office]:
        return dict(self.offices)

    def version(self) -> int:
        return len(self.changes)

    def get_service(self, service_id: str) -> Service | None:
        return self.services.get(service_id)

    def get_office(self, office_id: str) -> Office | None:
        return self.offices.get(office_id)

    def _log(self, kind: str, action: str, by: str, at: str, ids: Iterable[str], before, after) -> None:
        self.changes.append(CatalogueChange(len(self.changes) + 1, kind, action, by, at, tuple(sorted(ids)),
                                            document(before), document(after)))

    def save_all(self, entities: Iterable[Service | Office], progress: Callable[[int], None] | None = None,
                 by: str = "import") -> int:
        count = 0
        for entity in entities:
            if isinstance(entity, Service):
                self.services[entity.service_id] = entity
            else:
                self.offices[entity.office_id] = entity
            count += 1
        self._log("all", "import", by, "", (), None, None)
        return count

    def change_office(self, office_id: str, change: Callable[[Office], Office | None], action: str, by: str,
                      at: str) -> tuple[Office, Office] | None:
        before = self.offices.get(office_id)
        if before is None:
            return None
        after = change(before)
        if after is None or after == before:
            return before, before
        after = replace(after, version=(before.version or 0) + 1)
        self.offices[office_id] = after
        self._log("office", action, by, at, [office_id], before, after)
        return before, after

    def change_service(self, service_id: str, change: Callable[[Service], Service | None], action: str, by: str,
                       at: str) -> tuple[Service, Service] | None:
        before = self.services.get(service_id)
        if before is None:
            return None
        after = change(before)
        if after is None or after == before:
            return before, before
        self.services[service_id] = after
        self._log("service", action, by, at, [service_id], before, after)
        return before, after

    def add_service(self, service: Service, by: str, at: str) -> Service:
        if service.service_id in self.services:
            raise Conflict(f"A service {service.service_id} exists already", "خدمتی با این شناسه از قبل وجود دارد")
        self.services[service.service_id] = service
        self._log("service", "add", by, at, [service.service_id], None, service)
        return service

    def note_changed(self, office_ids: Iterable[str], action: str, by: str, at: str) -> int:
        self._log("offices", action, by, at, office_ids, None, None)
        return len(self.changes)

    def history(self, limit: int = 50, before: int | None = None,
                entity_id: str | None = None) -> list[CatalogueChange]:
        newest = [c for c in reversed(self.changes) if before is None or c.number < before][:limit]
        return [c for c in newest if entity_id is None or entity_id in c.ids]

    def calendar_corrections(self) -> dict[str, dict]:
        return dict(self.corrections)

    def save_calendar_correction(self, day: str, data: dict, stamp: str) -> None:
        self.corrections[day] = dict(data)

    def delete_calendar_correction(self, day: str) -> bool:
        return self.corrections.pop(day, None) is not None

    def close_office_day(self, office_id: str, day: str, name_en: str, name_fa: str,
                         by: str = "office") -> bool | None:
        result = self.change_office(office_id, lambda office: replace(
            office, closures=office.closures | {day}, closure_names={**office.closure_names, day: (name_en, name_fa)}),
            "close-day", by, "")
        return None if result is None else day not in result[0].closures

    def reopen_office_day(self, office_id: str, day: str, by: str = "office") -> bool:
        def reopen(office: Office) -> Office | None:
            if day not in office.closures:
                return None
            return replace(office, closures=office.closures - {day},
                           closure_names={d: n for d, n in office.closure_names.items() if d != day})
        result = self.change_office(office_id, reopen, "reopen-day", by, "")
        return result is not None and result[0] != result[1]

    def cached(self, name: str, load: Callable[[], T]) -> T:
        return load()

    def forget(self, name: str) -> None:
        pass

    def clear_cache(self) -> None:
        pass

