"""Use cases of a day closed under booked citizens: the association corrects the network calendar,
an office (or the association for it) declares a closure, or an office has fewer licensed counters
than bookings. Each live booking that can no longer be served is cancelled in its own transaction
(its seats and the citizen's day freed) with an SMS in the same transaction that links to the
office's days on the public web app, so the citizen can book again.

Where the work runs: the request that closes a day cancels what it can within
CLOSURE_INLINE_SECONDS (an office's day, a few hundred bookings at most, is done at once); the
`sweep_office_days` job (every 5 minutes) finishes whatever is left (a network-wide closure can
hold tens of thousands of bookings across 1,300 offices, more than one request may take) and
catches bookings made meanwhile by a container whose cached calendar had not yet seen the
closure. Every step is conditional on the booking still being BOOKED at the version read, so a
retried request, an overlapping job or a closure applied twice cancels nothing twice and queues
no second SMS."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from chalicelib.domain import calendar, outbox, ranking_live
from chalicelib.domain import closures as rules
from chalicelib.domain.booking import BOOKED, Booking, Move
from chalicelib.domain.catalogue import Office
from chalicelib.errors import InvalidInput, NotFound, ServiceUnavailable, TxConditionFailed, TxConflict
from chalicelib.observability import logger, metrics
from chalicelib.services import catalogue
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

BATCH = 100  # office days whose counters are read at once when sweeping the network
# Offices swept at once in a network closure. One office's day is cancelled booking after booking:
# every cancellation updates the office day's counter, which would make parallel ones conflict.
WORKERS = 8


@dataclass
class Sweep:
    """What one sweep did: bookings cancelled (one SMS each), moved to another counter, already
    changed by someone else, and whether it stopped at its time budget with work left. Updated
    from the network sweep's worker threads: `add` takes the lock."""
    cancelled: int = 0
    moved: int = 0
    skipped: int = 0
    unfinished: bool = False
    office_days: int = 0
    _deadline: float = field(default=float("inf"), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def stop(self) -> None:
        self.unfinished, self._deadline = True, 0.0

    def out_of_time(self) -> bool:
        if time.monotonic() >= self._deadline:
            self.unfinished = True
        return self.unfinished

    def view(self) -> dict:
        return {"bookings_cancelled": self.cancelled, "bookings_moved": self.moved,
                "cancellation_pending": self.unfinished}


def _sweep(budget_s: float | None) -> Sweep:
    return Sweep(_deadline=time.monotonic() + budget_s if budget_s is not None else float("inf"))


def _closure_sms(booking: Booking, office: Office, name: rules.DayName, now: datetime) -> outbox.OutboxMessage:
    service = stores.catalogue.get_service(booking.service_id)
    link = rules.rebook_link(get_settings().public_web_url, booking.office_id, booking.service_id)
    return outbox.sms("booking_cancelled_closure", booking.mobile, now, booking_id=booking.booking_id, params={
        "office_fa": office.name_fa, "service_fa": service.name_fa if service else "",
        "when_jalali": calendar.datetime_out(booking.start)["jalali"], "reason_fa": name.name_fa,
        "booking_id": booking.booking_id, "link": link})


def _cancel(booking: Booking, office: Office, name: rules.DayName, actor: str, now: datetime, report: Sweep) -> None:
    try:
        stores.bookings.cancel(booking, now, actor, [_closure_sms(booking, office, name, now)])
    except (TxConditionFailed, TxConflict):
        report.add(skipped=1)  # changed meanwhile (cancelled by the citizen or another sweep, checked in, moved)
        return
    except ServiceUnavailable:
        # The closure itself is saved: stop here and leave the rest to the sweep job.
        report.stop()
        return
    report.add(cancelled=1)


def cancel_office_day(office: Office, day: date, name: rules.DayName, actor: str, now: datetime,
                      report: Sweep) -> None:
    """Cancel every BOOKED booking of the office's day not yet started (checked-in citizens are being
    served; for one whose time has passed, the office records what became of it)."""
    report.add(office_days=1)
    for booking in _cancellable(office.office_id, day, now):
        if report.out_of_time():
            return
        _cancel(booking, office, name, actor, now, report)


def _cancellable(office_id: str, day: date, now: datetime) -> list[Booking]:
    """The office day's bookings a closure cancels, by time: BOOKED and not yet started."""
    return sorted((b for b in stores.bookings.office_day_bookings(office_id, day)
                   if b.status == BOOKED and not rules.started(b, now)), key=lambda b: (b.start, b.booking_id))


def _closed_days(start: date, end: date) -> dict[date, rules.DayName]:
    """Days in [start, end] the association closed by a correction (shipped holidays were never bookable)."""
    return {d: rules.day_name(c.name_en, c.name_fa, rules.NETWORK_CLOSED)
            for d, c in catalogue.corrections().items() if c.closed and start <= d <= end}


def office_closure_name(office: Office, day: date) -> rules.DayName:
    en, fa = office.closure_names.get(day.isoformat(), ("", ""))
    return rules.day_name(en, fa, rules.OFFICE_CLOSED)


def sweep_network_day(day: date, name: rules.DayName, actor: str, now: datetime, report: Sweep) -> None:
    """Cancel the day's bookings at every office that holds some (the day counters say which)."""
    held = _offices_holding(day)

    def one(office: Office) -> None:
        if not report.out_of_time():
            cancel_office_day(office, day, name, actor, now, report)

    if len(held) <= 1:
        for office in held:
            one(office)
        return
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(held)), thread_name_prefix="closure") as pool:
        for future in [pool.submit(one, office) for office in held]:
            future.result()


