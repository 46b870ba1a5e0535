"""Dates written with the month's name, in the client's language or
English, as Babel writes them: ``4 grudnia 2026``, ``4. Dezember 2026``,
``4 de diciembre de 2026``, ``December 4, 2026``, ``04-Dec-2026``, the year
first as Hungarian and Lithuanian write it (``2026. november 27.``,
``2026 m. lapkričio 27 d.``), also with
the weekday before or after (``viernes, 4 de diciembre de 2026``, Turkish
``4 Aralık 2026 Cuma``), which must be the date's own, and a month's name
with the letter Babel's pattern glues to it (Hebrew ``יום שישי, 4 בדצמבר
2026``: ``ב``, "in").

The month's name says which part is the month, so the client's date order
does not enter. Names come from Babel's CLDR data (format and stand-alone,
wide and abbreviated), compared case folded without accents (Greek capitals
drop them); a name two months share in those languages is not read. The
case is folded as the language writes capitals (`claimflow.words`):
Turkish ``KASIM`` is ``Kasım``, and ``EKİM`` is ``Ekim``.
`claimflow.values` asks here when a date in the client's order cannot be
read and has letters in it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages

from claimflow.dates import DateOrder, parse_date
from claimflow.values import TWO_DIGIT_YEAR, date_text, in_gregorian, no_such_day
from claimflow.words import word_fold

#: A date with its month named: ``4 grudnia 2026``, ``4. Dezember 2026``,
#: ``4 de diciembre de 2026``, ``04-Dec-2026``, ``4th December 2026``.
_DAY_MONTH = re.compile(
    r"^(?P<d>\d{1,2})(?:st|nd|rd|th|\.)?[\s\-/]*(?:de\s+)?(?P<m>[^\d\s,/\-]+)"
    r"[\s\-/,]+(?:de\s+|del\s+)?(?P<y>\d{1,4})\.?$",
    re.IGNORECASE,
)
#: The year first, as Hungarian writes it (``2026. nov. 27.``, ``2026.
#: november 27.``) and Lithuanian (``2026 m. lapkričio 27 d.``: m. for the
#: year, d. for the day). Only a four-digit year comes first.
_YEAR_MONTH_DAY = re.compile(
    r"^(?P<y>\d{4})(?:\.|\s*m\.)?\s*(?P<m>[^\d\s,/\-]+)\s*(?P<d>\d{1,2})(?:\.|\s*d\.)?$",
    re.IGNORECASE,
)
#: Vietnamese names a month by its number: ``ngày 4 tháng 12 năm 2026``
#: (day, month, year, as forms and letters write it), ``4 tháng 12, 2026``
#: and ``4 thg 12, 2026`` (as Babel writes vi_VN), matched without accents.
_VIETNAMESE = re.compile(
    r"^(?:ngay\s+)?(?P<d>\d{1,2})\s+(?:thang|thg)\s+(?P<m>\d{1,2})"
    r"(?:\s+nam\s+|\s*,\s*)(?P<y>\d{1,4})$"
)
#: A Vietnamese weekday before the date, folded: ``thu sau, 4 thang 12, 2026``.
_VIETNAMESE_WEEKDAY = re.compile(r"^(?P<w>[^\d,]+(?: \d)?) ?, ?(?P<rest>.*\d.*)$")
#: ``December 4, 2026``, ``Dec 4 2026`` (as en_US writes it).
_MONTH_DAY = re.compile(
    r"^(?P<m>[^\d\s,/\-]+)[\s\-/]*(?P<d>\d{1,2})(?:st|nd|rd|th)?[,\s]+(?P<y>\d{1,4})$",
    re.IGNORECASE,
)


def month_names(locale: str) -> dict[str, int]:
    """Month names and abbreviations (`_month_key`) -> month, as Babel writes
    them in `locale` and in English, in both the format and stand-alone
    forms (``grudnia`` and ``grudzień``). A name two months share is left
    out: it would be a guess.

    Example: ``month_names("pl_PL")["grudnia"] == 12``
    """
    return _calendar_names(locale, "months")


def weekday_names(locale: str) -> dict[str, int]:
    """Weekday names and abbreviations (`_month_key`) -> weekday (Monday 0),
    in `locale` and English; a name two weekdays share is left out.

    Example: ``weekday_names("es_MX")["viernes"] == 4``
    """
    return _calendar_names(locale, "days")


@lru_cache(maxsize=128)
def _calendar_names(locale: str, kind: str) -> dict[str, int]:
    """`month_names` (``months``) or `weekday_names` (``days``): the
    locale's and English names, then those of the other official languages
    of the locale's country (Babel's ``get_official_languages``: French and
    Italian at a de_CH desk, Hindi at en_IN) that name no other month or
    day in the first two (trial 43: a Geneva member's ``4 novembre 2026``
    at a de_CH desk was refused ``expected a date as DD/MM/YYYY``)."""
    names = _names_in(dict.fromkeys((locale, "en")), kind)
    others = _names_in(_country_languages(locale), kind)
    return names | {key: n for key, n in others.items() if key not in names}


def _names_in(locales: Iterable[str], kind: str) -> dict[str, int]:
    """Names -> number in these locales, less a name two of them share."""
    found: dict[str, set[int]] = {}
    for name in locales:
        try:
            table = getattr(Locale.parse(name), kind)
        except (UnknownLocaleError, ValueError):
            continue
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, written in table[context][width].items():
                    found.setdefault(_month_key(written, name), set()).add(number)
    return {key: next(iter(ns)) for key, ns in found.items() if len(ns) == 1}


def _country_languages(locale: str) -> tuple[str, ...]:
    """The other official languages of `locale`'s country, as locales of
    that country (``fr_CH``, ``it_CH`` for ``de_CH``), Babel's list."""
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return ()
    territory = parsed.territory
    if not territory:
        return ()
    return tuple(
        f"{language}_{territory}"
        for language in get_official_languages(territory)
        if language not in (parsed.language, "en")
    )


