"""Redaction of personal data in feedback texts.

Applied before a text is stored or used for training (:func:`redact` is called by the
classifier's ``fit`` and ``predict``, by ``supplymind feedback train/classify`` and by the
demo). What is found is replaced by a tag, so a model still sees *that* there was, say, a
phone number:

``[EMAIL]``
    e-mail addresses;
``[ID]``
    Chinese resident identity numbers: 18 characters, 17 digits and a check character
    (digit or ``X``) that must match the ISO 7064 MOD 11-2 checksum, with a plausible
    birth date (years 1900-2099);
``[CARD]``
    bank-card numbers: 16 to 19 digits, optionally in groups separated by spaces or
    hyphens, that pass the Luhn check;
``[PHONE]``
    Chinese mobile numbers (``1[3-9]`` + 9 digits, optionally ``+86``/``0086``), Chinese
    landlines with an area code (``010-12345678``), international numbers written with a
    ``+`` country code, and North-American numbers (``(555) 123-4567``, ``555-123-4567``);
``[ADDRESS]``
    street addresses where recognisable: Chinese ones built around a road and a house
    number (``…路88号``, with the province, city and district before and the building,
    unit and room after) and English ones (house number, street name, street type,
    optional unit, city, state and ZIP).

Full-width digits and letters are recognised like ASCII ones. Digit runs that are part of a
longer run (an order number, a tracking code) are left alone, as are numbers that fail their
checksum. Redaction is idempotent: redacting a redacted text changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["PII_KINDS", "PiiMatch", "find_pii", "luhn_valid", "redact", "valid_cn_id"]

#: The kinds of personal data found, in the order they are looked for.
PII_KINDS: tuple[str, ...] = ("email", "id", "card", "phone", "address")
_TAGS = {
    "email": "[EMAIL]",
    "id": "[ID]",
    "card": "[CARD]",
    "phone": "[PHONE]",
    "address": "[ADDRESS]",
}

# Full-width digits, letters and a few signs to ASCII: same length, so spans carry over.
_FULL_WIDTH = str.maketrans({chr(0xFF01 + i): chr(0x21 + i) for i in range(0x5E)} | {"\u3000": " "})

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![\w-])"
)
_CN_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){15,18}(?![\d])")
_PHONES = (
    # Chinese mobile, optionally with the country code.
    re.compile(r"(?<![\d+])(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"),
    # Chinese landline with area code: 010-12345678, (0755) 1234567.
    re.compile(r"(?<![\d-])(?:\(0\d{2,3}\)|0\d{2,3}-)[ ]?\d{7,8}(?:-\d{1,5})?(?![\d-])"),
    # International with a + country code: +44 20 7946 0958, +1-202-555-0173.
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\d])"),
    # North American: (555) 123-4567, 555-123-4567, 555.123.4567.
    re.compile(r"(?<![\w(])(?:\(\d{3}\)[ ]?|\d{3}[-.])\d{3}[-.]\d{4}(?![\d-])"),
)
# Chinese addresses: a road and a house number, with what comes before and after.
_ZH_NAME = r"(?:(?![在住到寄送是于的了和往从把给为我你他她址请])[\u4e00-\u9fff])"
_ZH_NUM = r"[0-9一二三四五六七八九十百零〇]+"
_ZH_ADDRESS = re.compile(
    rf"(?:{_ZH_NAME}{{1,7}}(?:省|自治区))?"
    rf"(?:{_ZH_NAME}{{1,7}}市)?"
    rf"(?:{_ZH_NAME}{{1,7}}(?:区|县|旗))?"
    rf"(?:{_ZH_NAME}{{1,7}}(?:镇|乡|街道))?"
    rf"{_ZH_NAME}{{1,10}}(?:路|街|大道|大街|巷|弄|胡同)"
    rf"(?:{_ZH_NUM}(?:弄|巷))?{_ZH_NUM}号(?!线)"
    rf"(?:[\u4e00-\u9fffA-Za-z0-9]{{0,10}}?(?:小区|大厦|大楼|花园|公寓|广场|中心|公馆|家园|苑|园|城))?"
    rf"(?:[0-9A-Za-z一二三四五六七八九十]+(?:号楼|栋|幢|座|单元|楼|层|室|号|房))*"
)
_EN_STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl"
    r"|Terrace|Parkway|Pkwy|Highway|Hwy|Square|Sq)"
)
_EN_ADDRESS = re.compile(
    rf"(?<![\w-])\d{{1,6}}[A-Za-z]?(?:\s+(?:[NSEW]\.?|North|South|East|West))?"
    rf"(?:\s+[A-Z][A-Za-z'-]*){{1,4}}\s+{_EN_STREET}\b\.?(?:\s+(?:NW|NE|SW|SE)\b)?"
    rf"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\.?\s*#?[\w-]+)?"
    rf"(?:,\s*[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){{0,2}})?"
    rf"(?:,?\s+[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?)?"
)

_MIN_PHONE_DIGITS = 7
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data: its kind and ``text[start:end]``."""

    kind: str
    start: int
    end: int


def valid_cn_id(number: str) -> bool:
    """Whether an 18-character Chinese identity number has a valid checksum and birth date."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_valid(digits: str) -> bool:
    """Whether a digit string passes the Luhn check."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _candidates(text: str) -> Iterable[PiiMatch]:
    for m in _EMAIL.finditer(text):
        yield PiiMatch("email", m.start(), m.end())
    for m in _CN_ID.finditer(text):
        if valid_cn_id(m.group()):
            yield PiiMatch("id", m.start(), m.end())
    for m in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", m.group())
        if 16 <= len(digits) <= 19 and luhn_valid(digits):
            yield PiiMatch("card", m.start(), m.end())
    for pattern in _PHONES:
        for m in pattern.finditer(text):
            if sum(ch.isdigit() for ch in m.group()) >= _MIN_PHONE_DIGITS:
                yield PiiMatch("phone", m.start(), m.end())
    for pattern in (_ZH_ADDRESS, _EN_ADDRESS):
        for m in pattern.finditer(text):
            yield PiiMatch("address", m.start(), m.end())


def find_pii(text: str) -> list[PiiMatch]:
    """The personal data in ``text``, in order, without overlaps.

    Where two findings overlap, the kind found first in :data:`PII_KINDS` wins (an identity
    number is not also a card number), then the longer one.
    """
    if not isinstance(text, str):
        raise TypeError(f"text: expected a string, found {type(text).__name__}")
    scan = text.translate(_FULL_WIDTH)
    rank = {kind: i for i, kind in enumerate(PII_KINDS)}
    found = sorted(_candidates(scan), key=lambda m: (rank[m.kind], -(m.end - m.start), m.start))
    kept: list[PiiMatch] = []
    for match in found:
        if all(match.end <= k.start or match.start >= k.end for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.start)


def redact(text: str) -> str:
    """``text`` with every piece of personal data replaced by its tag (``[PHONE]``, ...)."""
    parts, last = [], 0
    for match in find_pii(text):
        parts += [text[last : match.start], _TAGS[match.kind]]
        last = match.end
    parts.append(text[last:])
    return "".join(parts)
