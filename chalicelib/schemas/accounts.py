"""The tariff book and the association's accounts: tariff changes, receipts, statements,
corrections and the tariff revision simulator."""
from __future__ import annotations

from pydantic import Field

from chalicelib.schemas.catalogue import TariffLineOut, TariffOut
from chalicelib.schemas.common import DateIn, LocalDateOut, Out, PersianText, Strict

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
