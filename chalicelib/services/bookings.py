"""Use cases of a citizen's appointment: hold, book, read, cancel, reschedule."""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain import booking as rules
from chalicelib.domain import calendar, outbox, slots, validators
from chalicelib.domain.booking import Booking, Hold, Move
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.citizen import CitizenSession
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.partner import Partner, WebhookDelivery
from chalicelib.errors import (
    ChannelShareFull,
    DailyCapReached,
    DomainError,
    DuplicateBooking,
    HoldExpired,
    HoldInProgress,
    IdempotencyKeyReused,
    InvalidInput,
    InvalidTransition,
    NoShowBlocked,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    SlotFull,
    TxConditionFailed,
    TxConflict,
)
from chalicelib.observability import logger, metrics
from chalicelib.schemas import BookingIn, HoldIn, RescheduleIn
from chalicelib.services import catalogue, channels, citizens, tariffs
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

_rng = random.SystemRandom()
MAX_SEAT_RACES = 64  # seats lost to other citizens in one claim (a slot has at most that many counters)
SHARE_REREADS = 3  # re-reads of the web's counts after one was found full, before refusing
PARTNER_CONFLICT_RETRIES = 8  # a partner's channel count is one item: its own posts contend on it


def _slot_for(office: Office, service: Service, start: datetime, now: datetime) -> tuple[str, ...]:
    """Validate that `start` is a bookable grid slot of the office and return its cells."""
    catalogue.bookable(office, service)
    catalogue.check_window(start.date(), now)
    grid = get_settings().slot_grid_minutes
    minutes = office.duration_of(service)  # the office's own duration when it declared one
    if not slots.is_on_grid(start, catalogue.opening(office, start.date()), minutes, grid):
        raise InvalidInput("The office is not open for this service at that time",
                           "دفتر در این زمان برای این خدمت باز نیست")
    return slots.cells_for(start, minutes, grid)


def _map_failure(labels: set[str]) -> Exception:
    """Which business rule a failed transaction broke, most specific first."""
    if "blocked" in labels:
        return NoShowBlocked()
    if "duplicate" in labels:
        return DuplicateBooking()
    if "cap" in labels:
        return DailyCapReached()
    if "live_hold" in labels:
        return HoldInProgress()
    if "hold_quota" in labels:
        return RateLimited("You have made the most holds allowed today; book directly or try tomorrow",
                           "سقف دفعات نگه‌داشتن نوبت امروز پر شده است؛ مستقیم نوبت بگیرید یا فردا تلاش کنید",
                           retry_after=_seconds_to_tomorrow())
    if "hold" in labels:
        return HoldExpired()
    if "booking" in labels:
        return InvalidTransition()
    if "share" in labels:
        return ChannelShareFull()
    return SlotFull()


def _seconds_to_tomorrow(now: datetime | None = None) -> int:
    now = now or calendar.now_tehran()
    tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
    return max(1, int((tomorrow - now).total_seconds()))


def backoff(conflicts: int) -> float:
    """The pause before trying again after the `conflicts`-th conflict: full jitter over a window
    that doubles from 10 ms up to 160 ms, so contenders spread out instead of colliding again."""
    return _rng.uniform(0, 0.01 * 2 ** min(conflicts - 1, 4))


def claim_seat(free: tuple[int, ...], read_free: Callable[[], tuple[int, ...]], commit: Callable[[int], Any]):
    """Claim one of the counters `free` for a slot. The first try is optimistic (a random counter,
    no read): on a quiet slot it wins with one round trip. After a lost race for a seat, or a
    conflict with a concurrent transaction on the same seat, `read_free` (a consistent read of the
    seats) says which counters are still free and one of those is tried. The answer is slot-full
    only when that read finds none. A conflict is tried again after a jittered pause within the
    request's time budget (BOOKING_BUDGET_S); each lost race means another citizen took a seat,
    so races end when the seats do. Past either bound the answer is 503 (retry), never a refusal."""
    deadline = time.monotonic() + get_settings().booking_budget_s
    conflicts, races = 0, 0
    while True:
        if not free:
            raise SlotFull()
        try:
            return commit(_rng.choice(free))
        except TxConflict:
            conflicts += 1
            pause = backoff(conflicts)
            if time.monotonic() + pause >= deadline:
                raise ServiceUnavailable(retry_after=1) from None
            time.sleep(pause)
        except TxConditionFailed as exc:
            if exc.labels - {"seat", "seat_release"}:
                raise _map_failure(exc.labels) from exc
            races += 1
            if races > MAX_SEAT_RACES:
                raise ServiceUnavailable(retry_after=1) from None
        free = read_free()


