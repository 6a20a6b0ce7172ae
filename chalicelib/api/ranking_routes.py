"""The office ranking: public outputs (the ranking table, an office's scorecard, the equity
report) and the association's routes (complaints and inspections, statements, the policy
simulator, the policy in force and adopting a new one)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.auth import AssociationStaff
from chalicelib.api.callers import ASSOCIATION_ADMIN, ASSOCIATION_STAFF
from chalicelib.api.http import Routes, lazy

if TYPE_CHECKING:
    from chalicelib.schemas import (
        ComplaintsIn,
        EquityQuery,
        InspectionIn,
        PolicyAdoptionIn,
        PolicySimulationIn,
        RankingQuery,
        StatementQuery,
    )

ranking = lazy("chalicelib.services.ranking")

api = Routes(__name__, tag="ranking")


@api.get("/ranking", response="RankingTableOut", query="RankingQuery", problems=(404,))
def ranking_table(query: RankingQuery):
    return ranking.ranking_table(query.province, query.month)


@api.get("/offices/{office_id}/scorecard", response="ScorecardOut", problems=(404,))
def office_scorecard(office_id):
    return ranking.scorecard(office_id)


@api.get("/reports/equity", response="EquityReportOut", query="EquityQuery", problems=(404,))
def equity_report(query: EquityQuery):
    return ranking.equity_report(query.province)


# The ranking inputs and statements: the association, or a provincial representative for the
# offices of their province (the use case answers 404 outside it).
@api.post("/admin/ranking/offices/{office_id}/complaints", response="ComplaintsRecordedOut", tag="association",
          auth=ASSOCIATION_STAFF, body="ComplaintsIn", problems=(404,))
def record_complaints(office_id, caller: AssociationStaff, body: ComplaintsIn):
    return ranking.record_complaints(office_id, body.month, body.upheld, body.reference, caller.user_id,
                                     province=caller.province)


@api.post("/admin/ranking/offices/{office_id}/inspections", response="InspectionRecordedOut", tag="association",
          auth=ASSOCIATION_STAFF, body="InspectionIn", problems=(404,))
def record_inspection(office_id, caller: AssociationStaff, body: InspectionIn):
    return ranking.record_inspection(office_id, body.date, body.score, body.reference, caller.user_id,
                                     province=caller.province)


@api.get("/admin/ranking/statements", response="StatementsOut", tag="association", auth=ASSOCIATION_STAFF,
         query="StatementQuery", problems=(404,))
def ranking_statements(caller: AssociationStaff, query: StatementQuery):
    return ranking.statements(query.month, query.office_id, province=caller.province)


@api.post("/admin/ranking/simulate", response="SimulationResultOut", tag="association", auth=ASSOCIATION_ADMIN,
          body="PolicySimulationIn", problems=(404,))
def simulate_ranking_policy(caller: str, body: PolicySimulationIn):
    return ranking.simulate(body.model_dump(exclude={"month"}), body.month)


@api.get("/admin/ranking/policy", response="RankingPolicyOut", tag="association", auth=ASSOCIATION_ADMIN)
def ranking_policy(caller: str):
    return ranking.current_policy()


@api.put("/admin/ranking/policy", response="RankingPolicyOut", tag="association", auth=ASSOCIATION_ADMIN,
         body="PolicyAdoptionIn", problems=(409,))
def adopt_ranking_policy(caller: str, body: PolicyAdoptionIn):
    return ranking.adopt_policy(body.model_dump(exclude={"expected_number"}), body.expected_number, caller)
