"""The association's corrections of the network calendar (JWT bearer, role `association`),
effective at once, without a deploy; closing a day cancels its bookings, each with an SMS, and
those bookings can be previewed before the closure is confirmed."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.callers import ASSOCIATION_ADMIN
from chalicelib.api.http import Reply, Routes, lazy, path_day

if TYPE_CHECKING:
    from chalicelib.schemas import CalendarCorrectionIn, ClosurePreviewQuery

catalogue = lazy("chalicelib.services.catalogue")
closures = lazy("chalicelib.services.closures")

api = Routes(__name__, tag="association")


@api.get("/admin/calendar/{day}/closure-preview", response="ClosurePreviewOut", auth=ASSOCIATION_ADMIN,
         query="ClosurePreviewQuery")
def preview_calendar_closure(day, caller: str, query: ClosurePreviewQuery):
    return closures.preview_network_day(path_day(day), query.limit)


@api.put("/admin/calendar/{day}", response="CalendarDayOut", auth=ASSOCIATION_ADMIN, body="CalendarCorrectionIn")
def correct_calendar_day(day, caller: str, body: CalendarCorrectionIn):
    return closures.correct_network_day(path_day(day), body.closed, body.name_en, body.name_fa, caller)


@api.delete("/admin/calendar/{day}", auth=ASSOCIATION_ADMIN, status=204, problems=(404, 422))
def remove_calendar_correction(day, caller: str):
    catalogue.remove_correction(path_day(day))
    return Reply(None, 204)
