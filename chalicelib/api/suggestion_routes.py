"""Load-based routing: office suggestions for citizens (public) and the routing parameters the
association adopts (JWT bearer, role `association`)."""
from __future__ import annotations

from chalicelib.api.callers import ASSOCIATION_ADMIN
from chalicelib.api.http import Routes
from chalicelib.schemas import RoutingParamsChangeIn, RoutingParamsOut, SuggestionQuery, SuggestionSetOut
from chalicelib.services import router

api = Routes(__name__, tag="routing")


@api.get("/suggestions", response=SuggestionSetOut, query=SuggestionQuery, problems=(404, 409))
def suggestions(query: SuggestionQuery):
    return router.suggest(query.service, query.mode, query.lat, query.lon, query.city, query.limit)


@api.get("/admin/routing/params", response=RoutingParamsOut, tag="association", auth=ASSOCIATION_ADMIN)
def routing_params(caller: str):
    return router.params_view()


@api.put("/admin/routing/params", response=RoutingParamsOut, tag="association", auth=ASSOCIATION_ADMIN,
         body=RoutingParamsChangeIn, problems=(409,))
def adopt_routing_params(caller: str, body: RoutingParamsChangeIn):
    return router.adopt_params(body.changes, body.expected_number, caller)
