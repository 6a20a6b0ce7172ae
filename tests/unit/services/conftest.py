"""Use cases on the in-memory stores: no database, no moto. Each test gets fresh fakes swapped
into the store registry, and a small network: two offices, a few services."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.domain import calendar
from chalicelib.domain.catalogue import Office, Service
from chalicelib.services.stores import stores
from tests.fakes.accounts import FakeAccountsStore
from tests.fakes.booking import FakeBookingStore
from tests.fakes.catalogue import FakeCatalogueStore
from tests.fakes.config import FakeConfigStore
from tests.fakes.desk import FakeDeskStore
from tests.fakes.idempotency import FakeIdempotencyStore
from tests.integration import fixtures
from tests.integration.fixtures import at, mobile, national_id  # noqa: F401 - the tests' citizens, one definition

HOURS = {day: [["08:00", "12:00"]] for day in ("sat", "sun", "mon", "tue", "wed", "thu")}
SERVICES = [
    *fixtures.SERVICES,
    Service("S0005", category="petitions", name_en="Withdrawn petition form", name_fa="فرم منسوخ",
            mode="in_person", duration_min=15, tariff_rials=100_000, active=False),
]
CATEGORIES = frozenset({"petitions", "sana", "consulting", "notices"})
OFFICES = [
    Office("OF-A", name_en="Office A", name_fa="دفتر الف", province="Tehran", province_fa="تهران", city="Tehran",
           city_fa="تهران", lat=35.7, lon=51.4, counters=3, hours=HOURS, offered_categories=CATEGORIES),
    Office("OF-B", name_en="Office B", name_fa="دفتر ب", province="Alborz", province_fa="البرز", city="Karaj",
           city_fa="کرج", lat=35.8, lon=51.0, counters=1, hours=HOURS, offered_categories=CATEGORIES,
           not_offered=frozenset({"S0004"})),
]


class Registry:
    """No licensed-operator registry: every installed counter takes bookings."""

    def licence_expiries(self, office_id: str, *, fresh: bool = False) -> tuple[date, ...]:
        return ()

    def all_operators(self) -> dict:
        return {}


@pytest.fixture()
def fakes():
    accounts = FakeAccountsStore()
    booking_store = FakeBookingStore(accounts=accounts)
    found = {"catalogue": FakeCatalogueStore([*SERVICES, *OFFICES]), "bookings": booking_store,
             "desk": FakeDeskStore(booking_store), "idempotency": FakeIdempotencyStore(), "operators": Registry(),
             "config": FakeConfigStore(), "accounts": accounts}
    with stores.use(**found):
        yield found


@pytest.fixture()
def book_store(fakes) -> FakeBookingStore:
    return fakes["bookings"]


NOW = calendar.now_tehran().replace(hour=10, minute=0, second=0, microsecond=0)


def open_day(skip: int = 0, after: date | None = None) -> date:
    """An open day after `after` (default today): inside the booking window for small `skip`."""
    day, found = (after or NOW.date()) + timedelta(days=1), 0
    while True:
        if calendar.opening_intervals(day, HOURS):
            if found == skip:
                return day
            found += 1
        day += timedelta(days=1)


