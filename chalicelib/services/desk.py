"""Use cases of the front desk: walk-in tickets, an appointment's ticket at check-in, call-next,
ending a visit, the operator's desk list, the public display board and the office's pace. The
rules are domain/desk.py; every change is one conditional transaction of the desk store."""
from __future__ import annotations

import random
import time
from collections.abc import Sequence
from datetime import datetime

from chalicelib.domain import booking as booking_rules
from chalicelib.domain import calendar, desk
from chalicelib.domain.booking import Booking, citizen_key
from chalicelib.domain.catalogue import Office
from chalicelib.domain.desk import APPOINTMENT, CALLED, WAITING, WALK_IN, DeskRules, Line, Ticket
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.tariffs import FeeRecord
from chalicelib.domain.text import to_persian_digits
from chalicelib.domain.validators import mask_national_id
from chalicelib.errors import (
    CounterBusy,
    CounterFree,
    DeskBusy,
    InvalidInput,
    InvalidTransition,
    NotFound,
    TxConditionFailed,
    TxConflict,
)
from chalicelib.observability import logger, metrics
from chalicelib.services import accounts, catalogue
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

CALL_ATTEMPTS = 12  # a call that lost a race reads the line again; five counters settle within a few
RECENT_ON_BOARD = 5


def rules() -> DeskRules:
    s = get_settings()
    return DeskRules(walk_in_cap=s.desk_walk_in_cap, grace_minutes=s.no_show_grace_minutes,
                     early_minutes=s.desk_early_call_minutes)


def _now(now: datetime | None) -> datetime:
    return (now or calendar.now_tehran()).astimezone(calendar.TEHRAN)


def _counter(counter: int) -> int:
    if not 1 <= counter <= desk.MAX_COUNTER:
        raise InvalidInput(f"counter must be 1-{desk.MAX_COUNTER}", "شماره باجه نامعتبر است")
    return counter


# --- views -----------------------------------------------------------------------------------------

def _instant(moment: datetime | None) -> dict | None:
    return None if moment is None else calendar.datetime_out(moment)


def ticket_view(t: Ticket, now: datetime, services: dict | None = None, *, position: int | None = None,
                place: str | None = None) -> dict:
    service = (services or {}).get(t.service_id) or stores.catalogue.get_service(t.service_id)
    waiting_min = desk.minutes_between(t.arrived_at, now) if t.status == WAITING else None
    return {
        "number": t.number, "label": t.label, "label_fa": t.label_fa, "kind": t.kind, "status": t.status,
        "service": {"service_id": t.service_id, "name_fa": service.name_fa if service else None,
                    "name_en": service.name_en if service else None},
        "arrived_at": _instant(t.arrived_at), "due": _instant(t.due), "booking_id": t.booking_id,
        "national_id": t.national_id_masked, "counter": t.counter,
        "counter_fa": None if t.counter is None else to_persian_digits(str(t.counter)),
        "called_at": _instant(t.called_at), "ended_at": _instant(t.ended_at), "call_seq": t.call_seq,
        "waited_min": t.waited_min if t.waited_min is not None else waiting_min, "served_min": t.served_min,
        "recalls": t.recalls, "place": place, "position": position, "receipt_id": accounts.receipt_of(t),
    }


def _call_order(line: Line, now: datetime, desk_rules: DeskRules) -> list[tuple[Ticket, str]]:
    """The waiting tickets in the order the counters would call them now (and where each stands)."""
    waiting, streak, order = line.waiting(), line.streak, []
    while (pick := desk.pick_next(waiting, streak, now, desk_rules)) is not None:
        order.append((pick.ticket, desk.place(pick.ticket, now, desk_rules)))
        waiting.remove(pick.ticket)
        streak = pick.streak
    return order


def _open_counters(line: Line, office: Office, now: datetime) -> int:
    """Counters that called today and were not closed; none yet: the installed ones while open."""
    if line.open_counters:
        return len(line.open_counters)
    return int(office.counters) if catalogue.is_open(office, now) else 0


def pace_minutes(office: Office, measured: desk.Pace | None) -> float:
    """The office's measured pace, or before any measure the mean catalogue duration of what it
    offers in person."""
    if measured is not None:
        return measured.minutes
    services = stores.catalogue.all_services().values()
    return desk.mean_duration((s.duration_min for s in services
                               if s.active and s.mode != "remote_only" and catalogue.offers(office, s)), 12.0)