def _attempt(claim):
    return claim_seat(tuple(range(1, claim.counters + 1)), lambda: claim.free(consistent=True), claim.commit)


class _Claim:
    def __init__(self, office: Office, day, cells, now, commit):
        self.office, self.day, self.cells, self.now, self._commit = office, day, cells, now, commit
        self.counters = catalogue.bookable_counters(office, day)  # licensed operators cap the counters

    def free(self, consistent: bool) -> tuple[int, ...]:
        taken = stores.bookings.taken_seats(self.office.office_id, self.day, self.now, consistent=consistent)
        return slots.free_counters(self.cells, self.counters, taken)

    def commit(self, counter: int):
        return self._commit(counter)


def hold(req: HoldIn, now: datetime | None = None, *, session: CitizenSession | None = None) -> dict:
    """Hold a slot for a few minutes. With the citizen's session (the API requires one) the hold
    is the citizen's one live hold, takes a place under their daily cap while it lives, and counts
    in their holds of the day (so a slot cannot be kept by renewing holds)."""
    now = now or calendar.now_tehran()
    s = get_settings()
    office, service = catalogue.get_office(req.office_id), catalogue.get_service(req.service_id)
    cells = _slot_for(office, service, req.start, now)
    hold_id = rules.new_hold_id()
    expires = (now + timedelta(minutes=s.hold_minutes)).replace(microsecond=0)
    citizen = session.citizen_key if session else None

    def commit(counter: int):
        stores.bookings.create_hold(Hold(hold_id, office.office_id, service.service_id, req.start.date(), req.start,
                                         cells, counter, expires, citizen), now,
                                    max_per_day=s.max_active_bookings_per_day,
                                    holds_per_day=s.holds_per_citizen_per_day)

    _attempt(_Claim(office, req.start.date(), cells, now, commit))
    metrics.add_metric(name="SlotHeld", unit="Count", value=1)
    return {"hold_id": hold_id, "expires": calendar.datetime_out(expires),
            "office_id": office.office_id, "service_id": service.service_id, **calendar.datetime_out(req.start)}


def _messages(booking_id: str, mobile: str, office: Office, service: Service, start: datetime,
              now: datetime, template: str, access_code: str | None = None) -> list[OutboxMessage]:
    params = {"office_fa": office.name_fa, "service_fa": service.name_fa, "start": start.isoformat(),
              "when_jalali": calendar.datetime_out(start)["jalali"], "booking_id": booking_id}
    if access_code:
        params["access_code"] = access_code
    out = [outbox.sms(template, mobile, now, booking_id=booking_id, params=params)]
    remind_at = rules.reminder_time(start, now, get_settings().reminder_hours_before)
    if template in ("booking_confirmed", "booking_rescheduled") and remind_at is not None:
        out.append(outbox.sms("booking_reminder", mobile, remind_at, booking_id=booking_id, params=params))
    return out


def book(req: BookingIn, idempotency_key: str | None = None, now: datetime | None = None, *,
         session: CitizenSession | None = None) -> dict:
    """Book a slot. Under an Idempotency-Key a retry returns the first answer (without the access
    code, which only the first caller and the SMS get), and another body under the key is refused.
    With the citizen's session, the body's national ID and mobile must be the session's."""
    if session is not None:
        citizens.check_owner(session, req.national_id, req.mobile)
    now = now or calendar.now_tehran()
    if idempotency_key:
        return _book_once(req, idempotency_key, now)
    booking, office, service, access_code = create(req, now)
    return {**booking_view(booking, office, service), "access_code": access_code}


