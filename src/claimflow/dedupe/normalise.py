"""Normalising people for dedupe: the comparison columns of every record.

Input: rows with any subset of `COLUMNS` (a DataFrame, or a CSV file read in
chunks). Output (`prepare`, `read_prepared`): one row per person with folded
names (accents, case, punctuation, nicknames), ISO birth dates, e-mails
without tags, phone digits, codes, city and address (street words
abbreviated the same way), and the names' sounds. Each distinct value is
normalised once and shared, so a million people cost a fraction of a
million calls.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import jellyfish
import numpy as np
import pandas as pd

from claimflow.cjk import narrow
from claimflow.dedupe.peoplefile import people_csv, refuse_total_row
from claimflow.errors import UnreadableInput
from claimflow.fields import ascii_fold
from claimflow.hangul import SURNAME_OF, SURNAMES, is_hangul
from claimflow.keys import ascii_digits
from claimflow.values import DateOrder, date_text, parse_date

COLUMNS = (
    "participant_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postcode",
    "country",
    "tax_id",
)
NICKNAMES = {
    "bill": "william",
    "will": "william",
    "willy": "william",
    "liam": "william",
    "bob": "robert",
    "rob": "robert",
    "bobby": "robert",
    "bert": "robert",
    "jim": "james",
    "jimmy": "james",
    "jamie": "james",
    "mike": "michael",
    "mick": "michael",
    "kate": "katherine",
    "katie": "katherine",
    "cathy": "catherine",
    "kathy": "katherine",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "betty": "elizabeth",
    "lisa": "elizabeth",
    "tom": "thomas",
    "tommy": "thomas",
    "dave": "david",
    "dan": "daniel",
    "danny": "daniel",
    "sam": "samuel",
    "alex": "alexander",
    "sasha": "alexander",
    "chris": "christopher",
    "tony": "anthony",
    "joe": "joseph",
    "pepe": "jose",
    "paco": "francisco",
    "pancho": "francisco",
    "nacho": "ignacio",
    "lupe": "guadalupe",
    "chema": "jose maria",
    "jenny": "jennifer",
    "jen": "jennifer",
    "meg": "margaret",
    "maggie": "margaret",
    "peggy": "margaret",
    "sue": "susan",
    "ted": "edward",
    "ed": "edward",
    "eddie": "edward",
    "andy": "andrew",
    "nick": "nicholas",
    "steve": "stephen",
    "matt": "matthew",
    "pat": "patricia",
    "patty": "patricia",
    "rick": "richard",
    "dick": "richard",
    "rich": "richard",
    "larry": "lawrence",
    "ron": "ronald",
    "don": "donald",
    "hank": "henry",
    "harry": "henry",
    "jack": "john",
    "johnny": "john",
    "fred": "frederick",
}
_STREET = {
    "street": "st",
    "st.": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "calle": "c",
    "avenida": "av",
    "jalan": "jl",
    "jln": "jl",
    "rue": "r",
    "strasse": "str",
    "straße": "str",
    "apartment": "apt",
    "suite": "ste",
    "number": "no",
    "nº": "no",
}
_NON_WORD = re.compile(r"[^a-z0-9 ]+")


def fold(text: object) -> str:
    """Lower case ASCII letters, digits and single spaces."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return " ".join(_NON_WORD.sub(" ", ascii_fold(str(text))).split())


#: ``i`` and a combining dot above (``İ`` casefolded, or keyed decomposed).
_DOT_ABOVE = re.compile("i\u0307")


