"""The caches of read-mostly data on DynamoDB Local, as two containers see them: a change of
licences, the calendar, the tariff book or the configuration written by one is seen by the other
once CATALOGUE_CACHE_SECONDS have passed (not later), and a container whose kinds did not change
pays one GetItem of the version item for all of them. Each container's caches are the module
state of catalogue_store and accounts_store, swapped in and out."""
from __future__ import annotations

import contextlib
import uuid
from datetime import date, datetime

import pytest

from chalicelib import settings
from chalicelib.dal import accounts_store, catalogue_store, config_store, operator_store
from chalicelib.dal.db import connection
from chalicelib.domain import calendar
from chalicelib.domain import tariffs as t
from chalicelib.domain.catalogue import Service
from chalicelib.domain.ranking_live import OperatorRecord

TTL = 60
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=calendar.TEHRAN)
DAY = "2199-05-01"  # a far day no other test corrects


class Container:
    """What one container keeps: its caches, its last read of the version item, its catalogue view."""

    def __init__(self):
        self.cache, self.pointer, self.versions = {}, None, {}
        self.view = (None, {}, {}, False, float("-inf"))

    def _swap(self) -> None:
        """Exchange this container's state with the module's (so whoever ran before gets theirs back)."""
        view = catalogue_store._view
        module = (catalogue_store._cache, catalogue_store._pointer, dict(accounts_store._versions),
                  (view.version, view.offices, view.services, view.complete, view.checked))
        catalogue_store._cache, catalogue_store._pointer = self.cache, self.pointer
        accounts_store._versions.clear()
        accounts_store._versions.update(self.versions)
        view.version, view.offices, view.services, view.complete, view.checked = self.view
        self.cache, self.pointer, self.versions, self.view = module

    @contextlib.contextmanager
    def running(self):
        self._swap()
        try:
            yield self
        finally:
            self._swap()


@pytest.fixture()
def kept(network, monkeypatch):
    """Caches kept for a minute, as in a deployed stage (the test stage keeps nothing)."""
    monkeypatch.setenv("CATALOGUE_CACHE_SECONDS", str(TTL))
    monkeypatch.setenv("CATALOGUE_CHECK_SECONDS", "1")
    settings.get_settings.cache_clear()
    accounts_store.forget_cache()
    yield
    catalogue_store.clear_cache()
    accounts_store.forget_cache()
    monkeypatch.undo()
    settings.get_settings.cache_clear()


@pytest.fixture()
def calls():
    seen: list[str] = []
    events = connection().client.meta.events

    def count(model, **_):
        seen.append(model.name)

    events.register("before-call.dynamodb", count)
    yield seen
    events.unregister("before-call.dynamodb", count)


def operator(office_id: str, operator_id: str, expiry: date) -> OperatorRecord:
    return OperatorRecord(operator_id, office_id, "LC-123456", expiry, 40, True, NOW.isoformat(), "manager:mgr-1")


def book_version(number: int, rials: int) -> t.BookVersion:
    return t.BookVersion(number, date(2026, 12, 1), {"S0001": t.TariffLine(100_000, rials, rials)}, "admin-1",
                         NOW.isoformat(), "test")


def what_a_booking_reads(office_id: str, config: str):
    return (operator_store.licence_expiries(office_id), catalogue_store.calendar_corrections().get(DAY),
            accounts_store.book_head(), (adopted := config_store.current(config)) and adopted.number)


