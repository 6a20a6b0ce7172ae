"""Load-based routing: where a citizen is and what they need, and the association's parameters."""
from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from chalicelib.domain.text import fold_persian, to_latin_digits
from chalicelib.schemas.common import ID, Strict


class SuggestionQuery(Strict):
    """Where a citizen is (lat/lon, or a city by name) and what they need."""
    service: str = Field(pattern=ID)
    mode: str | None = Field(default=None, pattern=r"^(in_person|remote)$")
    lat: float | None = Field(default=None, ge=24.0, le=40.5)  # Iran's bounding box
    lon: float | None = Field(default=None, ge=44.0, le=63.5)
    city: str | None = Field(default=None, min_length=2, max_length=60)
    limit: int = Field(default=3, ge=1, le=10)

    @field_validator("lat", "lon", "limit", mode="before")
    @classmethod
    def _digits(cls, value: object) -> object:
        return to_latin_digits(value).replace("٫", ".") if isinstance(value, str) else value

    @field_validator("city")
    @classmethod
    def _city(cls, value: str | None) -> str | None:
        return fold_persian(value) if value else value

    @model_validator(mode="after")
    def _both(self) -> SuggestionQuery:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")
        return self


class RoutingParamsChangeIn(Strict):
    """The association adopts new routing parameters: the changed values, on top of version
    `expected_number` (the one it read), which must still be current."""
    expected_number: int = Field(ge=0)
    changes: dict[str, float | int] = Field(min_length=1)
