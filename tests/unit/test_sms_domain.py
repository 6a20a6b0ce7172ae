import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.sms import SmsSize, encoding, measure
from chalicelib.services.jobs import TEMPLATES_FA


@pytest.mark.parametrize("text, expected", [
    ("", SmsSize("GSM-7", 0, 1)),
    ("a" * 160, SmsSize("GSM-7", 160, 1)),
    ("a" * 161, SmsSize("GSM-7", 161, 2)),
    ("a" * 306, SmsSize("GSM-7", 306, 2)),
    ("a" * 307, SmsSize("GSM-7", 307, 3)),
    ("€" * 80, SmsSize("GSM-7", 160, 1)),  # extension characters count double
    ("€" * 81, SmsSize("GSM-7", 162, 2)),
    ("ب" * 70, SmsSize("UCS-2", 70, 1)),
    ("ب" * 71, SmsSize("UCS-2", 71, 2)),
    ("ب" * 134, SmsSize("UCS-2", 134, 2)),
    ("ب" * 135, SmsSize("UCS-2", 135, 3)),
    ("😀" * 35, SmsSize("UCS-2", 70, 1)),  # outside the BMP: a surrogate pair, two code units
    ("😀" * 36, SmsSize("UCS-2", 72, 2)),
])
def test_encoding_units_and_segments(text, expected):
    assert measure(text) == expected


def test_one_character_outside_gsm_switches_the_whole_text_to_ucs2():
    assert encoding("Your code is 1234") == "GSM-7"
    assert encoding("Your code is ۱۲۳۴") == "UCS-2"  # Persian digits
    assert measure("a" * 100 + "ی").segments == 2  # 101 UTF-16 units, not 101 septets


def test_a_pair_is_never_split_across_segments():
    # 152 plain septets then one escape pair: 154 septets; the pair moves whole to segment 2.
    assert measure("a" * 152 + "€" + "a" * 152).segments == 3
    assert measure("a" * 151 + "€" + "a" * 153).segments == 2
    # The same with UTF-16 surrogate pairs: 66 units then a pair that does not fit the 67.
    assert measure("ب" * 66 + "😀" + "ب" * 66).segments == 3
    assert measure("ب" * 65 + "😀" + "ب" * 67).segments == 2


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abc ب€", max_size=500))
def test_segments_hold_every_unit_and_never_waste_one(text):
    size = measure(text)
    single, per = (160, 153) if size.encoding == "GSM-7" else (70, 67)
    if size.units <= single:
        assert size.segments == 1
    else:
        # At least the plain ceiling; a pair pushed to the next segment wastes at most one unit each.
        assert math.ceil(size.units / per) <= size.segments <= math.ceil(size.units / (per - 1))


def test_the_persian_templates_are_unicode_and_short():
    text = TEMPLATES_FA["booking_reminder"].format(
        office_fa="دفتر خدمات الکترونیک قضایی شماره ۱۲", service_fa="ثبت نام ثنا",
        when_jalali="۱۴۰۵/۰۹/۱۰ ساعت ۰۹:۰۰", booking_id="BK-7Q2M9X4T")
    size = measure(text)
    assert size.encoding == "UCS-2" and size.units == len(text) and size.segments == math.ceil(len(text) / 67)
