"""A small network on the in-memory fakes for the service-layer unit tests: offices, services,
and every store swapped, so a use case that reaches for a store nobody gave it fails loudly
instead of reaching for a database."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime

from chalicelib.domain import calendar
from chalicelib.domain.catalogue import Office, Service
from chalicelib.services.stores import REAL, stores
from tests.fakes.accounts import FakeAccountsStore
from tests.fakes.catalogue import FakeCatalogueStore
from tests.fakes.config import FakeConfigStore
from tests.fakes.desk import FakeDeskStore
from tests.fakes.load import FakeLoadStore
from tests.fakes.operators import FakeOperatorStore
from tests.fakes.ranking import FakeRankingStore

HOURS = {day: [["08:00", "14:00"]] for day in ("sat", "sun", "mon", "tue", "wed")}
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=calendar.TEHRAN)  # a Tuesday, offices open 08:00-14:00

SERVICES = {
    "S-PET": Service("S-PET", "petitions", "Petition filing", "ثبت دادخواست", "remote_allowed", 15, 500_000),
    "S-SANA": Service("S-SANA", "sana", "SANA registration", "ثبت‌نام ثنا", "in_person", 30, 300_000),
    "S-CALL": Service("S-CALL", "consulting", "Legal consulting", "مشاوره حقوقی", "remote_only", 30, 1_000_000),
}


def office(office_id: str, lat: float = 35.70, lon: float = 51.40, counters: int = 2, **extra) -> Office:
    fields = {"name_en": f"Office {office_id}", "name_fa": f"دفتر {office_id}", "province": "Tehran",
              "province_fa": "تهران", "city": "Tehran", "city_fa": "تهران", "lat": lat, "lon": lon,
              "counters": counters, "hours": HOURS,
              "offered_categories": frozenset({"petitions", "sana", "consulting"})}
    return Office(office_id, **(fields | extra))


class NoStore:
    """A store no test gave: touching it is a test bug (a real one would reach for DynamoDB)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str):
        raise AssertionError(f"the use case reached the {self._name} store ({attr}) the test did not give it")


class Bookings:
    """The booking store's reads these use cases make: seats taken and bookings per office day."""

    def __init__(self, per_office_day: dict[str, int] | None = None) -> None:
        self.per_office_day = per_office_day or {}

    def taken_seats(self, office_id: str, day: date, now: datetime, *, consistent: bool = False) -> dict:
        return {}

    def office_day_counts(self, office_ids: list[str], day: date) -> dict[str, int]:
        return {o: n for o, n in self.per_office_day.items() if o in office_ids}


@contextlib.contextmanager
def fake_network(offices: list[Office], **given) -> Iterator[dict]:
    """Every store swapped: the fakes of this capability (or those `given`), NoStore elsewhere."""
    catalogue = given.pop("catalogue", None) or FakeCatalogueStore([*SERVICES.values(), *offices])
    swapped = {name: NoStore(name) for name in REAL}
    swapped.update(catalogue=catalogue, load=FakeLoadStore(), config=FakeConfigStore(), operators=FakeOperatorStore(),
                   ranking=FakeRankingStore(catalogue), bookings=Bookings(), changes=stores.changes,
                   desk=FakeDeskStore(), accounts=FakeAccountsStore())
    swapped.update(given)
    with stores.use(**swapped):
        yield swapped
