"""The operators registry: what an office's manager or the association records of an operator."""
from __future__ import annotations

from pydantic import Field, field_validator

from chalicelib.domain.text import to_latin_digits
from chalicelib.schemas.common import DateIn, LocalDateOut, Number, Out, Strict

_LICENCE = r"^[A-Za-z0-9\-/]{3,30}$"


class OperatorIn(Strict):
    """An operator of an office in the registry: licence, training, insurance (no personal data)."""
    licence_number: str = Field(pattern=_LICENCE)
    licence_expiry: DateIn
    training_hours: int = Field(ge=0, le=10_000)
    insured: bool

    @field_validator("licence_number", mode="before")
    @classmethod
    def _digits(cls, value: object) -> object:
        return to_latin_digits(value) if isinstance(value, str) else value


class OperatorOut(Out):
    operator_id: str
    office_id: str
    licence_number: str
    licence_expiry: LocalDateOut
    training_hours: int
    insured: bool
    licence_valid: bool = Field(description="Valid today; an expired licence takes a counter out of bookings.")
    compliant: bool = Field(description="Valid licence, enough training hours (a setting) and insured.")
    updated_at: str


class CapacityChangeOut(LocalDateOut):
    """The first day without some operators' licences (not renewed) and the counters open to
    bookings the day before and on it."""
    operator_ids: list[str]
    counters_before: int
    counters_after: int


class OperatorRegistryOut(Out):
    office_id: str
    declared_counters: int
    bookable_counters: int = Field(
        description="min(declared, operators with a valid licence); declared if none is registered.")
    operators: int
    compliant: int
    compliance_share: Number | None
    items: list[OperatorOut]
    capacity_horizon_days: int
    capacity_changes: list[CapacityChangeOut] = Field(
        description="Licences lapsing within the horizon, by the day they lapse, with what that does to the counters.")
