"""An office's declarations (services, hours) and the association's catalogue governance."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from chalicelib.schemas.common import ID, Out, PageInfoOut, PageQuery, PersianText, Strict

ServiceMode = Literal["in_person", "remote_allowed", "remote_only"]
Weekday = Literal["sat", "sun", "mon", "tue", "wed", "thu", "fri"]
HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
Interval = tuple[str, str]


class ServiceDeclarationIn(Strict):
    """What the office declares about one service; replaces its previous declaration."""
    offered: bool = Field(description="Whether the office offers the service.")
    in_person_required: bool = Field(
        default=False, description="The office serves it only with the citizen in person (never remotely).")
    duration_min: int | None = Field(
        default=None, ge=1, le=480,
        description="The office's own duration, within the catalogue's bounds; null: the standard duration.")


class DeclarationQuery(PageQuery):
    category: str | None = None

    @field_validator("category", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return (value.strip() or None) if isinstance(value, str) else value


class ServiceDeclarationOut(Out):
    service_id: str
    category: str
    name_en: str
    name_fa: str
    mode: ServiceMode
    offered: bool
    in_person_required: bool
    remote_here: bool = Field(description="Citizens may have it remotely from this office.")
    duration_min: int = Field(description="The duration the office's slots use.")
    own_duration_min: int | None = Field(description="The office's own duration; null: the standard one.")
    standard_duration_min: int
    min_duration_min: int
    max_duration_min: int


class DeclaredServiceOut(ServiceDeclarationOut):
    office_id: str
    catalogue_version: int = Field(description="The catalogue version that carries this declaration.")


class DeclarationPageOut(PageInfoOut):
    office_id: str
    catalogue_version: int
    items: list[ServiceDeclarationOut]


class OfficeHoursIn(Strict):
    """Weekly opening hours, Asia/Tehran: per weekday, [open, close] intervals in order, within
    06:00-22:00. A weekday left out is closed (Friday always is)."""
    hours: dict[Weekday, list[Interval]] = Field(
        examples=[{"sat": [["08:00", "13:00"], ["16:00", "19:00"]], "thu": [["08:00", "12:00"]]}])

    @field_validator("hours")
    @classmethod
    def _times(cls, value: dict[str, list[Interval]]) -> dict[str, list[Interval]]:
        import re
        for day, intervals in value.items():
            if len(intervals) > 4:
                raise ValueError(f"{day}: at most 4 intervals")
            for opens, closes in intervals:
                if not re.match(HHMM, opens) or not re.match(HHMM, closes):
                    raise ValueError(f"{day}: times are HH:MM")
        return value


class OfficeHoursOut(Out):
    office_id: str
    time_zone: Literal["Asia/Tehran"]
    hours: dict[str, list[list[str]]]
    catalogue_version: int | None = None


class ServiceIn(Strict):
    """A new service of the catalogue."""
    service_id: str = Field(pattern=ID, examples=["S2001"])
    category: str = Field(pattern=ID, examples=["petitions"])
    name_en: str = Field(min_length=1, max_length=120)
    name_fa: PersianText = Field(min_length=1, max_length=120)
    mode: ServiceMode
    duration_min: int = Field(ge=5, le=480)
    min_duration_min: int | None = Field(default=None, ge=1, le=480)
    max_duration_min: int | None = Field(default=None, ge=1, le=480)
    tariff_rials: int = Field(default=0, ge=0, description="The opening tariff; later changes go through the tariff book.")


class ServiceEditIn(Strict):
    """Fields of a service to change; those left out stay."""
    category: str | None = Field(default=None, pattern=ID)
    name_en: str | None = Field(default=None, min_length=1, max_length=120)
    name_fa: PersianText | None = Field(default=None, min_length=1, max_length=120)
    mode: ServiceMode | None = None
    duration_min: int | None = Field(default=None, ge=5, le=480)
    min_duration_min: int | None = Field(default=None, ge=1, le=480)
    max_duration_min: int | None = Field(default=None, ge=1, le=480)


class AdminServiceOut(Out):
    service_id: str
    category: str
    name_en: str
    name_fa: str
    mode: ServiceMode
    duration_min: int
    tariff_rials: int
    active: bool = Field(description="False: retired (no new bookings or requests; existing ones stand).")
    min_duration_min: int
    max_duration_min: int


class CatalogueVersionQuery(Strict):
    limit: int = Field(default=50, ge=1, le=200)
    before: int | None = Field(default=None, ge=1, description="Versions before this number (the next page).")
    entity: str | None = Field(default=None, pattern=ID, description="Only versions changing this office or service.")


class CatalogueChangeOut(Out):
    number: int
    kind: Literal["office", "service", "offices", "all"]
    action: str = Field(examples=["declare", "hours", "close-day", "add", "edit", "retire", "tiers", "import"])
    by: str
    at: str
    ids: list[str]
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class CatalogueVersionsOut(Out):
    current: int
    items: list[CatalogueChangeOut]