def _offices_holding(day: date) -> list[Office]:
    """The offices with bookings on the day (the day counters say which), by id."""
    offices = sorted(stores.catalogue.all_offices().values(), key=lambda o: o.office_id)
    held: list[Office] = []
    for i in range(0, len(offices), BATCH):
        batch = offices[i:i + BATCH]
        counts = stores.bookings.office_day_counts([o.office_id for o in batch], day)
        held += [o for o in batch if counts.get(o.office_id, 0) > 0]
    return held


def _check_day(day: date, now: datetime) -> None:
    if day < now.date():
        raise InvalidInput("A day in the past cannot be closed or reopened", "روز گذشته را نمی‌توان تعطیل یا باز کرد")


# --- the association's network calendar ----------------------------------------------------------

def correct_network_day(day: date, closed: bool, name_en: str, name_fa: str, actor: str,
                        now: datetime | None = None) -> dict:
    """The association closes (or opens) a day network-wide; a closure cancels the day's bookings."""
    now = now or calendar.now_tehran()
    name = rules.day_name(name_en, name_fa, rules.NETWORK_CLOSED) if closed else rules.DayName(name_en, name_fa)
    view = catalogue.correct_day(day, closed, name.name_en, name.name_fa, actor)
    report = _sweep(get_settings().closure_inline_seconds)
    if closed and day >= now.date():
        sweep_network_day(day, name, f"association:{actor}", now, report)
    _log("network day closed" if closed else "network day opened", day, report)
    return {**view, **report.view()}


def preview_network_day(day: date, limit: int, now: datetime | None = None) -> dict:
    """What closing the day network-wide would cancel now, before the association confirms it:
    the bookings the closure's sweep would take (BOOKED, not yet started), the first `limit` of
    them by time with their office and service, and how many in all. Changes nothing."""
    now = now or calendar.now_tehran()
    correction = catalogue.corrections().get(day)
    found: list[tuple[Office, Booking]] = []
    if day >= now.date():
        for office in _offices_holding(day):
            found += [(office, b) for b in _cancellable(office.office_id, day, now)]
    found.sort(key=lambda ob: (ob[1].start, ob[1].booking_id))
    services = {}
    items = []
    for office, booking in found[:limit]:
        if booking.service_id not in services:
            services[booking.service_id] = stores.catalogue.get_service(booking.service_id)
        service = services[booking.service_id]
        items.append({"booking_id": booking.booking_id, "kind": booking.kind, "start": calendar.datetime_out(booking.start),
                      "office_id": office.office_id, "office_name_fa": office.name_fa, "office_name_en": office.name_en,
                      "province": office.province, "service_id": booking.service_id,
                      "service_name_fa": service.name_fa if service else "",
                      "service_name_en": service.name_en if service else "",
                      "national_id_masked": booking.national_id_masked})
    return {**calendar.date_out(day), "closed": bool(correction and correction.closed),
            "bookings_to_cancel": len(found), "offices": len({o.office_id for o, _ in found}),
            "items": items, "truncated": len(found) > limit}


# --- an office's own closures ----------------------------------------------------------------------

def close_office(office_id: str, day: date, name_fa: str, name_en: str | None, actor: str,
                 now: datetime | None = None) -> dict:
    now = now or calendar.now_tehran()
    _check_day(day, now)
    office = catalogue.get_office(office_id)
    name = rules.day_name(name_en, name_fa, rules.OFFICE_CLOSED)
    if stores.catalogue.close_office_day(office.office_id, day.isoformat(), name.name_en, name.name_fa,
                                          by=actor) is None:
        raise NotFound(f"No office {office_id}", "دفتر مورد نظر یافت نشد")
    report = _sweep(get_settings().closure_inline_seconds)
    cancel_office_day(office, day, name, actor, now, report)
    _log("office day closed", day, report, office_id)
    return {"office_id": office.office_id, **calendar.date_out(day), "closed": True,
            "name_en": name.name_en, "name_fa": name.name_fa, **report.view()}


def reopen_office(office_id: str, day: date, now: datetime | None = None) -> None:
    now = now or calendar.now_tehran()
    _check_day(day, now)
    catalogue.get_office(office_id)
    if not stores.catalogue.reopen_office_day(office_id, day.isoformat()):
        raise NotFound("The office is not closed on that day", "دفتر در این روز تعطیل نیست")
    # Cancelled bookings stay cancelled: their citizens were told and may have booked elsewhere.


# --- fewer counters than bookings ---------------------------------------------------------------

