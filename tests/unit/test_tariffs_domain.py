"""The tariff book and the accounts' maths: which version is in force, the rounding that makes
statements add up, revenue neutrality to the rial (property-based), reconciliation, the simulator."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import calendar, ranking
from chalicelib.domain import tariffs as t

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=calendar.TEHRAN)


def v(number: int, effective: date, **lines: t.TariffLine) -> t.BookVersion:
    return t.BookVersion(number, effective, lines, "admin", NOW.isoformat())


def test_the_latest_effective_version_with_a_line_is_in_force():
    seed = t.seed_line(500)
    book = [v(1, t.SEED_EFFECTIVE, S1=seed), v(2, date(2026, 12, 10), S1=t.TariffLine(0, 700, 700)),
            v(3, date(2026, 12, 5), S1=t.TariffLine(0, 600, 600), S2=t.TariffLine(0, 9, 9))]
    assert t.in_force(book, "S1", date(2026, 12, 4), seed).version == 1
    assert t.in_force(book, "S1", date(2026, 12, 5), seed).version == 3
    assert t.in_force(book, "S1", date(2026, 12, 10), seed).version == 2
    assert t.in_force(book, "S9", date(2026, 12, 10), t.seed_line(1)).version == t.SEED_VERSION
    assert t.in_force(book, "S9", date(2026, 12, 10)) is None
    assert t.line_of_version(book, "S2", 2, t.seed_line(3)) == t.seed_line(3)  # v2 did not touch S2
    assert t.line_of_version(book, "S2", 3) == t.TariffLine(0, 9, 9)
    assert t.line_of_version(book, "S1", 7, seed) is None


def test_lines_are_whole_non_negative_rials_with_the_base_within_the_office_fee():
    for bad in ((-1, 0, 0), (0, 10, 11), (0, 1.5, 1)):
        with pytest.raises(t.TariffError):
            t.TariffLine(*bad)
    assert t.TariffLine(100, 1000, 900).scaled(Fraction(115, 100)) == t.TariffLine(100, 1150, 1035)


def test_apportion_rounds_half_up_and_gives_residue_to_the_largest_remainders():
    lines, total = t.apportion({"a": Fraction(10, 3), "b": Fraction(10, 3), "c": Fraction(10, 3)})
    assert total == 10 and lines == {"a": 4, "b": 3, "c": 3}  # ties by key
    lines, total = t.apportion({"a": Fraction(5, 2), "b": Fraction(1, 4)})
    assert (lines, total) == ({"a": 3, "b": 0}, 3)
    assert t.apportion({"a": Fraction(-5, 2), "b": Fraction(-1, 2)}) == ({"a": -2, "b": -1}, -3)


def test_receipt_numbers_follow_from_what_was_delivered():
    assert t.receipt_id("booking:BK1") == t.receipt_id("booking:BK1") != t.receipt_id("booking:BK2")
    assert t.is_receipt_id(t.receipt_id("request:RQ1")) and not t.is_receipt_id("RC000")


volumes = st.dictionaries(st.from_regex(r"OF-[0-9]{3}", fullmatch=True),
                          st.tuples(st.integers(0, 5_000_000_000), st.sampled_from(ranking.TIERS)), min_size=1,
                          max_size=60)


@settings(max_examples=300, deadline=None)
@given(volumes, st.decimals(min_value=Decimal("0.05"), max_value=Decimal("0.20"), places=3))
def test_shares_stay_revenue_neutral_to_the_rial(offices, base_share):
    """The tier shares computed on a month's share bases charge exactly s0 × Σ bases, rounded half
    up, and the office lines add up to it, each within a rial of its exact levy."""
    bases = {o: b for o, (b, _) in offices.items()}
    tiers = {o: tier for o, (_, tier) in offices.items()}
    schedule = ranking.association_shares(tiers, bases, base_share, ranking.DEFAULT_POLICY)
    totals = {o: t.FeeTotals(o, "P", 1, 0, b, b) for o, b in bases.items()}
    statement = t.month_statement("1405-09", totals, tiers, schedule.share_by_tier, 3)
    s0 = Fraction(str(base_share))
    assert statement.total_levy_rials == t.round_half_up(s0 * sum(bases.values()))
    assert sum(line.levy_rials for line in statement.lines) == statement.total_levy_rials
    assert all(abs(line.levy_rials - line.exact_levy) < 1 for line in statement.lines)
    assert [m for m in t.reconcile({}, {}, statement) if m.what in ("statement total", "levy rounding")] == []


def _record(key: str, office: str = "OF-1", amount: int = 1000) -> t.FeeRecord:
    return t.fee_record(key, office_id=office, province="P", service_id="S1", tariff=None, version=1,
                        line=t.TariffLine(0, amount, amount), channel="web", period="1405-09", at=NOW, subject=key,
                        actor="op")


def test_reconcile_finds_totals_that_do_not_match_their_records():
    records = {"OF-1": [_record("booking:1"), _record("booking:2")]}
    totals = t.totals_of(records["OF-1"])
    by_tier = dict.fromkeys(ranking.TIERS, Fraction(1, 10))
    statement = t.month_statement("1405-09", totals, {}, by_tier, 3)
    assert t.reconcile(records, totals, statement) == []
    tampered = {"OF-1": [_record("booking:1"), _record("booking:2", amount=900)]}
    assert [m.what for m in t.reconcile(tampered, totals, statement)] == ["totals"]
    missing = {"OF-1": [_record("booking:1")]}
    assert [m.what for m in t.reconcile(missing, totals, statement)] == ["totals"]


def test_a_refund_cannot_take_a_fee_below_zero():
    fee = _record("booking:1")
    with pytest.raises(t.TariffError):
        t.adjustment(fee, "R1", t.REFUND, 0, -1001, -1000, "1405-10", NOW, "admin", "x", 0)
    with pytest.raises(t.TariffError):
        t.adjustment(fee, "R1", t.REFUND, 0, -600, -600, "1405-10", NOW, "admin", "x", -500)
    refund = t.adjustment(fee, "R1", t.REFUND, 0, -500, -500, "1405-10", NOW, "admin", "x", -500)
    assert (refund.kind, refund.refers_to, refund.total_rials) == ("refund", fee.receipt_id, -500)
