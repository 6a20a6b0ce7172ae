"""The catalogue: services and offices (small, read-mostly, kept per container and kept current
by a version check), their versioned changes, and the association's calendar corrections."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from chalicelib.domain.catalogue import CatalogueChange, Office, Service

T = TypeVar("T")


class CatalogueStore(Protocol):
    def all_services(self) -> dict[str, Service]:
        """service_id -> service, retired ones included; as of the catalogue version now in force
        (a change made anywhere is seen within CATALOGUE_CHECK_SECONDS, one made here at once)."""

    def all_offices(self) -> dict[str, Office]: ...

    def version(self) -> int:
        """The catalogue version `all_services`/`all_offices` now reflect."""

    def get_service(self, service_id: str) -> Service | None:
        """As `get_office`: retired ones included."""

    def get_office(self, office_id: str) -> Office | None:
        """As `all_offices` has it once this container has loaded the catalogue, else read now (one
        point read: a request that names its office never pays the catalogue's first load)."""

    def save_all(self, entities: Iterable[Service | Office], progress: Callable[[int], None] | None = None,
                 by: str = "import") -> int:
        """Create or replace (bulk load); returns how many. One catalogue version for the whole load."""

    def change_office(self, office_id: str, change: Callable[[Office], Office | None], action: str, by: str,
                      at: str) -> tuple[Office, Office] | None:
        """Apply `change` to the office as stored now and write the result with the next catalogue
        version and its change record, atomically (re-read and re-applied when either moved on
        meanwhile). (before, after), the same twice when nothing changed; None: no such office."""

    def change_service(self, service_id: str, change: Callable[[Service], Service | None], action: str, by: str,
                       at: str) -> tuple[Service, Service] | None:
        """As `change_office`, for a service."""

    def add_service(self, service: Service, by: str, at: str) -> Service:
        """A new service, with its catalogue version; errors.Conflict when the id is taken."""

    def note_changed(self, office_ids: Iterable[str], action: str, by: str, at: str) -> int:
        """A catalogue version naming offices changed outside their declarations (tiers)."""

    def history(self, limit: int = 50, before: int | None = None,
                entity_id: str | None = None) -> list[CatalogueChange]:
        """Catalogue versions, newest first."""

    def calendar_corrections(self) -> dict[str, dict]:
        """ISO date -> {closed, name_en, name_fa, by}: the association's corrections of the calendar."""

    def save_calendar_correction(self, day: str, data: dict, stamp: str) -> None: ...

    def delete_calendar_correction(self, day: str) -> bool:
        """False when there was no correction that day."""

    def close_office_day(self, office_id: str, day: str, name_en: str, name_fa: str,
                         by: str = "office") -> bool | None:
        """Close the office on ISO `day` under these names: True when it was open before (closing
        again only renames), None when there is no such office."""

    def reopen_office_day(self, office_id: str, day: str, by: str = "office") -> bool:
        """Open the day again; False when it was not closed."""

    def cached(self, name: str, load: Callable[[], T]) -> T:
        """`load()`, kept per container under `name` for CATALOGUE_CACHE_SECONDS, then loaded
        again (data without a stamp; the stores' own stamped kinds: dal.catalogue_store.cached)."""

    def forget(self, name: str) -> None:
        """Drop what `cached` keeps under `name`, so the next read is fresh."""

    def clear_cache(self) -> None: ...
