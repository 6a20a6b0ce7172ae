"""Office ranking (chalicelib.domain.ranking): shrinkage, scorecards, gate, hysteresis, shares."""
import math
import random
import statistics
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from chalicelib.domain import ranking as rk

POLICY = rk.DEFAULT_POLICY
CUTS = POLICY.cut_points


def office(office_id: str, quality: float = 0.0, volume: int = 3000, rnd: random.Random | None = None,
           **overrides) -> rk.OfficePeriod:
    """Aggregates of an office whose rates follow `quality` (SD units), drawn with `rnd`."""
    rnd = rnd or random.Random(office_id)

    def binom(n: int, p: float) -> int:
        mean, sd = n * p, math.sqrt(n * p * (1 - p))
        return min(n, max(0, round(rnd.gauss(mean, sd))))

    def expit(x: float) -> float:
        return 1 / (1 + math.exp(-x))

    remote, filed = volume * 35 // 100, volume * 40 // 100
    in_person = volume - remote
    ratings = max(0, volume * 3 // 100)
    mean_star = min(5.0, max(1.0, 4.0 + 0.3 * quality + rnd.gauss(0, 1.1 / math.sqrt(max(ratings, 1)))))
    rating_sum = round(mean_star * ratings)
    remote_ok = binom(remote, expit(2.2 + 0.5 * quality))
    returned = binom(filed, expit(-2.5 - 0.4 * quality))
    operators = max(1, volume // 700)
    fields = dict(
        remote_total=remote, remote_within_sla=remote_ok, in_person_total=in_person,
        in_person_on_time=binom(in_person, expit(1.4 + 0.5 * quality)), filed_total=filed, filed_returned=returned,
        ratings_count=ratings, ratings_sum=rating_sum, ratings_sumsq=round(rating_sum * mean_star + 1.2 * ratings),
        transactions=volume, complaints_upheld=binom(volume, 0.0015 * math.exp(-0.45 * quality)),
        inspection_score=min(100.0, max(0.0, 72 + 7 * quality)), routed_offered=remote * 4 // 10,
        routed_accepted=binom(remote * 4 // 10, expit(2.2 + 0.5 * quality)), operators_total=operators,
        operators_compliant=binom(operators, expit(1.8 + 0.6 * quality)),
        by_category={"standard": rk.CategoryCounts(remote, remote_ok, filed, returned)})
    fields.update(overrides)
    return rk.OfficePeriod(office_id, **fields)


def network(n: int = 200, seed: int = 7) -> list[rk.OfficePeriod]:
    rnd = random.Random(seed)
    return [office(f"OF{i:03d}", rnd.gauss(0, 1), int(3000 * math.exp(rnd.gauss(0, 0.8))), rnd) for i in range(n)]


def card(score: float, provisional: bool = False, gated: bool = False, office_id: str = "OF1",
         se: float | None = None) -> rk.Scorecard:
    args = (office_id, POLICY.version, Decimal(str(score)).quantize(Decimal("0.01")), (), provisional, gated,
            ("test breach",) if gated else (), 6, ())
    return rk.Scorecard(*args) if se is None else rk.Scorecard(*args, score_se=se)  # old constructor still works


# --- shrinkage ---------------------------------------------------------------------------------

def test_beta_shrinkage_pulls_small_offices_and_spares_large_ones():
    rnd = random.Random(1)
    population = []
    for _ in range(300):
        p = min(0.99, max(0.5, rnd.gauss(0.85, 0.05)))
        n = rnd.choice((200, 1000, 3000))
        population.append((round(n * p), n))
    prior = rk.beta_prior(population)
    assert 0.82 < prior.mean < 0.88 and 20 < prior.alpha + prior.beta < 500
    small = prior.shrink(3, 3)  # 3 of 3 on time: raw 1.0
    assert abs(small - prior.mean) < 0.2 * abs(1.0 - prior.mean)
    large = prior.shrink(2970, 3000)  # raw 0.99
    assert abs(large - 0.99) < 0.005
    assert abs(large - 0.99) < abs(small - 1.0) / 10


def test_gamma_and_normal_shrinkage_weigh_by_data():
    rnd = random.Random(2)
    complaints = []
    for _ in range(300):
        exposure = rnd.choice((0.5, 3.0, 6.0))  # thousands of transactions
        expected = exposure * 1.5 * math.exp(rnd.gauss(0, 0.4))
        complaints.append((max(0, round(rnd.gauss(expected, math.sqrt(expected)))), exposure))
    g = rk.gamma_prior(complaints)
    assert 1.2 < g.mean < 1.9
    assert abs(g.shrink(1, 0.003) - g.mean) < 0.15 * g.mean  # 1 complaint in 3 transactions = 333/1000 raw
    # Complaints are rare, so it takes far more transactions than a rate does to outweigh the prior.
    assert abs(g.shrink(3000, 300.0) - 10.0) < 0.05 * (10.0 - g.mean)  # 300,000 transactions: its own rate
    assert g.mean < g.shrink(3, 0.3) < g.shrink(30, 3.0) < 10.0  # same raw 10/1,000: more data, less pull
    stats = []
    for _ in range(300):
        n = rnd.choice((5, 50, 500))
        mean = rnd.gauss(4.0, 0.25) + rnd.gauss(0, 1 / math.sqrt(n))  # office effect + sampling noise (σ = 1)
        stats.append((n, mean * n, (mean * mean + 1.0) * n - 1.0))  # within-office Σ(r − r̄)² = n − 1
    prior = rk.normal_prior(stats)
    assert 3.9 < prior.mean < 4.1 and 5 < prior.m < 50
    assert abs(prior.shrink(3, 15) - prior.mean) < 0.4 * (5 - prior.mean)  # three 5★ ratings
    assert abs(prior.shrink(3000, 3000 * 4.6) - 4.6) < 0.01


def test_scored_small_office_sits_near_the_middle():
    offices = network() + [office("TINY", quality=3.0, volume=60, inspection_score=None)]
    cards = rk.score_period(offices, POLICY)
    line = {ln.indicator: ln for ln in cards["TINY"].lines}["timeliness_remote"]
    assert abs(line.shrunk - line.prior) < abs(line.raw - line.prior)


# --- scorecard ---------------------------------------------------------------------------------

def test_contributions_add_up_exactly_to_the_published_score():
    cards = rk.score_period(network(), POLICY)
    for c in cards.values():
        assert sum(line.contribution for line in c.lines) == c.score
        unrounded = math.fsum(rk.points(line.z, line.weight, POLICY.z_clip) for line in c.lines)
        assert abs(float(c.score) - unrounded) <= 0.005 + 1e-9  # the total is rounded once, not eight times
        assert c.score == c.score.quantize(Decimal("0.01")) and Decimal(0) <= c.score <= Decimal(100)
        assert math.isclose(sum(line.weight for line in c.lines), 1.0)
        assert c.policy_version == POLICY.version
    scores = sorted(float(c.score) for c in cards.values())
    assert scores[-1] - scores[0] > 30  # the scale is used


def test_better_office_scores_higher_and_gets_advice_to_move_up():
    offices = network() + [office("GOOD", 1.5, 5000, random.Random(1)), office("POOR", -1.5, 5000, random.Random(1))]
    cards = rk.score_period(offices, POLICY)
    assert cards["GOOD"].score > cards["POOR"].score
    advice = cards["POOR"].to_next_tier
    assert advice and [a.z_needed for a in advice] == sorted(a.z_needed for a in advice)
    for a in advice:
        better = a.target > a.current if rk.BY_NAME[a.indicator].higher_is_better else a.target < a.current
        assert better and a.z_needed > 0
        line = next(ln for ln in cards["POOR"].lines if ln.indicator == a.indicator)
        gained = rk.points(line.z + a.z_needed, line.weight, POLICY.z_clip) - rk.points(line.z, line.weight, POLICY.z_clip)
        tier = rk.tier_of(float(cards["POOR"].score), CUTS)
        # the promotion threshold the tiering uses: the cut-point plus the office's own margin
        margin = rk.tier_margin(cards["POOR"], POLICY)
        assert margin == max(POLICY.hysteresis_margin, POLICY.hysteresis_z * cards["POOR"].score_se)
        assert math.isclose(float(cards["POOR"].score) + gained, CUTS[tier - 1] + margin, abs_tol=1e-6)


def test_case_mix_adjustment_discounts_easy_work():
    """Two offices, same SLA misses per category as the nation: neither stands out, whatever the mix."""
    easy = rk.CategoryCounts(1000, 980, 0, 0)
    hard = rk.CategoryCounts(1000, 700, 0, 0)
    nation = [office(f"N{i}", by_category={"easy": easy, "hard": hard}) for i in range(10)]
    overall, by_cat = rk.national_event_rates(nation, "remote_miss")
    easy_only = office("E", by_category={"easy": easy})
    hard_only = office("H", by_category={"hard": hard})
    # raw miss rates 2 % and 30 %; adjusted to the national 16 % for both
    assert math.isclose(0.02 * rk.case_mix_factor(easy_only, "remote_miss", overall, by_cat), overall)
    assert math.isclose(0.30 * rk.case_mix_factor(hard_only, "remote_miss", overall, by_cat), overall)


# --- integrity gate and minimum data ---------------------------------------------------------

def test_integrity_gate_caps_the_best_score():
    star = office("STAR", quality=3.0, volume=8000, rnd=random.Random(3), complaints_upheld=400)  # 50 per 1,000
    cards = rk.score_period(network() + [star], POLICY)
    assert cards["STAR"].gated and "complaints" in cards["STAR"].gate_reasons[0]
    assert float(cards["STAR"].score) >= CUTS[2]  # still a good score on the other indicators
    first = rk.assign_tiers({}, cards, POLICY)
    assert first["STAR"].tier == POLICY.integrity_cap_tier
    held = rk.assign_tiers({"STAR": rk.TierState(5)}, {"STAR": card(99.0, gated=True, office_id="STAR")}, POLICY)
    assert held["STAR"].tier == POLICY.integrity_cap_tier and held["STAR"].reason.startswith("integrity gate")
    inspected = rk.score_period(network() + [office("INSP", 3.0, 8000, random.Random(3), inspection_score=25.0)],
                                POLICY)
    assert inspected["INSP"].gated and "inspection" in inspected["INSP"].gate_reasons[0]


def test_new_small_office_is_provisional_in_tier_three():
    cards = rk.score_period(network() + [office("NEW", 3.0, 120)], POLICY)
    assert cards["NEW"].provisional
    assert not any(c.provisional for o, c in cards.items() if o != "NEW" and cards[o].lines[0].n >= 200)
    tiers = rk.assign_tiers({}, cards, POLICY)
    assert tiers["NEW"] == rk.TierState(3, True, reason="provisional", policy_version=POLICY.version)
    # A ranked office that falls short of data keeps its tier rather than dropping to 3.
    kept = rk.assign_tiers({"NEW": rk.TierState(5)}, {"NEW": cards["NEW"]}, POLICY)
    assert kept["NEW"].tier == 5 and "insufficient" in kept["NEW"].reason


def test_office_with_no_data_at_all_scores_at_its_priors():
    cards = rk.score_period(network() + [rk.OfficePeriod("EMPTY")], POLICY)
    assert cards["EMPTY"].provisional
    assert sum(line.contribution for line in cards["EMPTY"].lines) == cards["EMPTY"].score


# --- hysteresis --------------------------------------------------------------------------------

def run_tiers(scores: list[float], start: int, gated_at: int | None = None, se: float | None = None,
              policy: rk.Policy = POLICY) -> list[int]:
    state = {"OF1": rk.TierState(start)}
    out = []
    for i, s in enumerate(scores):
        state = rk.assign_tiers(state, {"OF1": card(s, gated=i == gated_at, se=se)}, policy)
        out.append(state["OF1"].tier)
    return out


def test_score_wobbling_around_a_cut_point_does_not_flap():
    c, h = CUTS[2], POLICY.hysteresis_margin  # between tiers 3 and 4
    wobble = [c + 0.9 * h, c - 0.9 * h] * 5
    assert run_tiers(wobble, 3) == [3] * 10
    assert run_tiers(wobble, 4) == [4] * 10
    big_wobble = [c + 1.5 * h, c - 1.5 * h] * 5  # beyond the margin, but never twice in a row
    assert run_tiers(big_wobble, 3) == [3] * 10


def test_sustained_change_moves_one_tier_per_period_after_confirmation():
    top = CUTS[3] + 10  # deep in tier 5
    assert run_tiers([top] * 6, 2) == [2, 3, 4, 5, 5, 5]
    bottom = CUTS[0] - 10
    assert run_tiers([bottom] * 6, 5) == [5, 4, 3, 2, 1, 1]
    # an interruption restarts the confirmation
    mid = (CUTS[1] + CUTS[2]) / 2  # tier 3 territory
    assert run_tiers([top, mid, top, top, top], 3) == [3, 3, 3, 4, 5]


def test_integrity_breach_demotes_at_once_and_blocks_promotion():
    top = CUTS[3] + 10
    # capped at once; once the breach is over, climbing back needs confirmation again
    assert run_tiers([top] * 5, 5, gated_at=1) == [5, POLICY.integrity_cap_tier, 2, 3, 4]
    state = rk.assign_tiers({"OF1": rk.TierState(2, direction=1, streak=5)}, {"OF1": card(top, gated=True)}, POLICY)
    assert state["OF1"].tier == 2


def test_margin_grows_as_data_shrinks():
    """The score's standard error comes from the shrinkage posteriors: less data, wider posteriors,
    a larger SE and so a larger margin (never below the policy's floor)."""
    base = network()
    volumes = (300, 600, 1200, 2400, 4800, 9600, 20000)
    cards = [rk.score_period(base + [office("X", 0.0, v, random.Random(0))], POLICY)["X"] for v in volumes]
    ses = [c.score_se for c in cards]
    assert all(not c.provisional for c in cards)
    assert ses == sorted(ses, reverse=True) and ses[0] > 2 * ses[-1] > 0
    margins = [rk.tier_margin(c, POLICY) for c in cards]
    assert margins == sorted(margins, reverse=True) and min(margins) >= POLICY.hysteresis_margin
    assert margins[0] > 1.5 * margins[-1]
    # the SE is published with the scorecard, rounded, and the same on every run
    again = rk.score_period(list(reversed(base)) + [office("X", 0.0, 300, random.Random(0))], POLICY)["X"]
    assert again.score_se == ses[0] == round(ses[0], 4)
    # a card built without an SE (old constructor) keeps the fixed floor
    assert rk.tier_margin(card(50.0), POLICY) == POLICY.hysteresis_margin
    assert rk.tier_margin(cards[0], replace(POLICY, hysteresis_z=0.0)) == POLICY.hysteresis_margin
    with pytest.raises(ValueError):
        replace(POLICY, hysteresis_z=-1.0)


def test_small_office_needs_a_larger_lead_than_a_big_one_with_the_same_score():
    base = network()
    small = rk.score_period(base + [office("S", 0.0, 400, random.Random(0))], POLICY)["S"]
    big = rk.score_period(base + [office("B", 0.0, 20000, random.Random(0))], POLICY)["B"]
    h_small, h_big = rk.tier_margin(small, POLICY), rk.tier_margin(big, POLICY)
    assert h_small > h_big + 1.0
    lead = (h_small + h_big) / 2  # clears the big office's margin, not the small one's
    score = CUTS[2] + lead
    assert run_tiers([score] * 4, 3, se=big.score_se) == [3, 4, 4, 4]
    assert run_tiers([score] * 4, 3, se=small.score_se) == [3, 3, 3, 3]
    assert run_tiers([CUTS[2] - lead] * 4, 4, se=big.score_se) == [4, 3, 3, 3]  # demotion: same margin
    assert run_tiers([CUTS[2] - lead] * 4, 4, se=small.score_se) == [4, 4, 4, 4]
    # the advice to move up uses the same threshold the tiering uses
    for c, h in ((small, h_small), (big, h_big)):
        moved = replace(c, score=Decimal(str(round(CUTS[1] + 1.0, 2))))  # tier 3, 1 point above c2
        advice = rk.what_moves_you_up(moved, {k: rk.Anchor(0.5, 0.1) for k in rk.BY_NAME}, POLICY)
        line = {ln.indicator: ln for ln in c.lines}[advice[0].indicator]
        gained = rk.points(line.z + advice[0].z_needed, line.weight, POLICY.z_clip) - rk.points(
            line.z, line.weight, POLICY.z_clip)
        assert math.isclose(float(moved.score) + gained, CUTS[2] + h, abs_tol=1e-6)


def test_noisy_small_office_at_a_cut_point_does_not_flap():
    """A 300-transaction office whose expected score sits on a cut-point, scored over 24 periods
    with fresh data each time: the fixed 2.5-point margin lets noise move it back and forth; the
    margin scaled by its SE holds it."""
    base = network()
    cards = [rk.score_period(base + [office("SMALL", 0.0, 300, random.Random(100 + i))], POLICY)["SMALL"]
             for i in range(24)]
    centre = statistics.median(float(c.score) for c in cards)  # its typical score: the tier 3/4 cut-point
    cuts = (centre - 20, centre - 10, centre, centre + 10)

    def tiers(policy: rk.Policy) -> list[int]:
        state, out = {"SMALL": rk.TierState(4)}, []
        for c in cards:
            state = rk.assign_tiers(state, {"SMALL": c}, policy)
            out.append(state["SMALL"].tier)
        return out

    fixed = tiers(replace(POLICY, cut_points=cuts, hysteresis_z=0.0))
    scaled = tiers(replace(POLICY, cut_points=cuts))
    assert sum(a != b for a, b in zip(fixed, fixed[1:], strict=False)) >= 2  # 4 → 3 → 4: noise, not quality
    assert scaled == [4] * 24


def test_noisy_office_still_demoted_at_once_and_one_tier_per_period():
    top, bottom = CUTS[3] + 25, CUTS[0] - 25  # far beyond even a wide margin
    assert run_tiers([top] * 5, 5, gated_at=1, se=8.0) == [5, POLICY.integrity_cap_tier, 2, 3, 4]
    assert run_tiers([top] * 6, 1, se=8.0) == [1, 2, 3, 4, 5, 5]
    assert run_tiers([bottom] * 6, 5, se=8.0) == [5, 4, 3, 2, 1, 1]


def test_first_ranking_uses_the_cut_points_directly():
    cards = {f"O{i}": card(s, office_id=f"O{i}") for i, s in enumerate((CUTS[0] - 1, CUTS[0], CUTS[2] + 0.01, 99))}
    tiers = rk.assign_tiers({}, cards, POLICY)
    assert [tiers[o].tier for o in sorted(tiers)] == [1, 2, 4, 5]
    assert all(t.policy_version == POLICY.version for t in tiers.values())


# --- determinism -------------------------------------------------------------------------------

def test_ties_break_deterministically_and_runs_are_idempotent():
    twin_a, twin_b = office("OF-B", 0.5, 3000, random.Random(9)), office("OF-A", 0.5, 3000, random.Random(9))
    twin_b = replace(twin_b, office_id="OF-A")
    offices = network() + [twin_a, twin_b]
    cards = rk.score_period(offices, POLICY)
    assert cards["OF-A"].score == cards["OF-B"].score
    order = rk.ranking_order(cards)
    assert order.index("OF-A") == order.index("OF-B") - 1
    first = rk.rank_period("1405-Q3", offices, {}, POLICY)
    again = rk.rank_period("1405-Q3", list(reversed(offices)), {}, POLICY)
    assert first.key == again.key == f"1405-Q3#{POLICY.version}"
    assert first.inputs_fingerprint == again.inputs_fingerprint
    assert first.tiers == again.tiers and first.scorecards == again.scorecards
    other = rk.rank_period("1405-Q3", offices[1:], {}, POLICY)
    assert other.key == first.key and other.inputs_fingerprint != first.inputs_fingerprint


# --- association share -------------------------------------------------------------------------

def test_revenue_neutral_to_the_rial():
    rnd = random.Random(4)
    tiers = {f"OF{i:03d}": rnd.choice(rk.TIERS) for i in range(500)}
    fees = {o: rnd.randint(0, 9_000_000_000) for o in tiers}
    schedule = rk.association_shares(tiers, fees, Decimal("0.10"), POLICY)
    assert sum(schedule.levy_on_previous_fees.values()) == schedule.target_rials == round(Fraction(1, 10) * sum(fees.values()))
    assert sum(f * schedule.share(o) for o, f in fees.items()) == Fraction(1, 10) * sum(fees.values())  # exact
    assert all(isinstance(v, int) for v in schedule.levy_on_previous_fees.values())
    assert schedule.share_by_tier[5] < schedule.share_by_tier[3] < schedule.share_by_tier[1]
    assert schedule.policy_version == POLICY.version


def test_reference_example_mean_share():
    """The published worked example: fee-weighted tier mix 10/20/35/20/15 % and s0 = 10 % give s̄ = 10.35 %."""
    tiers = {"t1": 1, "t2": 2, "t3": 3, "t4": 4, "t5": 5}
    fees = {"t1": 10, "t2": 20, "t3": 35, "t4": 20, "t5": 15}
    schedule = rk.association_shares(tiers, fees, "0.10", POLICY)
    assert schedule.mean_share == Fraction("0.1035")
    assert schedule.share_by_tier[5] == Fraction("0.0735") and schedule.share_by_tier[1] == Fraction("0.1235")


def test_rounding_residue_goes_deterministically():
    # Three offices in tier 3 with 1 rial each at 50 %: 1.5 rials owed, rounded half-up to 2;
    # the fractional parts tie (0.5 each), so the lowest office ids get the residue.
    tiers = {"C": 3, "A": 3, "B": 3}
    schedule = rk.association_shares(tiers, {"C": 1, "A": 1, "B": 1}, "0.5", POLICY)
    assert schedule.target_rials == 2
    assert schedule.levy_on_previous_fees == {"A": 1, "B": 1, "C": 0}
    with pytest.raises(ValueError):
        rk.association_shares({"A": 5}, {"A": 100, "Z": 5}, "0.1", POLICY)  # fees without a tier
    with pytest.raises(ValueError):
        rk.association_shares({"A": 5, "B": 1}, {"A": 100, "B": 100}, "0.01", POLICY)  # negative tier-5 share


def test_monthly_statement():
    schedule = rk.association_shares({"A": 5, "B": 1}, {"A": 1_000_000, "B": 1_000_000}, "0.10", POLICY)
    s = rk.statement("A", "1405-09", 123_456_789, schedule)
    assert s.tier == 5 and s.levy == math.floor(123_456_789 * schedule.share("A") + Fraction(1, 2))
    assert s.share_percent == Decimal("7.5000") and s.policy_version == POLICY.version  # s̄ = 10.5 %, δ5 = −3 pp


def test_simulator_replays_a_period_under_a_proposed_policy():
    offices = network()
    current = rk.rank_period("P1", offices, {}, POLICY)
    fees = {o.office_id: o.transactions * 500_000 for o in offices}
    history = rk.PeriodHistory("P2", offices, current.tiers, fees, Decimal("0.10"), fees)
    same = rk.simulate_policy(history, POLICY, baseline=POLICY)
    assert not same.moved and not same.levy_change and same.revenue_on_previous_fees == round(sum(fees.values()) / 10)
    stricter = replace(POLICY, version="2026.2-proposal", hysteresis_margin=0.0, confirm_periods=1,
                       cut_points=tuple(c + 5 for c in CUTS))
    sim = rk.simulate_policy(history, stricter, baseline=POLICY)
    assert sim.policy_version == "2026.2-proposal" and sim.snapshot.key == "P2#2026.2-proposal"
    assert sim.moved and all(after == before - 1 for before, after in sim.moved.values())
    assert sum(sim.moves.values()) == len(offices)
    assert sim.revenue_on_previous_fees == same.revenue_on_previous_fees  # neutral under any policy
    assert sim.levy_change and sum(sim.schedule.levy_on_previous_fees.values()) == sim.revenue_on_previous_fees
    # The policy in force ranks the same month beside it: the tiers the month has without the proposal.
    assert same.baseline.tiers == same.snapshot.tiers
    assert sim.baseline.tiers == rk.rank_period("P2", offices, current.tiers, POLICY).tiers
    assert any(sim.baseline.tiers[o].tier != sim.snapshot.tiers[o].tier for o in sim.snapshot.tiers)


# --- inputs ------------------------------------------------------------------------------------

def test_rolling_window_sums_flows_and_keeps_latest_states():
    q1 = office("A", volume=1000, inspection_score=60.0, operators_total=3, operators_compliant=2)
    q2 = office("A", volume=2000, inspection_score=None, operators_total=4, operators_compliant=4)
    w = rk.combine([q1, q2])
    assert w.transactions == 3000 and w.remote_total == q1.remote_total + q2.remote_total
    assert w.inspection_score == 60.0 and (w.operators_total, w.operators_compliant) == (4, 4)
    assert w.by_category["standard"].remote_total == w.remote_total
    with pytest.raises(ValueError):
        rk.combine([q1, office("B")])


def test_only_invited_verified_ratings_count_once_per_citizen():
    votes = [rk.VerifiedRating("c1", "t1", 5, True, True), rk.VerifiedRating("c1", "t2", 5, True, True),
             rk.VerifiedRating("c2", "t3", 2, True, True), rk.VerifiedRating("c3", "t4", 5, False, True),
             rk.VerifiedRating("c4", "t5", 5, True, False), rk.VerifiedRating("c2", "t3", 2, True, True)]
    assert rk.verified_rating_totals(votes) == (2, 7, 29)
    assert rk.verified_rating_totals(reversed(votes)) == (2, 7, 29)
    assert rk.verified_rating_totals(votes, cap_per_citizen=2) == (3, 12, 54)


def test_invalid_inputs_are_refused():
    with pytest.raises(ValueError):
        rk.OfficePeriod("X", remote_total=5, remote_within_sla=6)
    with pytest.raises(ValueError):
        rk.OfficePeriod("X", inspection_score=120.0)
    with pytest.raises(ValueError):
        replace(POLICY, weights={**POLICY.weights, "accuracy": 0.5})
    with pytest.raises(ValueError):
        replace(POLICY, cut_points=(50.0, 40.0, 60.0, 70.0))
