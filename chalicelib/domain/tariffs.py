"""The tariff book and the association's accounts, with no I/O.

Tariff book: numbered versions, each a set of tariff lines (one per service it changes) and the
Tehran day from whose midnight it applies. Version 1 is the catalogue's seed tariff (the whole fee
is the office's service fee, all of it the association share base). The tariff of a service on a
day is the line of the version with the latest effective day on or before that day that has a
line for the service (ties: the higher number); versions never change once adopted.

Fees: a delivered service (a completed visit or remote request) is one fee record, keyed by what
was delivered, so a retry writes nothing new. Refunds and corrections are further records that
refer to the first one; nothing is ever edited.

Statements: an office's levy for a month is its share base × its tier's share. The month's total
is the exact sum of the offices' exact levies rounded half up to the rial; office lines are
floors plus one rial each for the largest fractional parts until they add up to that total
(largest remainder, Hamilton; ties by office id), so office lines always add up to the total and
each is within one rial of its exact levy.
"""
from __future__ import annotations

import hashlib
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from fractions import Fraction

SEED_VERSION = 1
SEED_EFFECTIVE = date(2020, 3, 20)  # 1399/01/01: before any booking the network holds
FEE, REFUND, CORRECTION = "fee", "refund", "correction"
_RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud over the phone


class TariffError(ValueError):
    """A tariff line or book version that cannot be adopted."""


@dataclass(frozen=True)
class TariffLine:
    """A service's fee in rials: the government fee passed through to the state, the office's
    service fee, and the part of the office's fee the association share is levied on."""
    government_rials: int
    office_rials: int
    share_base_rials: int

    def __post_init__(self) -> None:
        values = (self.government_rials, self.office_rials, self.share_base_rials)
        if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in values):
            raise TariffError("tariff amounts are whole, non-negative rials")
        if self.share_base_rials > self.office_rials:
            raise TariffError("the association share base cannot exceed the office's service fee")

    @property
    def total_rials(self) -> int:
        return self.government_rials + self.office_rials

    def scaled(self, factor: Fraction) -> TariffLine:
        """The line with the office's fee (and its share base) scaled, rounded half up to the
        rial; the government fee is passed through unchanged."""
        office = math.floor(self.office_rials * factor + Fraction(1, 2))
        base = math.floor(self.share_base_rials * factor + Fraction(1, 2))
        return TariffLine(self.government_rials, office, min(base, office))

    def doc(self) -> list[int]:
        return [self.government_rials, self.office_rials, self.share_base_rials]

    @classmethod
    def from_doc(cls, doc: Sequence[int]) -> TariffLine:
        return cls(int(doc[0]), int(doc[1]), int(doc[2]))


def seed_line(tariff_rials: int) -> TariffLine:
    """The catalogue's seed tariff as a line of version 1: all of it is the office's fee."""
    return TariffLine(0, int(tariff_rials), int(tariff_rials))


@dataclass(frozen=True)
class BookVersion:
    """One adopted version of the tariff book: its lines apply from `effective_from`'s Tehran
    midnight. `lines` holds only the services it changes (version 1 holds them all)."""
    number: int
    effective_from: date
    lines: Mapping[str, TariffLine]
    adopted_by: str
    adopted_at: str  # ISO instant
    reason: str = ""
    proposal_id: str | None = None


@dataclass(frozen=True)
class Tariff:
    """A service's tariff in force on a day, and the version it comes from."""
    service_id: str
    version: int
    effective_from: date
    line: TariffLine


def in_force(versions: Iterable[BookVersion], service_id: str, day: date,
             seed: TariffLine | None = None) -> Tariff | None:
    """The tariff of `service_id` on `day`: the line of the latest effective version on or before
    `day` that has one (ties: the higher number); the seed line (version 1) when no version does."""
    best: BookVersion | None = None
    for v in versions:
        if v.effective_from <= day and service_id in v.lines and (
                best is None or (v.effective_from, v.number) > (best.effective_from, best.number)):
            best = v
    if best is not None:
        return Tariff(service_id, best.number, best.effective_from, best.lines[service_id])
    if seed is None:
        return None
    return Tariff(service_id, SEED_VERSION, SEED_EFFECTIVE, seed)


