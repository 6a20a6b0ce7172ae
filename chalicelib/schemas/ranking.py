"""Bodies and queries of the office ranking. Dates are Jalali or ISO; months
are Jalali ('1405-09')."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from chalicelib.domain.ranking_live import parse_period
from chalicelib.schemas.common import ID, DateIn, InstantOut, Number, Out, Strict

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
    date: DateIn
    score: float = Field(ge=0, le=100)


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


class RankingPeriodOut(Out):
    """A ranking period, one Jalali month, with its first and last Gregorian day."""
    month: str = Field(examples=['1405-08'])
    jalali: str = Field(examples=['1405/08'])
    from_: str = Field(alias='from', json_schema_extra={'format': 'date'})
    to: str = Field(json_schema_extra={'format': 'date'})
    months: int | None = Field(default=None, description='The months of the rolling window (equity report only).')


Tier = Annotated[int, Field(ge=1, le=5, description="5 is the best tier (the smallest association share); 1 the worst.")]


class RankingRowOut(Out):
    office_id: str
    name_fa: str
    name_en: str
    province: str
    province_fa: str
    city: str
    city_fa: str
    deprived: bool = Field(description='The office serves a deprived area (the equity report lists it).')
    tier: Tier
    score: Number
    provisional: bool = Field(description='Too little data to rank; held at tier 3 until it has enough.')
    rank: int = Field(description='National rank: ranked offices by score, then provisional ones.')


class PublishedPolicyOut(Out):
    version: str
    weights: dict[str, Number]
    cut_points: list[Number] = Field(description='Lowest score of tiers 2, 3, 4 and 5.')
    hysteresis_margin: Number
    hysteresis_z: Number | None = Field(
        default=None, description="Margin = max(hysteresis_margin, hysteresis_z × the score's standard error).")
    confirm_periods: int
    integrity_cap_tier: Tier


class RankingTableOut(Out):
    period: RankingPeriodOut
    policy_version: str
    published_at: InstantOut
    policy: PublishedPolicyOut
    total: int
    items: list[RankingRowOut]


class ScoreLineOut(Out):
    indicator: Literal["timeliness_remote", "timeliness_in_person", "accuracy", "experience", "integrity_complaints",
                       "integrity_inspection", "cooperation", "operator_compliance"]
    domain: str
    unit: str
    higher_is_better: bool
    raw: Number | None = Field(description='The observed value (null without data).')
    shrunk: Number | None = Field(description='Case-mix adjusted and shrunk toward the network prior.')
    prior: Number | None = Field(description="The network prior's mean.")
    n: Number = Field(description='The amount of data behind it.')
    available: bool = Field(description='Enough data under the minimum-data rules; otherwise weight 0.')
    weight: Number = Field(description='The weight after re-normalising over available indicators.')
    z: Number = Field(description='Robust z-score, winsorised.')
    points: Number = Field(description='Score points; the lines add up to the score exactly.')


class ScorecardIntegrityGateOut(Out):
    breached: bool
    reasons: list[str]
    cap_tier: int


class ScorecardToNextTierOut(Out):
    indicator: str
    current: Number | None
    target: Number
    z_needed: Number


class ScorecardTierHistoryOut(RankingPeriodOut):
    tier: Tier
    score: Number
    provisional: bool
    reason: str


class ScorecardOut(Out):
    office_id: str
    name_fa: str
    name_en: str
    province: str
    period: RankingPeriodOut
    policy_version: str
    published_at: InstantOut
    score: Number
    score_se: Number = Field(description='Standard error of the score (points): less data, less certain.')
    tier_margin: Number = Field(description='Lead over a cut-point a tier move needs: max(floor, z × score_se).')
    tier: Tier
    provisional: bool
    rank: int
    tier_reason: str = Field(examples=['promoted', 'pending 1/2', 'held', 'integrity gate: inspection 35 < 40.0'])
    domains_available: int
    integrity_gate: ScorecardIntegrityGateOut
    lines: list[ScoreLineOut]
    to_next_tier: list[ScorecardToNextTierOut] = Field(
        description="Single-indicator improvements that alone would reach the next tier's threshold, easiest first.")
    tier_history: list[ScorecardTierHistoryOut] = Field(description='Newest first, up to twelve months.')


class EquityReportItemsDeprivedOut(Out):
    office_id: str
    name_fa: str
    city: str
    city_fa: str
    served: int | None


class EquityReportItemsOut(Out):
    province: str
    province_fa: str
    population: int = Field(description='2016 census.')
    capital: str
    capital_fa: str
    capital_lat: Number = Field(description="The provincial capital's latitude (a schematic map places the province there).")
    capital_lon: Number
    offices: int
    offices_per_100k: Number
    deprived_offices: int
    deprived_served: int | None = Field(description='Transactions of the deprived-area offices over the window.')
    deprived: list[EquityReportItemsDeprivedOut]


class EquityReportOut(Out):
    window: RankingPeriodOut | None
    items: list[EquityReportItemsOut]


class ComplaintsRecordedOut(Out):
    office_id: str
    reference: str
    month: str
    jalali: str
    from_: str = Field(alias='from', json_schema_extra={'format': 'date'})
    to: str = Field(json_schema_extra={'format': 'date'})
    upheld: int
    recorded: bool = Field(description='false when this reference was already recorded.')


class InspectionRecordedOut(Out):
    office_id: str
    reference: str
    date: str
    jalali: str
    score: Number
    recorded: bool


class StatementsItemsOut(Out):
    office_id: str
    tier: Tier
    share: str = Field(description='The exact share as a fraction, e.g. 37/300.')
    share_percent: Number
    fees_collected_rials: int
    levy_rials: int = Field(description='fees × share, half-up to the rial.')


class StatementsOut(Out):
    month: str
    jalali: str
    from_: str = Field(alias='from', json_schema_extra={'format': 'date'})
    to: str = Field(json_schema_extra={'format': 'date'})
    ranking_period: RankingPeriodOut
    policy_version: str
    base_share_percent: Number
    share_by_tier_percent: dict[str, Number]
    items: list[StatementsItemsOut]
    total_fees_rials: int
    total_levy_rials: int


class SimulationResultMovesOut(Out):
    from_: Tier = Field(alias='from')
    to: Tier
    offices: int


class SimulationResultMovedOut(Out):
    office_id: str
    from_: Tier = Field(alias='from')
    to: Tier


class SimulationResultLevyChangeOut(Out):
    offices_paying_more: int
    offices_paying_less: int
    net_rials: int


class SimulationOfficeOut(Out):
    """One office of the simulated month, under the policy in force and under the proposal."""
    office_id: str
    name_fa: str
    name_en: str
    province: str
    current_tier: Tier
    proposed_tier: Tier
    current_score: Number
    proposed_score: Number
    levy_change_rials: int = Field(description="Proposed minus current levy on the same fees.")


class SimulationTierCountsOut(Out):
    current: dict[str, int] = Field(description="Offices per tier ('1'..'5') under the policy in force.")
    proposed: dict[str, int] = Field(description="Offices per tier under the proposal.")


class SimulationResultOut(Out):
    period: RankingPeriodOut
    policy_version: str = Field(description='The policy the month was published under.')
    published_at: InstantOut
    proposal_version: str
    baseline_version: str = Field(description='The policy in force, compared against.')
    moves: list[SimulationResultMovesOut]
    moved: list[SimulationResultMovedOut]
    mean_share_percent: Number
    share_by_tier_percent: dict[str, Number]
    revenue_on_previous_fees_rials: int
    levy_change: SimulationResultLevyChangeOut
    offices: list[SimulationOfficeOut] = Field(description="Every ranked office, current and proposed side by side.")
    tier_counts: SimulationTierCountsOut
    adopted: Literal[False]


class RankingPolicyOut(Out):
    number: int = Field(description='0 is the shipped default.')
    version: str
    weights: dict[str, Number]
    cut_points: list[Number]
    hysteresis_margin: Number
    hysteresis_z: Number
    confirm_periods: int
    min_n: dict[str, Number]
    min_domains: int
    min_transactions: int
    provisional_tier: Tier
    integrity_gate_per_1000: Number
    integrity_gate_inspection: Number
    integrity_cap_tier: Tier
    share_offsets: list[str]
    z_clip: Number
    anchors: dict[str, Any]
    case_mix: bool
    base_share: str
    adopted_by: str
    adopted_at: str | None
