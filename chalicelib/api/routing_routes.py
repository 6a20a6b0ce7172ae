"""Load-based routing: office suggestions for citizens (public) and the routing parameters the
association adopts (JWT bearer, role `association`)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.auth import association_admin_from
from chalicelib.api.http import body, handled, header, json_response, query
from chalicelib.schemas import RoutingParamsChange, SuggestionQuery
from chalicelib.services import router

bp = Blueprint(__name__)


def _admin() -> str:
    return association_admin_from(header(bp, "Authorization"))


@bp.route("/v1/suggestions", methods=["GET"])
@handled(bp)
def suggestions():
    q = query(bp, SuggestionQuery, ("service", "mode", "lat", "lon", "city", "limit"))
    return json_response(router.suggest(q.service, q.mode, q.lat, q.lon, q.city, q.limit))


@bp.route("/v1/admin/routing/params", methods=["GET"])
@handled(bp)
def routing_params():
    _admin()
    return json_response(router.params_view())


@bp.route("/v1/admin/routing/params", methods=["PUT"])
@handled(bp)
def adopt_routing_params():
    admin = _admin()
    req = body(bp, RoutingParamsChange)
    return json_response(router.adopt_params(req.changes, req.expected_number, admin))