def _estimate(line: Line, office: Office, now: datetime) -> tuple[float | None, float]:
    pace = pace_minutes(office, stores.desk.pace(office.office_id))
    serving = sum(1 for t in line.tickets if t.status == CALLED)
    return desk.wait_estimate(len(line.waiting()), serving, _open_counters(line, office, now), pace), pace


def desk_list(office_id: str, day=None, now: datetime | None = None) -> dict:
    """The operator's desk: every ticket of the day (waiting in call order, called, ended) with its
    waited minutes, who is at each counter, the walk-in streak and the live wait estimate."""
    now = _now(now)
    day = day or now.date()
    office = catalogue.get_office(office_id)
    line = stores.desk.line(office_id, day)
    desk_rules = rules()
    services = stores.catalogue.all_services()
    order = {t.number: (i + 1, place) for i, (t, place) in enumerate(_call_order(line, now, desk_rules))}
    items = [ticket_view(t, now, services, position=order.get(t.number, (None, None))[0],
                         place=order.get(t.number, (None, None))[1]) for t in line.tickets]
    estimate, pace = _estimate(line, office, now)
    counters = sorted(set(line.open_counters) | set(line.at_counter))
    by_number = {item["number"]: item for item in items}
    status_count = {s: sum(1 for t in line.tickets if t.status == s) for s in (WAITING, CALLED, desk.SERVED,
                                                                              desk.NOT_PRESENT, desk.CLOSED)}
    return {
        "office_id": office_id, **calendar.date_out(day),
        "walk_in_cap": desk_rules.walk_in_cap, "streak": line.streak, "calls": line.calls,
        "waiting": status_count[WAITING], "serving": status_count[CALLED], "served": status_count[desk.SERVED],
        "not_present": status_count[desk.NOT_PRESENT], "closed": status_count[desk.CLOSED],
        "open_counters": sorted(line.open_counters),
        "counters": [{"counter": k, "ticket": by_number.get(line.at_counter.get(k))} for k in counters],
        "wait_estimate_min": estimate, "pace_min": pace,
        "items": items,
    }


def board(office_id: str, now: datetime | None = None) -> dict:
    """The office's public display board: the number served at each counter, the last calls, how
    many wait and the wait estimate, with Persian digits (and Latin ones). Nothing personal."""
    now = _now(now)
    office = catalogue.get_office(office_id)
    line = stores.desk.line(office_id, now.date())
    open_now = catalogue.is_open(office, now)
    estimate, _ = _estimate(line, office, now) if open_now else (None, 0.0)
    opens = None if open_now else catalogue.next_opening(office, now)

    def shown(t: Ticket) -> dict:
        return {"number": t.number, "number_fa": to_persian_digits(str(t.number)), "label": t.label,
                "label_fa": t.label_fa, "called_at": _instant(t.called_at), "recalls": t.recalls}

    counters = sorted(set(line.open_counters) | set(line.at_counter))
    recent = sorted((t for t in line.tickets if t.call_seq is not None), key=lambda t: -t.call_seq)[:RECENT_ON_BOARD]
    waiting = len(line.waiting())
    return {
        "office_id": office_id, "name_fa": office.name_fa, "name_en": office.name_en, **calendar.date_out(now.date()),
        "at": calendar.datetime_out(now), "open_now": open_now,
        "counters": [{"counter": k, "counter_fa": to_persian_digits(str(k)),
                      "ticket": shown(line.at(k)) if line.at(k) else None} for k in counters],
        "recent": [{**shown(t), "counter": t.counter, "counter_fa": to_persian_digits(str(t.counter))} for t in recent],
        "waiting": waiting, "waiting_fa": to_persian_digits(str(waiting)),
        "wait_estimate_min": estimate,
        "wait_estimate_fa": None if estimate is None else to_persian_digits(str(round(estimate))),
        "opens_at": _instant(opens),
    }


# --- tickets -----------------------------------------------------------------------------------------

def issue_walk_in(office_id: str, operator_id: str, service_id: str, national_id: str | None,
                  now: datetime | None = None) -> dict:
    """A walk-in's ticket for a service the office offers in person, numbered in the office-day's
    sequence. The national ID, when given, is kept only as the citizen key (and masked)."""
    now = _now(now)
    office = catalogue.get_office(office_id)
    service = catalogue.get_service(service_id)
    if service.mode == "remote_only" or not catalogue.offers(office, service):
        raise InvalidInput(f"Your office does not offer {service_id} in person",
                           "این خدمت به صورت حضوری در دفتر شما ارائه نمی‌شود")
    key = masked = None
    if national_id is not None:
        key, masked = citizen_key(national_id, get_settings().citizen_pepper), mask_national_id(national_id)
    number = stores.desk.next_number(office_id, now.date())
    ticket = Ticket(office_id, now.date(), number, WALK_IN, service_id, WAITING, now.replace(microsecond=0),
                    citizen_key=key, national_id_masked=masked, issued_by=f"operator:{operator_id}")
    _retrying(lambda: stores.desk.issue(ticket, now))
    metrics.add_metric(name="WalkInTicketIssued", unit="Count", value=1)
    return ticket_view(ticket, now)


