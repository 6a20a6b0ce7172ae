"""The tariff book and the association's accounts: tariff changes, receipts, statements,
corrections and the tariff revision simulator."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from chalicelib.domain.ranking_live import parse_period
from chalicelib.schemas.catalogue import TariffLineOut, TariffOut
from chalicelib.schemas.common import ID, DateIn, InstantOut, LocalDateOut, Number, Out, PersianText, Strict

RIALS = 10_000_000_000  # no single fee is anywhere near ten billion rials


class TariffChangeIn(Strict):
    """A service's new tariff from `effective_from` (a later day; Jalali or ISO) on, adopted only
    over the book version the caller read (`expected_version`)."""
    effective_from: DateIn
    government_rials: int = Field(ge=0, le=RIALS, examples=[0])
    office_rials: int = Field(ge=0, le=RIALS, examples=[1400000])
    share_base_rials: int = Field(ge=0, le=RIALS, examples=[1400000])
    expected_version: int = Field(ge=1, examples=[1])
    reason: PersianText = Field(min_length=1, max_length=200, examples=["بازنگری تعرفه ۱۴۰۵"])


class TariffVersionOut(Out):
    version: int = Field(ge=1)
    effective_from: LocalDateOut
    services: int = Field(ge=0, description="Services whose line this version sets.")
    adopted_by: str
    adopted_at: str | None = Field(description="ISO instant; null for the implied seed version.")
    reason: str
    proposal_id: str | None


class TariffBookOut(Out):
    head: int = Field(ge=1, description="The book's latest version: send it as `expected_version` to change it.")
    items: list[TariffVersionOut] = Field(description="Newest first.")


class TariffChangeOut(TariffVersionOut, TariffLineOut):
    service_id: str


class ServiceTariffVersionOut(TariffLineOut):
    version: int = Field(ge=1)
    effective_from: LocalDateOut


class ServiceTariffsOut(Out):
    service_id: str
    head: int = Field(ge=1)
    in_force: TariffOut
    versions: list[ServiceTariffVersionOut] = Field(description="Every version that set this service's line, "
                                                                "oldest first, including scheduled ones.")


def _month(value: object) -> object:
    return parse_period(value) if isinstance(value, str) else value


class MonthQuery(Strict):
    """A Jalali month: `1405-09`, `1405/09` or with Persian digits."""
    month: str

    _month = field_validator("month", mode="before")(_month)


class AccountsStatementQuery(MonthQuery):
    office_id: str | None = Field(default=None, pattern=ID)
    format: Literal["json", "csv"] = Field(default="json", description="`csv`: the statement as a CSV download.")


class OfficeStatementQuery(MonthQuery):
    format: Literal["json", "csv"] = Field(default="json", description="`csv`: the statement as a CSV download.")


class AdjustmentIn(Strict):
    """A refund (amounts zero or negative) or a correction (signed amounts) of a fee, recorded as
    a new record in the current month; once per `reference`."""
    reference: str = Field(pattern=ID, examples=["REF-1405-0042"])
    kind: Literal["refund", "correction"]
    government_rials: int = Field(ge=-RIALS, le=RIALS)
    office_rials: int = Field(ge=-RIALS, le=RIALS)
    share_base_rials: int = Field(ge=-RIALS, le=RIALS)
    reason: PersianText = Field(min_length=1, max_length=200)


class PeriodOut(Out):
    month: str = Field(examples=["1405-09"])
    jalali: str = Field(examples=["1405/09"])
    from_: str = Field(alias="from", json_schema_extra={"format": "date"})
    to: str = Field(json_schema_extra={"format": "date"})


class FeeRecordOut(PeriodOut):
    record_key: str
    receipt_id: str
    kind: Literal["fee", "refund", "correction"]
    office_id: str
    service_id: str
    tariff_version: int
    government_rials: int
    office_rials: int
    share_base_rials: int
    total_rials: int
    channel: str
    at: InstantOut
    actor: str
    refers_to: str | None = Field(description="The receipt an adjustment adjusts.")
    reason: str | None


class NamedRefOut(Out):
    name_fa: str | None
    name_en: str | None


class ReceiptOfficeOut(NamedRefOut):
    office_id: str


class ReceiptServiceOut(NamedRefOut):
    service_id: str


class ReceiptOut(Out):
    """A citizen's receipt for a delivered service; amounts in rials, and in Persian digits."""
    receipt_id: str = Field(examples=["RC7K2M9QXA4T"])
    office: ReceiptOfficeOut
    service: ReceiptServiceOut
    delivered_at: InstantOut
    delivered_at_fa: str = Field(examples=["۱۴۰۵/۰۹/۰۸ ۰۹:۳۰"])
    channel: str
    tariff_version: int
    government_rials: int
    office_rials: int
    total_rials: int
    total_fa: str
    adjusted_rials: int = Field(description="Refunds and corrections recorded since (negative: money back).")
    net_rials: int
    net_fa: str
    text_fa: str = Field(description="The receipt in one Persian sentence, Persian digits.")