def line_of_version(versions: Iterable[BookVersion], service_id: str, number: int,
                    seed: TariffLine | None = None) -> TariffLine | None:
    """The line a priced item carries: what version `number` said of the service, or, when that
    version did not touch it, what was in force for it when that version took effect."""
    by_number = {v.number: v for v in versions}
    version = by_number.get(number)
    if version is not None and service_id in version.lines:
        return version.lines[service_id]
    if version is None and number != SEED_VERSION:
        return None
    day = version.effective_from if version is not None else SEED_EFFECTIVE
    earlier = [v for v in by_number.values() if v.number <= number]
    found = in_force(earlier, service_id, day, seed)
    return found.line if found else None


def check_effective(effective_from: date, today: date) -> None:
    """Tariffs change from a later day on: today's prices (and any earlier day's) never move."""
    if effective_from <= today:
        raise TariffError("a tariff change takes effect from tomorrow at the earliest")


# --- fee records and receipts ------------------------------------------------------------------

@dataclass(frozen=True)
class FeeRecord:
    """One entry of the association's accounts: a fee for a delivered service, or a refund or
    correction of one (signed amounts). `record_key` makes it unique: the delivered item
    (booking:{id}, request:{tracking code}) or the association's reference of the adjustment."""
    record_key: str
    receipt_id: str
    kind: str  # fee | refund | correction
    office_id: str
    province: str
    service_id: str
    tariff_version: int
    government_rials: int
    office_rials: int
    share_base_rials: int
    channel: str  # web | partner | walk_in | remote | remote_partner ...
    period: str  # Jalali month of the delivery (or of the adjustment): "1405-09"
    at: datetime
    subject: str  # the booking id or tracking code
    actor: str
    refers_to: str | None = None  # for an adjustment: the receipt it adjusts
    reason: str | None = None

    @property
    def total_rials(self) -> int:
        return self.government_rials + self.office_rials


@dataclass(frozen=True)
class Receipt:
    """What the citizen may read of a fee: opened with the access code of the booking or request
    it was for (its hash is kept here) or the citizen's session."""
    receipt_id: str
    record: FeeRecord
    access_code_hash: str | None
    citizen_key: str | None  # none for a walk-in served without a national ID
    adjusted_rials: int = 0  # the sum of refunds and corrections recorded against it so far


@dataclass(frozen=True)
class FeeTotals:
    """An office's fee records of one month, summed (kept with the records, in the same writes)."""
    office_id: str
    province: str = ""
    count: int = 0
    government_rials: int = 0
    office_rials: int = 0
    share_base_rials: int = 0

    def plus(self, r: FeeRecord) -> FeeTotals:
        return replace(self, province=self.province or r.province, count=self.count + (1 if r.kind == FEE else 0),
                       government_rials=self.government_rials + r.government_rials,
                       office_rials=self.office_rials + r.office_rials,
                       share_base_rials=self.share_base_rials + r.share_base_rials)

    def amounts(self) -> tuple[int, int, int, int]:
        return self.count, self.government_rials, self.office_rials, self.share_base_rials