def check_in(booking: Booking, after: Booking, now: datetime) -> tuple[Booking, Ticket]:
    """Check an appointment in and give it a ticket of the office-day's sequence, together."""
    number = stores.desk.next_number(booking.office_id, booking.day)
    ticket = Ticket(booking.office_id, booking.day, number, APPOINTMENT, booking.service_id, WAITING,
                    now.replace(microsecond=0), due=booking.start, booking_id=booking.booking_id,
                    citizen_key=booking.citizen_key, national_id_masked=booking.national_id_masked,
                    issued_by=after.history[-1].actor if after.history else None)
    return _retrying(lambda: stores.desk.check_in(booking, after, ticket, now)), ticket


def complete_booking(booking: Booking, after: Booking, now: datetime, *, fee: FeeRecord | None = None,
                     messages: Sequence[OutboxMessage] = ()) -> Booking | None:
    """A checked-in booking completed from the day list: its ticket leaves the line with it (a
    called one frees its counter), with the visit's `fee` and `messages` in the same write. None
    when the booking has no live ticket."""
    line = stores.desk.line(booking.office_id, booking.day)
    ticket = next((t for t in line.tickets if t.booking_id == booking.booking_id and t.status in (WAITING, CALLED)),
                  None)
    if ticket is None:
        return None
    ended = stores.desk.end(ticket, desk.SERVED if ticket.status == CALLED else desk.CLOSED, now,
                            booking=booking, booking_after=after, fee=fee, messages=messages)
    _measure(ended, now)
    return after


def _retrying(write):
    """A write whose only race is another transaction on the office's visitor count at the same
    moment (TxConflict): it is tried again; a failed condition is the caller's to interpret."""
    for attempt in range(CALL_ATTEMPTS):
        try:
            return write()
        except TxConflict:
            if attempt == CALL_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))
    return None


# --- call next and end the visit ---------------------------------------------------------------------

def call_next(office_id: str, operator_id: str, counter: int, now: datetime | None = None) -> dict:
    """Call the next citizen to `counter` by the published order, in one conditional transaction;
    a call that lost a race to another counter reads the line again."""
    counter = _counter(counter)
    desk_rules = rules()
    catalogue.get_office(office_id)
    for attempt in range(CALL_ATTEMPTS):
        moment = _now(now)
        line = stores.desk.line(office_id, moment.date())
        busy = line.at(counter)
        if busy is not None:
            raise CounterBusy(f"Ticket {busy.label} is at counter {counter}: serve it or mark it not present first",
                              f"نوبت {busy.label_fa} در باجه {to_persian_digits(str(counter))} است؛ "
                              "ابتدا کار آن را تمام کنید")
        pick = desk.pick_next(line.waiting(), line.streak, moment, desk_rules)
        if pick is None:
            return {"counter": counter, "ticket": None, "reason": None, "waiting": 0}
        try:
            called = stores.desk.call(line, pick.ticket, pick.streak, counter, f"operator:{operator_id}", moment)
        except (TxConditionFailed, TxConflict):
            time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))  # let the winner's write land
            continue
        metrics.add_metric(name="DeskCalled", unit="Count", value=1)
        return {"counter": counter, "ticket": ticket_view(called, moment), "reason": pick.reason,
                "waiting": len(line.waiting()) - 1}
    logger.warning("call next gave up", extra={"office_id": office_id, "counter": counter})
    raise DeskBusy()


def _at_counter(office_id: str, counter: int, number: int | None, now: datetime) -> Ticket:
    counter = _counter(counter)
    line = stores.desk.line(office_id, now.date())
    ticket = line.at(counter)
    if ticket is None:
        raise CounterFree(f"Nobody is at counter {counter}", f"در باجه {to_persian_digits(str(counter))} مراجعی نیست")
    if number is not None and number != ticket.number:
        raise CounterBusy(f"Counter {counter} serves ticket {ticket.label}, not {number}",
                          f"باجه {to_persian_digits(str(counter))} در حال خدمت به نوبت {ticket.label_fa} است")
    return ticket


