"""The knee of the quality weight's trade-off curve (bench/tradeoff.py)."""
import pytest

from bench.tradeoff import chord_distances, knee


def test_the_knee_is_where_diminishing_returns_set_in():
    # benefit climbs steeply for little cost, then flattens: the bend is the third point
    cost = [1.00, 1.01, 1.02, 1.05, 1.10, 1.20]
    benefit = [1.0, 1.3, 1.55, 1.62, 1.68, 1.72]
    assert knee(cost, benefit) == 2


def test_units_do_not_move_the_knee():
    cost = [1.00, 1.01, 1.02, 1.05, 1.10, 1.20]
    benefit = [1.0, 1.3, 1.55, 1.62, 1.68, 1.72]
    assert knee([100 * c - 7 for c in cost], [b / 50 for b in benefit]) == knee(cost, benefit)


def test_a_curve_with_no_point_above_its_chord_keeps_the_least_weight():
    # increasing returns: every step costs more than the average, so no weight is worth its cost
    assert knee([0, 1, 2, 3, 4], [0, 0.1, 0.3, 0.6, 1.0]) == 0
    assert knee([0, 1, 2, 3], [0, 1, 2, 3]) == 0  # a straight line has no knee


def test_distances_are_signed_and_scaled():
    d = chord_distances([0, 0.2, 1], [0, 0.8, 1])
    assert d[0] == d[2] == 0
    assert d[1] == pytest.approx((0.8 - 0.2) / 2 ** 0.5)
    assert chord_distances([0, 0.8, 1], [0, 0.2, 1])[1] == pytest.approx(-d[1])


def test_equally_distant_points_give_the_earlier_one_and_degenerate_curves_the_first():
    assert knee([0, 0.125, 0.5, 1], [0, 0.5, 0.875, 1]) == 1  # points 1 and 2 lie equally far above
    assert knee([0, 0.125, 0.5, 1], [0, 0.5, 0.9, 1]) == 2
    assert knee([1, 2], [1, 5]) == 0
    assert knee([1, 1, 1], [2, 2, 2]) == 0
    with pytest.raises(ValueError):
        knee([1, 2, 3], [1, 2])
