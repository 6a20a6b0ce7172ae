"""Use cases of remote sessions: the session slots of an office in the citizen's own time zone,
booking one (a booking of a remote counter's seat, through the booking store's one transaction),
the office's day of sessions, confirming with join details (sent by SMS in the citizen's time),
completing with an outcome note or recording a no-show, and the citizen's read and cancel.
Join details and personal data never go to the logs."""
from __future__ import annotations

import hmac
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.domain import booking as rules
from chalicelib.domain import calendar, outbox, slots, validators
from chalicelib.domain import sessions as session_rules
from chalicelib.domain.booking import Booking
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.channels import PARTNER_CHANNELS
from chalicelib.domain.citizen import CitizenSession
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.partner import Partner, WebhookDelivery
from chalicelib.domain.sessions import SessionDetails
from chalicelib.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    ServiceUnavailable,
    TxConditionFailed,
    TxConflict,
    WebhookIdReused,
)
from chalicelib.observability import logger, metrics
from chalicelib.schemas import PartnerSessionIn, SessionIn
from chalicelib.services import accounts, bookings, catalogue, channels, citizens, once, partner_bookings
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

_REFUSED = {
    "not_offered": (NotFound, "This office does not offer this service", "این دفتر این خدمت را ارائه نمی‌دهد"),
    "not_a_session": (InvalidInput, "This office does not hold this service as a remote session",
                      "این دفتر این خدمت را به صورت جلسه برخط ارائه نمی‌دهد"),
    "contact": (InvalidInput, "This service is not held in that contact mode",
                "این خدمت با این روش تماس ارائه نمی‌شود"),
}


def _check_session_service(office: Office, service: Service, contact: str | None = None) -> None:
    why = session_rules.refusal(office, service, contact)
    if why is not None:
        error, en, fa = _REFUSED[why]
        raise error(en, fa)


def zone_name(value: str | None) -> str:
    """The citizen's IANA zone (Asia/Tehran when none is given); 422 in English and Persian otherwise."""
    if value is None:
        return "Asia/Tehran"
    try:
        session_rules.zone(value)
    except ValueError as exc:
        raise InvalidInput(errors=[{"field": "tz", "message": str(exc),
                                    "message_fa": "منطقه زمانی نامعتبر است؛ نامی مانند Europe/Berlin بفرستید"}]) from exc
    return value.strip()


def _remote_counters(office: Office, day: date) -> tuple[int, ...]:
    opened = stores.load.counter(office.office_id)
    return session_rules.remote_counters(catalogue.bookable_counters(office, day),
                                         opened.open if opened is not None else None)


# --- slots --------------------------------------------------------------------------------------

def session_slots(office_id: str, service_id: str, day: date, tz: str | None, now: datetime | None = None) -> dict:
    """The day's free session slots of the office for the service: each start in Asia/Tehran and
    in the citizen's zone, with how many remote counters are free for it."""
    now = now or calendar.now_tehran()
    zone = zone_name(tz)
    office, service = catalogue.get_office(office_id), catalogue.get_service(service_id)
    _check_session_service(office, service)
    catalogue.check_window(day, now)
    intervals = catalogue.opening(office, day)
    found = []
    if intervals:
        counters = _remote_counters(office, day)
        taken = stores.bookings.taken_seats(office_id, day, now)
        grid = get_settings().slot_grid_minutes
        for start in slots.candidate_starts(intervals, int(service.duration_min), grid):
            cells = slots.cells_for(start, int(service.duration_min), grid)
            free = [k for k in counters if all(k not in taken.get(c, ()) for c in cells)]
            if free:
                found.append({"start": calendar.datetime_out(start),
                              "local": session_rules.zoned_out(start, zone), "free": len(free)})
    return {"office_id": office_id, "service_id": service_id, **calendar.date_out(day), "open": bool(intervals),
            "time_zone": zone, "duration_min": int(service.duration_min),
            "contact_modes": sorted(session_rules.modes_of(service)), "slots": found}


# --- booking --------------------------------------------------------------------------------------

def book(req: SessionIn, idempotency_key: str | None = None, now: datetime | None = None, *,
         lambda_context: Any = None, session: CitizenSession | None = None) -> dict:
    """Book a session slot for the citizen of the session (the body's national ID and mobile must
    be theirs). Under an Idempotency-Key a retry returns the first result."""
    if session is not None:
        citizens.check_owner(session, req.national_id, req.mobile)
    if idempotency_key:
        stores.idempotency.register_context(lambda_context)
        return once.run("session", idempotency_key, req.idempotency_view(),
                        lambda body: once.without_secret(_book(SessionIn.model_validate(body), None)))
    return _book(req, now)


