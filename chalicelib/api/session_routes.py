"""Remote sessions (video or phone) held from an office's remote counters: the public session
slots in the citizen's own time zone; the citizen books (with their session), reads and cancels
(access code or session); the office lists its day's sessions, confirms one with its join
details, completes it with an outcome note or records a no-show. A partner (the 1470 network, a
consulate) books one on behalf of a citizen with a signed delivery, once per webhook-id, and reads
it on its booking read (GET /v1/partners/{partner_id}/bookings/{booking_id}).

A session has its own resource rather than a `kind` on POST /v1/bookings: its body (contact
mode, the citizen's zone and country), its steps (confirmation with join details) and its view
(the join details, the time in the citizen's zone) differ, and the in-person booking path and its
contract stay as they are. It is stored as a booking of a remote counter's seat, so the seats'
one transaction keeps a slot from being taken twice by either."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.auth import Operator
from chalicelib.api.callers import BOOKING_REFUSALS, CITIZEN, CITIZEN_IF_ANY, OPERATOR
from chalicelib.api.http import Reply, Routes, lazy
from chalicelib.api.partner_routes import PER_PARTNER, SIGNATURE, SIGNED_BODY

if TYPE_CHECKING:
    from chalicelib.domain.citizen import CitizenSession
    from chalicelib.schemas import (
        OfficeSessionQuery,
        PartnerSessionIn,
        SessionCompleteIn,
        SessionConfirmIn,
        SessionIn,
        SessionSlotQuery,
    )

sessions = lazy("chalicelib.services.sessions")

api = Routes(__name__, tag="sessions")
ACCESS_CODE = ("X-Access-Code",)  # or the citizen's session


@api.get("/offices/{office_id}/session-slots", response="SessionSlotsOut", query="SessionSlotQuery",
         problems=(404, 409))
def session_slots(office_id, query: SessionSlotQuery):
    return sessions.session_slots(office_id, query.service, query.date, query.tz)


@api.post("/sessions", response="SessionCreatedOut", body="SessionIn", auth=CITIZEN, idempotency="optional", status=201,
          problems=(403, 404, 409), limit=BOOKING_REFUSALS)
def create_session(body: SessionIn, idempotency_key: str | None, caller: CitizenSession):
    result = sessions.book(body, idempotency_key, lambda_context=api.lambda_context, session=caller)
    return Reply(result, 201, {"Location": f"/v1/sessions/{result['booking_id']}"})


@api.get("/sessions/{booking_id}", response="SessionOut", auth=CITIZEN_IF_ANY, optional_headers=ACCESS_CODE,
         problems=(404,))
def read_session(booking_id, caller: CitizenSession | None):
    return sessions.read(booking_id, api.header("X-Access-Code"), session=caller)


@api.post("/sessions/{booking_id}/cancel", response="SessionOut", auth=CITIZEN_IF_ANY, optional_headers=ACCESS_CODE,
          problems=(404, 409))
def cancel_session(booking_id, caller: CitizenSession | None):
    return sessions.cancel(booking_id, api.header("X-Access-Code"), session=caller)


@api.get("/office/sessions", response="OfficeSessionsOut", tag="office", auth=OPERATOR, query="OfficeSessionQuery",
         problems=(404,))
def office_sessions(caller: Operator, query: OfficeSessionQuery):
    return sessions.office_day(caller.office_id, query.date)


@api.post("/office/sessions/{booking_id}/confirm", response="SessionOut", tag="office", auth=OPERATOR,
          body="SessionConfirmIn", problems=(404, 409))
def confirm_session(booking_id, caller: Operator, body: SessionConfirmIn):
    return sessions.confirm(caller.office_id, caller.operator_id, booking_id, body.join)


@api.post("/office/sessions/{booking_id}/complete", response="SessionOut", tag="office", auth=OPERATOR,
          body="SessionCompleteIn", body_required=False, problems=(404, 409))
def complete_session(booking_id, caller: Operator, body: SessionCompleteIn):
    return sessions.complete(caller.office_id, caller.operator_id, booking_id, body.note)


@api.post("/office/sessions/{booking_id}/no-show", response="SessionOut", tag="office", auth=OPERATOR,
          problems=(404, 409))
def session_no_show(booking_id, caller: Operator):
    return sessions.no_show(caller.office_id, caller.operator_id, booking_id)


@api.post("/partners/{partner_id}/sessions", response="PartnerSessionOut", tag="partners", auth=SIGNED_BODY,
          body="PartnerSessionIn", status=(201, 200), headers=SIGNATURE, problems=(404, 409), limit=PER_PARTNER)
def partner_create_session(partner_id, caller, body: PartnerSessionIn):
    partner, webhook_id = caller
    view, created = sessions.book_for_citizen(partner, webhook_id, body)
    return Reply(view, 201 if created else 200, {"Location": f"/v1/partners/{partner_id}/bookings/{view['booking_id']}"})
