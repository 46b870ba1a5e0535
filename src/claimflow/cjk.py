"""Keyed values in East Asian forms: full-width digits and marks, Japanese
written dates, and a named reason for any character no reader takes.

A Japanese input method keys ``１２３`` for 123, ``，`` for the comma and
``￥`` for the yen. The full-width forms U+FF01..U+FF5E are the ASCII
characters U+0021..U+007E drawn twice as wide: Unicode's compatibility
mapping (NFKC) of each is that one ASCII character and nothing else, so
`narrow` maps them back and every other rule still applies: the locale's
group and decimal marks (``１，０００`` is as ambiguous as ``1,000``), the
client's date order. Only that block is mapped: NFKC over the whole text
would also turn ``²`` into 2, ``½`` into ``1⁄2`` and ``①`` into 1, changing
what was written, and those stay refused.

A number keyed partly at each width (``1２3``, an input method switched
mid-word) is read too: each character is one digit whatever its width, so
the reading is exact, and refusing it would send back a value nobody can
misread.

`japanese_date` reads ``2026年11月3日`` (Babel's ``long`` date in ``ja``),
also with its weekday (``2026年11月3日火曜日``, ``2026年11月3日(火)``), which
must be the date's own. The year, month and day are labelled, so the
client's date order does not enter. An era year (``令和8年``) is refused: the
desk reads Gregorian years, and converting one is a table of era starts
that the participant should apply, not the desk.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

#: Full-width ASCII (U+FF01..U+FF5E) -> ASCII: NFKC on exactly these.
_WIDE = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})
_WEEKDAYS = "月火水木金土日"
_WEEKDAY = r"(?:\(\s*(?P<wd>[月火水木金土日])\s*\)|(?P<wdn>[月火水木金土日])曜日?)"
_JA_DATE = re.compile(
    r"^\s*(?P<y>[0-9]{1,4})\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*日"
    rf"\s*{_WEEKDAY}?\s*$"
)
#: A Japanese era before the year (kanji, or the one-character era signs).
_ERA = re.compile(r"^\s*(?P<era>令和|平成|昭和|大正|明治|[㋿㍻㍼㍽㍾])\s*(?:[0-9]{1,2}|元)\s*年")
#: The pattern a refused written date is asked again in.
JA_PATTERN = "YYYY年M月D日"
_KANJI_NUMERALS = frozenset("〇零一二三四五六七八九十百千万萬億兆壱弐参")
_HINTS = {
    "\u3001": "a list comma, not a digit group mark",
    "\u3002": "a sentence's full stop, not a decimal point",
    "\u30fb": "a middle dot, not a decimal point",
    "\u3000": "a space, not a digit group mark",
}


def narrow(text: str) -> str:
    """`text` with its full-width ASCII forms as ASCII (``１，２３４`` -> ``1,234``).

    The length is unchanged: character ``i`` of the result is character
    ``i`` of `text`, so a message can quote the text as written.

    Example: ``narrow("￥１５９，８００") == "￥159,800"``
    """
    return text if text.isascii() else text.translate(_WIDE)


def stray(text: str) -> str | None:
    """Why `text` holds a character no number reader takes, naming it; None
    when every character is ASCII once narrowed (`narrow`).

    Example: ``stray("１５万") == "'万' is a kanji numeral: write the number in digits"``
    """
    for char in narrow(text):
        if char.isascii():
            continue
        if char in _KANJI_NUMERALS:
            return f"{char!r} is a kanji numeral: write the number in digits"
        name = unicodedata.name(char, f"U+{ord(char):04X}")
        if char in _HINTS:
            return f"{char!r} ({name}): {_HINTS[char]}"
        return f"{char!r} ({name}) is not a digit or a mark of this format"
    return None


@dataclass(frozen=True)
class WrittenDate:
    """A date written the Japanese way, as its parts were written.

    Attributes:
        year: the year's digits as written (their count says if in full).
        month: the month.
        day: the day.
        weekday: the weekday written after it (``火``), if any.
    """

    year: str
    month: int
    day: int
    weekday: str | None


def japanese_date(text: str) -> WrittenDate | str | None:
    """The parts of a date written the Japanese way (``2026年11月3日``), why
    it cannot be read (an era year), or None when `text` is not written so.

    Args:
        text: the keyed text, its full-width forms already narrowed (`narrow`).

    Example: ``japanese_date("2026年11月3日(火)").weekday == "火"``
    """
    era = _ERA.match(text)
    if era is not None:
        year = re.sub(r"\s+", "", era[0])
        return f"{year} is a Japanese era year: the desk reads Gregorian years"
    match = _JA_DATE.match(text)
    if match is None:
        return None
    return WrittenDate(
        match["y"], int(match["m"]), int(match["d"]), match["wd"] or match["wdn"]
    )


def weekday_doubt(found: date, weekday: str | None) -> str | None:
    """Why a weekday written after a date is not that date's, or None.

    Example: ``weekday_doubt(date(2026, 11, 3), "水")`` names 火曜日 (Tuesday).
    """
    own = _WEEKDAYS[found.weekday()]
    if weekday is None or weekday == own:
        return None
    return f"{found.isoformat()} is a {own}曜日 ({found:%A}), not a {weekday}曜日"
