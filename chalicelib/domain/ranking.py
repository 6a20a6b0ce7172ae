"""Office ranking with no I/O: indicators from system data, empirical-Bayes shrinkage, robust
z-scores, a weighted 0-100 score with a scorecard that adds up, an integrity gate, tiers with
hysteresis, and the revenue-neutral association share that follows from the tiers.

Method: anchors, shrinkage, robust z, fixed published weights, frozen cut-points with hysteresis,
revenue-neutral shares: each step is explainable to an office and cannot be gamed by volume alone.
Tier 5 is the best tier (it pays the smallest association share), tier 1 the worst; the integrity
gate therefore caps at a low tier (2 by default: a gated office can only be in the bottom two tiers).

Pipeline of one period (`rank_period`):
  aggregates (rolling window per office) → case-mix adjustment → shrinkage per indicator
  → robust z (frozen anchors) → weighted score 0-100 and its standard error → integrity gate
  + minimum data → `assign_tiers` (hysteresis) → `association_shares` → `statement` per office
  and month.

Hysteresis margin per office (policy 2026.2): h_i = max(hysteresis_margin, hysteresis_z·SE_i),
SE_i the score's standard error from the shrinkage posteriors (`score_standard_error`). An office
with little data has wide posteriors, so it must clear a cut-point by more before a move counts
(e.g. 7 points instead of 3); a big office stays near the 2.5-point floor. `hysteresis_z = 0` is
the fixed margin of 2026.1. Integrity demotions stay immediate, one tier per period stays.

Everything is deterministic: the same inputs and policy give the same snapshot, byte for byte,
so a schedule that fires twice produces the same ranking (`RankingSnapshot.key` is the
idempotency key the data layer writes under).
"""
from __future__ import annotations

import hashlib
import json
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

TIERS = (1, 2, 3, 4, 5)
HYSTERESIS_Z_DEFAULT = 1.28  # Policy.hysteresis_z: one-sided 90 % normal quantile (benchmark: bench.ranking)
MAD_TO_SD = 1.4826  # MAD of a normal distribution × 1.4826 = its standard deviation

# ---------------------------------------------------------------------------------------------
# Inputs: what the system logged about an office over the ranking window
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryCounts:
    """Counts of one service category, for case-mix adjustment (remote SLA and court returns
    depend on the kind of service much more than on the office)."""
    remote_total: int = 0
    remote_within_sla: int = 0
    filed_total: int = 0
    filed_returned: int = 0

    def __add__(self, other: CategoryCounts) -> CategoryCounts:
        return CategoryCounts(self.remote_total + other.remote_total, self.remote_within_sla + other.remote_within_sla,
                              self.filed_total + other.filed_total, self.filed_returned + other.filed_returned)


@dataclass(frozen=True)
class OfficePeriod:
    """One office's aggregates over the ranking window, all from system data (central timestamps,
    court outcomes, the complaints office, inspectors, the router, the operator registry);
    nothing the office enters itself.

    Ratings: only invited (system-sampled) and verified ones, capped per citizen per office and
    window; build the three rating fields with `verified_rating_totals`."""
    office_id: str
    remote_total: int = 0
    remote_within_sla: int = 0
    in_person_total: int = 0
    in_person_on_time: int = 0  # served within N minutes of the appointment time
    filed_total: int = 0
    filed_returned: int = 0  # rejected or returned by the court/registry
    ratings_count: int = 0
    ratings_sum: int = 0
    ratings_sumsq: int = 0
    transactions: int = 0
    complaints_upheld: int = 0
    inspection_score: float | None = None  # 0-100, latest inspection in the window
    routed_offered: int = 0
    routed_accepted: int = 0
    operators_total: int = 0  # a state, not a flow: the latest snapshot in the window
    operators_compliant: int = 0  # valid licence, training and insurance
    by_category: Mapping[str, CategoryCounts] = field(default_factory=dict)

    def __post_init__(self) -> None:
        pairs = ((self.remote_within_sla, self.remote_total), (self.in_person_on_time, self.in_person_total),
                 (self.filed_returned, self.filed_total), (self.routed_accepted, self.routed_offered),
                 (self.operators_compliant, self.operators_total))
        if any(part < 0 or part > whole for part, whole in pairs) or min(self.ratings_count, self.transactions,
                                                                        self.complaints_upheld) < 0:
            raise ValueError(f"{self.office_id}: counts must be non-negative and parts within their totals")
        if self.inspection_score is not None and not 0 <= self.inspection_score <= 100:
            raise ValueError(f"{self.office_id}: inspection score must be within 0-100")


FLOW_FIELDS = ("remote_total", "remote_within_sla", "in_person_total", "in_person_on_time", "filed_total",
               "filed_returned", "ratings_count", "ratings_sum", "ratings_sumsq", "transactions",
               "complaints_upheld", "routed_offered", "routed_accepted")


def combine(periods: Sequence[OfficePeriod]) -> OfficePeriod:
    """The rolling window: flows are summed; states (operators, inspection) take the latest
    value present. `periods` are one office's consecutive periods, oldest first."""
    if not periods or len({p.office_id for p in periods}) != 1:
        raise ValueError("combine needs periods of one office")
    sums = {name: sum(getattr(p, name) for p in periods) for name in FLOW_FIELDS}
    categories: dict[str, CategoryCounts] = {}
    for p in periods:
        for cat, counts in p.by_category.items():
            categories[cat] = categories.get(cat, CategoryCounts()) + counts
    inspection = next((p.inspection_score for p in reversed(periods) if p.inspection_score is not None), None)
    staffed = next((p for p in reversed(periods) if p.operators_total), periods[-1])
    return OfficePeriod(periods[0].office_id, **sums, inspection_score=inspection,
                        operators_total=staffed.operators_total, operators_compliant=staffed.operators_compliant,
                        by_category=categories)


