"""Where the use cases find their data: one registry of stores.

In the running app each store is a data-layer module of `chalicelib/dal/` (its functions take
and return domain objects and satisfy the store's `typing.Protocol` in
`chalicelib/services/ports/`). Unit tests swap in the in-memory fakes of `tests/fakes/`, which
honour the same conditions, with `stores.use(bookings=FakeBookingStore(), ...)`. Services write
`stores.bookings.book(...)` and never import PynamoDB or `chalicelib.dal.models`."""
from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any

# store name -> the data-layer module that implements it in the running app
REAL = {
    "catalogue": "chalicelib.dal.catalogue_store",
    "bookings": "chalicelib.dal.booking_store",
    "outbox": "chalicelib.dal.outbox_store",
    "requests": "chalicelib.dal.request_store",
    "load": "chalicelib.dal.load_store",
    "partners": "chalicelib.dal.partner_store",
    "ranking": "chalicelib.dal.ranking_store",
    "operators": "chalicelib.dal.operator_store",
    "config": "chalicelib.dal.config_store",
    "idempotency": "chalicelib.dal.idempotency",
    "changes": "chalicelib.dal.changes",
    "documents": "chalicelib.dal.document_store",
    "citizens": "chalicelib.dal.citizen_store",
    "limits": "chalicelib.dal.limit_store",
    "waitlist": "chalicelib.dal.waitlist_store",
    "desk": "chalicelib.dal.desk_store",
    "accounts": "chalicelib.dal.accounts_store",
    "appeals": "chalicelib.dal.appeal_store",
}


class Stores:
    """Attribute access gives the store in force; real stores are imported on first use, so a
    unit test that swaps every store it needs never imports the data layer's clients."""

    def __getattr__(self, name: str) -> Any:
        if name not in REAL:
            raise AttributeError(name)
        store = importlib.import_module(REAL[name])
        setattr(self, name, store)
        return store

    @contextlib.contextmanager
    def use(self, **swapped: Any) -> Iterator[Stores]:
        """Swap stores for the duration of the block (unit tests: the in-memory fakes)."""
        unknown = set(swapped) - set(REAL)
        if unknown:
            raise ValueError(f"unknown stores: {sorted(unknown)}")
        before = {name: self.__dict__.get(name) for name in swapped}
        self.__dict__.update(swapped)
        try:
            yield self
        finally:
            for name, store in before.items():
                if store is None:
                    self.__dict__.pop(name, None)
                else:
                    self.__dict__[name] = store


stores = Stores()
