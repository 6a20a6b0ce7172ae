"""The arithmetic of channel shares: the largest-remainder split, the release time, the web's
parts and where a booking takes its seats from."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import channels
from chalicelib.domain.calendar import TEHRAN
from chalicelib.domain.channels import CHANNELS, WEB, DayShares, ShareConfig, SharesInvalid


@st.composite
def percentages(draw):
    """Whole percentages of the four channels adding up to 100 (zeros included)."""
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=len(CHANNELS) - 1, max_size=len(CHANNELS) - 1)))
    bounds = [0, *cuts, 100]
    return {c: bounds[i + 1] - bounds[i] for i, c in enumerate(CHANNELS)}


@given(seats=st.integers(0, 5000), shares=percentages())
def test_parts_add_up_to_the_seats_none_negative_none_for_a_zero_share(seats, shares):
    parts = channels.split(seats, shares)
    assert sum(parts.values()) == seats
    assert all(p >= 0 for p in parts.values())
    for c, pct in shares.items():
        exact = seats * pct / 100
        assert abs(parts[c] - exact) < 1  # each part within one seat of its exact share
        if pct == 0:
            assert parts[c] == 0


@given(seats=st.integers(0, 5000), shares=percentages())
def test_a_part_never_shrinks_when_the_day_has_more_seats(seats, shares):
    # Largest remainder with fixed percentages may move one seat between channels, but never takes
    # more than one away from a channel that grows in seats.
    before, after = channels.split(seats, shares), channels.split(seats + 1, shares)
    assert all(after[c] >= before[c] - 1 for c in CHANNELS)
    assert sum(after.values()) == sum(before.values()) + 1


def test_the_rounding_rule_on_examples():
    shares = {"web": 70, "call_centre_1470": 20, "consulate": 10, "court_system": 0}
    assert channels.split(64, shares) == {"web": 45, "call_centre_1470": 13, "consulate": 6, "court_system": 0}
    # 44.8 / 12.8 / 6.4: remainders 80, 80, 40 -> the two left-over seats go to web and 1470.
    assert channels.split(10, {"web": 34, "call_centre_1470": 33, "consulate": 33}) == \
        {"web": 4, "call_centre_1470": 3, "consulate": 3}  # a tie in remainders goes to the earlier channel
    assert channels.split(0, shares) == {c: 0 for c in shares}


@given(total=st.integers(0, 10_000), parts=st.integers(1, 32))
def test_even_split(total, parts):
    got = channels.even_split(total, parts)
    assert len(got) == parts and sum(got) == total and max(got) - min(got) <= 1 and min(got) >= 0


@given(room=st.dictionaries(st.sampled_from([f"web#{k}" for k in range(6)]), st.integers(-3, 20)),
       seats=st.integers(1, 8))
def test_allocate_takes_exactly_the_seats_within_each_room(room, seats):
    taken = channels.allocate(room, seats)
    if sum(max(0, r) for r in room.values()) < seats:
        assert taken is None
    else:
        assert taken is not None and sum(taken.values()) == seats
        assert all(0 < n <= room[k] for k, n in taken.items())


def test_shares_must_be_whole_percentages_of_known_channels_adding_up_to_100():
    assert channels.checked({"web": 100}) == {"web": 100, "call_centre_1470": 0, "consulate": 0, "court_system": 0}
    for bad in ({"web": 90}, {"web": 60, "fax": 40}, {"web": 101, "consulate": -1}, {"web": 99.5, "consulate": 0.5}):
        with pytest.raises(SharesInvalid):
            channels.checked(bad)


def test_an_office_override_replaces_the_network_default():
    config = ShareConfig.from_dict({"network": {"web": 70, "call_centre_1470": 20, "consulate": 10},
                                    "offices": {"OF-1": {"web": 100}}})
    assert config.of_office("OF-1")[WEB] == 100
    assert config.of_office("OF-2")["call_centre_1470"] == 20
    assert ShareConfig().of_office("OF-1")[WEB] == 100  # nothing adopted: every seat is the web's
    assert ShareConfig.from_dict(config.to_dict()) == config


def _day(hour_open=8, hour_close=16):
    day = datetime(2026, 12, 5, tzinfo=TEHRAN)
    return [(day.replace(hour=hour_open), day.replace(hour=hour_close))]


def test_seats_of_a_day_and_the_release_time():
    intervals = _day()
    assert channels.day_seats(intervals, 2, 15) == 2 * 32
    assert channels.day_seats([], 3, 15) == 0
    assert channels.release_at(intervals, 24) == intervals[0][0] - timedelta(hours=24)
    assert channels.release_at([], 24) is None


def test_before_release_the_web_is_bounded_after_it_only_partners_are():
    shares = {"web": 70, "call_centre_1470": 20, "consulate": 10}
    before, after = DayShares.at(64, shares, released=False), DayShares.at(64, shares, released=True)
    assert before.cap(WEB) == 45 and before.web_is_bounded
    assert after.cap(WEB) is None and not after.web_is_bounded
    assert before.cap("call_centre_1470") == after.cap("call_centre_1470") == 13
    assert before.cap("court_system") == 0
    assert not DayShares.at(64, {"web": 100}, released=False).web_is_bounded  # no reserve: nothing to count


@given(web=st.integers(0, 2000), parts=st.integers(1, 32))
def test_the_web_parts_add_up_to_the_web_cap(web, parts):
    caps = channels.web_part_caps(web, parts)
    assert sum(caps.values()) == web and len(caps) == parts