@dataclass(frozen=True)
class VerifiedRating:
    citizen_key: str  # pseudonym of the national ID (booking.citizen_key)
    transaction_id: str
    stars: int
    invited: bool  # the system sampled this transaction and sent the token
    verified: bool  # the token was redeemed by the citizen bound to the transaction


def verified_rating_totals(ratings: Iterable[VerifiedRating], cap_per_citizen: int = 1) -> tuple[int, int, int]:
    """(count, sum, sum of squares) of the ratings that count: invited and verified only, one per
    transaction, at most `cap_per_citizen` per citizen (the lowest transaction ids win, so the
    result does not depend on arrival order). The cap blunts self-dealing by a few accomplices."""
    per_citizen: Counter[str] = Counter()
    seen: set[str] = set()
    count = total = squares = 0
    for r in sorted(ratings, key=lambda r: (r.transaction_id, r.citizen_key)):
        if not (r.invited and r.verified) or r.transaction_id in seen or per_citizen[r.citizen_key] >= cap_per_citizen:
            continue
        if not 1 <= r.stars <= 5:
            raise ValueError("stars must be 1-5")
        seen.add(r.transaction_id)
        per_citizen[r.citizen_key] += 1
        count, total, squares = count + 1, total + r.stars, squares + r.stars * r.stars
    return count, total, squares


# ---------------------------------------------------------------------------------------------
# Indicators and the policy
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    name: str
    domain: str
    model: str  # "beta" (rate), "gamma" (count per exposure), "normal" (mean rating), "as_is"
    higher_is_better: bool
    unit: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator("timeliness_remote", "timeliness", "beta", True, "share of remote jobs within SLA (case-mix adjusted)"),
    Indicator("timeliness_in_person", "timeliness", "beta", True, "share of visits served on time"),
    Indicator("accuracy", "accuracy", "beta", False, "share of filings returned by the court (case-mix adjusted)"),
    Indicator("experience", "experience", "normal", True, "mean verified rating, 1-5"),
    Indicator("integrity_complaints", "integrity", "gamma", False, "upheld complaints per 1,000 transactions"),
    Indicator("integrity_inspection", "integrity", "as_is", True, "latest inspection score, 0-100"),
    Indicator("cooperation", "cooperation", "beta", True, "share of routed remote jobs accepted"),
    Indicator("operator_compliance", "compliance", "beta", True, "share of operators with licence, training, insurance"),
)
BY_NAME = {i.name: i for i in INDICATORS}


@dataclass(frozen=True)
class Anchor:
    """Frozen normalisation of one indicator: z = sign·(x − centre)/scale."""
    centre: float
    scale: float


@dataclass(frozen=True)
class Policy:
    """Everything that decides a ranking, published and versioned. A snapshot records the version."""
    version: str
    weights: Mapping[str, float]  # per indicator; sums to 1
    cut_points: tuple[float, float, float, float]  # lowest score of tiers 2, 3, 4, 5 (0-100 scale)
    hysteresis_margin: float = 2.5  # floor of the margin: points beyond a cut-point before a move counts (≈0.15 SD)
    confirm_periods: int = 2  # consecutive periods beyond the margin before a move
    min_n: Mapping[str, float] = field(default_factory=lambda: {
        "timeliness_remote": 50, "timeliness_in_person": 50, "accuracy": 50, "experience": 30,
        "integrity_complaints": 500, "integrity_inspection": 1, "cooperation": 30, "operator_compliance": 1})
    min_domains: int = 3  # fewer domains with enough data → provisional
    min_transactions: int = 200  # fewer transactions in the window → provisional
    provisional_tier: int = 3
    integrity_gate_per_1000: float = 10.0  # shrunk upheld complaints per 1,000 above this → capped
    integrity_gate_inspection: float = 40.0  # an inspection score below this → capped
    integrity_cap_tier: int = 2  # non-compensatory: a gated office is at most this tier
    share_offsets: tuple[Decimal, ...] = (Decimal("0.020"), Decimal("0.010"), Decimal("0"),
                                          Decimal("-0.015"), Decimal("-0.030"))  # added to the mean share, tiers 1..5
    z_clip: float = 3.0
    anchors: Mapping[str, Anchor] = field(default_factory=dict)  # empty → median/MAD of the current period
    case_mix: bool = True
    # The margin grows with the score's uncertainty: h_i = max(hysteresis_margin, hysteresis_z·SE_i)
    # (`tier_margin`); 0 gives the fixed margin of 2026.1. Last field, so positional use still works.
    hysteresis_z: float = HYSTERESIS_Z_DEFAULT

    def __post_init__(self) -> None:
        if set(self.weights) - set(BY_NAME) or any(w < 0 for w in self.weights.values()):
            raise ValueError("weights: unknown indicator or negative weight")
        if not math.isclose(sum(self.weights.values()), 1.0, abs_tol=1e-9):
            raise ValueError("weights must sum to 1")
        if list(self.cut_points) != sorted(self.cut_points) or len(self.cut_points) != 4:
            raise ValueError("cut_points: four ascending thresholds")
        if len(self.share_offsets) != 5 or self.integrity_cap_tier not in TIERS or self.confirm_periods < 1:
            raise ValueError("share_offsets needs five tiers; cap tier 1-5; confirm_periods >= 1")
        if not (math.isfinite(self.hysteresis_z) and self.hysteresis_z >= 0 and self.hysteresis_margin >= 0):
            raise ValueError("hysteresis_margin and hysteresis_z must be finite and >= 0")


