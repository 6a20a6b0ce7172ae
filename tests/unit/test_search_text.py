"""The catalogue search's folding and ranking (domain.text), on the pure functions."""
from __future__ import annotations

import pytest

from chalicelib.domain import text

SANA_REGISTRATION = "ثبت‌نام سامانه ثنا"
WITHOUT_SANA = "ابلاغ کاغذی احضاریه به طرف فاقد حساب ثنا"


@pytest.mark.parametrize("typed", ["ثبت‌نام", "ثبت نام", "ثبتنام", "ثبت\u200c نام", " ثبت  نام ", "ثبـت‌نام"])
def test_the_zwnj_its_absence_or_a_space_are_the_same_word(typed):
    assert text.match_score(typed, SANA_REGISTRATION) == text.TITLE_START


@pytest.mark.parametrize("typed, name", [
    ("سوء پیشینه", "گواهی عدم سوءپیشینه"), ("سوءپیشینه", "گواهی عدم سوء پیشینه"),
    ("سو پیشینه", "گواهی عدم سوءپیشینه"),
    ("ثبت نام سامانه ثنا".replace("ی", "ي"), SANA_REGISTRATION),  # Arabic yeh
    ("كپی", "دریافت کپی پرونده"),  # Arabic kaf
    ("مسوول", "دفتر مسؤول"), ("پائیز", "پاییز"), ("اسناد", "تأیید أسناد"), ("اعاده دادرسی", "اعادهٔ دادرسی"),
    ("مدرسة", "مدرسه"), ("آرا", "اجرای ارا"),
    ("حُکم", "اجرای حکم"), ("قرار", "صدور قــرار"),  # diacritics, tatweel
    ("۱۸ سال", "افراد زیر 18 سال"), ("١٨", "افراد زیر ۱۸ سال"),  # Persian and Arabic-Indic digits
    ("sana", "SANA e-account registration"),
])
def test_spelling_variants_match(typed, name):
    assert text.match_score(typed, name) is not None


def test_search_words_fold_letters_digits_marks_and_case():
    assert text.search_words("ثبت‌نامِ  سامانهٔ ثنا ۱۴۰۵ SANA") == ("ثبت", "نام", "سامانه", "ثنا", "1405", "sana")
    assert text.search_words("ﻛﺘﺎﺏ") == ("کتاب",)  # presentation forms
    assert text.search_words("") == () and text.search_words(" \u200c ") == ()


def test_no_match_is_none():
    assert text.match_score("ثنا", "گواهی عدم سوءپیشینه") is None
    assert text.match_score("", SANA_REGISTRATION) is None


def test_sana_registration_ranks_before_services_for_people_without_sana():
    assert text.match_score("ثنا", SANA_REGISTRATION) > text.match_score("ثنا", WITHOUT_SANA)
    assert text.match_score("SANA", "SANA e-account registration") > text.match_score(
        "SANA", "Paper service of a summons to a party without SANA")
    # a negated mention loses even to a mention inside another word
    assert text.match_score("ثنا", WITHOUT_SANA) < text.INSIDE


def test_the_scoring_order_title_start_word_prefix_inside():
    scores = [text.match_score("ابلاغ", name) for name in
              ("ابلاغ کاغذی", "درخواست ابلاغ مجدد", "درخواست ابلاغیه", "درخواست پیشابلاغ")]
    assert scores == [text.TITLE_START, text.WHOLE_WORD, text.WORD_PREFIX, text.INSIDE]


def test_negation_reaches_only_a_few_words():
    near = "خدمات بدون حساب ثنا"
    far = "بدون حضور در دفتر و با حساب ثنا"
    assert text.match_score("ثنا", near) == text.WHOLE_WORD + text.NEGATED
    assert text.match_score("ثنا", far) == text.WHOLE_WORD


def test_all_words_anywhere_is_a_weaker_match():
    assert text.match_score("ثبت‌نام ثنا", SANA_REGISTRATION) == text.ALL_WORDS
    assert text.match_score("ثبت‌نام وکالت", SANA_REGISTRATION) is None


def test_rank_orders_by_score_then_plainer_name_and_drops_scattered_words_when_a_phrase_matches():
    names = {"A": ("ابلاغ کاغذی احضاریه به طرف فاقد حساب ثنا",), "B": ("بازیابی رمز ثنا برای اشخاص حقیقی",),
             "C": ("ثبت‌نام سامانه ثنا",), "D": ("ثبت لایحه در موضوع وصیت‌نامه",), "E": ("گواهی عدم سوءپیشینه",)}
    assert text.rank("ثنا", names.items()) == ["C", "B", "A"]
    assert text.rank("ثبت نام", names.items()) == ["C"]  # D holds both words, but not as a phrase
    assert text.rank("لایحه وصیت", names.items()) == ["D"]  # no phrase anywhere: scattered words count
    assert text.rank("sana", [("X", ("ثبت‌نام سامانه ثنا", "SANA registration"))]) == ["X"]
