"""The tariff revision simulator on the fakes: a proposal is kept, replayed on the recorded
volumes beside today's book, and adopted once as the next version."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import ranking_live
from chalicelib.domain.tariffs import fee_record, seed_line
from chalicelib.errors import Conflict, InvalidInput
from chalicelib.services import catalogue, tariff_proposals, tariffs
from tests.fakes.config import FakeConfigStore
from tests.fakes.ranking import FakeRankingStore
from tests.unit.services.conftest import NOW


@pytest.fixture()
def fakes(fakes):
    from chalicelib.services.stores import stores
    with stores.use(ranking=FakeRankingStore(fakes["catalogue"]), config=FakeConfigStore()):
        yield fakes


def record_volumes(accounts, months: list[str]) -> None:
    """OF-A delivers 10 of S0001 a month, OF-B 2 (as completions would have recorded them)."""
    for period in months:
        for office, n in (("OF-A", 10), ("OF-B", 2)):
            for k in range(n):
                accounts.record_fee(fee_record(f"booking:{period}{office}{k}", office_id=office, province="P",
                                               service_id="S0001", tariff=None, version=1, line=seed_line(500_000),
                                               channel="web", period=period, at=NOW, subject=f"B{k}", actor="op"),
                                    access_code_hash=None, citizen_key="ck")


def test_a_proposal_is_simulated_on_recorded_volumes_and_adopted_once(fakes):
    months = tariff_proposals.recorded_months(NOW, 3)
    record_volumes(fakes["accounts"], months)
    made = tariff_proposals.propose({"rules": [{"percent": "10", "category": "petitions", "deprived_only": False}],
                                     "lines": {}, "effective_from": (NOW.date() + timedelta(days=2)).isoformat(),
                                     "reason": "بازنگری"}, "admin-1", NOW)
    sim = tariff_proposals.simulate(made["proposal_id"], 3, 4_000_000, NOW)
    assert sim["services_delivered"] == 36 and sim["adopted"] is False
    # OF-A: 10 × 500,000 a month less 10 % → 4.5 M; proposed: 10 × 550,000 less 10 % → 4.95 M
    assert (sim["today"]["association_monthly_rials"], sim["proposed"]["association_monthly_rials"]) == (
        600_000, 660_000)
    assert sim["today"]["below_viability_share"] == 0.5 and sim["proposed"]["below_viability_share"] == 0.5
    assert max(sim["today"]["deciles_rials"]) <= 4_500_000 < max(sim["proposed"]["deciles_rials"])
    assert fakes["accounts"].versions == []  # nothing adopted by simulating
    adopted = tariff_proposals.adopt(made["proposal_id"], 1, "admin-1", NOW)
    assert adopted["version"] == 2
    later = NOW.date() + timedelta(days=2)
    s1 = catalogue.get_service("S0001")
    assert tariffs.tariff_on(s1, later).line.office_rials == 550_000
    assert tariffs.tariff_on(s1, NOW.date()).line.office_rials == 500_000
    with pytest.raises(Conflict):
        tariff_proposals.adopt(made["proposal_id"], 2, "admin-1", NOW)
    assert ranking_live.period_of(NOW) not in months


def test_a_deprived_area_rule_is_simulated_but_not_adopted_as_one_line(fakes):
    made = tariff_proposals.propose({"rules": [{"percent": "20", "category": None, "deprived_only": True}],
                                     "lines": {}, "effective_from": (NOW.date() + timedelta(days=2)).isoformat()},
                                    "admin-1", NOW)
    assert tariff_proposals.simulate(made["proposal_id"], 1, 0, NOW)["services_delivered"] == 0
    with pytest.raises(InvalidInput):
        tariff_proposals.adopt(made["proposal_id"], 1, "admin-1", NOW)
