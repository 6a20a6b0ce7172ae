"""Use cases of an office operator running the day: the list, check-in, complete, no-show.
An operator only ever sees their own office: anything else is 'not found'."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from chalicelib.domain import booking as rules
from chalicelib.domain import calendar
from chalicelib.domain.booking import Booking
from chalicelib.errors import InvalidInput, InvalidTransition, NotFound, TxConditionFailed, TxConflict
from chalicelib.observability import metrics
from chalicelib.services import accounts, catalogue, desk
from chalicelib.services.bookings import booking_view, changed_meanwhile
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings


def day_list(office_id: str, day: date | None, now: datetime | None = None) -> dict:
    now = now or calendar.now_tehran()
    day = day or now.date()
    office = catalogue.get_office(office_id)
    found = sorted(stores.bookings.office_day_bookings(office_id, day), key=lambda b: (b.start, b.booking_id))
    return {"office_id": office_id, **calendar.date_out(day),
            "items": [booking_view(b, office) for b in found if b.status != rules.CANCELLED]}


def _own(office_id: str, booking_id: str) -> Booking:
    booking = stores.bookings.get_booking(booking_id)
    if booking is None or booking.office_id != office_id:
        raise NotFound("No such booking at your office", "چنین نوبتی در دفتر شما وجود ندارد")
    return booking


def read(office_id: str, booking_id: str) -> dict:
    """One booking of the operator's office, as the day list shows it (another office's: 404)."""
    booking = _own(office_id, booking_id)
    return booking_view(booking, catalogue.get_office(office_id))


_REFUSED = {
    rules.NOT_THE_DAY: {
        "check_in": ("Check-in is only possible on the day of the appointment", "پذیرش فقط در روز نوبت ممکن است"),
        "complete": ("A booking can be completed only on the day of the appointment",
                     "انجام نوبت فقط در روز نوبت قابل ثبت است"),
        "no_show": ("A no-show can be recorded only on the day of the appointment",
                    "عدم حضور فقط در روز نوبت قابل ثبت است"),
    },
    rules.TOO_EARLY: {
        "no_show": ("A no-show can be recorded only after the appointment time has passed",
                    "عدم حضور فقط پس از گذشت زمان نوبت قابل ثبت است"),
    },
}


def _check_identity(booking: Booking, national_id: str | None) -> None:
    """The operator re-enters the citizen's national ID from their card: the booking is theirs."""
    s = get_settings()
    if national_id is None:
        if s.check_in_national_id_required:
            raise InvalidInput("Enter the citizen's national ID to check them in",
                               "برای پذیرش، کد ملی ارباب رجوع را وارد کنید")
        return
    if rules.citizen_key(national_id, s.citizen_pepper) != booking.citizen_key:
        raise InvalidInput("The national ID does not match the booking", "کد ملی با نوبت مطابقت ندارد")


def act(office_id: str, operator_id: str, booking_id: str, action: str, *, national_id: str | None = None,
        now: datetime | None = None) -> dict:
    now = now or calendar.now_tehran()
    booking = _own(office_id, booking_id)
    if booking.session is not None:  # a remote session has its own steps (services/sessions.py)
        raise InvalidTransition("This is a remote session: confirm, complete or record a no-show on its session routes",
                                "این نوبت یک جلسه برخط است؛ از مسیرهای جلسه برخط استفاده کنید")
    not_checked_in = action == "complete" and booking.status == rules.BOOKED
    if not rules.allowed(action, booking.status) and not not_checked_in:
        raise InvalidTransition()
    refusal = rules.day_step_refusal(action, booking.start, now, get_settings().no_show_grace_minutes)
    if refusal is not None:
        raise InvalidTransition(*_REFUSED[refusal][action])
    if not_checked_in:
        raise InvalidTransition("Check the citizen in before completing the booking",
                                "پیش از ثبت انجام نوبت، ارباب رجوع را پذیرش کنید")
    if action == "check_in":
        _check_identity(booking, national_id)
    to = rules.TRANSITIONS[action][1]
    block_until = now + timedelta(days=get_settings().no_show_block_days) if to == rules.NO_SHOW else None
    actor = f"operator:{operator_id}"
    fee, messages = None, []
    if to == rules.COMPLETED:  # a delivered service: its fee and the citizen's receipt, with the completion
        office = stores.catalogue.all_offices().get(office_id) or stores.catalogue.get_office(office_id)
        fee, messages = accounts.booking_fee(booking, office, catalogue.known_service(booking.service_id), now, actor)
    ticket = None
    for attempt in range(3):
        try:
            if action == "check_in":  # the citizen joins the front desk's line with a ticket
                after, ticket = desk.check_in(booking, booking.changed(to, actor, now), now)
            elif action == "complete":  # and leaves it when the visit is completed
                after = desk.complete_booking(booking, booking.changed(to, actor, now), now, fee=fee,
                                              messages=messages) or \
                    stores.bookings.transition(booking, to, now, actor, fee=fee, messages=messages)
            else:
                after = stores.bookings.transition(booking, to, now, actor, block_until=block_until)
            break
        except TxConflict as exc:
            # Another write to the office's day load or fee totals at this instant: nothing was
            # written, so the same step is tried again on the booking as read.
            if attempt == 2:
                raise changed_meanwhile() from exc
        except TxConditionFailed as exc:
            raise changed_meanwhile() from exc
    if fee is not None:
        accounts.counted(fee)
    metrics.add_metric(name=f"Booking{to.title().replace('_', '')}", unit="Count", value=1)
    view = booking_view(after)
    if ticket is not None:
        view["ticket"] = desk.ticket_view(ticket, now)
    return view
