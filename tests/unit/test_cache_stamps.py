"""The per-container caches of read-mostly data (catalogue_store.cached): a kind with a stamp is
renewed by one read of the version item when its period has passed, and loaded again only when a
writer moved its stamp; a kind without one is loaded again. The version item is a fake here that
counts its reads; the loads count theirs."""
import pytest

from chalicelib import settings
from chalicelib.dal import catalogue_store

TTL = 60


class FakeVersionItem:
    def __init__(self):
        self.number, self.stamps, self.reads = 0, {}, 0

    def __call__(self):
        self.reads += 1
        return self.number, dict(self.stamps)


class Loads:
    def __init__(self, value="v1"):
        self.value, self.count = value, 0

    def __call__(self):
        self.count += 1
        return self.value


@pytest.fixture()
def item(monkeypatch):
    monkeypatch.setenv("CATALOGUE_CACHE_SECONDS", str(TTL))
    monkeypatch.setenv("CATALOGUE_CHECK_SECONDS", "1")
    settings.get_settings.cache_clear()
    fake = FakeVersionItem()
    monkeypatch.setattr(catalogue_store, "_pointer_item", fake)
    catalogue_store.clear_cache()
    yield fake
    catalogue_store.clear_cache()
    monkeypatch.undo()
    settings.get_settings.cache_clear()


def test_within_the_period_nothing_is_read(item):
    load = Loads()
    assert catalogue_store.cached("calendar", load, kind="calendar") == "v1"
    catalogue_store.age(TTL - 2)
    assert catalogue_store.cached("calendar", load, kind="calendar") == "v1"
    assert load.count == 1 and item.reads == 1  # the first load read the stamp it carries


def test_an_unchanged_kind_is_renewed_by_one_read_of_the_version_item(item):
    calendar, licences, config = Loads(), Loads(("2030-01-01",)), Loads({"share": 30})
    catalogue_store.cached("calendar", calendar, kind="calendar")
    catalogue_store.cached("licences:OF-1", licences, kind="licences")
    catalogue_store.cached("config:channels", config, kind="config")
    assert item.reads == 1  # the three first loads share one read of the version item
    catalogue_store.age(TTL + 5)
    assert catalogue_store.cached("calendar", calendar, kind="calendar") == "v1"
    assert catalogue_store.cached("licences:OF-1", licences, kind="licences") == ("2030-01-01",)
    assert catalogue_store.cached("config:channels", config, kind="config") == {"share": 30}
    assert (calendar.count, licences.count, config.count) == (1, 1, 1)
    assert item.reads == 2  # one read renewed all three
    catalogue_store.age(TTL - 2)  # the renewal dates from that read: still within the period
    catalogue_store.cached("calendar", calendar, kind="calendar")
    assert item.reads == 2 and calendar.count == 1


def test_a_moved_stamp_loads_that_kind_again_and_only_that_kind(item):
    calendar, licences = Loads("before"), Loads(("2030-01-01",))
    catalogue_store.cached("calendar", calendar, kind="calendar")
    catalogue_store.cached("licences:OF-1", licences, kind="licences")
    item.stamps["calendar"] = 1  # another container corrected a day
    calendar.value = "after"
    assert catalogue_store.cached("calendar", calendar, kind="calendar") == "before"  # within the period
    catalogue_store.age(TTL)
    assert catalogue_store.cached("calendar", calendar, kind="calendar") == "after"
    assert catalogue_store.cached("licences:OF-1", licences, kind="licences") == ("2030-01-01",)
    assert (calendar.count, licences.count, item.reads) == (2, 1, 2)
    catalogue_store.age(TTL)
    assert catalogue_store.cached("calendar", calendar, kind="calendar") == "after"
    assert calendar.count == 2  # the new value carries the new stamp: not loaded a third time


def test_a_kind_without_a_stamp_is_loaded_again_after_its_period(item):
    rows = Loads()
    catalogue_store.cached("ranking:R1", rows)
    catalogue_store.age(TTL)
    catalogue_store.cached("ranking:R1", rows)
    assert rows.count == 2 and item.reads == 0


def test_an_old_read_of_the_version_item_is_not_reused(item):
    calendar = Loads()
    catalogue_store.cached("calendar", calendar, kind="calendar")
    catalogue_store.age(TTL)  # the entry and the read of the version item are both a period old
    catalogue_store.cached("calendar", calendar, kind="calendar")
    assert item.reads == 2  # read again, not taken from the old read
    item.stamps["calendar"] = 3
    catalogue_store.age(0.5)  # the last read is half a check interval old: shared
    catalogue_store.cached("licences:OF-1", Loads(), kind="licences")
    assert item.reads == 2
    catalogue_store.age(TTL)
    assert catalogue_store.cached("calendar", calendar, kind="calendar") == "v1" and calendar.count == 2


def test_the_catalogue_check_and_the_cache_checks_share_one_read(item):
    calendar = Loads()
    catalogue_store._fresh(whole=False)  # a request's catalogue check (a booking reads its office first)
    catalogue_store.cached("calendar", calendar, kind="calendar")
    assert item.reads == 1
    catalogue_store.age(TTL)
    catalogue_store._fresh(whole=False)
    catalogue_store.cached("calendar", calendar, kind="calendar")
    assert item.reads == 2 and calendar.count == 1


def test_forgetting_and_clearing(item):
    calendar = Loads()
    catalogue_store.cached("calendar", calendar, kind="calendar")
    catalogue_store.forget("calendar")  # this container wrote it: read at once
    catalogue_store.cached("calendar", calendar, kind="calendar")
    assert calendar.count == 2
    catalogue_store.clear_cache()  # forget everything, the version item's read too
    catalogue_store.cached("calendar", calendar, kind="calendar")
    assert calendar.count == 3 and item.reads == 2


def test_a_period_of_zero_keeps_nothing(item, monkeypatch):
    monkeypatch.setenv("CATALOGUE_CACHE_SECONDS", "0")
    settings.get_settings.cache_clear()
    calendar = Loads()
    catalogue_store.cached("calendar", calendar, kind="calendar")
    catalogue_store.cached("calendar", calendar, kind="calendar")
    assert calendar.count == 2 and item.reads == 0


def test_a_containers_own_catalogue_change_makes_it_read_the_version_item_anew(item):
    catalogue_store._fresh(whole=False)  # version 0, and a read of the version item kept
    item.number = 1
    catalogue_store._applied(1)  # this container wrote version 1: the kept read is from before it
    calendar = Loads()
    catalogue_store.cached("calendar", calendar, kind="calendar")
    assert item.reads == 2 and catalogue_store._view.version == 1
