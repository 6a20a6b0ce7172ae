"""Use cases of no-show appeals: a citizen blocked after a missed appointment appeals it with a
reason; the office's manager decides (accept: the block lifts and the no-show leaves the record,
the booking becoming EXCUSED; reject: with a reason), or the association's administrator once the
office has let 3 working days pass. SMS to the citizen on filing and on the decision, each in the
transaction it announces; every step is on the appeal's audit trail (who, when, why)."""
from __future__ import annotations

from datetime import date, datetime

from chalicelib.domain import appeals as rules
from chalicelib.domain import calendar, outbox, remote
from chalicelib.domain.appeals import Appeal, Decision
from chalicelib.domain.booking import EXCUSED, NO_SHOW
from chalicelib.domain.citizen import CitizenSession
from chalicelib.errors import (
    AlreadyAppealed,
    AppealClosed,
    AppealDecided,
    AppealWithOffice,
    Conflict,
    NotFound,
    TxConditionFailed,
    TxConflict,
)
from chalicelib.observability import metrics
from chalicelib.services import catalogue
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings


def _not_found() -> NotFound:
    return NotFound("No such appeal", "چنین اعتراضی یافت نشد")


def is_working_day(day: date) -> bool:
    """A network working day: Saturday to Thursday (Thursday unless THURSDAY_OPEN is off), not an
    official holiday as the association corrected the calendar."""
    return bool(calendar.opening_intervals(day, remote.NETWORK_HOURS, thursday_open=get_settings().thursday_open,
                                           corrections=catalogue.corrections()))


def appeal_view(appeal: Appeal) -> dict:
    out = {"appeal_id": appeal.appeal_id, "booking_id": appeal.booking_id, "office_id": appeal.office_id,
           "status": appeal.status, "reason": appeal.reason, "filed_at": calendar.datetime_out(appeal.filed_at),
           "no_show_at": calendar.datetime_out(appeal.no_show_at),
           "association_may_decide_from": calendar.datetime_out(
               rules.association_may_decide_from(appeal.filed_at, is_working_day))}
    if appeal.decision is not None:
        out["decision"] = {"at": calendar.datetime_out(appeal.decision.at), "by": appeal.decision.actor,
                           "reason": appeal.decision.reason}
    return out


def _no_show_at(booking) -> datetime:
    return next((c.at for c in reversed(booking.history) if c.to_status == NO_SHOW), booking.updated_at)


def file(booking_id: str, reason: str, session: CitizenSession, now: datetime | None = None) -> dict:
    now = (now or calendar.now_tehran()).replace(microsecond=0)
    booking = stores.bookings.get_booking(booking_id)
    if booking is None or booking.citizen_key != session.citizen_key:
        raise NotFound("No booking of yours with this id", "نوبتی با این شناسه برای شما یافت نشد")
    if booking.status != NO_SHOW:
        raise AppealClosed("Only an appointment recorded as missed can be appealed",
                           "فقط برای نوبتی که عدم حضور آن ثبت شده است می‌توان اعتراض کرد")
    no_show_at = _no_show_at(booking)
    if not rules.may_file(no_show_at, now, get_settings().no_show_block_days):
        raise AppealClosed("An appeal is filed while the block after the missed appointment runs",
                           "اعتراض فقط در مدت محدودیت پس از عدم حضور ممکن است")
    office = stores.catalogue.all_offices().get(booking.office_id)
    appeal = Appeal(rules.appeal_id_of(booking_id), booking_id, booking.office_id, booking.citizen_key,
                    booking.mobile, reason, now, no_show_at)
    sms = outbox.sms("appeal_received", booking.mobile, now, params={
        "booking_id": booking_id, "office_fa": office.name_fa if office else ""})
    try:
        stores.appeals.file(appeal, [sms])
    except TxConditionFailed as exc:
        raise AlreadyAppealed() from exc
    metrics.add_metric(name="AppealFiled", unit="Count", value=1)
    return appeal_view(appeal)


def of_citizen(appeal_id: str, session: CitizenSession) -> dict:
    appeal = stores.appeals.get(appeal_id)
    if appeal is None or appeal.citizen_key != session.citizen_key:
        raise _not_found()
    return appeal_view(appeal)


def decide(appeal_id: str, accept: bool, reason: str | None, *, by: str, actor_id: str,
           office_id: str | None = None, now: datetime | None = None) -> dict:
    """`by` is rules.OFFICE (the manager of `office_id`) or rules.ASSOCIATION."""
    now = (now or calendar.now_tehran()).replace(microsecond=0)
    appeal = stores.appeals.get(appeal_id)
    if appeal is None or (by == rules.OFFICE and appeal.office_id != office_id):
        raise _not_found()  # another office's appeal is none of this office's business
    refusal = rules.decision_refusal(appeal, by, office_id, now, is_working_day)
    if refusal == rules.NOT_PENDING:
        raise AppealDecided()
    if refusal == rules.OFFICE_FIRST:
        opens = rules.association_may_decide_from(appeal.filed_at, is_working_day)
        raise AppealWithOffice(f"The association may decide from {opens.isoformat()}",
                               f"کانون از {calendar.datetime_out(opens)['jalali']} می‌تواند تصمیم بگیرد")
    actor = f"{by}:{actor_id}"
    decision = Decision(now, actor, rules.ACCEPTED if accept else rules.REJECTED, reason)
    excuse, lift = None, False
    if accept:
        booking = stores.bookings.get_booking(appeal.booking_id)
        if booking is not None and booking.status == NO_SHOW:
            excuse = (booking, booking.changed(EXCUSED, actor, now))
        lift = stores.bookings.blocked_by(appeal.citizen_key, now) == appeal.booking_id
    template = "appeal_accepted" if accept else "appeal_rejected"
    sms = outbox.sms(template, appeal.mobile, now, params={"booking_id": appeal.booking_id, "reason_fa": reason or ""})
    try:
        decided = stores.appeals.decide(appeal, decision, [sms], excuse=excuse, lift_block=lift)
    except TxConditionFailed as exc:
        if "appeal" in exc.labels:
            raise AppealDecided() from exc
        raise Conflict("The booking or the block changed meanwhile; try again",
                       "نوبت یا محدودیت در این فاصله تغییر کرد؛ دوباره تلاش کنید") from exc
    except TxConflict as exc:
        raise Conflict("The appeal changed meanwhile; try again", "اعتراض در این فاصله تغییر کرد؛ دوباره تلاش کنید") from exc
    metrics.add_metric(name="AppealAccepted" if accept else "AppealRejected", unit="Count", value=1)
    return appeal_view(decided)


def pending(office_id: str | None = None) -> dict:
    """Pending appeals of the office (the manager's list) or of the network (the association's),
    oldest first, each saying from when the association may decide it."""
    return {"items": [appeal_view(a) for a in stores.appeals.pending(office_id)]}


def trail(appeal_id: str) -> list[dict]:
    return stores.appeals.history(appeal_id)
