"""How an SMS text travels, with no I/O: its encoding and how many segments (billed parts) it
takes. A text that fits the GSM 03.38 alphabet goes as GSM-7 (160 septets in one segment, 153 per
segment once concatenated, because the concatenation header takes 7); anything else, Persian
included, goes as UCS-2 (70 UTF-16 code units in one segment, 67 per segment concatenated).
Characters of the GSM extension table take two septets (escape + character), and neither an
escape pair nor a UTF-16 surrogate pair is split across two segments, as handsets and gateways
pack them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 default alphabet (the escape 0x1B itself excluded) and its extension table.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

_SINGLE = {"GSM-7": 160, "UCS-2": 70}
_CONCATENATED = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True)
class SmsSize:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def encoding(text: str) -> Encoding:
    return "GSM-7" if all(c in _GSM_BASIC or c in _GSM_EXTENSION for c in text) else "UCS-2"


def _widths(text: str, enc: Encoding) -> list[int]:
    if enc == "GSM-7":
        return [2 if c in _GSM_EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]  # astral characters are surrogate pairs


def measure(text: str) -> SmsSize:
    """The encoding, length in units and segment count of `text` (an empty text is one segment)."""
    enc = encoding(text)
    widths = _widths(text, enc)
    units = sum(widths)
    if units <= _SINGLE[enc]:
        return SmsSize(enc, units, 1)
    per_segment, segments, used = _CONCATENATED[enc], 1, 0
    for width in widths:
        if used + width > per_segment:  # a pair never straddles two segments
            segments, used = segments + 1, 0
        used += width
    return SmsSize(enc, units, segments)
