"""Queries of the public catalogue and the association's calendar corrections."""
from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from chalicelib.schemas.common import (
    ID,
    DateIn,
    InstantOut,
    LocalDateOut,
    Number,
    Out,
    PageInfoOut,
    PageQuery,
    PersianText,
    Strict,
)


class SlotQuery(Strict):
    service: str = Field(pattern=ID)
    date: DateIn


class CalendarCorrectionIn(Strict):
    """The association closes (or re-opens) a day for the whole network."""
    closed: bool
    name_en: str = Field(default="", max_length=80)
    name_fa: PersianText = Field(default="", max_length=80)


class ClosurePreviewQuery(Strict):
    limit: int = Field(default=100, ge=1, le=500, description="How many of the bookings to list.")


class OfficeClosureIn(Strict):
    """An office closes one day: its name (the reason) in Persian, optionally in English."""
    name_fa: PersianText = Field(min_length=1, max_length=80, examples=["تعمیرات ساختمان"])
    name_en: str | None = Field(default=None, max_length=80, examples=["Building repairs"])


def _blank(value: object) -> object:
    """An empty parameter (`?city=`) is the same as a missing one."""
    return (value.strip() or None) if isinstance(value, str) else value


class ServiceSearchQuery(PageQuery):
    q: str | None = None
    category: str | None = None
    mode: str | None = None  # checked by the use case against the catalogue's modes

    _blank = field_validator("q", "category", "mode", mode="before")(_blank)


class PlaceQuery(Strict):
    """Only the places with an office offering `service`, when given."""
    service: str | None = Field(default=None, pattern=ID)

    _blank = field_validator("service", mode="before")(_blank)


class OfficeSearchQuery(PageQuery):
    province: str | None = None
    city: str | None = None
    service: str | None = None

    _blank = field_validator("province", "city", "service", mode="before")(_blank)


def _optional_day(value: object) -> object:
    return _blank(value)


class HolidayQuery(Strict):
    """From `from` (default today) to `to` (default a year later)."""
    model_config = ConfigDict(populate_by_name=True)
    from_: DateIn | None = Field(default=None, alias="from")
    to: DateIn | None = None

    _dates = field_validator("from_", "to", mode="before")(_optional_day)


class DayQuery(Strict):
    """One day (default today)."""
    date: DateIn | None = None

    _date = field_validator("date", mode="before")(_optional_day)


ServiceMode = Literal["in_person", "remote_allowed", "remote_only"]


class HealthOut(Out):
    status: Literal["ok"]
    time: InstantOut


class StaffSignInConfigOut(Out):
    """The staff pool as a browser signs in to it (public: these are in every page's script anyway)."""
    flow: Literal["USER_PASSWORD_AUTH", "USER_SRP_AUTH"] = Field(
        description="USER_SRP_AUTH in AWS; USER_PASSWORD_AUTH with cognito-local, which has no SRP")
    region: str
    user_pool_id: str
    client_id: str
    endpoint: str = Field(description="Cognito's endpoint for InitiateAuth, as the browser reaches it")


class TariffLineOut(Out):
    """A fee in whole rials and its parts: the government fee passed through, the office's service
    fee, and the part of the office's fee the association share is levied on."""
    government_rials: int = Field(ge=0, examples=[0])
    office_rials: int = Field(ge=0, examples=[1250000])
    share_base_rials: int = Field(ge=0, examples=[1250000])
    total_rials: int = Field(ge=0, examples=[1250000], description="What the citizen pays: government + office fee.")
    total_fa: str = Field(examples=["۱٬۲۵۰٬۰۰۰ ریال"], description="The total in Persian digits.")


class TariffOut(TariffLineOut):
    """The tariff in force and the tariff-book version it comes from (applied from the Tehran
    midnight of `effective_from`)."""
    version: int = Field(ge=1, examples=[1])
    effective_from: LocalDateOut


class ServiceOut(Out):
    service_id: str = Field(examples=["S0001"])
    category: str = Field(examples=["petitions"])
    name_en: str = Field(examples=["Petition filing"])
    name_fa: str = Field(examples=["ثبت دادخواست"])
    mode: ServiceMode
    duration_min: int = Field(examples=[30])
    tariff_rials: int = Field(examples=[1250000], description="The total of the tariff in force today.")
    tariff: TariffOut


class ServicePageOut(PageInfoOut):
    items: list[ServiceOut]


class LocationOut(Out):
    lat: Number = Field(examples=[35.66322])
    lon: Number = Field(examples=[51.36261])


class CrowdingOut(Out):
    """Today's load, from a snapshot refreshed every minute."""
    level: Literal["low", "medium", "high", "unknown"]
    booked_today: int | None
    capacity_today: int | None
    visitors_waiting: int | None = Field(description="Citizens checked in and not yet served.")


class OfficeOut(Out):
    office_id: str = Field(examples=["OF-THR-0001"])
    name_en: str
    name_fa: str
    province: str = Field(examples=["Tehran"])
    province_fa: str = Field(examples=["تهران"])
    city: str = Field(examples=["Tehran"])
    city_fa: str = Field(examples=["تهران"])
    location: LocationOut
    counters: int = Field(description="Service counters, i.e. citizens served at once.")
    deprived_area: bool
    rank_tier: int | None = Field(description="The office's ranking tier; null until the ranking has run.")
    crowding: CrowdingOut