def _book(req: SessionIn, now: datetime | None) -> dict:
    booking, office, service, access_code = _create(req, now or calendar.now_tehran())
    return {**session_view(booking, office, service), "access_code": access_code}


def _create(req: SessionIn, now: datetime, *, on_behalf: bookings.OnBehalf | None = None
            ) -> tuple[Booking, Office, Service, str]:
    """Book the session's seat on a remote counter for its citizen, within the booking channel's
    share of the office-day as any booking (the web's, or the partner's channel's): a session
    takes a seat like a visit does. Returns (booking, office, service, access code)."""
    s = get_settings()
    office, service = catalogue.get_office(req.office_id), catalogue.get_service(req.service_id)
    _check_session_service(office, service, req.contact)
    catalogue.check_window(req.start.date(), now)
    grid = s.slot_grid_minutes
    if not slots.is_on_grid(req.start, catalogue.opening(office, req.start.date()), int(service.duration_min), grid):
        raise InvalidInput("The office holds no session for this service at that time",
                           "دفتر در این زمان برای این خدمت جلسه برخط ندارد")
    cells = slots.cells_for(req.start, int(service.duration_min), grid)
    day = req.start.date()
    counters = _remote_counters(office, day)
    booking_id, access_code = rules.new_booking_id(), rules.new_access_code()
    details = SessionDetails(req.contact, req.time_zone, req.start + timedelta(minutes=int(service.duration_min)))
    messages = [_sms("session_booked", booking_id, req.mobile, office, service, req.start, details, now,
                     access_code=access_code)]
    web, first = channels.first_claim(office, day, now, len(cells), on_behalf and on_behalf.partner.kind)

    def commit(counter: int, share: tuple) -> Booking:
        draft = rules.BookingDraft(
            booking_id=booking_id, office_id=office.office_id, service_id=service.service_id, day=day,
            start=req.start, cells=cells, counter=counter,
            citizen_key=rules.citizen_key(req.national_id, s.citizen_pepper),
            national_id_masked=validators.mask_national_id(req.national_id), mobile=req.mobile, name=req.name,
            access_code_hash=rules.hash_access_code(booking_id, access_code), session=details, share=share,
            **bookings.channel_of(on_behalf))
        return bookings.write(draft, now, messages=messages, on_behalf=on_behalf)

    shared = bookings.with_share(commit, web)
    booking = _claim(office.office_id, day, cells, counters, now, lambda counter: shared(counter, first))
    metrics.add_metric(name="SessionBooked", unit="Count", value=1)
    logger.info("session booked", extra={"booking_id": booking_id, "office_id": office.office_id,
                                         "channel": booking.channel})
    return booking, office, service, access_code


# --- a partner on the citizen's behalf ------------------------------------------------------------

def book_for_citizen(partner: Partner, webhook_id: str, req: PartnerSessionIn,
                     now: datetime | None = None) -> tuple[dict, bool]:
    """A verified partner delivery (the 1470 network, a consulate) books a session for a citizen,
    within its channel's share, once per `webhook-id`: a replay returns the session the first
    delivery booked and books nothing; another body under the same id is refused. The citizen
    gets the SMS; the partner's answer carries neither their identifiers nor the access code."""
    now = now or calendar.now_tehran()
    mark = partner_bookings.fingerprint(req)
    earlier = stores.partners.seen_request(partner.partner_id, webhook_id, now)
    if earlier is not None:
        return _partner_replay(partner, earlier, mark), False
    if partner.kind not in PARTNER_CHANNELS:
        raise channels.partner_share_full()
    delivery = WebhookDelivery.received(partner.partner_id, webhook_id, now, get_settings().webhook_dedupe_hours)
    try:
        booking, office, service, _ = _create(req, now, on_behalf=bookings.OnBehalf(partner, delivery,
                                                                                    req.partner_ref, mark))
    except bookings.Replayed:
        earlier = stores.partners.seen_request(partner.partner_id, webhook_id, now)
        if earlier is None:
            raise ServiceUnavailable() from None
        return _partner_replay(partner, earlier, mark), False
    return partner_view(booking, office, service), True


def _partner_replay(partner: Partner, earlier: str, mark: str) -> dict:
    booking = stores.bookings.get_booking(earlier)
    if booking is None or booking.session is None or booking.partner_id != partner.partner_id \
            or not hmac.compare_digest(booking.fingerprint or "", mark):
        raise WebhookIdReused()
    return partner_view(booking)


