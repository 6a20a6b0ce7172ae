"""The store registry: real stores by default, fakes swapped in and restored."""
import pytest

from chalicelib.services.stores import REAL, Stores


def test_real_store_is_the_data_layer_module():
    from chalicelib.dal import catalogue_store
    assert Stores().catalogue is catalogue_store


def test_use_swaps_and_restores():
    registry, fake = Stores(), object()
    real = registry.bookings
    with registry.use(bookings=fake):
        assert registry.bookings is fake
    assert registry.bookings is real


def test_use_refuses_an_unknown_store():
    with pytest.raises(ValueError), Stores().use(nonsense=object()):
        pass


def test_every_real_store_imports():
    registry = Stores()
    for name in REAL:
        assert getattr(registry, name).__name__ == REAL[name]
