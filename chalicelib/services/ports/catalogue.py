"""The catalogue: services and offices (small, read-mostly, kept per container for a short
time) and the association's calendar corrections."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from chalicelib.domain.catalogue import Office, Service

T = TypeVar("T")


class CatalogueStore(Protocol):
    def all_services(self) -> dict[str, Service]:
        """service_id -> service, inactive ones included."""

    def all_offices(self) -> dict[str, Office]: ...

    def get_service(self, service_id: str) -> Service | None: ...

    def get_office(self, office_id: str) -> Office | None:
        """Read now (not from the per-container cache)."""

    def save_all(self, entities: Iterable[Service | Office], progress: Callable[[int], None] | None = None) -> int:
        """Create or replace (bulk load); returns how many."""

    def calendar_corrections(self) -> dict[str, dict]:
        """ISO date -> {closed, name_en, name_fa, by}: the association's corrections of the calendar."""

    def save_calendar_correction(self, day: str, data: dict, stamp: str) -> None: ...

    def delete_calendar_correction(self, day: str) -> bool:
        """False when there was no correction that day."""

    def close_office_day(self, office_id: str, day: str, name_en: str, name_fa: str) -> bool | None:
        """Close the office on ISO `day` under these names: True when it was open before (closing
        again only renames), None when there is no such office."""

    def reopen_office_day(self, office_id: str, day: str) -> bool:
        """Open the day again; False when it was not closed."""

    def cached(self, name: str, load: Callable[[], T]) -> T:
        """`load()`, kept per container for a short time under `name`."""

    def forget(self, name: str) -> None:
        """Drop what `cached` keeps under `name`, so the next read is fresh."""

    def clear_cache(self) -> None: ...
