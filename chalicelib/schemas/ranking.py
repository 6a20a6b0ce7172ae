"""Bodies and queries of the office ranking. Dates are Jalali or ISO; months
are Jalali ('1405-09')."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field, field_validator

from chalicelib.domain.ranking_live import parse_period
from chalicelib.schemas.common import ID, Strict, day

_VERSION = r"^[A-Za-z0-9.\-_]{1,40}$"


def _month(value: object) -> object:
    return parse_period(value) if isinstance(value, str) else value


class ComplaintsIn(Strict):
    """Complaints upheld against an office in a month, from the association's complaints office."""
    reference: str = Field(pattern=ID)
    month: str
    upheld: int = Field(ge=1, le=1000)

    _month = field_validator("month", mode="before")(_month)


class InspectionIn(Strict):
    """An inspector's score of an office (0-100) on a day."""
    reference: str = Field(pattern=ID)
    date: date
    score: float = Field(ge=0, le=100)

    _day = field_validator("date", mode="before")(day)


class PolicyChangesIn(Strict):
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


class PolicyAdoptionIn(PolicyChangesIn):
    """A new policy version, adopted only over the version number the association read."""
    version: str = Field(pattern=_VERSION)
    expected_number: int = Field(ge=0)


class PolicySimulationIn(PolicyChangesIn):
    """A proposed policy replayed over a published month (default: the latest)."""
    month: str | None = None

    _month = field_validator("month", mode="before")(_month)


class RankingQuery(Strict):
    province: str | None = Field(default=None, max_length=60)
    month: str | None = None

    _month = field_validator("month", mode="before")(_month)


class StatementQuery(Strict):
    month: str
    office_id: str | None = Field(default=None, pattern=ID)

    _month = field_validator("month", mode="before")(_month)


class EquityQuery(Strict):
    province: str | None = Field(default=None, max_length=60)
