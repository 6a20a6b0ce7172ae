"""Use cases of the catalogue: find a service, find an office, see an office's free slots."""
from __future__ import annotations

import functools
import json
from datetime import date, datetime, timedelta
from pathlib import Path

from chalicelib.domain import calendar, closures, ranking_live, slots
from chalicelib.domain.catalogue import Office, Service
from chalicelib.domain.load import OfficeLoad
from chalicelib.domain.text import normalise, persian_sort_key, rank, search_words
from chalicelib.errors import InvalidInput, NotFound, ServiceRetired
from chalicelib.services import tariffs
from chalicelib.services.stores import stores
from chalicelib.settings import get_settings

MODES = ("in_person", "remote_allowed", "remote_only")
CATEGORIES_JSON = Path(__file__).resolve().parent.parent / "data" / "categories.json"


def service_view(s: Service, today: date | None = None, known: list | None = None) -> dict:
    """The service with the tariff in force today (the book's, or the seed's until it has one)."""
    tariff = tariffs.tariff_on(s, today or calendar.now_tehran().date(), known)
    return {"service_id": s.service_id, "category": s.category, "name_en": s.name_en, "name_fa": s.name_fa,
            "mode": s.mode, "duration_min": int(s.duration_min), "tariff_rials": tariff.line.total_rials,
            "tariff": tariffs.tariff_view(tariff)}


def crowding_label(ratio: float | None) -> str:
    if ratio is None:
        return "unknown"
    return "low" if ratio < 0.5 else "medium" if ratio < 0.85 else "high"


def office_view(o: Office, load: OfficeLoad | None = None, detail: bool = False) -> dict:
    view = {
        "office_id": o.office_id, "name_en": o.name_en, "name_fa": o.name_fa,
        "province": o.province, "province_fa": o.province_fa, "city": o.city, "city_fa": o.city_fa,
        "location": {"lat": float(o.lat), "lon": float(o.lon)}, "counters": int(o.counters),
        "deprived_area": bool(o.deprived),
        # Set by the published ranking (rank_offices); null until the office is first ranked.
        "rank_tier": int(o.tier) if o.tier is not None else None,
        "crowding": {"level": crowding_label(load.ratio if load else None), "booked_today": load.booked if load else None,
                     "capacity_today": load.capacity if load else None,
                     "visitors_waiting": load.waiting if load else None},
    }
    if detail:
        view.update(hours=o.hours, offered_categories=sorted(o.offered_categories or []),
                    in_person_required=sorted(o.in_person_required or []),
                    closures=[closed_day(o, date.fromisoformat(d)) for d in sorted(o.closures or [])])
    return view


def closed_day(office: Office, day: date) -> dict:
    """One of the office's closures with its names (a default one when declared without)."""
    name = closures.day_name(*office.closure_names.get(day.isoformat(), ("", "")), closures.OFFICE_CLOSED)
    return {**calendar.date_out(day), "name_en": name.name_en, "name_fa": name.name_fa}


def offers(office: Office, service: Service) -> bool:
    return office.offers(service)


def needs_in_person(office: Office, service: Service) -> bool:
    return office.needs_in_person(service)


def search_services(q: str | None, category: str | None, mode: str | None, limit: int, cursor: int) -> dict:
    """The catalogue's services taking new requests, of a category and mode; with `q`, those whose Persian or English
    name matches it, best match first (domain.text.rank)."""
    if mode is not None and mode not in MODES:
        raise InvalidInput(f"mode must be one of {', '.join(MODES)}", "نوع خدمت نامعتبر است")
    found = [s for s in sorted(stores.catalogue.all_services().values(), key=lambda s: s.service_id)
             if s.active and (category is None or s.category == category) and (mode is None or s.mode == mode)]
    if q and search_words(q):
        by_id = {s.service_id: s for s in found}
        found = [by_id[k] for k in rank(q, ((s.service_id, (s.name_fa, s.name_en)) for s in found))]
    today, known = calendar.now_tehran().date(), tariffs.versions()
    return _page([service_view(s, today, known) for s in found[cursor:cursor + limit]], len(found), cursor, limit)


@functools.cache
def category_names() -> dict[str, dict[str, str]]:
    """The catalogue's categories in display order, with their English and Persian names."""
    return json.loads(CATEGORIES_JSON.read_text(encoding="utf-8"))


def categories() -> dict:
    """The categories that have services taking new requests, with how many of each mode; a
    category the names file lacks is still listed, under its code."""
    counts: dict[str, dict[str, int]] = {}
    for s in stores.catalogue.all_services().values():
        if s.active:
            counts.setdefault(s.category, dict.fromkeys(MODES, 0))[s.mode] += 1
    names = category_names()
    order = [c for c in names if c in counts] + sorted(c for c in counts if c not in names)
    return {"items": [{"category": c, "name_en": names.get(c, {}).get("name_en", c),
                       "name_fa": names.get(c, {}).get("name_fa", c), "services": sum(counts[c].values()),
                       "modes": counts[c]} for c in order]}