def partner_view(booking: Booking, office: Office | None = None, service: Service | None = None) -> dict:
    """What the partner reads: the session and its times, never the citizen's identifiers, the
    access code or the join details (those go to the citizen by SMS)."""
    view = partner_bookings.partner_view(booking, office, service)
    details = booking.session
    return {**view, "kind": session_rules.KIND, "contact": details.contact, "time_zone": details.time_zone,
            "local": session_rules.zoned_out(booking.start, details.time_zone), "confirmed": details.confirmed}


def _claim(office_id: str, day: date, cells: tuple[str, ...], counters: tuple[int, ...], now: datetime, commit):
    """Claim one of the remote counters for the slot by the booking path's rule (bookings.claim_seat):
    refused as full only when a consistent read of the seats shows none of them free."""
    def read_free() -> tuple[int, ...]:
        taken = stores.bookings.taken_seats(office_id, day, now, consistent=True)
        return tuple(k for k in counters if all(k not in taken.get(c, ()) for c in cells))
    return bookings.claim_seat(counters, read_free, commit)


# --- SMS ------------------------------------------------------------------------------------------

def _sms(template: str, booking_id: str, mobile: str, office: Office, service: Service, start: datetime,
         details: SessionDetails, now: datetime, **more: str) -> OutboxMessage:
    params = {"office_fa": office.name_fa, "service_fa": service.name_fa, "start": start.isoformat(),
              "booking_id": booking_id, "contact_fa": session_rules.CONTACT_FA[details.contact],
              "when_local": session_rules.sms_when(start, details.time_zone), **more}
    return outbox.sms(template, mobile, now, booking_id=booking_id, params=params)


# --- views ----------------------------------------------------------------------------------------

def session_view(booking: Booking, office: Office | None = None, service: Service | None = None, *,
                 for_office: bool = False) -> dict:
    """A session as its citizen (or its office) sees it: the start in Tehran and in the citizen's
    zone, the contact mode, and the join details once confirmed."""
    details = booking.session
    base = bookings.booking_view(booking, office, service)
    view = {**base, "kind": session_rules.KIND, "contact": details.contact, "time_zone": details.time_zone,
            "local": session_rules.zoned_out(booking.start, details.time_zone),
            "ends": calendar.datetime_out(details.ends), "confirmed": details.confirmed, "join": details.join}
    if for_office:
        view["note"] = details.note
    return view


def _citizens_session(booking_id: str, access_code: str | None, session: CitizenSession | None) -> Booking:
    booking = bookings.owned(booking_id, access_code, session)
    if booking.session is None:  # a visit is not a session: answered like an unknown one
        raise NotFound("No session with this id and access code", "جلسه‌ای با این شناسه و کد دسترسی یافت نشد")
    return booking


def read(booking_id: str, access_code: str | None, *, session: CitizenSession | None = None) -> dict:
    return session_view(_citizens_session(booking_id, access_code, session))


def cancel(booking_id: str, access_code: str | None, now: datetime | None = None, *,
           session: CitizenSession | None = None) -> dict:
    """The citizen cancels before the start, as a booking: its seat and day are freed at once."""
    now = now or calendar.now_tehran()
    booking = _citizens_session(booking_id, access_code, session)
    if not rules.allowed("cancel", booking.status) or booking.start <= now:
        raise InvalidTransition()
    office, service = catalogue.get_office(booking.office_id), catalogue.known_service(booking.service_id)
    message = _sms("session_cancelled", booking_id, booking.mobile, office, service, booking.start, booking.session, now)
    try:
        cancelled = stores.bookings.cancel(booking, now, "citizen", [message])
    except (TxConditionFailed, TxConflict) as exc:
        raise bookings.changed_meanwhile() from exc
    metrics.add_metric(name="SessionCancelled", unit="Count", value=1)
    return session_view(cancelled, office, service)


# --- the office -----------------------------------------------------------------------------------

def office_day(office_id: str, day: date | None, now: datetime | None = None) -> dict:
    """The office's sessions of the day (cancelled ones left out), in start order."""
    now = now or calendar.now_tehran()
    day = day or now.date()
    office = catalogue.get_office(office_id)
    found = sorted((b for b in stores.bookings.office_day_bookings(office_id, day)
                    if b.session is not None and b.status != rules.CANCELLED), key=lambda b: (b.start, b.booking_id))
    return {"office_id": office_id, **calendar.date_out(day),
            "items": [session_view(b, office, for_office=True) for b in found]}


def _own(office_id: str, booking_id: str) -> Booking:
    booking = stores.bookings.get_booking(booking_id)
    if booking is None or booking.office_id != office_id or booking.session is None:
        raise NotFound("No such session at your office", "چنین جلسه‌ای در دفتر شما وجود ندارد")
    return booking


