"""Use cases of the waitlist: a verified citizen joins (an office, a service, a few days), reads
and leaves their entries; a freed seat is offered to the first waiting citizen of its day as a
hold with an SMS link, and an offer whose time is up passes to the next in line.

Where the work runs: a seat is freed by a booking's change (a cancellation by the citizen or by a
closure, a reschedule); the bookings table's stream brings every such change to
`on_booking_change` (api/waitlist_jobs.py), so no freed seat is missed when the request that freed
it ends early, and a redelivered change offers nothing twice (the seat is then held). The
`roll_offers` job (every minute) settles the offers whose time is up and passes each seat not
booked to the next in line. Every offer is one transaction conditional on the seat being free and
the waiter's place still WAITING: never two offers for one seat, never an offer for a taken seat."""
from __future__ import annotations

import random
import time
from datetime import datetime

from chalicelib.domain import booking as rules
from chalicelib.domain import calendar, outbox, slots
from chalicelib.domain import waitlist as wl
from chalicelib.domain.booking import Hold
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.citizen import CitizenSession
from chalicelib.domain.waitlist import FreedSeat, Offer, WaitlistEntry
from chalicelib.errors import (
    AlreadyWaiting,
    Conflict,
    InvalidInput,
    NotFound,
    TxConditionFailed,
    TxConflict,
    WaitlistFull,
)
from chalicelib.observability import logger, metrics
from chalicelib.services import catalogue, citizens
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

_rng = random.SystemRandom()
JOIN_RETRIES = 5
OFFER_CONFLICT_RETRIES = 30  # a lost race on the same place is retried on it: the order must hold
CITIZEN_REFUSALS = {"live_hold", "cap", "blocked", "duplicate"}  # this citizen cannot take it now: the next may

_DAYS_REFUSED = {
    "empty": ("Choose at least one day", "دست‌کم یک روز را انتخاب کنید"),
    "too_many": (f"Choose at most {wl.MAX_DAYS} days", "حداکثر ۵ روز را می‌توانید انتخاب کنید"),
    "window": ("Each day must be within the booking window (from tomorrow on)",
               "هر روز باید در بازه نوبت‌دهی (از فردا به بعد) باشد"),
}


# --- the citizen's entries ------------------------------------------------------------------------

