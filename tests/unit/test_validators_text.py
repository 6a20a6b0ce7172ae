import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import text, validators
from chalicelib.observability import mask_personal


def with_check_digit(body: str) -> str:
    total = sum(int(body[i]) * (10 - i) for i in range(9)) % 11
    return body + str(total if total < 2 else 11 - total)


@pytest.mark.parametrize("raw", ["0012345679", "۰۰۱۲۳۴۵۶۷۹", "٠٠١٢٣٤٥٦٧٩", "001-234567-9", " 0012345679 "])
def test_national_id_accepts_any_digits(raw):
    assert validators.national_id(raw) == "0012345679"


@pytest.mark.parametrize("raw, reason", [
    ("0012345678", "check digit"), ("1111111111", "repeated"), ("001234567", "10 digits"),
    ("00123456790", "10 digits"), ("abcdefghij", "10 digits"),
])
def test_national_id_rejects(raw, reason):
    with pytest.raises(ValueError, match=reason):
        validators.national_id(raw)


def test_national_id_must_be_a_string():
    with pytest.raises(ValueError, match="string"):
        validators.national_id(12345679)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_check_digit_round_trip(body):
    nid = with_check_digit(body)
    if len(set(nid)) == 1:
        return
    assert validators.national_id(nid) == nid
    wrong = nid[:9] + str((int(nid[9]) + 1) % 10)
    with pytest.raises(ValueError):
        validators.national_id(wrong)


@pytest.mark.parametrize("raw", ["09121234567", "۰۹۱۲۱۲۳۴۵۶۷", "+989121234567", "00989121234567", "9121234567",
                                 "0912 123 4567", "989121234567"])
def test_mobile_normalised_to_e164(raw):
    assert validators.mobile(raw) == "+989121234567"


@pytest.mark.parametrize("raw", ["08121234567", "0912123456", "+19121234567", "", "09121234567x"])
def test_mobile_rejects(raw):
    with pytest.raises(ValueError):
        validators.mobile(raw)


def test_fold_persian():
    assert text.fold_persian("علي  كريمي") == "علی کریمی"
    assert text.normalise("ABC ۱۲۳ ك") == "abc 123 ک"


def test_masks():
    assert validators.mask_national_id("0012345679") == "*******679"
    assert validators.mask_mobile("+989121234567") == "+98912*****67"


@pytest.mark.parametrize("raw", ["nid=0012345679 ok", "m +989121234567", "m 09121234567", "۰۰۱۲۳۴۵۶۷۹", "00989121234567"])
def test_log_masking(raw):
    masked = mask_personal(raw)
    for secret in ("0012345679", "9121234567", "۰۰۱۲۳۴۵۶۷۹"):
        assert secret not in masked
