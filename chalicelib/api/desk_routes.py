"""The front desk: an operator's walk-in tickets, call-next, the end of a visit and the desk list
(JWT bearer, the operator's own office), and each office's public display board."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.auth import Operator
from chalicelib.api.callers import OPERATOR
from chalicelib.api.http import Reply, Routes, lazy

if TYPE_CHECKING:
    from chalicelib.schemas import CounterIn, DayQuery, TicketIn

desk = lazy("chalicelib.services.desk")

api = Routes(__name__, tag="office")


@api.post("/office/tickets", response="TicketOut", status=201, auth=OPERATOR, body="TicketIn", problems=(404,))
def issue_ticket(caller: Operator, body: TicketIn):
    return Reply(desk.issue_walk_in(caller.office_id, caller.operator_id, body.service_id, body.national_id), 201)


@api.get("/office/tickets", response="DeskOut", auth=OPERATOR, query="DayQuery", problems=(404,), etag=True)
def desk_list(caller: Operator, query: DayQuery):
    return desk.desk_list(caller.office_id, query.date)


@api.post("/office/desk/next", response="CallOut", auth=OPERATOR, body="CounterIn", problems=(404, 409))
def call_next(caller: Operator, body: CounterIn):
    return desk.call_next(caller.office_id, caller.operator_id, body.counter)


@api.post("/office/desk/serve", response="TicketOut", auth=OPERATOR, body="CounterIn", problems=(404, 409))
def serve(caller: Operator, body: CounterIn):
    return desk.serve(caller.office_id, caller.operator_id, body.counter, body.ticket)


@api.post("/office/desk/not-present", response="TicketOut", auth=OPERATOR, body="CounterIn", problems=(409,))
def not_present(caller: Operator, body: CounterIn):
    return desk.not_present(caller.office_id, caller.operator_id, body.counter, body.ticket)


@api.post("/office/desk/recall", response="TicketOut", auth=OPERATOR, body="CounterIn", problems=(409,))
def recall(caller: Operator, body: CounterIn):
    return desk.recall(caller.office_id, body.counter, body.ticket)


@api.post("/office/desk/close", auth=OPERATOR, body="CounterIn", status=204, problems=(409,))
def close_counter(caller: Operator, body: CounterIn):
    desk.close_counter(caller.office_id, body.counter)
    return Reply(None, 204)


@api.get("/offices/{office_id}/board", response="BoardOut", tag="catalogue", problems=(404,))
def office_board(office_id):
    return desk.board(office_id)