class OfficePageOut(PageInfoOut):
    items: list[OfficeOut]


class ModeCountsOut(Out):
    in_person: int
    remote_allowed: int
    remote_only: int


class CategoryOut(Out):
    category: str = Field(examples=["sana"], description="The code `GET /v1/services?category=` takes.")
    name_en: str = Field(examples=["SANA registration"])
    name_fa: str = Field(examples=["ثبت‌نام سامانه ثنا"])
    services: int = Field(ge=1, description="Services of the category that take new requests.")
    modes: ModeCountsOut = Field(description="How many of them are in person, remote allowed and remote only.")


class CategoryListOut(Out):
    items: list[CategoryOut]


class CityOut(Out):
    city: str = Field(examples=["Karaj"], description="What `GET /v1/suggestions?city=` takes (either name).")
    city_fa: str = Field(examples=["کرج"])
    offices: int = Field(ge=1)
    location: LocationOut = Field(description="The centre of the city's offices.")


class ProvinceOut(Out):
    province: str = Field(examples=["Alborz"])
    province_fa: str = Field(examples=["البرز"])
    offices: int = Field(ge=1)
    cities: list[CityOut] = Field(description="In Persian alphabetical order.")


class PlaceListOut(Out):
    offices: int = Field(description="Offices in all the places listed.")
    items: list[ProvinceOut] = Field(description="Provinces with at least one office, in Persian alphabetical order.")



Weekday = Literal["sat", "sun", "mon", "tue", "wed", "thu", "fri"]


class ClosedDayOut(LocalDateOut):
    name_en: str = Field(min_length=1, examples=["Building repairs"])
    name_fa: str = Field(min_length=1, examples=["تعمیرات ساختمان"])


class OfficeDetailOut(OfficeOut):
    hours: dict[Weekday, list[list[str]]] = Field(
        description="Opening intervals per weekday (`sat` … `thu`; Friday is closed), Tehran time.",
        examples=[{"sat": [["07:30", "14:30"]], "thu": [["08:00", "12:00"]]}])
    offered_categories: list[str]
    in_person_required: list[str] = Field(
        description="Services this office only provides in person, whatever their catalogue mode.")
    closures: list[ClosedDayOut] = Field(description="Days the office declared closed, with their names.")


class HolidayNameOut(Out):
    name_en: str = Field(min_length=1, examples=["Nowruz"])
    name_fa: str = Field(min_length=1, examples=["عید نوروز"])
    kind: Literal["solar", "lunar", "correction"] = Field(description="`correction`: a day the association closed.")


class FreeSlotOut(InstantOut):
    free: int = Field(ge=1, description="Free counters at this start.")


class SlotsOut(LocalDateOut):
    office_id: str
    service_id: str
    open: bool = Field(description="False on Fridays, official holidays and the office's closures.")
    holidays: list[HolidayNameOut] = Field(description="The official holidays that day (and a day the association "
                                                       "closed), named in Persian and English.")
    closed_for: list[ClosedDayOut] = Field(
        description="Why the office is closed that day (holidays, the association's closures, the office's own), "
                    "named in English and Persian; empty on an open day or a plain weekend.")
    duration_min: int
    slots: list[FreeSlotOut]


class HolidayOut(LocalDateOut, HolidayNameOut):
    """A holiday: its day in both calendars and its names."""


class HolidayListOut(Out):
    from_: LocalDateOut = Field(alias="from")
    to: LocalDateOut
    items: list[HolidayOut]


class ClosureEffectOut(Out):
    bookings_cancelled: int = Field(ge=0, description="Bookings of the day cancelled by this request, one SMS each.")
    bookings_moved: int = Field(ge=0, description="Kept bookings moved to another counter at the same time.")
    cancellation_pending: bool = Field(description="True when bookings are left for the `sweep_office_days` job "
                                                   "(every 5 minutes) to cancel.")


class CalendarDayOut(LocalDateOut, ClosureEffectOut):
    closed: bool
    name_en: str
    name_fa: str


class ClosurePreviewBookingOut(Out):
    booking_id: str
    kind: Literal["visit", "session"]
    start: InstantOut
    office_id: str
    office_name_fa: str
    office_name_en: str
    province: str
    service_id: str
    service_name_fa: str
    service_name_en: str
    national_id_masked: str


class ClosurePreviewOut(LocalDateOut):
    """What closing the day network-wide would cancel if confirmed now; nothing is changed."""
    closed: bool = Field(description="Whether the association has already closed the day.")
    bookings_to_cancel: int = Field(ge=0, description="Booked, not yet started bookings of the day, at every office.")
    offices: int = Field(ge=0, description="Offices holding them.")
    items: list[ClosurePreviewBookingOut] = Field(description="The first `limit` of them, by time.")
    truncated: bool = Field(description="True when more bookings would be cancelled than are listed.")


class OfficeClosureOut(LocalDateOut, ClosureEffectOut):
    office_id: str
    closed: bool
    name_en: str = Field(min_length=1)
    name_fa: str = Field(min_length=1)