DEFAULT_WEIGHTS = {  # domains: timeliness .30, accuracy .25, experience .20, integrity .15, cooperation .05, compliance .05
    "timeliness_remote": 0.15, "timeliness_in_person": 0.15, "accuracy": 0.25, "experience": 0.20,
    "integrity_complaints": 0.10, "integrity_inspection": 0.05, "cooperation": 0.05, "operator_compliance": 0.05}

# Draft: cut-points are the quintiles of the synthetic calibration in bench.ranking (34.44, 45.48,
# 53.32, 60.82), rounded; there are no frozen anchors yet, so scores are relative to the period's
# median. Before the first real ranking, run calibrate_policy on the first full year of data and
# publish that version: frozen anchors and cut-points make the tiers absolute (any office can
# reach tier 5, no zero-sum tournament).
# 2026.2: the hysteresis margin scales with each office's score uncertainty (hysteresis_z = 1.28,
# the one-sided 90 % normal quantile, over the 2.5-point floor); 2026.1 had the fixed 2.5 points.
DEFAULT_POLICY = Policy(version="2026.2-draft", weights=DEFAULT_WEIGHTS, cut_points=(34.5, 45.5, 53.5, 61.0))


# ---------------------------------------------------------------------------------------------
# Shrinkage: empirical-Bayes priors fitted on all offices of the period
# ---------------------------------------------------------------------------------------------

_MAX_PRIOR_STRENGTH = 1e6  # no spread between offices at all: the prior (almost) decides


@dataclass(frozen=True)
class BetaPrior:
    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    def shrink(self, x: float, n: float) -> float:
        # Beta-Binomial posterior mean: p̃ = (x + α)/(n + α + β)
        return (x + self.alpha) / (n + self.alpha + self.beta)

    def variance(self, x: float, n: float) -> float:
        # posterior Beta(x + α, n − x + β): Var = p̃(1 − p̃)/(n + α + β + 1)
        p = self.shrink(x, n)
        return p * (1 - p) / (n + self.alpha + self.beta + 1)


def beta_prior(counts: Iterable[tuple[float, float]]) -> BetaPrior:
    """Method of moments over offices' (x successes, n trials), n-weighted:
    m = Σx/Σn;  v = Var_w(p̂) − mean_w(m(1−m)/n);  α+β = m(1−m)/v − 1."""
    data = [(x, n) for x, n in counts if n > 0]
    if not data:
        return BetaPrior(1.0, 1.0)
    total_n = sum(n for _, n in data)
    m = min(max(sum(x for x, _ in data) / total_n, 1e-6), 1 - 1e-6)
    var_w = sum(n * (x / n - m) ** 2 for x, n in data) / total_n
    v = var_w - len(data) * m * (1 - m) / total_n  # minus the binomial noise expected at those n
    strength = m * (1 - m) / v - 1 if v > 0 else _MAX_PRIOR_STRENGTH
    strength = min(max(strength, 1.0), _MAX_PRIOR_STRENGTH)
    return BetaPrior(m * strength, (1 - m) * strength)


@dataclass(frozen=True)
class GammaPrior:
    a: float  # shape
    b: float  # rate, in units of exposure (1,000 transactions)

    @property
    def mean(self) -> float:
        return self.a / self.b

    def shrink(self, y: float, exposure: float) -> float:
        # Gamma-Poisson posterior mean: λ̃ = (y + a)/(E + b)
        return (y + self.a) / (exposure + self.b)

    def variance(self, y: float, exposure: float) -> float:
        # posterior Gamma(y + a, E + b): Var = (y + a)/(E + b)²
        return (y + self.a) / (exposure + self.b) ** 2


def gamma_prior(counts: Iterable[tuple[float, float]]) -> GammaPrior:
    """Method of moments over offices' (y events, E exposure), E-weighted:
    μ = Σy/ΣE;  v = Var_w(y/E) − mean_w(μ/E);  b = μ/v, a = μ·b."""
    data = [(y, e) for y, e in counts if e > 0]
    if not data:
        return GammaPrior(1.0, 1.0)
    total_e = sum(e for _, e in data)
    mu = max(sum(y for y, _ in data) / total_e, 1e-6)
    var_w = sum(e * (y / e - mu) ** 2 for y, e in data) / total_e
    v = var_w - len(data) * mu / total_e  # minus the Poisson noise
    b = mu / v if v > 0 else _MAX_PRIOR_STRENGTH
    b = min(max(b, 1e-3), _MAX_PRIOR_STRENGTH)
    return GammaPrior(mu * b, b)


@dataclass(frozen=True)
class NormalPrior:
    mean: float
    m: float  # pseudo-count: m = σ²_within/τ²_between
    sigma2: float = 1.0  # σ²_within, pooled within-office variance of one rating

    def shrink(self, n: float, total: float) -> float:
        # Normal-Normal (Bayesian average): r̃ = (Σr + m·μ0)/(n + m)
        return (total + self.m * self.mean) / (n + self.m)

    def variance(self, n: float) -> float:
        # posterior variance of the office mean: σ²/(n + m)  (= τ² with no ratings)
        return self.sigma2 / (n + self.m)


