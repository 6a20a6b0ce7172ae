"""The stores and their fakes offer what their Protocols declare, with the same parameters: the
services can be given either."""
from __future__ import annotations

import importlib
import inspect

import pytest

from chalicelib.services.ports.accounts import AccountsStore
from chalicelib.services.ports.citizens import CitizenStore
from chalicelib.services.ports.config import ConfigStore
from chalicelib.services.ports.desk import DeskStore
from chalicelib.services.ports.documents import DocumentStore
from chalicelib.services.ports.limits import LimitStore
from chalicelib.services.ports.load import LoadStore
from chalicelib.services.ports.operators import OperatorStore
from chalicelib.services.ports.outbox import OutboxStore
from chalicelib.services.ports.partners import PartnerStore
from chalicelib.services.ports.ranking import RankingStore
from chalicelib.services.ports.remote import CounterStore, RequestStore
from tests.fakes.accounts import FakeAccountsStore
from tests.fakes.citizens import FakeCitizenStore
from tests.fakes.config import FakeConfigStore
from tests.fakes.desk import FakeDeskStore
from tests.fakes.documents import FakeDocumentStore
from tests.fakes.limits import FakeLimitStore
from tests.fakes.load import FakeLoadStore
from tests.fakes.operators import FakeOperatorStore
from tests.fakes.outbox import FakeOutboxStore
from tests.fakes.partners import FakePartnerStore
from tests.fakes.ranking import FakeRankingStore
from tests.fakes.remote import FakeCounterStore, FakeRequestStore

PORTS = [(LoadStore, "chalicelib.dal.load_store", FakeLoadStore),
         (AccountsStore, "chalicelib.dal.accounts_store", FakeAccountsStore),
         (RankingStore, "chalicelib.dal.ranking_store", FakeRankingStore),
         (OperatorStore, "chalicelib.dal.operator_store", FakeOperatorStore),
         (ConfigStore, "chalicelib.dal.config_store", FakeConfigStore),
         (RequestStore, "chalicelib.dal.request_store", FakeRequestStore),
         (CounterStore, "chalicelib.dal.load_store", FakeCounterStore),
         (PartnerStore, "chalicelib.dal.partner_store", FakePartnerStore),
         (OutboxStore, "chalicelib.dal.outbox_store", FakeOutboxStore),
         (DocumentStore, "chalicelib.dal.document_store", FakeDocumentStore),
         (CitizenStore, "chalicelib.dal.citizen_store", FakeCitizenStore),

         (LimitStore, "chalicelib.dal.limit_store", FakeLimitStore),
         (DeskStore, "chalicelib.dal.desk_store", FakeDeskStore)]


def _parameters(fn) -> list[tuple[str, object, object]]:
    params = [p for p in inspect.signature(inspect.unwrap(fn)).parameters.values() if p.name != "self"]
    return [(p.name, p.kind, p.default) for p in params]


def _members(port) -> list[str]:
    return [name for name, value in vars(port).items() if not name.startswith("_") and callable(value)]


@pytest.mark.parametrize(("port", "module", "fake"), PORTS, ids=lambda v: getattr(v, "__name__", v))
def test_the_store_and_its_fake_offer_what_the_port_declares(port, module, fake):
    real = importlib.import_module(module)
    assert _members(port)
    for name in _members(port):
        declared = _parameters(getattr(port, name))
        assert _parameters(getattr(real, name)) == declared, f"{module}.{name}"
        assert _parameters(getattr(fake, name)) == declared, f"{fake.__name__}.{name}"
