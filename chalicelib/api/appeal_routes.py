"""No-show appeals: the citizen files one (session), reads it; the office's manager lists and
decides its office's; the association's administrator lists all and decides once the office has
let 3 working days pass."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.auth import Operator
from chalicelib.api.callers import ASSOCIATION_ADMIN, CITIZEN, OFFICE_MANAGER
from chalicelib.api.http import Routes, lazy
from chalicelib.domain import appeals as rules

if TYPE_CHECKING:
    from chalicelib.domain.citizen import CitizenSession
    from chalicelib.schemas.appeals import AppealDecisionIn, AppealIn

appeals = lazy("chalicelib.services.appeals")

api = Routes(__name__, tag="appeals")


@api.post("/me/appeals", response="appeals.AppealOut", body="appeals.AppealIn", status=201, auth=CITIZEN, problems=(404, 409))
def file_appeal(caller: CitizenSession, body: AppealIn):
    return appeals.file(body.booking_id, body.reason, caller)


@api.get("/me/appeals/{appeal_id}", response="appeals.AppealOut", auth=CITIZEN, problems=(404,))
def my_appeal(caller: CitizenSession, appeal_id: str):
    return appeals.of_citizen(appeal_id, caller)


@api.get("/office/appeals", response="appeals.AppealListOut", auth=OFFICE_MANAGER, tag="office")
def office_appeals(caller: Operator):
    return appeals.pending(caller.office_id)


@api.post("/office/appeals/{appeal_id}/decision", response="appeals.AppealOut", body="appeals.AppealDecisionIn",
          auth=OFFICE_MANAGER,
          tag="office", problems=(404, 409))
def office_decides(caller: Operator, appeal_id: str, body: AppealDecisionIn):
    return appeals.decide(appeal_id, body.accept, body.reason, by=rules.OFFICE, actor_id=caller.operator_id,
                          office_id=caller.office_id)


@api.get("/admin/appeals", response="appeals.AppealListOut", auth=ASSOCIATION_ADMIN, tag="association")
def association_appeals(caller: str):
    return appeals.pending()


@api.post("/admin/appeals/{appeal_id}/decision", response="appeals.AppealOut", body="appeals.AppealDecisionIn",
          auth=ASSOCIATION_ADMIN,
          tag="association", problems=(404, 409))
def association_decides(caller: str, appeal_id: str, body: AppealDecisionIn):
    return appeals.decide(appeal_id, body.accept, body.reason, by=rules.ASSOCIATION, actor_id=caller)