_STEP_REFUSED = {
    session_rules.CONFIRM_TOO_LATE: ("The session is over; it can no longer be confirmed",
                                     "زمان جلسه گذشته است و دیگر قابل تأیید نیست"),
    session_rules.NOT_CONFIRMED: ("Confirm the session with its join details before completing it",
                                  "پیش از ثبت انجام جلسه، آن را با اطلاعات ورود تأیید کنید"),
    "not_the_day": ("This step is only possible on the day of the session", "این کار فقط در روز جلسه ممکن است"),
    "too_early": ("This step is not possible yet: the session has not started (or its grace has not passed)",
                  "این کار هنوز ممکن نیست: جلسه آغاز نشده یا مهلت آن نگذشته است"),
}


def _check_step(action: str, booking: Booking, now: datetime) -> None:
    if booking.status != rules.BOOKED:
        raise InvalidTransition()
    why = session_rules.step_refusal(action, booking.session, booking.start, now, get_settings().no_show_grace_minutes)
    if why is not None:
        raise InvalidTransition(*_STEP_REFUSED[why])


def confirm(office_id: str, operator_id: str, booking_id: str, join: str, now: datetime | None = None) -> dict:
    """The office confirms the session with its join details; the citizen gets them by SMS, with
    the time in their own zone. Confirming again replaces the details and sends them again."""
    now = now or calendar.now_tehran()
    booking = _own(office_id, booking_id)
    _check_step("confirm", booking, now)
    try:
        join = session_rules.join_details(booking.session.contact, join)
    except ValueError as exc:
        fa = ("پیوند جلسه تصویری باید یک نشانی https معتبر باشد" if booking.session.contact == session_rules.VIDEO
              else "شماره تماس دفتر معتبر نیست")
        raise InvalidInput(errors=[{"field": "join", "message": str(exc), "message_fa": fa}]) from exc
    office, service = catalogue.get_office(office_id), catalogue.known_service(booking.service_id)
    details = booking.session.confirmed_with(join, now)
    message = _sms(f"session_confirmed_{details.contact}", booking_id, booking.mobile, office, service,
                   booking.start, details, now, join=join)
    try:
        after = stores.bookings.confirm_session(booking, details, now, f"operator:{operator_id}", [message])
    except (TxConditionFailed, TxConflict) as exc:
        raise bookings.changed_meanwhile() from exc
    metrics.add_metric(name="SessionConfirmed", unit="Count", value=1)
    logger.info("session confirmed", extra={"booking_id": booking_id, "office_id": office_id})
    return session_view(after, office, service, for_office=True)


def complete(office_id: str, operator_id: str, booking_id: str, note: str | None, now: datetime | None = None) -> dict:
    """The office completes a confirmed session with its outcome note: a served visit for the ranking."""
    return _finish(office_id, operator_id, booking_id, "complete", note, now)


def no_show(office_id: str, operator_id: str, booking_id: str, now: datetime | None = None) -> dict:
    """The citizen did not join: a no-show, with the same block on new bookings as a missed visit."""
    return _finish(office_id, operator_id, booking_id, "no_show", None, now)


def _finish(office_id: str, operator_id: str, booking_id: str, action: str, note: str | None,
            now: datetime | None) -> dict:
    now = now or calendar.now_tehran()
    booking = _own(office_id, booking_id)
    _check_step(action, booking, now)
    s = get_settings()
    to = rules.COMPLETED if action == "complete" else rules.NO_SHOW
    block_until = now + timedelta(days=s.no_show_block_days) if to == rules.NO_SHOW else None
    details = booking.session.noted(note) if action == "complete" else None
    fee, messages = None, []
    if to == rules.COMPLETED:  # a delivered service: its fee and the citizen's receipt, with the completion
        office = stores.catalogue.all_offices().get(office_id) or stores.catalogue.get_office(office_id)
        fee, messages = accounts.booking_fee(booking, office, catalogue.get_service(booking.service_id), now,
                                             f"operator:{operator_id}")
    try:
        after = stores.bookings.transition(booking, to, now, f"operator:{operator_id}", block_until=block_until,
                                           session=details, fee=fee, messages=messages)
    except (TxConditionFailed, TxConflict) as exc:
        raise bookings.changed_meanwhile() from exc
    if fee is not None:
        accounts.counted(fee)
    metrics.add_metric(name="SessionCompleted" if to == rules.COMPLETED else "SessionNoShow", unit="Count", value=1)
    return session_view(after, for_office=True)