def _ended_meanwhile() -> InvalidTransition:
    return InvalidTransition("The ticket changed meanwhile; read the desk again",
                             "وضعیت این نوبت در این فاصله تغییر کرد؛ دوباره بخوانید")


def serve(office_id: str, operator_id: str, counter: int, number: int | None = None,
          now: datetime | None = None) -> dict:
    """The citizen at `counter` was served: the counter frees; an appointment's booking is
    completed by the same rules as completing it from the day list."""
    now = _now(now)
    ticket = _at_counter(office_id, counter, number, now)
    booking = after = None
    if ticket.kind == APPOINTMENT:
        booking = stores.bookings.get_booking(ticket.booking_id)
        if booking is None:
            raise NotFound("The appointment of this ticket is gone", "نوبت این برگه یافت نشد")
        if not booking_rules.allowed("complete", booking.status) or \
                booking_rules.day_step_refusal("complete", booking.start, now, get_settings().no_show_grace_minutes):
            raise InvalidTransition("The appointment cannot be completed now", "انجام این نوبت اکنون ممکن نیست")
        after = booking.changed(booking_rules.COMPLETED, f"operator:{operator_id}", now)
        # the visit's fee, receipt and SMS in the completing transaction, as from the day list
        fee, messages = accounts.booking_fee(booking, catalogue.get_office(office_id),
                                             catalogue.known_service(booking.service_id), now, after.history[-1].actor)
    else:  # a walk-in's fee and receipt, in the same write (the desk hands the receipt number over)
        fee, messages = accounts.walk_in_fee(ticket, catalogue.get_office(office_id),
                                             catalogue.known_service(ticket.service_id), now,
                                             f"operator:{operator_id}"), ()
    try:
        ended = _retrying(lambda: stores.desk.end(ticket, desk.SERVED, now, booking=booking, booking_after=after,
                                                  fee=fee, messages=messages))
    except (TxConditionFailed, TxConflict) as exc:
        raise _ended_meanwhile() from exc
    if fee is not None:
        accounts.counted(fee)
    metrics.add_metric(name="DeskServed", unit="Count", value=1)
    _measure(ended, now)
    return ticket_view(ended, now)


def not_present(office_id: str, operator_id: str, counter: int, number: int | None = None,
                now: datetime | None = None) -> dict:
    """A called walk-in did not come to the counter: the ticket ends and the counter frees. An
    appointment's citizen checked in; their visit is completed or recalled instead."""
    now = _now(now)
    ticket = _at_counter(office_id, counter, number, now)
    if ticket.kind == APPOINTMENT:
        raise InvalidTransition("An appointment's citizen checked in: recall them or complete the visit",
                                "ارباب رجوع نوبت‌دار پذیرش شده است؛ دوباره فراخوانی کنید یا کار را تمام کنید")
    try:
        ended = stores.desk.end(ticket, desk.NOT_PRESENT, now)
    except (TxConditionFailed, TxConflict) as exc:
        raise _ended_meanwhile() from exc
    metrics.add_metric(name="DeskNotPresent", unit="Count", value=1)
    return ticket_view(ended, now)


def recall(office_id: str, counter: int, number: int | None = None, now: datetime | None = None) -> dict:
    """Announce the ticket at `counter` again (the board shows how often)."""
    now = _now(now)
    ticket = _at_counter(office_id, counter, number, now)
    try:
        return ticket_view(stores.desk.recall(ticket), now)
    except (TxConditionFailed, TxConflict) as exc:
        raise _ended_meanwhile() from exc


def close_counter(office_id: str, counter: int, now: datetime | None = None) -> None:
    now = _now(now)
    try:
        stores.desk.close_counter(office_id, now.date(), _counter(counter))
    except TxConditionFailed as exc:
        raise CounterBusy() from exc


def _measure(ticket: Ticket, now: datetime) -> None:
    """Fold a served visit into the office's pace. Best effort: two counters ending at once race
    for the pace, and the loser folds again on the fresh value (a sample lost now and then only
    slows the estimate a little; the ticket keeps its own minutes)."""
    if ticket.status != desk.SERVED or ticket.served_min is None:
        return
    service = stores.catalogue.get_service(ticket.service_id)
    prior = float(service.duration_min) if service else 12.0
    alpha = get_settings().desk_pace_alpha
    for _ in range(3):
        seen = stores.desk.pace(ticket.office_id)
        minutes = desk.next_pace(seen.minutes if seen else None, prior, ticket.served_min, alpha)
        if stores.desk.record_pace(ticket.office_id, seen, minutes, now):
            return