def _date_patterns(locale: str) -> tuple[str, ...]:
    """Babel's full, long, medium and short date patterns of `locale`, in
    that order (none for a locale Babel does not know)."""
    try:
        formats = Locale.parse(locale).date_formats
    except (UnknownLocaleError, ValueError):
        return ()
    return tuple(formats[width].pattern for width in ("full", "long", "medium", "short"))


@lru_cache(maxsize=128)
def _month_prefixes(locale: str) -> tuple[str, ...]:
    """Letters `locale`'s dates glue before the month's name, as Babel's
    patterns write them: Hebrew ``d בMMMM y`` (``4 בדצמבר 2026``, "in
    December"), whose ``בדצמבר`` is no month's name without its ``ב``.

    Example: ``_month_prefixes("he_IL") == ("ב",)``
    """
    glued = (
        re.findall(r"(?:^|\s)([^\W\d_M]+)M{3,4}", pattern)
        for pattern in _date_patterns(locale)[:3]
    )
    return tuple(sorted({prefix for found in glued for prefix in found}))


@lru_cache(maxsize=128)
def _year_words(locale: str) -> tuple[str, ...]:
    """Abbreviations `locale`'s dates write after the year, as Babel's
    patterns write them: Russian ``d MMMM y 'г'.`` (``4 декабря 2026 г.``,
    "year"), Ukrainian ``р.``; folded as `_month_key` folds names.

    Example: ``_year_words("ru_RU") == ("г",)``
    """
    found = (
        re.findall(r"y\s*'([^\W\d_]+)'\.?\s*$", pattern)
        for pattern in _date_patterns(locale)
    )
    return tuple(sorted({_month_key(word, locale) for words in found for word in words}))


def _without_year_word(text: str, locale: str) -> str:
    """`text` less the abbreviation for "year" that `locale` writes after
    it (`_year_words`), with or without its dot: ``4 декабря 2026 г.`` is
    ``4 декабря 2026``."""
    words = _year_words(locale)
    match = re.search(r"(?<=\d)\s*([^\W\d_]+)\.?$", text) if words else None
    if match is None or _month_key(match[1], locale) not in words:
        return text
    return text[: match.start()]


def _month_key(name: str, locale: str | None) -> str:
    """A month or weekday name as compared: case folded as `locale`'s
    language writes capitals (`word_fold`: Turkish ``KASIM`` is ``kasım``),
    without its final dot or accents (Greek capitals drop them: ΔΕΚΕΜΒΡΙΟΥ
    is Δεκεμβρίου)."""
    folded = unicodedata.normalize("NFD", word_fold(name, locale).rstrip("."))
    return unicodedata.normalize(
        "NFC", "".join(c for c in folded if not unicodedata.combining(c))
    )


def _named(names: dict[str, int], written: str, locale: str) -> int | None:
    """The month or weekday `written` names, in `locale`'s fold first, then
    in the standard one (``APRIL`` at a Turkish desk is English), or None."""
    for fold in dict.fromkeys((locale, None)):
        number = names.get(_month_key(written, fold))
        if number is not None:
            return number
    return None


def _month_of(written: str, locale: str) -> int | None:
    """The month `written` names (`_named`), also after a letter `locale`'s
    dates glue to it (`_month_prefixes`: Hebrew ``בדצמבר``), or None."""
    month = _named(month_names(locale), written, locale)
    for prefix in _month_prefixes(locale) if month is None else ():
        if written.startswith(prefix):
            month = _named(month_names(locale), written[len(prefix) :], locale)
    return month


