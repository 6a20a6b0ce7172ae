"""Queries of the public catalogue and the association's calendar corrections."""
from __future__ import annotations

import datetime as dt
from datetime import date

from pydantic import ConfigDict, Field, field_validator

from chalicelib.domain.text import fold_persian
from chalicelib.schemas.common import ID, PageQuery, Strict, day


class SlotQuery(Strict):
    service: str = Field(pattern=ID)
    date: date

    _date = field_validator("date", mode="before")(day)


class CalendarCorrectionIn(Strict):
    """The association closes (or re-opens) a day for the whole network."""
    closed: bool
    name_en: str = Field(default="", max_length=80)
    name_fa: str = Field(default="", max_length=80)

    @field_validator("name_fa")
    @classmethod
    def _name_fa(cls, value: str) -> str:
        return fold_persian(value)


def _blank(value: object) -> object:
    """An empty parameter (`?city=`) is the same as a missing one."""
    return (value.strip() or None) if isinstance(value, str) else value


class ServiceSearchQuery(PageQuery):
    q: str | None = None
    category: str | None = None
    mode: str | None = None  # checked by the use case against the catalogue's modes

    _blank = field_validator("q", "category", "mode", mode="before")(_blank)


class OfficeSearchQuery(PageQuery):
    province: str | None = None
    city: str | None = None
    service: str | None = None

    _blank = field_validator("province", "city", "service", mode="before")(_blank)


def _optional_day(value: object) -> object:
    value = _blank(value)
    return None if value is None else day(value)


class HolidayQuery(Strict):
    """From `from` (default today) to `to` (default a year later)."""
    model_config = ConfigDict(populate_by_name=True)
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None

    _dates = field_validator("from_", "to", mode="before")(_optional_day)


class DayQuery(Strict):
    """One day (default today)."""
    date: dt.date | None = None

    _date = field_validator("date", mode="before")(_optional_day)

