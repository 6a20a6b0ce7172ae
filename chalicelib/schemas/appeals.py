"""No-show appeals: the citizen's appeal, the office's or the association's decision, the lists."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from chalicelib.domain.appeals import REASON_MAX, REASON_MIN
from chalicelib.schemas.common import ID, InstantOut, OptionalPersianText, Out, PersianText, Strict


class AppealIn(Strict):
    booking_id: str = Field(pattern=ID, description="The booking recorded as a no-show.")
    reason: PersianText = Field(min_length=REASON_MIN, max_length=REASON_MAX,
                                description="Why the citizen could not come (Persian).")


class AppealDecisionIn(Strict):
    accept: bool = Field(description="true: the block lifts and the no-show leaves the record; false: rejected.")
    reason: OptionalPersianText = Field(default=None, max_length=REASON_MAX,
                                        description="Required when rejecting: sent to the citizen by SMS.")

    @model_validator(mode="after")
    def _reason_to_reject(self) -> AppealDecisionIn:
        if not self.accept and not (self.reason and len(self.reason) >= 3):
            raise ValueError("a rejection needs a reason")
        return self


class AppealDecisionOut(Out):
    at: InstantOut
    by: str = Field(description="`office:{manager}` or `association:{admin}`.", examples=["office:mgr-1"])
    reason: str | None


class AppealOut(Out):
    appeal_id: str = Field(examples=["AP7K3M9QX2PLRT"])
    booking_id: str
    office_id: str
    status: Literal["PENDING", "ACCEPTED", "REJECTED"]
    reason: str
    filed_at: InstantOut
    no_show_at: InstantOut
    association_may_decide_from: InstantOut = Field(
        description="The office decides first; the association may decide from then (3 working days after filing).")
    decision: AppealDecisionOut | None = None


class AppealListOut(Out):
    items: list[AppealOut] = Field(description="Pending appeals, oldest first.")