#: Ukraine's national romanisation (Cabinet of Ministers resolution 55 of
#: 2010, the spelling of passports: Гнатюк Hnatiuk, Київ Kyiv): a letter's
#: Latin at a word's start, then elsewhere. anyascii spells Cyrillic the
#: Russian way (Г g, И i), so a Ukrainian client's Cyrillic names never met
#: their passport spelling (trial 26: 4 of 5 pairs unscored).
_UK_LATIN: dict[str, tuple[str, str]] = {
    "а": ("a", "a"), "б": ("b", "b"), "в": ("v", "v"), "г": ("h", "h"),
    "ґ": ("g", "g"), "д": ("d", "d"), "е": ("e", "e"), "є": ("ye", "ie"),
    "ж": ("zh", "zh"), "з": ("z", "z"), "и": ("y", "y"), "і": ("i", "i"),
    "ї": ("yi", "i"), "й": ("y", "i"), "к": ("k", "k"), "л": ("l", "l"),
    "м": ("m", "m"), "н": ("n", "n"), "о": ("o", "o"), "п": ("p", "p"),
    "р": ("r", "r"), "с": ("s", "s"), "т": ("t", "t"), "у": ("u", "u"),
    "ф": ("f", "f"), "х": ("kh", "kh"), "ц": ("ts", "ts"), "ч": ("ch", "ch"),
    "ш": ("sh", "sh"), "щ": ("shch", "shch"), "ь": ("", ""), "ю": ("yu", "iu"),
    "я": ("ya", "ia"), "'": ("", ""), "\u2019": ("", ""), "\u02bc": ("", ""),
}  # fmt: skip


def ukrainian_latin(text: str) -> str:
    """`text` with its Ukrainian Cyrillic in the national romanisation
    (``зг`` as ``zgh``, so that it is not read as ``zh``); other text as it
    was. Example: ``ukrainian_latin("Гнатюк") == "hnatiuk"``"""
    out: list[str] = []
    at_start = True
    lowered = text.casefold()
    for n, char in enumerate(lowered):
        spelled = _UK_LATIN.get(char)
        if spelled is None:
            out.append(char)
            at_start = not char.isalpha()
            continue
        latin = spelled[0] if at_start else spelled[1]
        if char == "г" and n and lowered[n - 1] == "з":
            latin = "gh"
        out.append(latin)
        at_start = False
    return "".join(out)


def _names_folder(language: str | None) -> Any:
    """How a client's names are folded: in Ukraine's own romanisation for a
    Ukrainian desk, else `fold` (anyascii)."""
    if language == "uk":
        return lambda text: fold(
            ukrainian_latin(str(text)) if isinstance(text, str) else text
        )
    return fold


def _surnames(names: Any, language: str | None) -> Any:
    """How last names are folded: a Hangul surname as Koreans spell it
    (김 ``kim``, where anyascii writes ``gim``; `claimflow.hangul`), and on
    a Korean desk each passport spelling of one as its most usual (``Yi``,
    ``Rhee`` -> ``lee``), so 이 meets every one of them. Elsewhere a Latin
    ``Yu`` or ``An`` may be Chinese or Vietnamese, and stays as written."""

    def fold_last(text: object) -> str:
        if isinstance(text, str) and is_hangul(text) and text.strip() in SURNAMES:
            return SURNAMES[text.strip()][0]
        folded: str = names(text)
        if language == "ko" and folded in SURNAME_OF:
            return SURNAMES[SURNAME_OF[folded]][0]
        return folded

    return fold_last


def _given_names(names: Any, language: str | None) -> Any:
    """How first names are folded: on a Korean desk with the syllables
    joined (``Min-jun``, ``Min Jun`` -> ``minjun``, as 민준 folds), since a
    Korean given name is one word however it is spelled."""
    if language != "ko":
        return names
    return lambda text: str(names(text)).replace(" ", "")


def _email(text: object) -> str:
    """``Siti.R+promo@Mail.Example`` -> ``siti.r@mail.example``.

    Folded so that a Turkish keyboard's capitals meet the lower case:
    ``casefold`` makes ``İ`` (I with a dot) ``i`` and a combining dot above
    (U+0307), so ``İSİK.DEMİR@FİRMA.COM.TR`` never met
    ``isik.demir@firma.com.tr``. NFKC first (full-width ``＠``, ligatures),
    then ``İ`` -> ``i``, and a dot above dropped after an ``i``.
    """
    value = unicodedata.normalize("NFKC", str(text or "").strip())
    if not value.isascii():
        value = _DOT_ABOVE.sub("i", value.replace("\u0130", "i").casefold())
    value = value.casefold()
    if value == "nan" or "@" not in value:
        return ""
    local, _, domain = value.rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


