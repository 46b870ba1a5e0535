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
must be the date's own, and the Korean ``2026년 12월 4일`` (Babel's ``long``
date in ``ko``; ``full`` adds ``금요일``, a form ``(금)``), also with a Chinese
weekday (Babel's zh_TW ``full`` date ``2026年12月4日 星期五``; ``週五``,
``(五)``). The year, month
and day are labelled, so the client's date order does not enter.
`weekday_after` splits such a weekday in parentheses from a date written
in digits (``2026-12-04 (금)``, ``2026. 12. 4. (금)``). An era year (``令和8年``) is refused: the
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
#: Monday to Sunday, as Japanese and Korean write them (月 and 월 differ).
_WEEKDAYS = "月火水木金土日"
_KO_WEEKDAYS = "월화수목금토일"
_WEEKDAY = r"(?:\(\s*(?P<wd>[月火水木金土日])\s*\)|(?P<wdn>[月火水木金土日])曜日?)"
#: Monday to Sunday as Chinese writes them (星期五, 週五, (五)); Sunday is
#: 日 or 天, kept as 天 (日 in parentheses alone is Japanese Sunday too).
_ZH_WEEKDAYS = "一二三四五六天"
_ZH_WEEKDAY = (
    r"(?:(?:星期|週|周|禮拜|礼拜)(?P<wz>[一二三四五六日天])"
    r"|\(\s*(?:(?:星期|週|周)(?P<wzp>[一二三四五六日天])|(?P<wzb>[一二三四五六天]))\s*\))"
)
_JA_DATE = re.compile(
    r"^\s*(?P<y>[0-9]{1,4})\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*日"
    rf"\s*(?:{_WEEKDAY}|{_ZH_WEEKDAY})?\s*$"
)
_KO_WEEKDAY = r"(?:\(\s*(?P<wd>[월화수목금토일])\s*\)|(?P<wdn>[월화수목금토일])요일)"
_KO_DATE = re.compile(
    r"^\s*(?P<y>[0-9]{1,4})\s*년\s*(?P<m>[0-9]{1,2})\s*월\s*(?P<d>[0-9]{1,2})\s*일"
    rf"\s*{_KO_WEEKDAY}?\s*$"
)
#: A weekday in parentheses after a date in digits: ``2026-12-04 (금)``,
#: ``2026. 12. 4. (금)`` (Korean), ``2026/11/03(火)`` (Japanese).
_WEEKDAY_AFTER = re.compile(
    r"^(?P<date>.*[0-9]\.?)\s*(?:\(\s*(?P<wd>[月火水木金土日월화수목금토일])\s*\)"
    rf"|{_ZH_WEEKDAY})\s*$"
)
#: A Japanese era before the year (kanji, or the one-character era signs).
_ERA = re.compile(r"^\s*(?P<era>令和|平成|昭和|大正|明治|[㋿㍻㍼㍽㍾])\s*(?:[0-9]{1,2}|元)\s*年")
#: A Minguo (ROC) year after its era name, as Taiwanese forms write it:
#: ``民國115年12月4日``, ``中華民國115年``, ``民国115/12/04``, ``民國元年``.
_MINGUO = re.compile(r"^\s*(?:中華|中华)?民[國国]\s*(?P<y>[0-9]{1,3}|元)\s*(?:年|[/.\-])")
#: Gregorian year = Minguo year + 1911 (民國元年 is 1912).
_MINGUO_OFFSET = 1911
#: The pattern a refused written date is asked again in.
JA_PATTERN = "YYYY年M月D日"
KO_PATTERN = "YYYY년 M월 D일"
_KANJI_NUMERALS = frozenset("〇零一二三四五六七八九十百千万萬億兆壱弐参")
#: Korean numerals spelled in Hangul (the units 십 백 천 만 억 조 are read
#: after digits, `claimflow.myriads`; ``삼만원`` is refused by its 삼).
_HANGUL_NUMERALS = frozenset("영공일이삼사오육륙칠팔구십백천만억조")
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

    Example: ``stray("一万") == "'一' is a kanji numeral: write the number in digits"``
    """
    for char in narrow(text):
        if char.isascii():
            continue
        if char in _KANJI_NUMERALS:
            return f"{char!r} is a kanji numeral: write the number in digits"
        if char in _HANGUL_NUMERALS:
            return f"{char!r} is a Korean numeral: write the number in digits"
        name = unicodedata.name(char, f"U+{ord(char):04X}")
        if char in _HINTS:
            return f"{char!r} ({name}): {_HINTS[char]}"
        return f"{char!r} ({name}) is not a digit or a mark of this format"
    return None


@dataclass(frozen=True)
class WrittenDate:
    """A date written the Japanese or Korean way, as its parts were written.

    Attributes:
        year: the year's digits as written (their count says if in full).
        month: the month.
        day: the day.
        weekday: the weekday written after it (``火``, ``금``), if any.
        pattern: how the date is asked for again (`JA_PATTERN`, `KO_PATTERN`).
    """

    year: str
    month: int
    day: int
    weekday: str | None
    pattern: str = JA_PATTERN


def japanese_date(text: str) -> WrittenDate | str | None:
    """The parts of a date written the Japanese way (``2026年11月3日``) or
    the Korean way (``2026년 12월 4일 금요일``), why it cannot be read (a
    Japanese era year, or a Minguo one: ``民國115年12月4日`` is 2026 in
    Taiwan's calendar, refused naming that year), or None when `text` is
    not written so.

    Args:
        text: the keyed text, its full-width forms already narrowed (`narrow`).

    Example: ``japanese_date("2026年11月3日(火)").weekday == "火"``
    """
    minguo = _MINGUO.match(text)
    if minguo is not None:
        minguo_year = 1 if minguo["y"] == "元" else int(minguo["y"])
        gregorian = minguo_year + _MINGUO_OFFSET
        return (
            f"{minguo_year} looks like a Minguo (ROC) year, {gregorian} in the "
            "Gregorian calendar: the desk reads Gregorian years"
        )
    era = _ERA.match(text)
    if era is not None:
        year = re.sub(r"\s+", "", era[0])
        return f"{year} is a Japanese era year: the desk reads Gregorian years"
    for pattern, form in ((_JA_DATE, JA_PATTERN), (_KO_DATE, KO_PATTERN)):
        match = pattern.match(text)
        if match is not None:
            weekday = _weekday_of(match)
            return WrittenDate(match["y"], int(match["m"]), int(match["d"]), weekday, form)
    return None


def weekday_after(text: str) -> tuple[str, str | None]:
    """`text` without the weekday in parentheses after its digits, and that
    weekday (None: none was written; `text` is returned as it is).

    Example: ``weekday_after("2026-12-04 (금)") == ("2026-12-04", "금")``
    """
    match = _WEEKDAY_AFTER.match(text)
    return (text, None) if match is None else (match["date"].strip(), _weekday_of(match))


def _weekday_of(match: re.Match[str]) -> str | None:
    """The weekday a date's pattern matched: Japanese or Korean as written,
    Chinese as its character (Sunday as 天), or None."""
    found = match.groupdict()
    chinese = found.get("wz") or found.get("wzp") or found.get("wzb")
    if chinese:
        return "天" if chinese == "日" else chinese
    return found.get("wd") or found.get("wdn")


def weekday_doubt(found: date, weekday: str | None) -> str | None:
    """Why a weekday written after a date is not that date's, or None.

    The weekday is Japanese (``火``), Korean (``화``) or Chinese (``五``,
    Babel's zh_TW ``星期五``), and so is the answer.

    Example: ``weekday_doubt(date(2026, 11, 3), "水")`` names 火曜日 (Tuesday).
    """
    if weekday is None:
        return None
    if weekday in _ZH_WEEKDAYS:
        own = _ZH_WEEKDAYS[found.weekday()]
        if weekday == own:
            return None
        return f"{found.isoformat()} is a 星期{own} ({found:%A}), not a 星期{weekday}"
    names, suffix = (_WEEKDAYS, "曜日") if weekday in _WEEKDAYS else (_KO_WEEKDAYS, "요일")
    own = names[found.weekday()]
    if weekday == own:
        return None
    return f"{found.isoformat()} is a {own}{suffix} ({found:%A}), not a {weekday}{suffix}"