def normal_prior(stats: Iterable[tuple[float, float, float]]) -> NormalPrior:
    """From offices' (n, Σr, Σr²): μ0 = Σ Σr/Σn; σ²_within pooled; τ² = Var(r̄) − mean(σ²/n);
    m = σ²/τ²."""
    data = [(n, s, q) for n, s, q in stats if n > 0]
    if not data:
        return NormalPrior(0.0, 1.0)
    mu = sum(s for _, s, _ in data) / sum(n for n, _, _ in data)
    dof = sum(n - 1 for n, _, _ in data)
    sigma2 = sum(q - s * s / n for n, s, q in data) / dof if dof > 0 else 1.0
    means = [s / n for n, s, _ in data]
    tau2 = (statistics.pvariance(means) if len(means) > 1 else 0.0) - statistics.fmean(sigma2 / n for n, _, _ in data)
    m = sigma2 / tau2 if tau2 > 0 else _MAX_PRIOR_STRENGTH
    return NormalPrior(mu, min(max(m, 1e-3), _MAX_PRIOR_STRENGTH), sigma2)


# ---------------------------------------------------------------------------------------------
# Case mix
# ---------------------------------------------------------------------------------------------


def national_event_rates(aggregates: Iterable[OfficePeriod], kind: str) -> tuple[float, dict[str, float]]:
    """National rate of the 'bad' event (remote SLA miss, or court return), overall and per category."""
    events: Counter[str] = Counter()
    trials: Counter[str] = Counter()
    for agg in aggregates:
        for cat, c in agg.by_category.items():
            e, n = _category_events(c, kind)
            events[cat] += e
            trials[cat] += n
    total = sum(trials.values())
    overall = sum(events.values()) / total if total else 0.0
    return overall, {cat: events[cat] / trials[cat] for cat in trials if trials[cat]}


def _category_events(c: CategoryCounts, kind: str) -> tuple[int, int]:
    if kind == "remote_miss":
        return c.remote_total - c.remote_within_sla, c.remote_total
    return c.filed_returned, c.filed_total


def case_mix_factor(agg: OfficePeriod, kind: str, overall: float, by_cat: Mapping[str, float]) -> float:
    """Indirect standardisation: O/E with national per-category rates. The office's observed bad
    events are multiplied by overall/expected-rate-for-its-mix, i.e. compared as if it had the
    national mix. A request in an easy category earns nothing beyond what that category expects."""
    n = e = 0.0
    for cat, c in agg.by_category.items():
        _, trials = _category_events(c, kind)
        n += trials
        e += trials * by_cat.get(cat, overall)
    return overall * n / e if n and e > 0 else 1.0


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Priors:
    """The period's fitted priors, one per indicator (as_is indicators have none)."""
    beta: Mapping[str, BetaPrior]
    gamma: GammaPrior
    normal: NormalPrior
    remote_mix: tuple[float, Mapping[str, float]]
    filed_mix: tuple[float, Mapping[str, float]]

    def mean(self, name: str) -> float | None:
        model = BY_NAME[name].model
        if model == "beta":
            return self.beta[name].mean
        if model == "gamma":
            return self.gamma.mean
        if model == "normal":
            return self.normal.mean
        return None


@dataclass(frozen=True)
class Observation:
    """One indicator of one office before normalisation."""
    raw: float | None  # observed value, no adjustment (None: no data at all)
    shrunk: float  # case-mix adjusted and shrunk toward the prior; prior mean when no data
    n: float  # the amount of data (jobs, filings, ratings, transactions, inspections, operators)
    variance: float = 0.0  # posterior variance of `shrunk` (0 for as_is indicators: not modelled)


def _beta_inputs(agg: OfficePeriod, name: str, policy: Policy, priors_mix=None) -> tuple[float, float, float]:
    """(successes as the prior counts them, trials, raw rate numerator) for a beta indicator."""
    if name == "timeliness_remote":
        n, good = agg.remote_total, agg.remote_within_sla
        miss = n - good
        if policy.case_mix and priors_mix is not None:
            miss = min(n, miss * case_mix_factor(agg, "remote_miss", *priors_mix))
        return n - miss, n, good
    if name == "timeliness_in_person":
        return agg.in_person_on_time, agg.in_person_total, agg.in_person_on_time
    if name == "accuracy":  # the beta models the return rate; lower is better
        n, returned = agg.filed_total, agg.filed_returned
        adjusted = returned
        if policy.case_mix and priors_mix is not None:
            adjusted = min(n, returned * case_mix_factor(agg, "return", *priors_mix))
        return adjusted, n, returned
    if name == "cooperation":
        return agg.routed_accepted, agg.routed_offered, agg.routed_accepted
    if name == "operator_compliance":
        return agg.operators_compliant, agg.operators_total, agg.operators_compliant
    raise KeyError(name)


def fit_priors(aggregates: Sequence[OfficePeriod], policy: Policy) -> Priors:
    remote_mix = national_event_rates(aggregates, "remote_miss")
    filed_mix = national_event_rates(aggregates, "return")
    mixes = {"timeliness_remote": remote_mix, "accuracy": filed_mix}
    beta = {name: beta_prior(_beta_inputs(a, name, policy, mixes.get(name))[:2] for a in aggregates)
            for name, ind in BY_NAME.items() if ind.model == "beta"}
    gamma = gamma_prior((a.complaints_upheld, a.transactions / 1000) for a in aggregates)
    normal = normal_prior((a.ratings_count, a.ratings_sum, a.ratings_sumsq) for a in aggregates)
    return Priors(beta, gamma, normal, remote_mix, filed_mix)