#: A weekday's name before a date (``viernes, 4 de diciembre de 2026``), or
#: after it (Turkish ``4 Aralık 2026 Cuma``); a name of two words before a
#: comma (Hebrew ``יום שישי, 4 בדצמבר 2026``).
_WEEKDAY_FIRST = re.compile(r"^(?P<w>[^\d\s,]+),?\s+(?P<rest>.*\d.*)$")
_WEEKDAY_WORDS = re.compile(r"^(?P<w>[^\d,]+),\s*(?P<rest>.*\d.*)$")
_WEEKDAY_LAST = re.compile(r"^(?P<rest>.*[\d.])\s*,?\s+(?P<w>[^\d\s,]+)$")


def _vietnamese(whole: str, locale: str) -> tuple[re.Match[str] | None, int | None, str]:
    """A Vietnamese date (`_VIETNAMESE`), its weekday (Monday 0) and the
    weekday as written, read from the whole text: Vietnamese weekdays are
    two words (Thứ Sáu, Thứ 6), and 'Thứ' alone is English Thursday's
    abbreviation."""
    bare = " ".join(_month_key(whole, locale).split())
    named = _VIETNAMESE_WEEKDAY.match(bare)
    if named is None or named["w"] not in weekday_names(locale):
        return _VIETNAMESE.match(bare), None, ""
    written_day = whole.split(",", 1)[0].strip()
    weekday = weekday_names(locale)[named["w"]]
    return _VIETNAMESE.match(named["rest"]), weekday, written_day


@lru_cache(maxsize=4096)
def _digits_and_year(text: str, locale: str, order: DateOrder) -> date | str | None:
    """``04.12.2026 г.``: a date in digits and the word for "year" read in
    `order`, or None when `text` is not written so."""
    whole = date_text(text)[0].strip()
    plain = _without_year_word(whole, locale).strip()
    if plain == whole or any(c.isalpha() for c in plain):
        return None
    read = parse_date(plain, order)
    return read.replace(repr(plain), repr(text)) if isinstance(read, str) else read


def named_month_date(
    text: str, locale: str, order: DateOrder | None = None
) -> date | str | None:
    """A date written with its month's name (``4 grudnia 2026``, ``December
    4, 2026``: the name says which part is the month, so the client's date
    order does not enter), why it cannot be read, or None when `text` is not
    written so (nor with a word that is no month's name: the client's date
    pattern is the better answer then).

    A date in digits with the word for "year" after it (``04.12.2026 г.``,
    as Russian invoices date themselves) is read in `order`, the order its
    reader's digits dates are in, when one is given.

    Example: ``named_month_date("4 grudnia 2026", "pl_PL") == date(2026, 12, 4)``
    """
    if order is not None:
        digits = _digits_and_year(text, locale, order)
        if digits is not None:
            return digits
    return _named_month_date(text, locale)


@lru_cache(maxsize=65536)
def _named_month_date(text: str, locale: str) -> date | str | None:
    """`named_month_date` of a date written with its month's name."""
    whole = date_text(text)[0].strip()
    plain = _without_year_word(whole, locale)
    weekday, written_day = None, ""
    for pattern in (_WEEKDAY_FIRST, _WEEKDAY_WORDS, _WEEKDAY_LAST):
        named = pattern.match(plain)
        day_number = None if named is None else _named(weekday_names(locale), named["w"], locale)
        if named is not None and day_number is not None:
            weekday, written_day, plain = day_number, named["w"], named["rest"]
            break
    match = _DAY_MONTH.match(plain) or _MONTH_DAY.match(plain)
    form = "D MMMM YYYY"
    if match is None:
        match, form = _YEAR_MONTH_DAY.match(plain), "YYYY MMMM D"
    numbered = None
    if match is None and locale.lower().startswith("vi"):
        numbered, weekday, written_day = _vietnamese(whole, locale)
        match, form = numbered, "ngày D tháng M năm YYYY"
    if match is None:
        return None
    expected = f"expected a date as {form}, found {text!r}"
    month = int(match["m"]) if numbered else _month_of(match["m"], locale)
    if month is None or not 1 <= month <= 12:
        return None if numbered is None else f"{expected} (no month {month})"
    if len(match["y"]) != 4:
        return f"{expected} {TWO_DIGIT_YEAR}"
    year, day = int(match["y"]), int(match["d"])
    try:
        found = date(year, month, day)
    except ValueError:
        return expected + no_such_day(year, month, day)
    if weekday is not None and found.weekday() != weekday:
        said = f"{found.isoformat()} is a {found:%A}, not the {written_day} written"
        return f"{expected} ({said})"
    return in_gregorian(found, expected)
