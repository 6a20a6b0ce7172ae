"""The catalogue's entities: a service of the national catalogue and an office with its own
declarations. Plain values, no I/O: the data layer maps them to and from storage."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Service:
    """One service of the national catalogue (خدمت)."""
    service_id: str
    category: str
    name_en: str
    name_fa: str
    mode: str  # in_person | remote_allowed | remote_only
    duration_min: int
    tariff_rials: int
    active: bool = True
    # Contact modes ("video", "phone") in which an office may hold it as a timed remote session;
    # empty: not a session service (domain/sessions.py).
    session_modes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Office:
    """An office (دفتر) and its own declarations: hours, counters, services, in-person needs."""
    office_id: str
    name_en: str
    name_fa: str
    province: str
    province_fa: str
    city: str
    city_fa: str
    lat: float
    lon: float
    counters: int
    hours: dict[str, Any]
    offered_categories: frozenset[str] = frozenset()
    not_offered: frozenset[str] = frozenset()
    in_person_required: frozenset[str] = frozenset()
    closures: frozenset[str] = frozenset()  # ISO dates the office declared closed
    # ISO date -> (English, Persian) name of a closure declared with one (older ones have none)
    closure_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    deprived: bool = False
    tier: int | None = None  # set by the ranking; None until the first ranking run
    version: int | None = field(default=None, compare=False)  # optimistic-locking stamp of the stored office

    def offers(self, service: Service) -> bool:
        return service.category in self.offered_categories and service.service_id not in self.not_offered

    def needs_in_person(self, service: Service) -> bool:
        """The office's own declaration wins over the catalogue's default mode."""
        return service.mode == "in_person" or service.service_id in self.in_person_required