def observe(agg: OfficePeriod, priors: Priors, policy: Policy) -> dict[str, Observation]:
    out: dict[str, Observation] = {}
    mixes = {"timeliness_remote": priors.remote_mix, "accuracy": priors.filed_mix}
    for name, ind in BY_NAME.items():
        if ind.model == "beta":
            x, n, raw_x = _beta_inputs(agg, name, policy, mixes.get(name))
            prior = priors.beta[name]
            out[name] = Observation(raw_x / n if n else None, prior.shrink(x, n), n, prior.variance(x, n))
        elif ind.model == "gamma":
            exposure = agg.transactions / 1000
            raw = agg.complaints_upheld / exposure if exposure else None
            out[name] = Observation(raw, priors.gamma.shrink(agg.complaints_upheld, exposure), agg.transactions,
                                    priors.gamma.variance(agg.complaints_upheld, exposure))
        elif ind.model == "normal":
            n = agg.ratings_count
            out[name] = Observation(agg.ratings_sum / n if n else None, priors.normal.shrink(n, agg.ratings_sum), n,
                                    priors.normal.variance(n))
        else:  # inspection: one audit, used as it is
            score = agg.inspection_score
            out[name] = Observation(score, score if score is not None else math.nan, 1 if score is not None else 0)
    return out


def median_mad(values: Sequence[float]) -> Anchor:
    """Robust centre and scale: median and 1.4826·MAD (falls back to the SD if MAD is 0)."""
    if not values:
        return Anchor(0.0, 1.0)
    centre = statistics.median(values)
    scale = MAD_TO_SD * statistics.median(abs(v - centre) for v in values)
    if scale <= 0:
        scale = statistics.pstdev(values) or 1.0
    return Anchor(centre, scale)


def robust_z(x: float, anchor: Anchor, higher_is_better: bool, clip: float) -> float:
    # robust z: z = sign·(x − median)/(1.4826·MAD), winsorised at ±clip
    z = (x - anchor.centre) / anchor.scale
    return max(-clip, min(clip, z if higher_is_better else -z))


def points(z: float, weight: float, clip: float) -> float:
    # contribution on the 0-100 scale: 100·w·(z + clip)/(2·clip); an average office earns 50·w
    return 100.0 * weight * (z + clip) / (2 * clip)


@dataclass(frozen=True)
class ScoreLine:
    indicator: str
    raw: float | None
    shrunk: float | None
    prior: float | None
    n: float
    available: bool  # enough data under the minimum-data rules
    weight: float  # effective weight after re-normalising over available indicators
    z: float
    contribution: Decimal  # score points; the lines add up to the score exactly


@dataclass(frozen=True)
class Improvement:
    """Raising one indicator alone to `target` (its shrunk value) lifts the score to the next
    tier's promotion threshold (cut-point + the office's hysteresis margin, `tier_margin`)."""
    indicator: str
    current: float
    target: float
    z_needed: float


@dataclass(frozen=True)
class Scorecard:
    office_id: str
    policy_version: str
    score: Decimal  # published, 0-100, two decimals
    lines: tuple[ScoreLine, ...]
    provisional: bool
    gated: bool  # integrity gate breached: tier capped at policy.integrity_cap_tier
    gate_reasons: tuple[str, ...]
    domains_available: int
    to_next_tier: tuple[Improvement, ...]  # smallest single-indicator improvements, easiest first
    score_se: float = 0.0  # standard error of the score, points (`score_standard_error`); sets the margin


def _allocate_hundredths(values: Sequence[float]) -> list[int]:
    """Round each value to hundredths so that the rounded parts add up to the rounded total
    (largest remainder; ties go to the earlier indicator)."""
    scaled = [v * 100 for v in values]
    total = round(math.fsum(scaled))
    floors = [math.floor(s) for s in scaled]
    order = sorted(range(len(scaled)), key=lambda i: (-(scaled[i] - floors[i]), i))
    for i in order[:total - sum(floors)]:  # 0 ≤ residue ≤ len(values): round(Σ) ≥ Σ floors
        floors[i] += 1
    return floors


def tier_of(score: float, cut_points: Sequence[float]) -> int:
    """Tier by frozen cut-points, no hysteresis: tier t+1 starts at cut_points[t-1]."""
    return 1 + sum(1 for c in cut_points if score >= c)


def score_office(agg: OfficePeriod, priors: Priors, anchors: Mapping[str, Anchor], policy: Policy) -> Scorecard:
    obs = observe(agg, priors, policy)
    # minimum-data rule: an indicator below its minimum n drops out and the weights re-normalise
    enough = {name: obs[name].n > 0 and obs[name].n >= policy.min_n.get(name, 0) and policy.weights.get(name, 0) > 0
              for name in BY_NAME}
    used = enough if any(enough.values()) else {  # nothing to go on: score at the priors (provisional)
        name: not math.isnan(obs[name].shrunk) for name in BY_NAME}
    weight_sum = sum(policy.weights.get(n, 0.0) for n, ok in used.items() if ok)
    clip = policy.z_clip
    zs, weights, raw_points = {}, {}, []
    for name, ind in BY_NAME.items():
        w = policy.weights.get(name, 0.0) / weight_sum if used[name] and weight_sum else 0.0
        z = robust_z(obs[name].shrunk, anchors[name], ind.higher_is_better, clip) if w else 0.0
        zs[name], weights[name] = z, w
        raw_points.append(points(z, w, clip))
    # composite: S = Σ_k points(z_k, w_k), published to 0.01 with parts that add up exactly
    hundredths = _allocate_hundredths(raw_points)
    se = score_standard_error(obs, weights, anchors, clip)
    lines = tuple(ScoreLine(
        name, obs[name].raw, None if math.isnan(obs[name].shrunk) else obs[name].shrunk, priors.mean(name),
        obs[name].n, enough[name], weights[name], zs[name], Decimal(h).scaleb(-2))
        for name, h in zip(BY_NAME, hundredths, strict=True))
    score = sum((line.contribution for line in lines), Decimal("0.00"))

    domains = {BY_NAME[line.indicator].domain for line in lines if line.available}
    provisional = len(domains) < policy.min_domains or agg.transactions < policy.min_transactions
    reasons = []
    if obs["integrity_complaints"].shrunk > policy.integrity_gate_per_1000:
        reasons.append(f"upheld complaints {obs['integrity_complaints'].shrunk:.1f}/1000 > {policy.integrity_gate_per_1000}")
    if agg.inspection_score is not None and agg.inspection_score < policy.integrity_gate_inspection:
        reasons.append(f"inspection {agg.inspection_score:g} < {policy.integrity_gate_inspection}")
    card = Scorecard(agg.office_id, policy.version, score, lines, provisional, bool(reasons), tuple(reasons),
                     len(domains), (), se)
    return replace(card, to_next_tier=what_moves_you_up(card, anchors, policy))


