"""Request bodies and queries of the ranking and the operators registry (validated with
pydantic, then handed to use cases). Dates are Jalali or ISO; months are Jalali ('1405-09')."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field, field_validator

from chalicelib.domain import calendar
from chalicelib.domain.ranking_live import parse_period
from chalicelib.domain.text import to_latin_digits
from chalicelib.schemas import _ID, _Body

_VERSION = r"^[A-Za-z0-9.\-_]{1,40}$"
_LICENCE = r"^[A-Za-z0-9\-/]{3,30}$"


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    return calendar.parse_date(value)  # type: ignore[arg-type]


def _month(value: object) -> object:
    return parse_period(value) if isinstance(value, str) else value


class OperatorIn(_Body):
    """An operator of an office in the registry: licence, training, insurance (no personal data)."""
    licence_number: str = Field(pattern=_LICENCE)
    licence_expiry: date
    training_hours: int = Field(ge=0, le=10_000)
    insured: bool

    _expiry = field_validator("licence_expiry", mode="before")(_date)

    @field_validator("licence_number", mode="before")
    @classmethod
    def _digits(cls, value: object) -> object:
        return to_latin_digits(value) if isinstance(value, str) else value


class ComplaintsIn(_Body):
    """Complaints upheld against an office in a month, from the association's complaints office."""
    reference: str = Field(pattern=_ID)
    month: str
    upheld: int = Field(ge=1, le=1000)

    _month = field_validator("month", mode="before")(_month)


class InspectionIn(_Body):
    """An inspector's score of an office (0-100) on a day."""
    reference: str = Field(pattern=_ID)
    date: date
    score: float = Field(ge=0, le=100)

    _day = field_validator("date", mode="before")(_date)


class PolicyChanges(_Body):
    """Changes to the ranking policy in force; fields left out keep their current value."""
    version: str | None = Field(default=None, pattern=_VERSION)
    weights: dict[str, float] | None = None
    cut_points: list[float] | None = None  # four ascending thresholds (checked with the policy)
    base_share: Decimal | None = Field(default=None, ge=0, le=1)
    share_offsets: list[Decimal] | None = None  # five, tiers 1..5
    hysteresis_margin: float | None = Field(default=None, ge=0, le=50)
    hysteresis_z: float | None = Field(default=None, ge=0, le=5)  # margin = max(floor, z × score SE)
    confirm_periods: int | None = Field(default=None, ge=1, le=12)

    @field_validator("cut_points", "share_offsets")
    @classmethod
    def _sizes(cls, value: list | None, info) -> list | None:
        size = 4 if info.field_name == "cut_points" else 5
        if value is not None and len(value) != size:
            raise ValueError(f"{info.field_name} needs exactly {size} values")
        return value


class PolicyAdoption(PolicyChanges):
    """A new policy version, adopted only over the version number the association read."""
    version: str = Field(pattern=_VERSION)
    expected_number: int = Field(ge=0)


class Simulation(PolicyChanges):
    """A proposed policy replayed over a published month (default: the latest)."""
    month: str | None = None

    _month = field_validator("month", mode="before")(_month)


class RankingQuery(_Body):
    province: str | None = Field(default=None, max_length=60)
    month: str | None = None

    _month = field_validator("month", mode="before")(_month)


class StatementQuery(_Body):
    month: str
    office_id: str | None = Field(default=None, pattern=_ID)

    _month = field_validator("month", mode="before")(_month)