class Answered(Exception):
    """A booking under the same Idempotency-Key was written first (by a concurrent or earlier call)."""


def _book_once(req: BookingIn, key: str, now: datetime) -> dict:
    """The booking and its first answer under `key` in one transaction: no round trip of its own.
    A key already answered fails that transaction; a refusal before it (the hold the first call
    used is gone, the slot is full now) may be a retry's too: either way the key's answer is read
    and replayed when it exists."""
    fingerprint = rules.body_fingerprint(req.idempotency_view(), get_settings().citizen_pepper)
    try:
        booking, office, service, access_code = create(req, now, once=(key, fingerprint))
    except Answered:
        return _replay(key, fingerprint, now, ServiceUnavailable())  # answered, then expired meanwhile
    except DomainError as exc:
        if exc.status >= 500:
            raise
        return _replay(key, fingerprint, now, exc)
    return {**booking_view(booking, office, service), "access_code": access_code}


def _replay(key: str, fingerprint: str, now: datetime, otherwise: Exception) -> dict:
    earlier = stores.bookings.first_answer(key, now)
    if earlier is None:
        raise otherwise
    if not earlier.is_for(fingerprint):
        raise IdempotencyKeyReused()
    return dict(earlier.answer)


@dataclass(frozen=True)
class OnBehalf:
    """A partner booking for a citizen: its channel's count is taken instead of the web's, and the
    delivery (webhook-id) it answers is remembered in the same transaction."""
    partner: Partner
    delivery: WebhookDelivery
    partner_ref: str | None
    fingerprint: str


def channel_of(on_behalf: OnBehalf | None) -> dict:
    """A booking draft's channel fields: the web's, or the partner's booking for a citizen."""
    if on_behalf is None:
        return {"channel": "web", "partner_id": None, "partner_ref": None, "fingerprint": None}
    return {"channel": on_behalf.partner.kind, "partner_id": on_behalf.partner.partner_id,
            "partner_ref": on_behalf.partner_ref, "fingerprint": on_behalf.fingerprint}


def write(draft: rules.BookingDraft, now: datetime, *, messages, on_behalf: OnBehalf | None,
          hold_id: str | None = None, once: rules.FirstAnswer | None = None) -> Booking:
    """The booking's one transaction. A partner's posts share its channel's count item, so a
    partner's conflict is tried again here; a citizen's goes back to claim_seat, which pauses and
    rereads. Replayed: the partner's delivery was processed already; Answered: the Idempotency-Key
    has its answer already."""
    for attempt in range(PARTNER_CONFLICT_RETRIES if on_behalf else 1):
        try:
            return stores.bookings.book(draft, now, max_per_day=get_settings().max_active_bookings_per_day,
                                        hold_id=hold_id, messages=messages,
                                        delivery=on_behalf.delivery if on_behalf else None, once=once)
        except TxConditionFailed as exc:
            if "webhook" in exc.labels:
                raise Replayed() from exc
            if "once" in exc.labels:
                raise Answered() from exc
            raise
        except TxConflict:
            if not on_behalf:
                raise
            time.sleep(_rng.uniform(0.01, 0.04) * (attempt + 1))
    raise ServiceUnavailable()  # the partner retries the same delivery (webhook-id): nothing is lost


class Replayed(Exception):
    """The partner delivery was already processed (by a concurrent copy of it)."""


def with_share(commit, claim_web: channels.WebShare | None):
    """`commit` with the web's counts: after a count was found full, take the seats from the
    counts with room (read once), or refuse when the web's part is used up."""
    def run(counter: int, share: tuple) -> Booking:
        for _ in range(SHARE_REREADS):
            try:
                return commit(counter, share)
            except TxConditionFailed as exc:
                if claim_web is None or exc.labels != {"share"}:
                    raise
            share = claim_web.after_refusal()
        return commit(counter, share)
    return run