def score_standard_error(obs: Mapping[str, Observation], weights: Mapping[str, float],
                         anchors: Mapping[str, Anchor], clip: float) -> float:
    """Standard error of the score in points, from the shrinkage posteriors (delta method):
    S = Σ_k 100·w_k·(z_k + c)/(2c) with z_k = ±(x̃_k − centre_k)/scale_k, so
    SE(S)² ≈ Σ_k (100·w_k/(2c·scale_k))² · Var(x̃_k), Var the posterior variance of the shrunk
    value (Beta, Gamma, Normal), indicators independent. The winsorising at ±c only enters as a
    bound: an indicator's points lie in [0, 100·w_k], so its SD is capped at half that range
    (SD(z_k) ≤ c); otherwise a clipped value still counts its full posterior spread. As-is
    indicators (inspection) add nothing. Less data → larger posterior variances → larger SE.
    Rounded to 1e-4 points, so the published value is the one the tiering used."""
    terms = []
    for name, w in weights.items():
        if w > 0 and obs[name].variance > 0:
            sd_z = min(math.sqrt(obs[name].variance) / anchors[name].scale, clip)
            terms.append((100.0 * w * sd_z / (2 * clip)) ** 2)
    return round(math.sqrt(math.fsum(terms)), 4)


def tier_margin(card: Scorecard, policy: Policy) -> float:
    """The office's hysteresis margin in points: h_i = max(h_min, z·SE_i), h_min =
    `policy.hysteresis_margin`, z = `policy.hysteresis_z`. A noisy (small) office must clear a
    cut-point by more before a move counts; a big office stays at or near the floor. A card with
    no standard error (score_se = 0) gets the floor, as under the fixed margin."""
    return max(policy.hysteresis_margin, policy.hysteresis_z * card.score_se)


def what_moves_you_up(card: Scorecard, anchors: Mapping[str, Anchor], policy: Policy) -> tuple[Improvement, ...]:
    """For each available indicator, the shrunk value it alone would need to reach the next tier's
    promotion threshold (cut-point + the office's `tier_margin`, the margin `assign_tiers` uses);
    indicators that cannot get there alone (z capped) are left out."""
    tier = tier_of(float(card.score), policy.cut_points)
    if tier == 5:
        return ()
    needed_points = policy.cut_points[tier - 1] + tier_margin(card, policy) - float(card.score)
    clip = policy.z_clip
    found = []
    for line in card.lines:
        if not line.available or line.weight <= 0:
            continue
        dz = needed_points * 2 * clip / (100.0 * line.weight)  # inverse of `points`
        if line.z + dz > clip:
            continue
        ind, anchor = BY_NAME[line.indicator], anchors[line.indicator]
        target = anchor.centre + (line.z + dz) * anchor.scale * (1 if ind.higher_is_better else -1)
        found.append(Improvement(line.indicator, line.shrunk, target, dz))
    return tuple(sorted(found, key=lambda i: (i.z_needed, i.indicator)))


def compute_anchors(aggregates: Sequence[OfficePeriod], priors: Priors, policy: Policy) -> dict[str, Anchor]:
    """Median/MAD of the shrunk values of offices with enough data, per indicator."""
    values: dict[str, list[float]] = {name: [] for name in BY_NAME}
    for agg in aggregates:
        for name, o in observe(agg, priors, policy).items():
            if o.n > 0 and o.n >= policy.min_n.get(name, 0):
                values[name].append(o.shrunk)
    return {name: median_mad(v) for name, v in values.items()}


def score_period(aggregates: Sequence[OfficePeriod], policy: Policy) -> dict[str, Scorecard]:
    """Scorecards of all offices of a period. Priors are refitted every period; the normalisation
    anchors come from the policy (frozen) or, if it has none, from this period."""
    if len({a.office_id for a in aggregates}) != len(aggregates):
        raise ValueError("one aggregate per office")
    aggregates = sorted(aggregates, key=lambda a: a.office_id)  # float sums in a fixed order: same bits every run
    priors = fit_priors(aggregates, policy)
    anchors = {**compute_anchors(aggregates, priors, policy), **policy.anchors} if len(policy.anchors) < len(BY_NAME) \
        else dict(policy.anchors)
    return {a.office_id: score_office(a, priors, anchors, policy) for a in aggregates}


