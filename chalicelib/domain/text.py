"""Normalisation of Persian text and digits: what citizens type is folded before it is checked."""
from __future__ import annotations

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# Arabic yeh/kaf (and alef maksura, teh marbuta-free forms) to their Persian letters.
_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_LETTERS = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی", "ە": "ه"})
_ZW = str.maketrans({"\u200f": None, "\u200e": None, "\u202a": None, "\u202c": None})


def to_latin_digits(value: str) -> str:
    return value.translate(_DIGITS)


def to_persian_digits(value: str) -> str:
    return value.translate(_TO_PERSIAN)


def fold_persian(value: str) -> str:
    """Fold Arabic letters to Persian, drop direction marks and squeeze whitespace."""
    return " ".join(value.translate(_LETTERS).translate(_ZW).split())


def normalise(value: str) -> str:
    """What search and comparisons use: Persian letters, Latin digits, lower case."""
    return to_latin_digits(fold_persian(value)).casefold()
