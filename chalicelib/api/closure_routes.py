"""Closed days: an office's manager closes or reopens a day of their office; the association does
it for any office. Closing cancels the day's bookings, each with an SMS to book again."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.auth import Operator
from chalicelib.api.callers import ASSOCIATION_ADMIN, OFFICE_MANAGER
from chalicelib.api.http import Reply, Routes, lazy, path_day

if TYPE_CHECKING:
    from chalicelib.schemas import OfficeClosureIn

closures = lazy("chalicelib.services.closures")

api = Routes(__name__, tag="office")


@api.put("/office/closures/{day}", response="OfficeClosureOut", auth=OFFICE_MANAGER, body="OfficeClosureIn",
         problems=(404,))
def close_own_office_day(day, caller: Operator, body: OfficeClosureIn):
    return closures.close_office(caller.office_id, path_day(day), body.name_fa, body.name_en,
                                 f"manager:{caller.operator_id}")


@api.delete("/office/closures/{day}", auth=OFFICE_MANAGER, status=204, problems=(404, 422))
def reopen_own_office_day(day, caller: Operator):
    closures.reopen_office(caller.office_id, path_day(day))
    return Reply(None, 204)


@api.put("/admin/offices/{office_id}/closures/{day}", response="OfficeClosureOut", tag="association",
         auth=ASSOCIATION_ADMIN, body="OfficeClosureIn", problems=(404,))
def close_office_day(office_id, day, caller: str, body: OfficeClosureIn):
    return closures.close_office(office_id, path_day(day), body.name_fa, body.name_en, f"association:{caller}")


@api.delete("/admin/offices/{office_id}/closures/{day}", tag="association", auth=ASSOCIATION_ADMIN, status=204,
            problems=(404, 422))
def reopen_office_day(office_id, day, caller: str):
    closures.reopen_office(office_id, path_day(day))
    return Reply(None, 204)
