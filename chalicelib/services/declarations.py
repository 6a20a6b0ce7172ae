"""Use cases of an office's own declarations: which services of the catalogue it offers, which
it does only with the citizen in person, its own duration for a service (within the catalogue's
bounds), and its weekly opening hours. Each is one catalogue version (see the catalogue store),
so suggestions, routing, slots and bookings obey it from their next decision."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalicelib.domain import calendar
from chalicelib.domain import catalogue as rules
from chalicelib.domain.catalogue import Declaration, Office, Service
from chalicelib.errors import InvalidInput, NotFound
from chalicelib.services import catalogue
from chalicelib.services.catalogue import _page
from chalicelib.services.stores import stores


def declaration_view(office: Office, service: Service) -> dict:
    declared = rules.declaration_of(office, service)
    low, high = service.duration_bounds()
    return {
        "service_id": service.service_id, "category": service.category, "name_en": service.name_en,
        "name_fa": service.name_fa, "mode": service.mode, "offered": declared.offered,
        "in_person_required": declared.in_person_required,
        # Whether citizens can have it remotely from this office: offered, and neither the catalogue
        # nor the office needs the citizen in person.
        "remote_here": declared.offered and not office.needs_in_person(service),
        "duration_min": office.duration_of(service), "own_duration_min": declared.duration_min,
        "standard_duration_min": int(service.duration_min), "min_duration_min": low, "max_duration_min": high,
    }


def _declared_ids(office: Office) -> frozenset[str]:
    return office.not_offered | office.offered_services | office.in_person_required | frozenset(office.durations)


def list_declarations(office_id: str, category: str | None, limit: int, cursor: int) -> dict:
    """The catalogue's services the office offers or has declared anything about (retired ones
    left out), by service id."""
    office = catalogue.get_office(office_id)
    declared = _declared_ids(office)
    found = [s for s in sorted(stores.catalogue.all_services().values(), key=lambda s: s.service_id)
             if s.active and (category is None or s.category == category)
             and (office.offers(s) or s.service_id in declared)]
    page = _page([declaration_view(office, s) for s in found[cursor:cursor + limit]], len(found), cursor, limit)
    return {"office_id": office_id, "catalogue_version": stores.catalogue.version(), **page}


def declare(office_id: str, service_id: str, offered: bool, in_person_required: bool, duration_min: int | None,
            actor: str, now: datetime | None = None) -> dict:
    """The office's declaration about one service, replacing its previous one."""
    now = now or calendar.now_tehran()
    service = catalogue.get_service(service_id)  # a retired service takes no declarations
    if duration_min is not None:
        low, high = service.duration_bounds()
        if not low <= duration_min <= high:
            raise InvalidInput(
                f"The duration of {service_id} must be between {low} and {high} minutes (the catalogue's bounds)",
                f"مدت این خدمت باید بین {low} تا {high} دقیقه باشد (محدوده فهرست خدمات)")
    if in_person_required and service.mode == "remote_only":
        raise InvalidInput("This service is remote only; it cannot be required in person",
                           "این خدمت فقط غیرحضوری ارائه می‌شود و نمی‌تواند حضوری اعلام شود")
    wanted = Declaration(offered, in_person_required, duration_min)
    result = stores.catalogue.change_office(office_id, lambda office: rules.declare(office, service, wanted),
                                            "declare", actor, now.isoformat(timespec="seconds"))
    if result is None:
        raise NotFound(f"No office {office_id}", "دفتر مورد نظر یافت نشد")
    return {"office_id": office_id, "catalogue_version": stores.catalogue.version(),
            **declaration_view(result[1], service)}


def hours_view(office: Office) -> dict:
    return {"office_id": office.office_id, "time_zone": "Asia/Tehran",
            "hours": {day: office.hours.get(day, []) for day in rules.WEEKDAYS if office.hours.get(day)}}


def get_hours(office_id: str) -> dict:
    return hours_view(catalogue.get_office(office_id))


def set_hours(office_id: str, hours: dict[str, list[list[str]]], actor: str, now: datetime | None = None) -> dict:
    """The office's weekly opening hours (Tehran time), replacing the old ones. Slots, suggestions
    and routing use them from their next decision; bookings already made outside them stand (the
    office serves them or closes the day, which cancels them with an SMS)."""
    now = now or calendar.now_tehran()
    hours = {day: [list(i) for i in intervals] for day, intervals in hours.items() if intervals}
    problem = rules.hours_problem(hours)
    if problem:
        raise InvalidInput(f"Opening hours: {problem}",
                           f"ساعات کاری نامعتبر است (روزهای هفته، ساعت شروع پیش از پایان، بین {rules.EARLIEST} و "
                           f"{rules.LATEST}، بدون هم‌پوشانی)")
    result = stores.catalogue.change_office(office_id, lambda office: replace(office, hours=hours), "hours", actor,
                                            now.isoformat(timespec="seconds"))
    if result is None:
        raise NotFound(f"No office {office_id}", "دفتر مورد نظر یافت نشد")
    return {**hours_view(result[1]), "catalogue_version": stores.catalogue.version()}