def fit_office_day(office: Office, day: date, counters: int, now: datetime, report: Sweep,
                   actor: str = "office:counters") -> None:
    """Fit the day's bookings to the `counters` open that day (licensed operators): the latest booked
    are cancelled first; a kept booking whose counter is gone moves to a free one at the same time."""
    found = stores.bookings.office_day_bookings(office.office_id, day)
    if all(b.counter <= counters for b in found if b.status == BOOKED and not rules.started(b, now)):
        return
    report.add(office_days=1)
    cut = rules.cut_to_counters(found, counters, now)
    name = rules.DayName(*rules.FEWER_COUNTERS)
    for booking in cut.cancel:
        if report.out_of_time():
            return
        _cancel(booking, office, name, actor, now, report)
    pending = {b.booking_id: b for b in found if b.booking_id in cut.moves}
    # A move's new seat may still be held by a later booking that itself moves or goes: try in
    # passes until nothing more moves; one that never can (a rare cycle of two-cell bookings)
    # is cancelled like the rest, so the counters always end within what the office has.
    while pending and not report.out_of_time():
        moved_now = 0
        for booking_id, booking in list(pending.items()):
            move = Move(booking.day, booking.start, booking.cells, cut.moves[booking_id])
            try:
                stores.bookings.reschedule(booking, move, now, max_per_day=get_settings().max_active_bookings_per_day,
                                           messages=(), actor=actor)
            except TxConditionFailed as exc:
                if exc.labels - {"seat"}:  # changed meanwhile: the next sweep reads it again
                    pending.pop(booking_id)
                    report.add(skipped=1)
                continue
            except TxConflict:
                continue
            except ServiceUnavailable:
                report.stop()
                return
            pending.pop(booking_id)
            moved_now += 1
            report.add(moved=1)
        if not moved_now:
            for booking in pending.values():
                _cancel(booking, office, name, actor, now, report)
            pending.clear()


def fit_office(office_id: str, now: datetime | None = None, budget_s: float | None = None) -> dict:
    """Fit every day of the booking window (today included) to the office's counters; run when its
    operators registry changes."""
    now = now or calendar.now_tehran()
    office = catalogue.get_office(office_id)
    report = _sweep(get_settings().closure_inline_seconds if budget_s is None else budget_s)
    today, last = now.date(), calendar.booking_window(now.date(), get_settings().booking_horizon_days)[1]
    counts = {d: stores.bookings.office_day_counts([office_id], d).get(office_id, 0)
              for d in _days(today, last)}
    for day, count in counts.items():
        if count > 0 and not report.out_of_time():
            fit_office_day(office, day, catalogue.bookable_counters(office, day), now, report)
    _log("office counters fitted", today, report, office_id)
    return report.view()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- the job --------------------------------------------------------------------------------------

def sweep_office_days(now: datetime | None = None, budget_s: float = 45.0) -> dict:
    """Every closed day of the booking window at every office, and every office day with more
    bookings than licensed counters: cancel (and SMS) what can no longer be served."""
    now = now or calendar.now_tehran()
    report = _sweep(budget_s)
    today, last = now.date(), calendar.booking_window(now.date(), get_settings().booking_horizon_days)[1]
    for day, name in sorted(_closed_days(today, last).items()):
        if not report.out_of_time():
            sweep_network_day(day, name, "association", now, report)
    offices = stores.catalogue.all_offices()
    closed = sorted((o.office_id, date.fromisoformat(d)) for o in offices.values() for d in (o.closures or ())
                    if today.isoformat() <= d <= last.isoformat())
    for office_id, day in closed:
        if report.out_of_time():
            break
        if stores.bookings.office_day_counts([office_id], day).get(office_id, 0) > 0:
            office = offices[office_id]
            cancel_office_day(office, day, office_closure_name(office, day), f"office:{office_id}", now, report)
    # The whole registry in one read (licences expire by the calendar, not by a write).
    licences = {office_id: tuple(sorted(r.licence_expiry for r in records))
                for office_id, records in stores.operators.all_operators().items()}
    for office in sorted(offices.values(), key=lambda o: o.office_id):
        if report.out_of_time():
            break
        counters = {d: ranking_live.bookable_counters(int(office.counters), licences.get(office.office_id), d)
                    for d in _days(today, last)}
        for day, open_counters in counters.items():
            if open_counters >= int(office.counters) or report.out_of_time():
                continue
            if stores.bookings.office_day_counts([office.office_id], day).get(office.office_id, 0) > 0:
                fit_office_day(office, day, open_counters, now, report)
    if report.cancelled:
        metrics.add_metric(name="BookingCancelledByClosure", unit="Count", value=report.cancelled)
    return {**report.view(), "office_days": report.office_days, "skipped": report.skipped}


def _log(what: str, day: date, report: Sweep, office_id: str | None = None) -> None:
    if report.cancelled:
        metrics.add_metric(name="BookingCancelledByClosure", unit="Count", value=report.cancelled)
    logger.info(what, extra={"day": day.isoformat(), "office_id": office_id, **report.view()})