class StatementSourceOut(PeriodOut):
    ranking_period: PeriodOut | None = Field(description="The ranking whose tiers set the shares; null: none "
                                                         "published before the month, every office pays the base share.")
    policy_version: str | None


class AccountsStatementItemOut(Out):
    office_id: str
    province: str
    tier: int
    share: str = Field(description="The tier's share as an exact fraction.")
    share_percent: Number
    services: int
    government_rials: int
    office_rials: int
    share_base_rials: int
    levy_rials: int


class AccountsStatementOut(StatementSourceOut):
    rounding: str
    items: list[AccountsStatementItemOut]
    total_share_base_rials: int
    total_levy_rials: int = Field(description="The office lines add up to it exactly.")


class ProvinceSummaryItemOut(Out):
    province: str
    offices: int
    deprived_offices: int
    services: int
    government_rials: int
    office_rials: int
    share_base_rials: int
    levy_rials: int


class ProvinceSummaryOut(StatementSourceOut):
    items: list[ProvinceSummaryItemOut]
    total_levy_rials: int


class MismatchOut(Out):
    office_id: str
    what: str
    recorded: str
    kept: str


class ReconciliationOut(PeriodOut):
    ok: bool
    offices_checked: int
    records: int
    total_levy_rials: int
    mismatches: list[MismatchOut]


class ProposedLineIn(Strict):
    government_rials: int = Field(ge=0, le=RIALS)
    office_rials: int = Field(ge=0, le=RIALS)
    share_base_rials: int = Field(ge=0, le=RIALS)


class TariffRuleIn(Strict):
    """Scale the office's fee (and its share base) by `percent` (e.g. 15 or -5), for one category
    or all, in deprived-area offices only or everywhere; the government fee is passed through."""
    percent: Decimal = Field(gt=-100, le=1000, examples=[15])
    category: str | None = Field(default=None, max_length=40)
    deprived_only: bool = False


class TariffProposalIn(Strict):
    effective_from: DateIn | None = Field(default=None, description="From when the book would apply if adopted "
                                                                    "(a later day; Jalali or ISO).")
    reason: PersianText = Field(default="", max_length=200)
    lines: dict[str, ProposedLineIn] = Field(default_factory=dict, max_length=2000)
    rules: list[TariffRuleIn] = Field(default_factory=list, max_length=20)


class TariffProposalOut(Out):
    proposal_id: str
    created_by: str
    created_at: str
    adopted_version: int | None
    effective_from: str | None
    reason: str
    lines: dict[str, dict[str, int]]
    rules: list[dict]


class SimulationQuery(Strict):
    months: int = Field(default=3, ge=1, le=12, description="Months of recorded volumes replayed.")
    viability_rials: int = Field(default=100_000_000, ge=0, le=10**13,
                                 description="An office's monthly revenue (its fees less the levy) below which it "
                                             "is counted as not viable.")


class ProvinceMeanOut(Out):
    province: str
    mean_rials: int


class OutcomeOut(Out):
    median_rials: int
    deciles_rials: list[int] = Field(description="10th to 90th percentile of offices' monthly revenue.")
    by_province: list[ProvinceMeanOut]
    deprived_mean_rials: int
    association_monthly_rials: int
    below_viability_share: Number


class TariffSimulationOut(Out):
    proposal_id: str
    months: list[PeriodOut]
    services_delivered: int
    offices: int
    viability_rials: int
    ranking_period: PeriodOut | None
    policy_version: str | None
    today: OutcomeOut
    proposed: OutcomeOut
    adopted: bool


class ProposalAdoptionIn(Strict):
    expected_version: int = Field(ge=1, description="The book version the caller read.")


class ProposalAdoptedOut(Out):
    proposal_id: str
    version: int
    effective_from: LocalDateOut
    services: int
