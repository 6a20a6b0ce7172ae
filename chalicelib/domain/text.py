"""Normalisation of Persian text and digits: what citizens type is folded before it is checked,
and the catalogue search's matching and ranking (one place, pure)."""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TypeVar

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
# Arabic yeh/kaf and alef maksura to their Persian letters.
_LETTERS = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی", "ە": "ه"})
_ZW = str.maketrans({"\u200f": None, "\u200e": None, "\u202a": None, "\u202c": None})

# Search folds further than display text: the hamza-carrying and decorated letters to their base
# letter (people type «اسناد» for «أسناد», «مسئول» and «مسوول» for «مسؤول»), teh marbuta to heh,
# and drops the hamza, tatweel, diacritics (harakat, tanwin, shadda, superscript alef) and the
# direction marks, so that the same word matches however it was typed.
_SEARCH_LETTERS = str.maketrans({
    "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "ە": "ه", "ھ": "ه",
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ء": None, "ٔ": None, "ـ": None,
    "\u200f": None, "\u200e": None, "\u202a": None, "\u202b": None, "\u202c": None, "\u200d": None,
    "\ufeff": None,
})
_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
# Words split on white space, the zero-width non-joiner and punctuation (the ZWNJ is a visual join
# inside one word: «ثبت‌نام» is typed as «ثبت نام» or «ثبتنام» too).
_SPLIT = re.compile(r"[\s\u200c\u00ad\-_/.,،؛;:()«»\"'!?؟]+")

# Words after which a match describes people or things *without* it: «فاقد حساب ثنا».
NEGATIONS = frozenset({"فاقد", "بدون", "without", "lacking", "non"})
K = TypeVar("K")
NEGATION_REACH = 3  # a negation this many words before the match (or fewer) qualifies it


def to_latin_digits(value: str) -> str:
    return value.translate(_DIGITS)


def to_persian_digits(value: str) -> str:
    return value.translate(_TO_PERSIAN)


def fold_persian(value: str) -> str:
    """Fold Arabic letters to Persian, drop direction marks and squeeze whitespace."""
    return " ".join(value.translate(_LETTERS).translate(_ZW).split())


def normalise(value: str) -> str:
    """What comparisons of names use: Persian letters, Latin digits, lower case."""
    return to_latin_digits(fold_persian(value)).casefold()


@functools.lru_cache(maxsize=8192)  # the catalogue's ~3,000 names are folded once per container
def search_words(value: str) -> tuple[str, ...]:
    """A text as search sees it: its words, each folded (letters, digits, case, marks)."""
    text = unicodedata.normalize("NFKC", value)  # Arabic presentation forms to their letters
    text = _MARKS.sub("", to_latin_digits(text).translate(_SEARCH_LETTERS)).casefold()
    return tuple(w for w in _SPLIT.split(text) if w)


# Scores of one match (the best over the name's positions wins). A name starting with the query
# beats a whole word, which beats a word's prefix, which beats a mention inside a word; a match
# within reach after a negation («فاقد»/«بدون»/"without") drops below every plain mention.
TITLE_START, WHOLE_WORD, WORD_PREFIX, INSIDE, ALL_WORDS, NEGATED = 100, 80, 60, 40, 20, -50


def _negated(words: tuple[str, ...], at: int) -> bool:
    return any(w in NEGATIONS for w in words[max(0, at - NEGATION_REACH):at])


def match_score(query: str, text: str) -> int | None:
    """How well `text` answers `query` (None: not at all). Spaces and ZWNJs do not matter
    (the query's words joined must occur in the text's words joined); else every query word
    must occur somewhere (a weaker match). See the scores above."""
    found = _match(query, text)
    return None if found is None else found[0]


def _match(query: str, text: str) -> tuple[int, bool] | None:
    """(score, whether the query occurs as a phrase) or None."""
    wanted, words = search_words(query), search_words(text)
    if not wanted or not words:
        return None
    needle, joined = "".join(wanted), "".join(words)
    starts, position = [], 0
    for w in words:  # where each word begins in the joined text
        starts.append(position)
        position += len(w)
    best, found = None, joined.find(needle)
    while found >= 0:
        at = max(i for i, s in enumerate(starts) if s <= found)  # the word the match begins in
        end = found + len(needle)
        if found == 0:
            score = TITLE_START
        elif starts[at] == found:
            whole = end in starts or end == len(joined)
            score = WHOLE_WORD if whole else WORD_PREFIX
        else:
            score = INSIDE
        if _negated(words, at):
            score += NEGATED
        best = score if best is None else max(best, score)
        found = joined.find(needle, found + 1)
    if best is not None:
        return best, True
    if len(wanted) > 1 and all(w in joined for w in wanted):
        first = min(i for i, w in enumerate(words) if any(q in w for q in wanted))
        return ALL_WORDS + (NEGATED if _negated(words, first) else 0), False
    return None


def rank(query: str, candidates: Iterable[tuple[K, Sequence[str]]]) -> list[K]:
    """The keys of the candidates (a key and its names, the first the main one) that match
    `query`, best first: by their best name's score, then fewer words in the main name (the
    plainer service), then key. Matches of the scattered words alone count only when no candidate
    holds the query as a phrase: «ثبت‌نام» must not also find «ثبت لایحه … وصیت‌نامه»."""
    scored = []
    for key, names in candidates:
        found = [m for m in (_match(query, name) for name in names) if m is not None]
        if found:
            score, phrase = max(found)
            scored.append((-score, len(search_words(names[0])), key, phrase))
    if any(phrase for *_, phrase in scored):
        scored = [row for row in scored if row[3]]
    return [key for _, _, key, _ in sorted(scored, key=lambda row: row[:3])]


# Persian alphabetical order (code points put پ چ ژ ک گ ی after the Arabic letters).
_ALPHABET = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_ORDER = {letter: chr(0x4E00 + i) for i, letter in enumerate(_ALPHABET)}  # above every Latin letter


def persian_sort_key(value: str) -> str:
    """A key that sorts Persian names in the order of the Persian alphabet."""
    folded = fold_persian(value).replace("\u200c", "")
    return "".join(_ORDER.get(ch, ch) for ch in folded)