def calibrate_policy(aggregates: Sequence[OfficePeriod], policy: Policy, version: str,
                     tier_shares: Sequence[float] = (0.2, 0.2, 0.2, 0.2, 0.2)) -> Policy:
    """A new policy version with frozen anchors (this period's median/MAD) and cut-points at the
    quantiles of this period's scores that give `tier_shares` (ranked offices only). Run once on
    the first full year; afterwards cut-points stay frozen."""
    aggregates = sorted(aggregates, key=lambda a: a.office_id)
    priors = fit_priors(aggregates, policy)
    anchors = compute_anchors(aggregates, priors, policy)
    frozen = replace(policy, version=version, anchors=anchors)
    scores = sorted(float(c.score) for c in score_period(aggregates, frozen).values() if not c.provisional)
    cumulative = [sum(tier_shares[:k]) for k in range(1, 5)]
    cuts = tuple(round(_quantile(scores, q), 2) for q in cumulative)
    return replace(frozen, cut_points=cuts)


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    # linear interpolation between order statistics (type 7)
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def ranking_order(cards: Mapping[str, Scorecard]) -> list[str]:
    """Published order: ranked before provisional, higher score first, ties by office id."""
    return sorted(cards, key=lambda o: (cards[o].provisional, -cards[o].score, o))


# ---------------------------------------------------------------------------------------------
# Tiers with hysteresis
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierState:
    tier: int
    provisional: bool = False
    direction: int = 0  # +1 the score sits above the promotion threshold, −1 below the demotion one
    streak: int = 0  # consecutive periods in `direction`
    reason: str = "initial"
    policy_version: str = ""


def assign_tiers(previous_tiers: Mapping[str, TierState], scores: Mapping[str, Scorecard], policy: Policy
                 ) -> dict[str, TierState]:
    """Schmitt trigger over frozen cut-points c1..c4 (tier t+1 starts at c_t), margin h = the
    office's `tier_margin` (the policy's floor, or hysteresis_z standard errors of its score if more):
    promote t→t+1 after `confirm_periods` consecutive periods with S ≥ c_t + h; demote t→t−1
    after as many with S < c_{t−1} − h; at most one tier per period (a sustained change keeps
    moving one tier a period); an integrity breach caps the tier at once. Offices that were never
    ranked and lack data are provisional (tier 3); a ranked office that lacks data keeps its tier."""
    cuts, k = policy.cut_points, policy.confirm_periods
    out: dict[str, TierState] = {}
    for office in sorted(scores):
        card, prev = scores[office], previous_tiers.get(office)
        score = float(card.score)
        ranked_before = prev is not None and not prev.provisional
        if card.provisional and not ranked_before:
            state = TierState(policy.provisional_tier, True, reason="provisional")
        elif card.provisional:
            state = replace(prev, direction=0, streak=0, reason="held: insufficient data")
        elif not ranked_before:
            state = TierState(tier_of(score, cuts), reason="first ranking")
        else:
            t, h = prev.tier, tier_margin(card, policy)
            direction = 1 if t < 5 and score >= cuts[t - 1] + h else -1 if t > 1 and score < cuts[t - 2] - h else 0
            streak = prev.streak + 1 if direction and direction == prev.direction else 1 if direction else 0
            if direction and streak >= k:
                # Keep the streak: if the next period still clears the next band, move again.
                state = TierState(t + direction, False, direction, streak, "promoted" if direction > 0 else "demoted")
            else:
                state = TierState(t, False, direction, streak, f"pending {streak}/{k}" if direction else "held")
        if card.gated and state.tier > policy.integrity_cap_tier:
            state = TierState(policy.integrity_cap_tier, state.provisional, 0, 0, "integrity gate: " + "; ".join(
                card.gate_reasons))
        elif card.gated and state.direction > 0:  # no climbing out of the cap while the breach lasts
            state = replace(state, tier=min(state.tier, policy.integrity_cap_tier), direction=0, streak=0)
        out[office] = replace(state, policy_version=policy.version)
    return out


# ---------------------------------------------------------------------------------------------
# Association share, statements
# ---------------------------------------------------------------------------------------------


def _round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


@dataclass(frozen=True)
class ShareSchedule:
    policy_version: str
    base_share: Fraction  # s0, set by the association
    mean_share: Fraction  # s̄, chosen so the schedule is revenue-neutral on the previous period's fees
    share_by_tier: Mapping[int, Fraction]
    tier_by_office: Mapping[str, int]
    levy_on_previous_fees: Mapping[str, int]  # rials; adds up to round(s0·ΣF) exactly
    target_rials: int

    def share(self, office_id: str) -> Fraction:
        return self.share_by_tier[self.tier_by_office[office_id]]


def association_shares(tiers: Mapping[str, int | TierState], previous_fees: Mapping[str, int],
                       base_share: Decimal | Fraction | str, policy: Policy) -> ShareSchedule:
    """Share of office i in tier t: s_i = s̄ + δ_t, revenue-neutral on last period's fees F:
    Σ F_i(s̄ + δ_t) = s0·ΣF  ⇒  s̄ = s0 − Σ F_i δ_{t_i} / ΣF.
    The levies on F, in whole rials, add up to round(s0·ΣF): floors, then the residue one rial at a
    time to the largest fractional parts (ties: office id), so the rounding is deterministic."""
    s0 = Fraction(str(base_share)) if not isinstance(base_share, Fraction) else base_share
    tier_by_office = {o: (t.tier if isinstance(t, TierState) else int(t)) for o, t in tiers.items()}
    missing = sorted(set(previous_fees) - set(tier_by_office))
    if missing:
        raise ValueError(f"fees without a tier: {missing[:5]}")
    if any(f < 0 or int(f) != f for f in previous_fees.values()):
        raise ValueError("fees are whole, non-negative rials")
    offsets = {t: Fraction(str(d)) for t, d in zip(TIERS, policy.share_offsets, strict=True)}
    total_fees = sum(previous_fees.values())
    mean = s0 - (Fraction(sum(f * offsets[tier_by_office[o]] for o, f in previous_fees.items()), total_fees)
                 if total_fees else Fraction(0))
    by_tier = {t: mean + offsets[t] for t in TIERS}
    if any(not 0 <= s <= 1 for s in by_tier.values()):
        raise ValueError("a tier share falls outside 0-100 %; the offsets are too wide for this base share")
    exact = {o: f * by_tier[tier_by_office[o]] for o, f in previous_fees.items()}
    target = _round_half_up(s0 * total_fees)
    levy = {o: math.floor(x) for o, x in exact.items()}
    residue = target - sum(levy.values())  # 0 ≤ residue < number of offices, since Σ exact = s0·ΣF
    for o in sorted(exact, key=lambda o: (-(exact[o] - levy[o]), o))[:residue]:
        levy[o] += 1
    return ShareSchedule(policy.version, s0, mean, by_tier, tier_by_office, levy, target)