def receipt_id(record_key: str) -> str:
    """A receipt number derived from what was delivered: a retry gets the same one."""
    digest = int.from_bytes(hashlib.sha256(f"receipt:{record_key}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(10):
        digest, rest = divmod(digest, len(_RECEIPT_ALPHABET))
        chars.append(_RECEIPT_ALPHABET[rest])
    return "RC" + "".join(chars)


def is_receipt_id(value: str) -> bool:
    return len(value) == 12 and value.startswith("RC") and all(c in _RECEIPT_ALPHABET for c in value[2:])


def fee_record(record_key: str, *, office_id: str, province: str, service_id: str, tariff: Tariff | None,
               version: int, line: TariffLine, channel: str, period: str, at: datetime, subject: str,
               actor: str) -> FeeRecord:
    return FeeRecord(record_key, receipt_id(record_key), FEE, office_id, province, service_id,
                     tariff.version if tariff else version, line.government_rials, line.office_rials,
                     line.share_base_rials, channel, period, at, subject, actor)


def adjustment(original: FeeRecord, reference: str, kind: str, government_rials: int, office_rials: int,
               share_base_rials: int, period: str, at: datetime, actor: str, reason: str,
               already_adjusted: int) -> FeeRecord:
    """A refund (the negative of what it gives back) or a correction (any signed change) of a fee.
    The fee and all its adjustments together never go below zero."""
    if kind not in (REFUND, CORRECTION):
        raise TariffError("an adjustment is a refund or a correction")
    amounts = (government_rials, office_rials, share_base_rials)
    if kind == REFUND and any(a > 0 for a in amounts):
        raise TariffError("a refund gives money back: its amounts are zero or negative")
    if not any(amounts):
        raise TariffError("an adjustment changes at least one amount")
    parts = (original.government_rials + government_rials, original.office_rials + office_rials,
             original.share_base_rials + share_base_rials)
    if min(parts) < 0 or original.total_rials + already_adjusted + government_rials + office_rials < 0:
        raise TariffError("adjustments cannot take a fee below zero")
    key = adjustment_key(reference)
    return FeeRecord(key, receipt_id(key), kind, original.office_id, original.province, original.service_id,
                     original.tariff_version, government_rials, office_rials, share_base_rials, original.channel,
                     period, at, original.subject, actor, refers_to=original.receipt_id, reason=reason)


def adjustment_key(reference: str) -> str:
    return f"adjustment:{reference}"


def totals_of(records: Iterable[FeeRecord]) -> dict[str, FeeTotals]:
    out: dict[str, FeeTotals] = {}
    for r in records:
        out[r.office_id] = out.get(r.office_id, FeeTotals(r.office_id)).plus(r)
    return out


# --- statements --------------------------------------------------------------------------------

def round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def apportion(exact: Mapping[str, Fraction]) -> tuple[dict[str, int], int]:
    """(whole-rial lines, total): the total is Σ exact rounded half up; each line is its floor,
    plus one rial for the largest fractional parts (ties: key order) until the lines add up to the
    total. Negative exact values (a month of refunds) round the same way."""
    total = round_half_up(sum(exact.values(), Fraction(0)))
    lines = {k: math.floor(v) for k, v in exact.items()}
    residue = total - sum(lines.values())  # 0 ≤ residue < len(exact): Σ floors ≤ Σ exact < Σ floors + n
    for k in sorted(exact, key=lambda k: (-(exact[k] - lines[k]), k))[:residue]:
        lines[k] += 1
    return lines, total


@dataclass(frozen=True)
class StatementLine:
    office_id: str
    province: str
    tier: int
    share: Fraction
    fees: FeeTotals
    exact_levy: Fraction
    levy_rials: int


@dataclass(frozen=True)
class MonthStatement:
    period: str
    lines: tuple[StatementLine, ...]
    total_levy_rials: int

    @property
    def total_share_base_rials(self) -> int:
        return sum(line.fees.share_base_rials for line in self.lines)


def month_statement(period: str, totals: Mapping[str, FeeTotals], tier_of: Mapping[str, int],
                    share_by_tier: Mapping[int, Fraction], default_tier: int) -> MonthStatement:
    """Each office's levy: its recorded share base × the share of its tier (offices not ranked
    yet: `default_tier`), apportioned to whole rials that add up to the total."""
    exact, tiers = {}, {}
    for office_id, t in totals.items():
        tiers[office_id] = tier_of.get(office_id, default_tier)
        exact[office_id] = t.share_base_rials * share_by_tier[tiers[office_id]]
    lines, total = apportion(exact)
    return MonthStatement(period, tuple(
        StatementLine(o, totals[o].province, tiers[o], share_by_tier[tiers[o]], totals[o], exact[o], lines[o])
        for o in sorted(totals)), total)


@dataclass(frozen=True)
class Mismatch:
    office_id: str
    what: str
    recorded: object
    kept: object


def reconcile(records: Mapping[str, Sequence[FeeRecord]], totals: Mapping[str, FeeTotals],
              statement: MonthStatement | None = None) -> list[Mismatch]:
    """What disagrees between a month's fee records (per office), the totals kept beside them and
    the statement computed from those totals: empty when the accounts hold together."""
    found: list[Mismatch] = []
    for office_id in sorted(set(records) | set(totals)):
        summed = totals_of(records.get(office_id, ())).get(office_id, FeeTotals(office_id))
        kept = totals.get(office_id, FeeTotals(office_id))
        if summed.amounts() != kept.amounts():
            found.append(Mismatch(office_id, "totals", summed.amounts(), kept.amounts()))
        keys = [r.record_key for r in records.get(office_id, ())]
        if len(keys) != len(set(keys)):
            found.append(Mismatch(office_id, "duplicate records", len(keys), len(set(keys))))
    if statement is not None:
        lines = {line.office_id: line for line in statement.lines}
        for office_id, kept in totals.items():
            line = lines.get(office_id)
            if line is None or line.fees.amounts() != kept.amounts():
                found.append(Mismatch(office_id, "statement", kept.amounts(), line.fees.amounts() if line else None))
            elif abs(line.exact_levy - line.levy_rials) >= 1:
                found.append(Mismatch(office_id, "levy rounding", str(line.exact_levy), line.levy_rials))
        if sum(line.levy_rials for line in statement.lines) != statement.total_levy_rials:
            found.append(Mismatch("*", "statement total", sum(line.levy_rials for line in statement.lines),
                                  statement.total_levy_rials))
    return found


# --- the tariff revision simulator -----------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """A rule of a proposed book: scale the office's fee by `percent` (e.g. +15) for the
    services of `category` (None: all), in deprived-area offices only when `deprived_only`."""
    percent: Fraction
    category: str | None = None
    deprived_only: bool = False


@dataclass(frozen=True)
class Proposal:
    """A proposed tariff book: explicit lines for some services, and rules over the rest."""
    lines: Mapping[str, TariffLine] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()

    def line(self, service_id: str, category: str, deprived: bool, today: TariffLine) -> TariffLine:
        line = self.lines.get(service_id, today)
        for rule in self.rules:
            if (rule.category is None or rule.category == category) and (deprived or not rule.deprived_only):
                line = line.scaled(1 + rule.percent / 100)
        return line

    @property
    def office_dependent(self) -> bool:
        """Rules that depend on the office cannot be one book line per service."""
        return any(r.deprived_only for r in self.rules)


@dataclass(frozen=True)
class Volume:
    """Services delivered (fees, net of nothing) by an office in a month."""
    period: str
    office_id: str
    service_id: str
    count: int


@dataclass(frozen=True)
class OfficeInfo:
    office_id: str
    province: str
    deprived: bool
    tier: int


@dataclass(frozen=True)
class Outcome:
    """One side of the comparison: what offices earn and what the association receives."""
    office_monthly_rials: Mapping[str, int]  # the office's own fee (revenue) a month, after the levy
    deciles: tuple[int, ...]  # 10th … 90th percentile of office_monthly_rials
    median: int
    by_province: Mapping[str, int]  # mean monthly revenue of the province's offices
    deprived_mean: int
    association_monthly_rials: int
    below_viability: Fraction  # share of offices whose monthly revenue is under the line


def _percentiles(values: Sequence[int]) -> tuple[int, ...]:
    if len(values) < 2:
        return tuple([values[0] if values else 0] * 9)
    return tuple(round(q) for q in statistics.quantiles(values, n=10, method="inclusive"))


def outcome(volumes: Iterable[Volume], offices: Mapping[str, OfficeInfo], months: int,
            line_for: callable, share_by_tier: Mapping[int, Fraction], viability_rials: int) -> Outcome:
    """Replay volumes under a pricing (`line_for(office, service_id) -> TariffLine`): each office's
    monthly revenue (office fees less the association's levy), averaged over `months`."""
    fees = dict.fromkeys(offices, 0)
    bases = dict.fromkeys(offices, 0)
    for v in volumes:
        if v.office_id not in offices:
            continue
        line = line_for(offices[v.office_id], v.service_id)
        fees[v.office_id] += v.count * line.office_rials
        bases[v.office_id] += v.count * line.share_base_rials
    exact = {o: bases[o] * share_by_tier[offices[o].tier] for o in offices}
    levies, total = apportion(exact)
    revenue = {o: round_half_up(Fraction(fees[o] - levies[o], max(months, 1))) for o in offices}
    values = sorted(revenue.values())
    provinces: dict[str, list[int]] = {}
    for o, info in offices.items():
        provinces.setdefault(info.province, []).append(revenue[o])
    deprived = [revenue[o] for o, info in offices.items() if info.deprived]
    return Outcome(revenue, _percentiles(values), round(statistics.median(values)) if values else 0,
                   {p: round(statistics.fmean(v)) for p, v in sorted(provinces.items())},
                   round(statistics.fmean(deprived)) if deprived else 0,
                   round_half_up(Fraction(total, max(months, 1))),
                   Fraction(sum(1 for v in values if v < viability_rials), len(values)) if values else Fraction(0))