def places(service_id: str | None) -> dict:
    """The provinces and cities that have offices (offering `service_id`, when given), with how
    many and where their offices are on average: the city picker of the citizen's pages."""
    service = get_service(service_id) if service_id else None
    provinces: dict[str, dict] = {}
    for o in stores.catalogue.all_offices().values():
        if service is not None and not offers(o, service):
            continue
        province = provinces.setdefault(normalise(o.province), {
            "province": o.province, "province_fa": o.province_fa, "offices": 0, "cities": {}})
        city = province["cities"].setdefault(normalise(o.city), {"city": o.city, "city_fa": o.city_fa, "points": []})
        city["points"].append((float(o.lat), float(o.lon)))
        province["offices"] += 1
    items = []
    for p in sorted(provinces.values(), key=lambda p: persian_sort_key(p["province_fa"])):
        cities = [{"city": c["city"], "city_fa": c["city_fa"], "offices": len(c["points"]),
                   "location": {"lat": round(sum(lat for lat, _ in c["points"]) / len(c["points"]), 5),
                                "lon": round(sum(lon for _, lon in c["points"]) / len(c["points"]), 5)}}
                  for c in sorted(p["cities"].values(), key=lambda c: persian_sort_key(c["city_fa"]))]
        items.append({**p, "cities": cities})
    return {"offices": sum(p["offices"] for p in items), "items": items}


def get_service(service_id: str) -> Service:
    """A service taking new bookings and requests: NotFound when unknown, ServiceRetired when the
    association retired it."""
    service = known_service(service_id)
    if not service.active:
        raise ServiceRetired(f"Service {service_id} has been retired from the catalogue",
                             "این خدمت از فهرست خدمات حذف شده است و نوبت یا درخواست جدید نمی‌پذیرد")
    return service


def known_service(service_id: str) -> Service:
    """A service of the catalogue, retired or not (what an existing booking or request was for)."""
    service = stores.catalogue.get_service(service_id)
    if service is None:
        raise NotFound(f"No service {service_id}", "خدمت مورد نظر یافت نشد")
    return service


def get_office(office_id: str) -> Office:
    office = stores.catalogue.get_office(office_id)  # from the view when loaded, else one point read
    if office is None:
        raise NotFound(f"No office {office_id}", "دفتر مورد نظر یافت نشد")
    return office


def list_offices(province: str | None, city: str | None, service_id: str | None, limit: int, cursor: int) -> dict:
    service = get_service(service_id) if service_id else None
    prov, town = (normalise(province) if province else None), (normalise(city) if city else None)
    found = [o for o in sorted(stores.catalogue.all_offices().values(), key=lambda o: o.office_id)
             if (prov is None or prov in (normalise(o.province), normalise(o.province_fa)))
             and (town is None or town in (normalise(o.city), normalise(o.city_fa)))
             and (service is None or offers(o, service))]
    page = found[cursor:cursor + limit]
    load = stores.load.snapshot(page).offices  # the page's shards only
    items = [office_view(o, load.get(o.office_id)) for o in page]
    return _page(items, len(found), cursor, limit)


def office_detail(office_id: str) -> dict:
    office = get_office(office_id)
    return office_view(office, stores.load.snapshot([office]).offices.get(office_id), detail=True)


def corrections() -> dict[date, calendar.Correction]:
    return {date.fromisoformat(d): calendar.Correction(date.fromisoformat(d), bool(c["closed"]), c.get("name_en", ""),
                                                       c.get("name_fa", ""))
            for d, c in stores.catalogue.calendar_corrections().items()}


def opening(office: Office, day: date) -> list[tuple[datetime, datetime]]:
    closed = frozenset(date.fromisoformat(d) for d in (office.closures or []))
    return calendar.opening_intervals(day, office.hours, closures=closed, corrections=corrections(),
                                      thursday_open=get_settings().thursday_open)


def is_open(office: Office, now: datetime) -> bool:
    return any(start <= now < end for start, end in opening(office, now.date()))


def next_opening(office: Office, now: datetime, days: int = 21) -> datetime | None:
    """When the office next opens after `now` (Friday, holidays, its closures skipped); None if
    not within `days` days."""
    for offset in range(days + 1):
        starts = [start for start, _ in opening(office, now.date() + timedelta(days=offset)) if start > now]
        if starts:
            return min(starts)
    return None


def first_bookable_day(office: Office, now: datetime) -> date:
    """The first day of the booking window the office is open (the window's first day if none)."""
    first, last = calendar.booking_window(now.date(), get_settings().booking_horizon_days)
    return next((first + timedelta(days=d) for d in range((last - first).days + 1)
                 if opening(office, first + timedelta(days=d))), first)


