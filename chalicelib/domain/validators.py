"""Validators for citizens' identifiers. Pure functions; each raises ValueError with a reason."""
from __future__ import annotations

import re

from chalicelib.domain.text import to_latin_digits

_SEPARATORS = re.compile(r"[\s\-_.()]")


def national_id(value: object) -> str:
    """A 10-digit Iranian national ID (کد ملی) with a valid check digit, as a string of Latin digits."""
    if not isinstance(value, str):
        raise ValueError("national ID must be a string (leading zeros matter)")
    digits = _SEPARATORS.sub("", to_latin_digits(value))
    if not re.fullmatch(r"\d{10}", digits):
        raise ValueError("national ID must have exactly 10 digits")
    if len(set(digits)) == 1:
        raise ValueError("national ID cannot be one repeated digit")
    total = sum(int(digits[i]) * (10 - i) for i in range(9)) % 11
    check = total if total < 2 else 11 - total
    if int(digits[9]) != check:
        raise ValueError("national ID check digit does not match")
    return digits


def mobile(value: object) -> str:
    """An Iranian mobile number in E.164 form: +989xxxxxxxxx."""
    if not isinstance(value, str):
        raise ValueError("mobile must be a string")
    digits = _SEPARATORS.sub("", to_latin_digits(value))
    match = re.fullmatch(r"(?:\+98|0098|98|0)?(9\d{9})", digits)
    if not match:
        raise ValueError("mobile must be an Iranian mobile number such as 09121234567")
    return "+98" + match.group(1)


def mask_national_id(value: str) -> str:
    return "*******" + value[-3:]


def mask_mobile(value: str) -> str:
    return value[:6] + "*****" + value[-2:]
