"""The association's tariff book: its versions (the audit trail), one service's tariffs, a change
of one service's tariff from a later day on, and proposed books: kept, simulated on the recorded
volumes, adopted as a new version in a separate step."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.auth import AssociationStaff
from chalicelib.api.callers import ASSOCIATION_ADMIN, ASSOCIATION_STAFF
from chalicelib.api.http import Routes, lazy

if TYPE_CHECKING:
    from chalicelib.schemas import ProposalAdoptionIn, SimulationQuery, TariffChangeIn, TariffProposalIn

tariff_proposals = lazy("chalicelib.services.tariff_proposals")
tariffs = lazy("chalicelib.services.tariffs")

api = Routes(__name__, tag="association")


@api.get("/admin/tariffs", response="TariffBookOut", auth=ASSOCIATION_STAFF)
def tariff_book(caller: AssociationStaff):
    return tariffs.book_view()


@api.get("/admin/tariffs/{service_id}", response="ServiceTariffsOut", auth=ASSOCIATION_STAFF, problems=(404,))
def service_tariffs(service_id, caller: AssociationStaff):
    return tariffs.service_tariffs(service_id)


@api.put("/admin/tariffs/{service_id}", response="TariffChangeOut", auth=ASSOCIATION_ADMIN, body="TariffChangeIn",
         problems=(404, 409))
def change_tariff(service_id, caller: str, body: TariffChangeIn):
    return tariffs.change_service(service_id, body.model_dump(include={"government_rials", "office_rials",
                                                                       "share_base_rials"}),
                                  body.effective_from, body.expected_version, caller, body.reason)


@api.post("/admin/tariffs/proposals", response="TariffProposalOut", status=201, auth=ASSOCIATION_ADMIN,
          body="TariffProposalIn", problems=(404,))
def propose_tariffs(caller: str, body: TariffProposalIn):
    return tariff_proposals.propose(body.model_dump(mode="json"), caller)


@api.get("/admin/tariffs/proposals/{proposal_id}", response="TariffProposalOut", auth=ASSOCIATION_STAFF,
         problems=(404,))
def read_tariff_proposal(proposal_id, caller: AssociationStaff):
    return tariff_proposals.read(proposal_id)


@api.post("/admin/tariffs/proposals/{proposal_id}/simulate", response="TariffSimulationOut", auth=ASSOCIATION_ADMIN,
          query="SimulationQuery", problems=(404,))
def simulate_tariffs(proposal_id, caller: str, query: SimulationQuery):
    return tariff_proposals.simulate(proposal_id, query.months, query.viability_rials)


@api.post("/admin/tariffs/proposals/{proposal_id}/adopt", response="ProposalAdoptedOut", auth=ASSOCIATION_ADMIN,
          body="ProposalAdoptionIn", problems=(404, 409))
def adopt_tariff_proposal(proposal_id, caller: str, body: ProposalAdoptionIn):
    return tariff_proposals.adopt(proposal_id, body.expected_version, caller)
