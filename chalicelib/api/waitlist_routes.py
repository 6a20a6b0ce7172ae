"""A verified citizen's waitlist: join an office's line for a service on a few days, read the
entries (with any seat offered), leave one. Offers are booked with POST /v1/bookings and the
offer's hold_id."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.callers import CITIZEN
from chalicelib.api.http import Reply, Routes, lazy

if TYPE_CHECKING:
    from chalicelib.domain.citizen import CitizenSession
    from chalicelib.schemas.waitlist import WaitlistIn

waitlist = lazy("chalicelib.services.waitlist")

api = Routes(__name__, tag="waitlist")


@api.post("/waitlist", response="waitlist.WaitlistEntryOut", body="waitlist.WaitlistIn", status=201, auth=CITIZEN,
          problems=(403, 404, 409))
def join_waitlist(caller: CitizenSession, body: WaitlistIn):
    return waitlist.join(body.office_id, body.service_id, body.days, body.national_id, body.mobile, caller)


@api.get("/me/waitlist", response="waitlist.MyWaitlistOut", auth=CITIZEN)
def my_waitlist(caller: CitizenSession):
    return waitlist.of_citizen(caller.citizen_key)


@api.delete("/waitlist/{entry_id}", status=204, auth=CITIZEN, problems=(404,))
def leave_waitlist(caller: CitizenSession, entry_id: str):
    waitlist.leave(entry_id, caller)
    return Reply(None, 204)
