"""No-show appeals, with no I/O: a citizen blocked after a no-show appeals with a reason; the
office's manager decides, or the association once the office has let 3 working days pass. An
accepted appeal lifts the block and the no-show leaves the record (the booking becomes EXCUSED);
a rejected one keeps both, with the reason."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

PENDING, ACCEPTED, REJECTED = "PENDING", "ACCEPTED", "REJECTED"
OFFICE, ASSOCIATION = "office", "association"
ASSOCIATION_AFTER_WORKING_DAYS = 3
REASON_MIN, REASON_MAX = 10, 500


def appeal_id_of(booking_id: str) -> str:
    """One appeal per booking: its id is the booking's with the appeal prefix."""
    return "AP" + booking_id.removeprefix("BK")


def booking_id_of(appeal_id: str) -> str | None:
    return "BK" + appeal_id.removeprefix("AP") if appeal_id.startswith("AP") else None


@dataclass(frozen=True)
class Decision:
    at: datetime
    actor: str  # "office:{manager}" or "association:{admin}"
    to: str  # ACCEPTED | REJECTED
    reason: str | None


@dataclass(frozen=True)
class Appeal:
    appeal_id: str
    booking_id: str
    office_id: str
    citizen_key: str
    mobile: str
    reason: str
    filed_at: datetime
    no_show_at: datetime
    status: str = PENDING
    decision: Decision | None = None

    def decided(self, decision: Decision) -> Appeal:
        return replace(self, status=decision.to, decision=decision)


def working_days_after(day: date, count: int, is_working: Callable[[date], bool]) -> date:
    """The `count`-th working day after `day` (not counting `day` itself)."""
    found, current = 0, day
    for _ in range(400):
        current += timedelta(days=1)
        if is_working(current):
            found += 1
            if found == count:
                return current
    raise ValueError("no working day within 400 days")


def association_may_decide_from(filed_at: datetime, is_working: Callable[[date], bool]) -> datetime:
    """The office has 3 full working days after the day of filing; the association may decide from
    the midnight that ends the third."""
    third = working_days_after(filed_at.date(), ASSOCIATION_AFTER_WORKING_DAYS, is_working)
    return datetime.combine(third + timedelta(days=1), datetime.min.time(), filed_at.tzinfo)


# Why a decision is refused (None when it may be taken).
NOT_PENDING, NOT_YOUR_OFFICE, OFFICE_FIRST = "not_pending", "not_your_office", "office_first"


def decision_refusal(appeal: Appeal, by: str, office_id: str | None, now: datetime,
                     is_working: Callable[[date], bool]) -> str | None:
    """Who may decide when: the manager of the appeal's office at any time while it is pending;
    the association only once the office's 3 working days have passed."""
    if by == OFFICE and office_id != appeal.office_id:
        return NOT_YOUR_OFFICE
    if appeal.status != PENDING:
        return NOT_PENDING
    if by == ASSOCIATION and now < association_may_decide_from(appeal.filed_at, is_working):
        return OFFICE_FIRST
    return None


def may_file(no_show_at: datetime, now: datetime, block_days: int) -> bool:
    """An appeal is filed while the no-show's block runs (from the no-show, `block_days` long)."""
    return no_show_at <= now <= no_show_at + timedelta(days=max(block_days, 1))
