"""Load-based routing: office suggestions for citizens (public) and the routing parameters the
association adopts (JWT bearer, role `association`), and the national remote queue's length
through a day for the association's staff."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.auth import AssociationStaff
from chalicelib.api.callers import ASSOCIATION_ADMIN, ASSOCIATION_STAFF
from chalicelib.api.http import Routes, lazy

if TYPE_CHECKING:
    from chalicelib.schemas import DayQuery, RoutingParamsChangeIn, SuggestionQuery

router = lazy("chalicelib.services.router")

api = Routes(__name__, tag="routing")


@api.get("/suggestions", response="SuggestionSetOut", query="SuggestionQuery", problems=(404, 409))
def suggestions(query: SuggestionQuery):
    return router.suggest(query.service, query.mode, query.lat, query.lon, query.city, query.limit)


@api.get("/admin/routing/params", response="RoutingParamsOut", tag="association", auth=ASSOCIATION_ADMIN)
def routing_params(caller: str):
    return router.params_view()


@api.put("/admin/routing/params", response="RoutingParamsOut", tag="association", auth=ASSOCIATION_ADMIN,
         body="RoutingParamsChangeIn", problems=(409,))
def adopt_routing_params(caller: str, body: RoutingParamsChangeIn):
    return router.adopt_params(body.changes, body.expected_number, caller)


# The queue is national: a provincial representative sees it as the administrator does.
@api.get("/admin/network/queue", response="NationalQueueOut", tag="association", auth=ASSOCIATION_STAFF, query="DayQuery")
def national_queue(caller: AssociationStaff, query: DayQuery):
    return router.national_queue(query.date)