#: What ``\D`` and ``\W`` remove from ASCII text, for ``str.translate`` (faster
#: than the regular expression, which still takes any other text).
_ASCII_NOT_DIGIT = {c: None for c in range(128) if not chr(c).isdigit()}
_ASCII_NOT_WORD = {c: None for c in range(128) if not re.match(r"\w", chr(c))}
_NOT_DIGIT = re.compile(r"\D")
_NOT_WORD = re.compile(r"\W")


def _phone(text: object) -> str:
    """The last nine digits, any script's digits as ASCII (``٠٥٠...``)."""
    value = ascii_digits(str(text or ""))
    digits = (
        value.translate(_ASCII_NOT_DIGIT)
        if value.isascii()
        else _NOT_DIGIT.sub("", value)
    )
    return digits[-9:] if len(digits) >= 7 else ""


def _address(text: str) -> str:
    return " ".join(_STREET.get(w, w) for w in fold(text).split())


def _addresses() -> Any:
    """`_address`, folding each space-separated piece once per call of `prepare`.

    Folding goes character by character (case, transliteration, punctuation),
    so an address folds to its pieces folded and joined; pieces (street
    names, towns, numbers) repeat far more than whole addresses, and the
    transliteration of accented text is slow.
    """
    pieces: dict[str, str] = {}

    def address(text: object) -> str:
        if not isinstance(text, str):
            return _address(text)  # type: ignore[arg-type]
        words = []
        for piece in text.split(" "):
            folded = pieces.get(piece)
            if folded is None:
                folded = pieces[piece] = _address(piece)
            if folded:
                words.append(folded)
        return " ".join(words)

    return address


#: The first all-digit word of a normalised address (letters, digits, spaces).
_HOUSE = re.compile(r"(?<![a-z0-9])[0-9]+(?![a-z0-9])")


def _house(address: str) -> int:
    """The house number of a normalised address (its first all-digit word); -1: none."""
    first = address.partition(" ")[0]
    if first.isdigit():  # where the number mostly is: no search needed
        return int(first[:15])
    number = _HOUSE.search(address)
    return int(number.group()[:15]) if number else -1


def house_numbers(addresses: pd.Series) -> np.ndarray:
    """`_house` of every address, as integers (no string per row is kept)."""
    codes, uniques = pd.factorize(addresses, use_na_sentinel=False)
    per_unique = np.array([_house(u) for u in uniques.tolist()], dtype=np.int64)
    numbers: np.ndarray = per_unique[codes]
    return numbers


_ISO_DATE = re.compile(r"(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})")


_DAY_MONTH_YEAR = re.compile(r"\d{1,2}[./\-]\d{1,2}[./\-]\d{4}")


def _dob(text: object, order: DateOrder | None = None) -> str:
    """A birth date as ``YYYY-MM-DD``.

    Year-first text (``1956-04-09``, ``19560409``) is read always; ``09/04/1956``
    only in the date order given (the client's), never guessed. The digits
    of a year-first date are kept even when they make no calendar date,
    since a keying slip in a birth date is still evidence.

    Its text is read as a claim's dates are (`claimflow.values.date_text`):
    ``١٩٩٠-٠٧-٠١`` (Arabic-Indic digits) is ``1990-07-01``, full-width
    digits and direction marks too; a mark between digits leaves no date.
    """
    value, refused = date_text(str(text or "").strip())
    if refused is not None:
        return ""
    match = _ISO_DATE.fullmatch(value[:10]) or _ISO_DATE.fullmatch(value)
    if match:
        return "-".join(match.groups())
    if order in ("DMY", "MDY") and _DAY_MONTH_YEAR.fullmatch(value):
        parsed = parse_date(value, order)
        if isinstance(parsed, date):
            return parsed.isoformat()
    return ""


