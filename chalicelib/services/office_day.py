"""Use cases of an office operator running the day: the list, check-in, complete, no-show.
An operator only ever sees their own office: anything else is 'not found'."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from chalicelib.dal import booking_store
from chalicelib.dal.db import TxConditionFailed, TxConflict
from chalicelib.dal.models import BookingItem
from chalicelib.domain import booking as rules
from chalicelib.domain import calendar
from chalicelib.errors import InvalidInput, InvalidTransition, NotFound
from chalicelib.observability import metrics
from chalicelib.services import catalogue
from chalicelib.services.bookings import booking_view
from chalicelib.settings import get_settings


def day_list(office_id: str, day: date | None, now: datetime | None = None) -> dict:
    now = now or calendar.now_tehran()
    day = day or now.date()
    office = catalogue.get_office(office_id)
    items = sorted(booking_store.office_day_bookings(office_id, day), key=lambda b: (b.start, b.booking_id_value))
    return {"office_id": office_id, **calendar.date_out(day),
            "items": [booking_view(b, office) for b in items if b.status != rules.CANCELLED]}


def _own(office_id: str, booking_id: str) -> BookingItem:
    item = booking_store.get_booking(booking_id)
    if item is None or item.office_id != office_id:
        raise NotFound("No such booking at your office", "چنین نوبتی در دفتر شما وجود ندارد")
    return item


def act(office_id: str, operator_id: str, booking_id: str, action: str, *, national_id: str | None = None,
        now: datetime | None = None) -> dict:
    now = now or calendar.now_tehran()
    item = _own(office_id, booking_id)
    if not rules.allowed(action, item.status):
        raise InvalidTransition()
    start = datetime.fromisoformat(item.start)
    if action == "check_in":
        if start.date() != now.date():
            raise InvalidTransition("Check-in is only possible on the day of the appointment",
                                    "پذیرش فقط در روز نوبت ممکن است")
        s = get_settings()
        if national_id is not None and rules.citizen_key(national_id, s.citizen_pepper) != item.citizen_key:
            raise InvalidInput("The national ID does not match the booking", "کد ملی با نوبت مطابقت ندارد")
    if action == "no_show" and not rules.can_mark_no_show(start, now):
        raise InvalidTransition("A no-show can be recorded only after the appointment time has passed",
                                "عدم حضور فقط پس از گذشت زمان نوبت قابل ثبت است")
    to = rules.TRANSITIONS[action][1]
    block_until = None
    if to == rules.NO_SHOW:
        block_until = int((now + timedelta(days=get_settings().no_show_block_days)).timestamp())
    try:
        booking_store.transition(item, to, now, f"operator:{operator_id}", block_until=block_until)
    except (TxConditionFailed, TxConflict) as exc:
        raise InvalidTransition("The booking changed meanwhile; read it again",
                                "نوبت در این فاصله تغییر کرده است؛ دوباره بخوانید") from exc
    metrics.add_metric(name=f"Booking{to.title().replace('_', '')}", unit="Count", value=1)
    return booking_view(booking_store.get_booking(booking_id))
