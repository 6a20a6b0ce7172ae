"""The operators registry: what an office's manager or the association records of an operator."""
from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from chalicelib.domain.text import to_latin_digits
from chalicelib.schemas.common import Strict, day

_LICENCE = r"^[A-Za-z0-9\-/]{3,30}$"


class OperatorIn(Strict):
    """An operator of an office in the registry: licence, training, insurance (no personal data)."""
    licence_number: str = Field(pattern=_LICENCE)
    licence_expiry: date
    training_hours: int = Field(ge=0, le=10_000)
    insured: bool

    _expiry = field_validator("licence_expiry", mode="before")(day)

    @field_validator("licence_number", mode="before")
    @classmethod
    def _digits(cls, value: object) -> object:
        return to_latin_digits(value) if isinstance(value, str) else value