def create(req: BookingIn | Any, now: datetime, *, on_behalf: OnBehalf | None = None,
           once: tuple[str, str] | None = None) -> tuple[Booking, Office, Service, str]:
    """Book `req`'s slot for its citizen, within the booking channel's share of the office-day:
    the web's (counted only while partner channels hold a reserve), or the partner's channel's.
    With `once` (an Idempotency-Key and its body's fingerprint) the answer is written with the
    booking; Answered when the key has one already. Returns (booking, office, service, access
    code); the code goes out by SMS too."""
    s = get_settings()
    office, service = catalogue.get_office(req.office_id), catalogue.get_service(req.service_id)
    cells = _slot_for(office, service, req.start, now)
    day = req.start.date()
    booking_id, access_code = rules.new_booking_id(), rules.new_access_code()
    messages = _messages(booking_id, req.mobile, office, service, req.start, now, "booking_confirmed", access_code)
    hold_id = getattr(req, "hold_id", None)
    web, first = channels.first_claim(office, day, now, len(cells), on_behalf and on_behalf.partner.kind)
    priced = tariffs.price(service, req.start.date())

    def commit(counter: int, share: tuple) -> Booking:
        draft = rules.BookingDraft(
            booking_id=booking_id, office_id=office.office_id, service_id=service.service_id, day=day,
            start=req.start, cells=cells, counter=counter, citizen_key=rules.citizen_key(req.national_id, s.citizen_pepper),
            national_id_masked=validators.mask_national_id(req.national_id), mobile=req.mobile, name=req.name,
            access_code_hash=rules.hash_access_code(booking_id, access_code), share=share,
            tariff_version=priced.version, fee_rials=priced.fee_rials, **channel_of(on_behalf))
        answer = None
        if once is not None:  # what this booking answers, known before it is written
            answer = rules.FirstAnswer(once[0], once[1], booking_view(Booking.new(draft, now), office, service),
                                       now + rules.ANSWER_KEPT)
        return write(draft, now, messages=messages, on_behalf=on_behalf, hold_id=hold_id, once=answer)

    shared = with_share(commit, web)
    if hold_id:
        held = stores.bookings.get_hold(hold_id)
        owner = rules.citizen_key(req.national_id, s.citizen_pepper)
        if (held is None or not held.is_for(office.office_id, service.service_id, req.start)
                or held.citizen_key not in (None, owner)):  # another citizen's hold is no hold of yours
            raise HoldExpired("The hold does not exist or is for another slot", "نگهداری نوبت معتبر نیست")
        try:
            booking = shared(held.counter, first)
        except TxConditionFailed as exc:
            raise _map_failure(exc.labels) from exc
    else:
        booking = _attempt(_Claim(office, day, cells, now, lambda counter: shared(counter, first)))
    metrics.add_metric(name="BookingCreated", unit="Count", value=1)
    logger.info("booking created", extra={"booking_id": booking_id, "office_id": office.office_id,
                                          "channel": booking.channel})
    return booking, office, service, access_code


def booking_view(booking: Booking, office: Office | None = None, service: Service | None = None) -> dict:
    office = office or stores.catalogue.all_offices().get(booking.office_id)
    service = service or stores.catalogue.get_service(booking.service_id)
    return {
        "booking_id": booking.booking_id, "status": booking.status,
        "office": {"office_id": booking.office_id, "name_fa": office.name_fa if office else None,
                   "name_en": office.name_en if office else None},
        "service": {"service_id": booking.service_id, "name_fa": service.name_fa if service else None,
                    "name_en": service.name_en if service else None},
        "start": calendar.datetime_out(booking.start), "counter": booking.counter,
        "national_id": booking.national_id_masked, "mobile": validators.mask_mobile(booking.mobile),
        "created_at": booking.created_at.isoformat(), "updated_at": booking.updated_at.isoformat(),
    }


def of_citizen(citizen_key: str, now: datetime | None = None) -> dict:
    """The citizen's live bookings (booked or checked in) from today on, soonest first: what a
    citizen who lost an access code sees after proving their mobile."""
    today = (now or calendar.now_tehran()).date()
    live = [b for b in stores.bookings.of_citizen(citizen_key, today) if b.status in rules.LIVE]
    return {"items": [booking_view(b) for b in live]}