def join(office_id: str, service_id: str, days, national_id: str, mobile: str, session: CitizenSession,
         now: datetime | None = None) -> dict:
    """Join the lines of the office and service on `days`. The body's national ID and mobile must be
    the session's (the mobile is where offers go)."""
    now = now or calendar.now_tehran()
    citizens.check_owner(session, national_id, mobile)
    office, service = catalogue.get_office(office_id), catalogue.get_service(service_id)
    catalogue.bookable(office, service)
    s = get_settings()
    chosen = wl.check_days(days, now.date(), s.booking_horizon_days)
    if isinstance(chosen, str):
        raise InvalidInput(*_DAYS_REFUSED[chosen],
                           errors=[{"field": "days", "message": _DAYS_REFUSED[chosen][0],
                                    "message_fa": _DAYS_REFUSED[chosen][1]}])
    joined = now.replace(microsecond=now.microsecond // 1000 * 1000)  # the lines order by milliseconds
    entry = WaitlistEntry(wl.new_entry_id(), session.citizen_key, office.office_id, service.service_id, chosen,
                          mobile, joined)
    today = now.date()
    for _ in range(JOIN_RETRIES):
        entries, revision = stores.waitlist.entries_of(session.citizen_key)
        live = [e for e in entries if e.live(today)]
        if any((e.office_id, e.service_id) == (office.office_id, service.service_id) for e in live):
            raise AlreadyWaiting()
        if len(live) >= s.waitlist_max_entries:
            raise WaitlistFull()
        try:
            stores.waitlist.join(entry, revision, drop=[e for e in entries if not e.live(today)])
        except TxConditionFailed as exc:
            if "duplicate" in exc.labels:
                raise AlreadyWaiting() from exc
            continue  # the citizen's entries changed meanwhile: count them again
        except TxConflict:
            time.sleep(_rng.uniform(0.005, 0.03))
            continue
        metrics.add_metric(name="WaitlistJoined", unit="Count", value=1)
        return entry_view(entry, stores.waitlist.places_of(entry), now, office, service)
    raise Conflict("Your waitlist changed meanwhile; try again", "فهرست انتظار شما در این فاصله تغییر کرد؛ دوباره تلاش کنید")


def entry_view(entry: WaitlistEntry, places, now: datetime, office: Office | None = None,
               service: Service | None = None) -> dict:
    office = office or stores.catalogue.all_offices().get(entry.office_id)
    service = service or stores.catalogue.get_service(entry.service_id)
    out_places = []
    for place in places:
        if place.day <= now.date():
            continue
        item = {**calendar.date_out(place.day), "status": place.status}
        if place.status == wl.OFFERED and place.offer_expires and place.offer_expires > now:
            item["offer"] = {"hold_id": place.hold_id, "start": calendar.datetime_out(place.offered_start),
                             "expires": calendar.datetime_out(place.offer_expires)}
        out_places.append(item)
    return {
        "entry_id": entry.entry_id,
        "office": {"office_id": entry.office_id, "name_fa": office.name_fa if office else None,
                   "name_en": office.name_en if office else None},
        "service": {"service_id": entry.service_id, "name_fa": service.name_fa if service else None,
                    "name_en": service.name_en if service else None},
        "days": [calendar.date_out(d) for d in entry.days],
        "joined_at": calendar.datetime_out(entry.joined_at),
        "places": out_places,
    }


def of_citizen(citizen_key: str, now: datetime | None = None) -> dict:
    """The citizen's live entries, oldest first, each with its places and any offer standing."""
    now = now or calendar.now_tehran()
    entries, _ = stores.waitlist.entries_of(citizen_key)
    live = sorted((e for e in entries if e.live(now.date())), key=lambda e: e.joined_at)
    return {"items": [entry_view(e, stores.waitlist.places_of(e), now) for e in live]}


def leave(entry_id: str, session: CitizenSession) -> None:
    entries, _ = stores.waitlist.entries_of(session.citizen_key)
    entry = next((e for e in entries if e.entry_id == entry_id), None)
    if entry is None:
        raise NotFound("No such waitlist entry of yours", "چنین فهرست انتظاری برای شما یافت نشد")
    try:
        stores.waitlist.leave(entry)
    except (TxConditionFailed, TxConflict) as exc:
        raise NotFound("No such waitlist entry of yours", "چنین فهرست انتظاری برای شما یافت نشد") from exc
    metrics.add_metric(name="WaitlistLeft", unit="Count", value=1)


# --- offers -------------------------------------------------------------------------------------------

def _offerable(seat: FreedSeat, now: datetime) -> tuple[Office, Service, tuple[str, ...]] | None:
    """The office, service and cells when the freed slot may still be booked by a citizen: offered
    there, in the booking window, on the office's grid that day (a closed day has none) and on a
    counter open that day (a closure or fewer licensed operators can free seats no one may take)."""
    s = get_settings()
    office = stores.catalogue.all_offices().get(seat.office_id)
    service = stores.catalogue.get_service(seat.service_id)
    if (office is None or service is None or not service.active  # a retired service takes no new holds
            or not catalogue.offers(office, service) or service.mode == "remote_only"):
        return None
    if not rules.within_window(seat.day, now.date(), s.booking_horizon_days) or seat.start <= now:
        return None
    duration = office.duration_of(service)  # the office's own duration when it declared one
    if not slots.is_on_grid(seat.start, catalogue.opening(office, seat.day), duration, s.slot_grid_minutes):
        return None
    if seat.counter > catalogue.bookable_counters(office, seat.day):
        return None
    return office, service, slots.cells_for(seat.start, duration, s.slot_grid_minutes)


def _offer_sms(waiter: wl.Waiter, hold: Hold, office: Office, service: Service, now: datetime):
    link = f"{get_settings().public_web_url.rstrip('/')}/offer/{hold.hold_id}"
    return outbox.sms("waitlist_offer", waiter.mobile, now, params={
        "office_fa": office.name_fa, "service_fa": service.name_fa,
        "when_jalali": calendar.datetime_out(hold.start)["jalali"],
        "until_fa": calendar.datetime_out(hold.expires_at)["jalali"], "hold_id": hold.hold_id, "link": link})


def offer_freed(seat: FreedSeat, now: datetime | None = None) -> Offer | None:
    """Offer the freed seat to the first citizen waiting for its office, service and day who can
    take it; None when no one waits, the seat is taken meanwhile, or it may not be booked."""
    now = now or calendar.now_tehran()
    found = _offerable(seat, now)
    if found is None:
        return None
    office, service, cells = found
    s = get_settings()
    expires = wl.offer_expiry(seat.day, now, s.waitlist_offer_minutes)
    if expires is None:
        return None
    for waiter in stores.waitlist.line(seat.office_id, seat.service_id, seat.day):
        if waiter.status != wl.WAITING:
            continue
        hold = Hold(rules.new_hold_id(), seat.office_id, seat.service_id, seat.day, seat.start, cells, seat.counter,
                    expires, waiter.citizen_key)
        for attempt in range(OFFER_CONFLICT_RETRIES):
            try:
                made = stores.waitlist.offer(waiter, hold, now, max_per_day=s.max_active_bookings_per_day,
                                             messages=[_offer_sms(waiter, hold, office, service, now)])
            except TxConflict:
                time.sleep(_rng.uniform(0.005, 0.03) * (1 + attempt % 5))
                continue
            except TxConditionFailed as exc:
                if "seat" in exc.labels:
                    return None  # taken meanwhile (booked directly, or offered by another run)
                break  # offered to this citizen by another run, or they cannot take it now: the next
            metrics.add_metric(name="WaitlistOffered", unit="Count", value=1)
            logger.info("waitlist offer", extra={"office_id": seat.office_id, "hold_id": hold.hold_id})
            return made
        else:
            logger.warning("waitlist offer gave up on conflicts", extra={"office_id": seat.office_id})
            return None
    return None


def on_booking_change(new: dict | None, old: dict | None, now: datetime | None = None) -> Offer | None:
    """Bookings stream: a booking cancelled or moved frees its old seats; offer them."""
    if not stores.changes.is_booking(new):
        return None
    seat = wl.freed_by(new, old)
    return offer_freed(seat, now) if seat is not None else None


def roll_offers(now: datetime | None = None, budget_s: float = 45.0) -> dict:
    """Settle every offer whose time is up, then offer its seat to the next in line (a seat the
    citizen booked is taken, so nothing is offered for it)."""
    now = now or calendar.now_tehran()
    deadline = time.monotonic() + budget_s
    settled = passed = 0
    seen: set[str] = set()
    while time.monotonic() < deadline:
        due = [o for o in stores.waitlist.due_offers(now) if o.hold.hold_id not in seen]
        if not due:
            break
        seen.update(o.hold.hold_id for o in due)
        for offer in due:
            if time.monotonic() >= deadline:
                break
            try:
                stores.waitlist.settle(offer, now)
            except (TxConditionFailed, TxConflict):
                continue  # another run settled it
            settled += 1
            h = offer.hold
            if offer_freed(FreedSeat(h.office_id, h.service_id, h.day, h.start, h.cells, h.counter), now):
                passed += 1
    if passed:
        metrics.add_metric(name="WaitlistOfferPassedOn", unit="Count", value=passed)
    return {"settled": settled, "passed_on": passed}