@dataclass(frozen=True)
class Statement:
    office_id: str
    month: str  # Jalali month, e.g. "1405-09"
    tier: int
    share: Fraction
    share_percent: Decimal  # for print, 4 decimals
    fees_collected: int  # rials
    levy: int  # rials owed to the association: fees × share, half-up to the rial
    policy_version: str


def statement(office_id: str, month: str, fees_collected: int, schedule: ShareSchedule) -> Statement:
    share = schedule.share(office_id)
    pct = (Decimal(share.numerator) / Decimal(share.denominator) * 100).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return Statement(office_id, month, schedule.tier_by_office[office_id], share, pct, fees_collected,
                     _round_half_up(fees_collected * share), schedule.policy_version)


# ---------------------------------------------------------------------------------------------
# A period end to end, and the policy simulator
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankingSnapshot:
    key: str  # period#policy version: one snapshot per period and policy, however often the job runs
    period: str
    policy_version: str
    inputs_fingerprint: str  # same key with a different fingerprint = the inputs changed between runs
    scorecards: Mapping[str, Scorecard]
    tiers: Mapping[str, TierState]


def inputs_fingerprint(aggregates: Sequence[OfficePeriod], previous: Mapping[str, TierState], policy: Policy) -> str:
    payload = {"aggregates": [asdict(a) for a in sorted(aggregates, key=lambda a: a.office_id)],
               "previous": {o: asdict(s) for o, s in sorted(previous.items())}, "policy": asdict(policy)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def rank_period(period: str, aggregates: Sequence[OfficePeriod], previous: Mapping[str, TierState],
                policy: Policy) -> RankingSnapshot:
    cards = score_period(aggregates, policy)
    tiers = assign_tiers(previous, cards, policy)
    return RankingSnapshot(f"{period}#{policy.version}", period, policy.version,
                           inputs_fingerprint(aggregates, previous, policy), cards, tiers)


@dataclass(frozen=True)
class PeriodHistory:
    """What a replay needs: the period's window aggregates, the tier states before it, and fees."""
    period: str
    aggregates: Sequence[OfficePeriod]
    previous: Mapping[str, TierState]
    previous_fees: Mapping[str, int]  # rials, the period before: what neutrality is computed on
    base_share: Decimal
    fees: Mapping[str, int] = field(default_factory=dict)  # rials of the period itself, if known


@dataclass(frozen=True)
class PolicySimulation:
    policy_version: str
    snapshot: RankingSnapshot
    schedule: ShareSchedule
    moves: Mapping[tuple[int, int], int]  # (tier before, tier after) → offices
    moved: Mapping[str, tuple[int, int]]  # offices whose tier changes
    revenue_on_previous_fees: int  # = round(s0·ΣF) by construction
    revenue_on_fees: int | None  # association revenue on the period's own fees, if given
    levy_change: Mapping[str, int]  # per office, vs `baseline` policy on the same fees (empty without one)
    baseline: RankingSnapshot | None = None  # the same period ranked under `baseline`, to set side by side


def simulate_policy(history: PeriodHistory, policy: Policy, baseline: Policy | None = None) -> PolicySimulation:
    """Replays a period under a proposed policy before it is adopted: tier moves against the
    tiers before the period, the share schedule, revenue, and each office's tier, score and levy
    change against `baseline` (e.g. the policy in force) ranking the same period."""
    def run(p: Policy) -> tuple[RankingSnapshot, ShareSchedule, dict[str, int]]:
        snap = rank_period(history.period, history.aggregates, history.previous, p)
        sched = association_shares(snap.tiers, {o: history.previous_fees.get(o, 0) for o in snap.tiers},
                                   history.base_share, p)
        fees = history.fees or history.previous_fees
        return snap, sched, {o: statement(o, history.period, fees.get(o, 0), sched).levy for o in snap.tiers}

    snap, sched, levies = run(policy)
    before = {o: (history.previous[o].tier if o in history.previous else policy.provisional_tier) for o in snap.tiers}
    moved = {o: (before[o], s.tier) for o, s in snap.tiers.items() if s.tier != before[o]}
    moves = Counter((before[o], s.tier) for o, s in snap.tiers.items())
    change: dict[str, int] = {}
    base_snap = None
    if baseline is not None:
        base_snap, _, base_levies = run(baseline)
        change = {o: levies[o] - base_levies[o] for o in sorted(levies) if levies[o] != base_levies[o]}
    return PolicySimulation(policy.version, snap, sched, dict(sorted(moves.items())), moved, sched.target_rials,
                            sum(levies.values()) if history.fees else None, change, base_snap)
