"""The office ranking: public outputs (the ranking table, an office's scorecard, the equity
report, the policy in force) and the association's routes (complaints and inspections,
statements, the policy simulator, adopting a policy)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.auth import association_admin_from
from chalicelib.api.http import ANY_CONTENT, body, handled, header, json_response, query
from chalicelib.ranking_schemas import (
    ComplaintsIn,
    InspectionIn,
    PolicyAdoption,
    RankingQuery,
    Simulation,
    StatementQuery,
)
from chalicelib.services import ranking

bp = Blueprint(__name__)


def _admin() -> str:
    return association_admin_from(header(bp, "Authorization"))


@bp.route("/v1/ranking", methods=["GET"])
@handled(bp)
def ranking_table():
    q = query(bp, RankingQuery, ("province", "month"))
    return json_response(ranking.ranking_table(q.province, q.month))


@bp.route("/v1/offices/{office_id}/scorecard", methods=["GET"])
@handled(bp)
def office_scorecard(office_id):
    return json_response(ranking.scorecard(office_id))


@bp.route("/v1/reports/equity", methods=["GET"])
@handled(bp)
def equity_report():
    return json_response(ranking.equity_report(query(bp, RankingQuery, ("province",)).province))


@bp.route("/v1/admin/ranking/offices/{office_id}/complaints", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def record_complaints(office_id):
    admin = _admin()
    req = body(bp, ComplaintsIn)
    return json_response(ranking.record_complaints(office_id, req.month, req.upheld, req.reference, admin))


@bp.route("/v1/admin/ranking/offices/{office_id}/inspections", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def record_inspection(office_id):
    admin = _admin()
    req = body(bp, InspectionIn)
    return json_response(ranking.record_inspection(office_id, req.date, req.score, req.reference, admin))


@bp.route("/v1/admin/ranking/statements", methods=["GET"])
@handled(bp)
def ranking_statements():
    _admin()
    q = query(bp, StatementQuery, ("month", "office_id"))
    return json_response(ranking.statements(q.month, q.office_id))


@bp.route("/v1/admin/ranking/simulate", methods=["POST"], content_types=ANY_CONTENT)
@handled(bp)
def simulate_ranking_policy():
    _admin()
    req = body(bp, Simulation)
    return json_response(ranking.simulate(req.model_dump(exclude={"month"}), req.month))


@bp.route("/v1/admin/ranking/policy", methods=["GET"])
@handled(bp)
def ranking_policy():
    _admin()
    return json_response(ranking.current_policy())


@bp.route("/v1/admin/ranking/policy", methods=["PUT"], content_types=ANY_CONTENT)
@handled(bp)
def adopt_ranking_policy():
    admin = _admin()
    req = body(bp, PolicyAdoption)
    return json_response(ranking.adopt_policy(req.model_dump(exclude={"expected_number"}), req.expected_number, admin))