def _owned(booking_id: str, access_code: str | None, session: CitizenSession | None = None) -> Booking:
    """The booking, for whoever shows its access code or the session of its citizen."""
    booking = stores.bookings.get_booking(booking_id)
    # A wrong code, another citizen's session and a missing booking look the same, so nothing can be probed.
    if booking is None or not (rules.access_code_matches(booking_id, access_code, booking.access_code_hash)
                               or (session is not None and session.citizen_key == booking.citizen_key)):
        raise NotFound("No booking with this id and access code", "نوبتی با این شناسه و کد دسترسی یافت نشد")
    return booking


owned = _owned  # the sessions' use cases read their citizen's booking the same way
map_failure = _map_failure


def read(booking_id: str, access_code: str | None, *, session: CitizenSession | None = None) -> dict:
    return booking_view(_owned(booking_id, access_code, session))


def changed_meanwhile() -> InvalidTransition:
    """A write lost to another change of the same booking since it was read."""
    return InvalidTransition("The booking changed meanwhile; read it again",
                             "نوبت در این فاصله تغییر کرده است؛ دوباره بخوانید")


def cancel(booking_id: str, access_code: str | None, now: datetime | None = None, *,
           session: CitizenSession | None = None) -> dict:
    now = now or calendar.now_tehran()
    booking = _owned(booking_id, access_code, session)
    if not rules.allowed("cancel", booking.status) or booking.start <= now:
        raise InvalidTransition()
    office, service = catalogue.get_office(booking.office_id), catalogue.known_service(booking.service_id)
    messages = _messages(booking_id, booking.mobile, office, service, booking.start, now, "booking_cancelled")
    try:
        cancelled = stores.bookings.cancel(booking, now, "citizen", messages)
    except (TxConditionFailed, TxConflict) as exc:
        raise changed_meanwhile() from exc
    metrics.add_metric(name="BookingCancelled", unit="Count", value=1)
    return booking_view(cancelled, office, service)


def reschedule(booking_id: str, access_code: str | None, req: RescheduleIn, now: datetime | None = None, *,
               session: CitizenSession | None = None) -> dict:
    now = now or calendar.now_tehran()
    s = get_settings()
    booking = _owned(booking_id, access_code, session)
    if not rules.allowed("reschedule", booking.status) or booking.start <= now:
        raise InvalidTransition()
    if booking.session is not None:  # its seat must stay on a remote counter: cancel and book another
        raise InvalidTransition("A remote session cannot be moved; cancel it and book another session",
                                "جلسه برخط قابل جابه‌جایی نیست؛ آن را لغو کنید و جلسه دیگری رزرو کنید")
    office, service = catalogue.get_office(booking.office_id), catalogue.known_service(booking.service_id)
    cells = _slot_for(office, service, req.start, now)
    day = req.start.date()
    messages = _messages(booking_id, booking.mobile, office, service, req.start, now, "booking_rescheduled")

    class Claim(_Claim):
        def free(self, consistent: bool) -> tuple[int, ...]:
            taken = stores.bookings.taken_seats(office.office_id, day, now, consistent=consistent)
            if day == booking.day:  # our own seats are free to us
                for cell in booking.cells:
                    taken.get(cell, set()).discard(booking.counter)
            return slots.free_counters(cells, self.counters, taken)

    web, first = None, None
    if day != booking.day:  # the new day's channel count is taken as for a new booking
        if booking.channel == channels.WEB:
            web = channels.WebShare(office, day, now, len(cells))
            first = web.first()
        else:
            first = channels.partner_claim(office, day, now, booking.channel, len(cells))

    def commit(counter: int, share) -> Booking:
        return stores.bookings.reschedule(booking, Move(day, req.start, cells, counter, share), now,
                                          max_per_day=s.max_active_bookings_per_day, messages=messages)

    shared = with_share(commit, web)
    moved = _attempt(Claim(office, day, cells, now, lambda counter: shared(counter, first)))
    metrics.add_metric(name="BookingRescheduled", unit="Count", value=1)
    return booking_view(moved, office, service)