def holidays(start: date, end: date) -> dict:
    if end < start or (end - start).days > 800:
        raise InvalidInput("'to' must be after 'from' and within about two years", "بازه تاریخ نامعتبر است")
    return {"from": calendar.date_out(start), "to": calendar.date_out(end), "items": [
        {**calendar.date_out(h.date), **holiday_names(h)} for h in calendar.holidays_between(start, end, corrections())]}


def holiday_names(h: calendar.Holiday) -> dict:
    """A holiday's names in both languages, never empty (a day the association closed without
    naming it gets the network closure's names)."""
    return {**vars(closures.day_name(h.name_en, h.name_fa, closures.NETWORK_CLOSED)), "kind": h.kind}


def correct_day(day: date, closed: bool, name_en: str, name_fa: str, actor: str) -> dict:
    """The association closes or opens a day network-wide; effective at once, no deploy."""
    now = calendar.now_tehran()
    stores.catalogue.save_calendar_correction(day.isoformat(), {
        "closed": closed, "name_en": name_en, "name_fa": name_fa, "by": actor}, now.isoformat(timespec="seconds"))
    return {**calendar.date_out(day), "closed": closed, "name_en": name_en, "name_fa": name_fa}


def remove_correction(day: date) -> None:
    if not stores.catalogue.delete_calendar_correction(day.isoformat()):
        raise NotFound("No correction on that day", "برای این روز اصلاحیه‌ای ثبت نشده است")


def bookable(office: Office, service: Service) -> None:
    if not offers(office, service):
        raise NotFound("This office does not offer this service", "این دفتر این خدمت را ارائه نمی‌دهد")
    if service.mode == "remote_only":
        raise InvalidInput("This service is remote only: submit a remote request instead",
                           "این خدمت فقط به صورت غیرحضوری ارائه می‌شود")


def bookable_counters(office: Office, day: date) -> int:
    """Counters open to bookings on `day`: each needs an operator with a valid licence that day
    (domain.ranking_live.bookable_counters; the office's licences are cached per container)."""
    return ranking_live.bookable_counters(int(office.counters), stores.operators.licence_expiries(office.office_id), day)


def check_window(day: date, now: datetime) -> None:
    s = get_settings()
    first, last = calendar.booking_window(now.date(), s.booking_horizon_days)
    if not first <= day <= last:
        raise InvalidInput(
            f"Bookings open from {first.isoformat()} to {last.isoformat()} (no same-day booking)",
            f"نوبت‌دهی از {calendar.to_jalali(first)} تا {calendar.to_jalali(last)} امکان‌پذیر است (نوبت همان روز ممکن نیست)")


def _slots_of_day(office: Office, service: Service, day: date, now: datetime) -> tuple[bool, list]:
    """(open that day?, the day's grid slots with their free counters): hours × licensed counters
    minus the seats taken (one query, only on an open day)."""
    intervals = opening(office, day)
    if not intervals:
        return False, []
    taken = stores.bookings.taken_seats(office.office_id, day, now)
    return True, slots.open_slots(intervals, office.duration_of(service), get_settings().slot_grid_minutes,
                                  bookable_counters(office, day), taken)


def free_slots(office_id: str, service_id: str, day: date, now: datetime | None = None) -> dict:
    now = now or calendar.now_tehran()
    office, service = get_office(office_id), get_service(service_id)
    bookable(office, service)
    check_window(day, now)
    is_open, found = _slots_of_day(office, service, day, now)
    holidays = calendar.holidays_between(day, day, corrections())
    closed_for = [] if is_open else [
        {**calendar.date_out(day), **vars(closures.day_name(h.name_en, h.name_fa, closures.NETWORK_CLOSED))}
        for h in holidays]
    if not is_open and day.isoformat() in (office.closures or ()):
        closed_for.append(closed_day(office, day))
    return {
        "office_id": office_id, "service_id": service_id, **calendar.date_out(day),
        "open": is_open, "holidays": [holiday_names(h) for h in holidays], "closed_for": closed_for,
        "duration_min": office.duration_of(service),
        "slots": [{**calendar.datetime_out(s.start), "free": len(s.free_counters)} for s in found if s.free_counters],
    }


def next_free_slot(office: Office, service: Service, now: datetime, days: int = 7) -> datetime | None:
    """The earliest bookable start for the service at the office, looking `days` days into the
    booking window (one seat query per open day, usually one in all)."""
    first, last = calendar.booking_window(now.date(), get_settings().booking_horizon_days)
    for offset in range(min(days, (last - first).days + 1)):
        _, found = _slots_of_day(office, service, first + timedelta(days=offset), now)
        free = next((s.start for s in found if s.free_counters), None)
        if free is not None:
            return free
    return None


def _page(items: list, total: int, cursor: int, limit: int) -> dict:
    nxt = cursor + limit
    return {"items": items, "total": total, "next_cursor": nxt if nxt < total else None}