def test_a_change_in_one_container_is_seen_by_the_other_within_the_period(kept):
    office, config = f"OF-{uuid.uuid4().hex[:8]}", f"test-{uuid.uuid4().hex[:8]}"
    operator_store.save(operator(office, "U1", date(2027, 3, 1)))
    head = accounts_store.book_head(cached=False)
    catalogue_store.clear_cache()
    a, b = Container(), Container()
    with a.running():
        before = what_a_booking_reads(office, config)
    assert before == ((date(2027, 3, 1),), None, head, None)
    with b.running():  # another container: the operator's licence, a corrected day, a tariff, a configuration
        operator_store.save(operator(office, "U2", date(2026, 12, 20)))
        catalogue_store.save_calendar_correction(DAY, {"closed": True, "name_en": "T", "name_fa": "آ", "by": "t"},
                                                 NOW.isoformat())
        accounts_store.adopt_versions([book_version(head + 1, 600_000)], head)
        config_store.adopt(config, {"share": 40}, 0, "admin-1", NOW)
    after = ((date(2026, 12, 20), date(2027, 3, 1)), {"closed": True, "name_en": "T", "name_fa": "آ", "by": "t"},
             head + 1, 1)
    with a.running():
        assert what_a_booking_reads(office, config) == before  # within the period: as it was
        catalogue_store.age(TTL / 2)
        assert what_a_booking_reads(office, config) == before
        catalogue_store.age(TTL / 2)  # the period has passed
        assert what_a_booking_reads(office, config) == after
    with b.running():  # the writer saw its own changes at once
        assert what_a_booking_reads(office, config) == after
    catalogue_store.delete_calendar_correction(DAY)
    with a.running():
        catalogue_store.age(TTL)
        assert catalogue_store.calendar_corrections().get(DAY) is None


def test_unchanged_kinds_cost_one_read_of_the_version_item(kept, calls):
    office, config = f"OF-{uuid.uuid4().hex[:8]}", f"test-{uuid.uuid4().hex[:8]}"
    operator_store.save(operator(office, "U1", date(2027, 3, 1)))
    config_store.adopt(config, {"share": 40}, 0, "admin-1", NOW)
    catalogue_store.clear_cache()
    first = what_a_booking_reads(office, config)
    calls.clear()
    catalogue_store.age(TTL)
    assert what_a_booking_reads(office, config) == first
    assert calls == ["GetItem"]  # CATALOGUE/CURRENT, not the four kinds
    other = f"OF-{uuid.uuid4().hex[:8]}"  # meanwhile a licence changed elsewhere: that kind alone is read
    with Container().running():
        operator_store.save(operator(other, "U1", date(2027, 1, 1)))
    calls.clear()
    catalogue_store.age(TTL)
    assert what_a_booking_reads(office, config) == first
    assert calls == ["GetItem", "Query"]


def stamps() -> dict[str, int]:
    return catalogue_store._pointer_item()[1]


def test_every_writer_moves_its_kind_and_a_catalogue_change_keeps_the_stamps(kept):
    office = f"OF-{uuid.uuid4().hex[:8]}"
    moves = []

    def moved(write):
        before = stamps()
        write()
        after = stamps()
        moves.append({k for k in after if after[k] != before.get(k, 0)})

    moved(lambda: operator_store.save(operator(office, "U1", date(2027, 3, 1))))
    moved(lambda: operator_store.save_all([operator(office, "U2", date(2027, 3, 1))]))
    moved(lambda: operator_store.delete(office, "U2"))
    moved(lambda: catalogue_store.save_calendar_correction(DAY, {"closed": True}, NOW.isoformat()))
    moved(lambda: catalogue_store.delete_calendar_correction(DAY))
    moved(lambda: config_store.adopt(f"test-{office}", {"share": 40}, 0, "admin-1", NOW))
    head = accounts_store.book_head(cached=False)
    moved(lambda: accounts_store.adopt_versions([book_version(head + 1, 700_000)], head))
    assert moves == [{"licences"}] * 3 + [{"calendar"}] * 2 + [{"config"}, {"tariffs"}]
    before = stamps()
    catalogue_store.add_service(Service(f"S-{office}", category="petitions", name_en="x", name_fa="ی",
                                        mode="remote_allowed", duration_min=15, tariff_rials=1), "admin", "now")
    assert stamps() == before and catalogue_store._pointer_item()[0] > 0
    assert operator_store.delete(office, "U2") is False  # nothing to delete: no stamp moved
    assert catalogue_store.delete_calendar_correction(DAY) is False
    assert stamps() == before
