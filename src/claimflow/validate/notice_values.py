"""What a notice quotes back to a participant, and how it shows it.

Contract: `found(code, field, message, claim)` takes one problem of a claim
and returns the value the participant keyed that the problem is about (a
date, an amount, or text as keyed), or None when there is nothing of theirs
to quote; `Formats` shows dates, amounts and points in the client's locale.

Privacy: a value is quoted only when it is the participant's own. Messages
are written for the desk and may name other records (``2 candidates:
NF-000310 (2026-10-20), ...``, ``claimed before on claim A1``); only a
single keyed value right after ``, found`` is read from them, and an
invoice, serial, confirmation or folio number is shown only as it stands in
the participant's own claim (never as normalised for matching, and never
when their claim does not hold it).
"""

from __future__ import annotations

import ast
import gettext
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from babel.dates import format_date

from claimflow import shown
from claimflow.codes import ReasonCode
from claimflow.keys import normalize_key
from claimflow.models import Claim, Provenance, SalesClaim
from claimflow.validate.notice_dates import notice_locale
from claimflow.validate.notice_i18n import phrases

# A value quoted in a message after ", found ": a Python string literal
# (``'23/10/2026'``), an ISO date or a plain number, ending the message or
# followed by a comment. Anything else (``2 candidates: ...``, ``claim A1``,
# ``it claimed by 104233``) is not a value the participant keyed.
_FOUND = re.compile(
    r""", found (?:(?P<text>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
    r"""|(?P<day>\d{4}-\d{2}-\d{2})|(?P<number>-?\d+(?:\.\d+)?(?=$| \(|, |;)))"""
    r"""(?=$| \(|,|;)"""
)
#: Fields of a claim line (the rest are the claim's own).
_LINE_FIELDS = frozenset({"quantity", "unit_price", "line_total", "sku"})
# The earlier claim an in-batch duplicate's message names
# (`claimflow.validate.batch.earlier_claim`), then where it stands.
_EARLIER = re.compile(
    r" already claimed (?:on claim (?P<reference>.+?) )?"
    r"\((?:participant (?P<participant>.*?), )?received (?P<day>\d{4}-\d{2}-\d{2})\)"
    r" at (?P<file>.+?):(?:sheet |page |row )"
)
#: The codes of a claim repeating an earlier one of the same batch.
IN_BATCH = frozenset(
    {
        ReasonCode.DUPLICATE_SERIAL_IN_BATCH,
        ReasonCode.DUPLICATE_INVOICE_LINE_IN_BATCH,
        ReasonCode.DUPLICATE_STAY_IN_BATCH,
    }
)
#: Keys the participant quotes: shown as in their own claim, never normalised.
IDENTIFIERS = frozenset(
    {"serial_numbers", "invoice_number", "confirmation_number", "folio_number"}
)
#: Codes whose "found" is a count or other records' values, not a keyed one.
_NOT_QUOTED = frozenset({ReasonCode.SERIAL_COUNT_MISMATCH, ReasonCode.SOURCE_AMBIGUOUS})
#: Fields shown as money in the program's currency.
MONEY_FIELDS = frozenset(
    {
        "claim_total",
        "unit_price",
        "line_total",
        "qualifying_revenue",
        "taxes",
        "fees",
        "incidentals",
    }
)


def found(
    code: ReasonCode,
    field: str | None,
    message: str,
    claim: Claim,
    line: int | None = None,
) -> Any:
    """The value the participant keyed that a problem is about, or None.

    A number is the claim's own typed value where it holds one (a message
    writes it in the client's locale, ``found 1.234,56 €``), else the plain
    number the message quotes.

    Args:
        code: the problem's reason code.
        field: the problem's field.
        message: the problem's message (``expected ..., found ...``).
        claim: the participant's claim.
        line: the claim line (1-based) the problem is about, if any.

    Returns:
        A `date`, a `Decimal`, the text as keyed, or None.

    Example: ``found(code, "invoice_date", "expected a date, found '23/10'", c) == "23/10"``
    """
    if code in _NOT_QUOTED:
        return None
    if field in MONEY_FIELDS or field == "quantity":
        own = _typed(claim, field, line)
        if own is not None and ", found " in message:
            return own
    match = _FOUND.search(message)
    if match is None:
        return None
    if match["day"]:
        try:
            return date.fromisoformat(match["day"])
        except ValueError:
            return None
    if match["number"]:
        try:
            return Decimal(match["number"])
        except InvalidOperation:  # pragma: no cover - the pattern is a number
            return None
    text = str(ast.literal_eval(match["text"]))
    if field in IDENTIFIERS:
        return as_keyed(claim, field, text)
    return text


def _typed(claim: Claim, field: str, line: int | None) -> Any:
    """The typed value of `field` on the claim (or its line `line`), if any."""
    if field in _LINE_FIELDS:
        lines = getattr(claim, "lines", ())
        index = (line or 1) - 1
        if not 0 <= index < len(lines) or (line is None and len(lines) != 1):
            return None
        return getattr(lines[index], field, None)
    return getattr(claim, field, None)


def earlier_in_batch(
    message: str,
) -> tuple[str | None, str | None, date, str] | None:
    """The earlier claim an in-batch duplicate's message names: its reference
    and participant (if known), the day it was received and its file's name.

    Example: ``earlier_in_batch("'S1' already claimed on claim A1 (participant
    7, received 2026-10-20) at in/a.csv:row 2:Serials") == ("A1", "7",
    date(2026, 10, 20), "a.csv")``
    """
    match = _EARLIER.search(message)
    if match is None:
        return None
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:  # pragma: no cover - the pattern is an ISO day
        return None
    file = re.split(r"[\\/]", match["file"])[-1]
    return match["reference"], match["participant"], day, file


def as_keyed(claim: Claim, field: str | None, value: str) -> str | None:
    """`value` as the participant wrote it in their own claim, or None when
    their claim holds no such value (then it is not theirs to be shown).

    Example: ``as_keyed(claim, "serial_numbers", "DR10000017") == "dr-1000-0017"``
    """
    if field == "serial_numbers" and isinstance(claim, SalesClaim):
        keyed = [s for line in claim.lines for s in line.serial_numbers]
    else:
        own = getattr(claim, field or "", None)
        keyed = [own] if isinstance(own, str) else []
    wanted = normalize_key(value)
    return next((k for k in keyed if normalize_key(k) == wanted), None)


class Formats:
    """Dates and amounts formatted for a locale, each distinct value once.

    Amounts are written as the desk's locale writes them; dates in the
    notice's language (`notice_locale`: an English notice at an ar_EG desk
    dated itself ``20 أكتوبر 2026``). Babel looks its locale
    data up on every call (~60 µs an amount); a batch's notices repeat a few
    hundred dates and prices (amounts are cached by `claimflow.shown`).
    """

    def __init__(
        self,
        locale: str,
        currency: str,
        words: gettext.NullTranslations,
        language: str | None = None,
    ) -> None:
        self.locale, self.currency, self.words = locale, currency, words
        self.language = language
        #: the locale dates are written in (the desk's, in its language)
        self.date_locale = notice_locale(language, locale) if language else locale
        self.dates: dict[date, str] = {}

    def day(self, value: date) -> str:
        """A date in the medium format (``20 oct 2026``)."""
        shown = self.dates.get(value)
        if shown is None:
            shown = format_date(value, "medium", locale=self.date_locale)
            self.dates[value] = shown
        return shown

    def long_day(self, value: date) -> str:
        """A date in the long format, as a letter is dated (``20 October 2026``)."""
        return format_date(value, "long", locale=self.date_locale)

    def minor_unit(self, words: dict[str, Any]) -> str:
        """The hundredth of the program's currency in the notice's language
        (``minor_units`` of ``phrases.<lang>.yaml``, by currency, else its
        ``default``): es ARS ``centavo``, es EUR ``céntimo``, pt BRL
        ``centavo``, pt EUR ``cêntimo``; CLDR names no minor units. A
        client's own phrases without the table use the bundled one.

        Example: ``formats.minor_unit(phrases(None, "es")) == "centavo"`` (ARS)
        """
        units: dict[str, str] = words.get("minor_units", {})
        if not units and self.language:
            try:
                units = phrases(None, self.language).get("minor_units", {})
            except FileNotFoundError:  # a language only the client's folder has
                units = {}
        return units.get(self.currency.upper(), units.get("default", ""))

    def number(self, value: int | Decimal) -> str:
        """A number with the locale's separators, all its digits kept."""
        return shown.number(value, self.locale)

    def money(self, value: Decimal) -> str:
        """An amount in the program's currency (``1.234,50 €``)."""
        return shown.money(value, self.currency, self.locale)

    def found(self, value: Any, field: str | None) -> str | None:
        """A value the participant keyed, shown in the locale (text as keyed)."""
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, date):
            return self.day(value)
        if field in MONEY_FIELDS:
            return self.money(value)
        return self.number(value)

    def slip(self, keyed: str, kind: str, words: dict[str, Any]) -> dict[str, Any]:
        """The ask of a claim compared with a record a keying slip away: to
        check its invoice (or confirmation) number, quoting the number as
        the participant keyed it, never the record's (``keying_slip``)."""
        field = "invoice_number" if kind == "sales" else "confirmation_number"
        label, phrase = words["fields"].get(field), words["keying_slip"]
        return {
            "field": label if isinstance(label, str) or label is None else label[kind],
            "instruction": phrase if isinstance(phrase, str) else phrase[kind],
            "found": keyed,
            "earlier": None,
        }

    def place(self, source: Provenance | None) -> str:
        """Where a claim without a reference came from, in the notice's
        language (``on row 5 of file claims.csv``): the file's name only,
        never its folder.

        Example: ``Formats("pt_BR", "BRL", translations("pt")).place(source)
        == "da linha 5 do arquivo claims.csv"``
        """
        if source is None:  # pragma: no cover - a claim always has a source
            return "-"
        values: dict[str, Any] = {
            "file": PurePath(source.file).name,
            "row": source.row,
            "sheet": source.sheet,
            "page": source.page,
        }
        words = self.words
        if source.row is not None and source.sheet is not None:
            text = words.gettext("on row %(row)s of sheet %(sheet)s in file %(file)s")
        elif source.row is not None:
            text = words.gettext("on row %(row)s of file %(file)s")
        elif source.page is not None:
            text = words.gettext("on page %(page)s of file %(file)s")
        else:
            text = words.gettext("in file %(file)s")
        return text % values

    def earlier(
        self, on: date | None, reference: str | None, file: str | None = None
    ) -> str | None:
        """The sentence naming the claim a duplicate repeats, if one is known:
        by its reference (and the file it came in) when it was the
        participant's own, else by its day."""
        if on is None:
            return None
        day = self.day(on)
        if reference and file:
            return self.words.gettext(
                "You claimed it before in claim %(reference)s, received on "
                "%(day)s in file %(file)s."
            ) % {"reference": reference, "day": day, "file": file}
        if file:
            return self.words.gettext(
                "You claimed it before in a claim received on %(day)s in file "
                "%(file)s."
            ) % {"day": day, "file": file}
        return self.words.gettext(
            "It was claimed before, on %(day)s, under another account."
        ) % {"day": day}
