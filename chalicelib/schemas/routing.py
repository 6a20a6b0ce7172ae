"""Load-based routing: where a citizen is and what they need, and the association's parameters."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from chalicelib.domain.text import fold_persian, to_latin_digits
from chalicelib.schemas.catalogue import ServiceOut
from chalicelib.schemas.common import ID, InstantOut, Number, Out, Strict


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


class SuggestedOfficeOut(Out):
    office_id: str
    name_en: str
    name_fa: str
    city: str
    city_fa: str
    province: str


class OpeningOut(InstantOut):
    """When a closed office opens: the instant (ISO and Jalali) and in words."""
    phrase_fa: str = Field(examples=["فردا، شنبه ۸ آذر، ساعت ۰۷:۳۰"])
    phrase_en: str = Field(examples=["tomorrow, Saturday 8 Azar, at 07:30"])


class SuggestionOut(Out):
    rank: int = Field(ge=0, description="1 is best; 0 is the network option.")
    score_min: Number = Field(description="The sum of the four parts below, in minutes.")
    expected_wait_min: Number | None = Field(
        description="Null for an office closed now (`open_now` false): see `opens_at` instead.")
    expected_service_min: Number
    quality_penalty_min: Number = Field(description="Minutes added for a lower ranking tier.")
    travel_min: Number = Field(description="Travel cost in minutes-equivalent.")
    distance_km: Number | None
    tier: int | None = Field(ge=1, le=5)
    fallback: bool
    explanation_en: str = Field(examples=["wait ≈ 4 min, service ≈ 10 min, 2.3 km away, tier 4"])
    explanation_fa: str
    office: SuggestedOfficeOut | None
    open_now: bool = Field(description="The office is within its opening hours now (Asia/Tehran; Fridays, "
                                       "holidays and its closures are closed). Always true for the network option.")
    opens_at: OpeningOut | None = Field(
        description="For an office closed now, when it opens next (null if open, or not within three weeks).")
    next: str = Field(description="Where to go next. In person: the office's free slots (GET) on the day of its "
                                  "first free seat, else of its first open day in the booking window. Remote: the "
                                  "intake to POST the request to.")
    next_free_slot: InstantOut | None = Field(
        description="In person, the earliest bookable appointment at that office within the next 7 days of the "
                    "booking window (null if none, and for remote).")


class SuggestionSetOut(Out):
    service: ServiceOut
    mode: Literal["in_person", "remote"]
    params_version: str = Field(examples=["routing-3"])
    load_at: str | None = Field(description="When the load snapshot was taken (Tehran time).")
    fallback: bool = Field(description="Nothing within the radius offers the service; the nearest few.")
    area: Literal["urban", "rural"] | None
    radius_km: Number | None
    items: list[SuggestionOut]
    network_option: SuggestionOut | None
    network_opens_at: OpeningOut | None = Field(
        default=None, description="Remote, when no office that does the service is open now: when the first opens.")


class AdoptedParamsOut(Out):
    number: int
    document: dict[str, Any]
    adopted_by: str
    adopted_at: str


class RoutingParamsOut(Out):
    number: int = Field(ge=0)
    params: dict[str, Number | str] = Field(description="The parameters in force, with their `version`.")
    history: list[AdoptedParamsOut]


class QueueSampleOut(InstantOut):
    length: int = Field(ge=0, description="Remote requests waiting in the national queue at that minute.")


class NationalQueueOut(Out):
    """The national remote queue's length through one day (Asia/Tehran), a sample a minute."""
    date: str = Field(examples=["2026-11-25"])
    jalali: str = Field(examples=["1405/09/04"])
    latest: QueueSampleOut | None = Field(description="The last load snapshot's count (a minute old at most).")
    samples: list[QueueSampleOut]