def _code(value: object) -> str:
    """An identifier with spaces and punctuation removed, upper case."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    if text.isascii():
        return text.translate(_ASCII_NOT_WORD).upper()
    return _NOT_WORD.sub("", ascii_digits(text)).upper()


def _phonetic(name: str) -> str:
    return jellyfish.metaphone(name)[:4] if name else ""


def per_unique(values: pd.Series, fn: Any) -> pd.Series:
    """`fn` applied once per distinct value (names and dates repeat a lot), shared."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    # tolist(): one conversion, not an element at a time (Arrow-backed strings,
    # pandas' default when pyarrow is installed, iterate slowly).
    mapped = np.array([fn(u) for u in uniques.tolist()], dtype=object)
    # Plain Python strings (object), not pandas' Arrow-backed default: the
    # columns are read element-wise later, which Arrow makes slow.
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def prepare(
    people: pd.DataFrame,
    date_order: DateOrder | None = None,
    language: str | None = None,
) -> pd.DataFrame:
    """Normalised comparison columns for every record (input is not changed).

    Example: ``prepare(pd.read_csv("people.csv", dtype=str))``
    """
    empty = pd.Series([""] * len(people), index=people.index, dtype=object)

    def column(name: str) -> pd.Series:
        # The input's column, or an empty one: no copy of the whole frame.
        return people[name] if name in people.columns else empty

    out = pd.DataFrame(index=people.index)
    # a member number's digits of any script as 0-9, as the member list and
    # the claims read it (`Participant`): ۱۰۰۲۰۰۳۰ is 10020030, so a pair
    # marked here is the pair `participants merge` is asked for
    out["id"] = per_unique(
        column("participant_id").astype(str), lambda i: ascii_digits(narrow(i))
    ).astype(object)
    # `language`: the client's (its locale's); names and cities in its own
    # romanisation where it has one (`_names_folder`)
    names = _names_folder(language)
    given, last = _given_names(names, language), _surnames(names, language)
    out["first"] = per_unique(
        column("first_name"), lambda n: NICKNAMES.get(given(n), given(n))
    )
    out["last"] = per_unique(column("last_name"), last)
    out["dob"] = per_unique(
        column("date_of_birth"), lambda text: _dob(text, date_order)
    )
    out["email"] = per_unique(column("email"), _email)
    out["phone"] = per_unique(column("phone"), _phone)
    out["tax"] = per_unique(column("tax_id"), _code)
    out["postcode"] = per_unique(column("postcode"), _code)
    out["city"] = per_unique(column("city"), names)
    line2 = column("address_line2")
    if "address_line2" in people.columns:
        address = (
            column("address_line1").fillna("").astype(str) + " " + line2.fillna("")
        )
    else:
        address = column("address_line1")
    out["address"] = per_unique(address, _addresses())
    out["pf"] = per_unique(out["first"], _phonetic)
    out["pl"] = per_unique(out["last"], _phonetic)
    return out


def read_prepared(
    path: Path,
    chunk_rows: int = 200_000,
    date_order: DateOrder | None = None,
    index: Mapping[str, str] | None = None,
    language: str | None = None,
    encoding: str | None = None,
    encoding_by: str = "the client",
) -> pd.DataFrame:
    """`prepare` over a CSV file of people, read and normalised chunk by chunk.

    The encoding (unless `encoding` is given, as `encoding_by` declared it),
    delimiter and header row are sniffed and the columns named through
    `index` (`claimflow.dedupe.peoplefile`).

    Raises:
        UnreadableInput: the file cannot be read as CSV, or has no
            ``participant_id`` column.
    """
    layout = people_csv(path, index, encoding, encoding_by, language)
    try:
        chunks = pd.read_csv(
            path,
            sep=layout.delimiter,
            skiprows=layout.skip,
            usecols=list(layout.columns),
            dtype=object,  # Python strings, whether or not pyarrow is installed
            keep_default_na=False,
            na_filter=False,  # no cell is missing, so none is checked for it
            encoding=layout.encoding,
            chunksize=chunk_rows,
        )
        prepared, before = [], 0
        for chunk in chunks:
            refuse_total_row(path, layout, chunk, before)
            before += len(chunk)
            prepared.append(
                prepare(chunk.rename(columns=layout.columns), date_order, language)
            )
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UnreadableInput(
            str(path), f"not a readable people file ({exc})"
        ) from None
    if not prepared:
        return prepare(pd.DataFrame({"participant_id": pd.Series([], dtype=object)}))
    return pd.concat(prepared, ignore_index=True)
