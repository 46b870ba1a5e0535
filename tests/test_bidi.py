"""Invisible direction marks (trial 25, a UAE client): what Babel writes for
ar_AE reads back as written, and a mark that could change it is refused by name.

The oracle is Babel: ``format_date(d, locale="ar_AE")`` (``13\\u200f/10\\u200f/2026``, with
right-to-left marks) and ``format_currency(x, "AED", locale="ar_AE")``
(``\\u200f1,234.56 د.إ.\\u200f``), which are also what the desk's notices print
(`claimflow.validate.notice_values.Formats`): claimflow reads what it prints.
"""

from __future__ import annotations

import gettext
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from claimflow import check
from claimflow.bidi import unmarked
from claimflow.codes import ReasonCode
from claimflow.numbers import NumberError, number_format
from claimflow.validate.notice_values import Formats
from claimflow.values import parse_date, parse_datetime
from tests.formats import NOW, client_for

RLM, LRM, ALM = "\u200f", "\u200e", "\u061c"
amounts = st.decimals(
    min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2
)
days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@given(day=days, amount=amounts)
def test_what_babel_and_the_notices_write_for_ar_ae_reads_back(
    day: date, amount: Decimal
) -> None:
    shown = Formats("ar_AE", "AED", gettext.NullTranslations())
    for written in (format_date(day, locale="ar_AE"), shown.day(day)):
        assert parse_date(written, "DMY") == day, written
    numbers = number_format("ar_AE")
    for written in (
        format_currency(amount, "AED", locale="ar_AE"),
        shown.money(amount),
    ):
        assert numbers.read(written, currency="AED") == amount, written


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u200f1,234.56\xa0د.إ.\u200f", Decimal("1234.56")),
        ("د.إ.\u200f 1,234.56", Decimal("1234.56")),
        (f"{RLM}1,234.56{RLM}", Decimal("1234.56")),
        (f"{LRM}1234.56{LRM}", Decimal("1234.56")),
        (f"{RLM}({RLM}250.00){RLM}", Decimal("-250.00")),
        ("\u2067250.00\u2069", Decimal("250.00")),  # an isolate around it
        ("\u202b250.00\u202c", Decimal("250.00")),  # an embedding around it
        # a mark before, or after, a minus sign never swallows it
        (f"{RLM}-250.00", Decimal("-250.00")),
        (f"-{RLM}250.00", Decimal("-250.00")),
        (f"{ALM}-250", Decimal("-250")),
        (f"{LRM}{RLM}-250", Decimal("-250")),
        (f"{RLM}-1,234.56\xa0د.إ.{RLM}", Decimal("-1234.56")),
        (f"250.00{RLM}-", Decimal("-250.00")),
    ],
)
def test_marks_around_an_amount_are_dropped(text: str, expected: Decimal) -> None:
    assert number_format("ar_AE").read(text, currency="AED") == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        # between two digits: one number drawn as two runs, in either order
        ("12\u200f34.00", "'\\u200f' (RIGHT-TO-LEFT MARK) between two digits"),
        ("1,2\u200e34.00", "'\\u200e' (LEFT-TO-RIGHT MARK) between two digits"),
        ("\u202e1234.00", "'\\u202e' (RIGHT-TO-LEFT OVERRIDE) draws the digits"),
        # a sign without its last dot is no sign Babel writes: its letter is
        # named, not its dot taken for a second decimal point
        ("1,234.56 د.إ", "'د' (ARABIC LETTER DAL) is not a digit"),
        # another currency's sign stays refused
        ("\u200f5.00\xa0ر.س.\u200f", "'ر.س.' is SAR in ar_AE"),
    ],
)
def test_a_mark_that_could_change_the_amount_is_refused_by_name(
    text: str, why: str
) -> None:
    with pytest.raises(NumberError) as raised:
        number_format("ar_AE").read(text, currency="AED")
    assert why in str(raised.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13\u200f/10\u200f/2026", date(2026, 10, 13)),
        (f"{RLM}05/10/2026{RLM}", date(2026, 10, 5)),
        ("٠٥\u200f/١٠\u200f/٢٠٢٦", date(2026, 10, 5)),
        (
            "1\u200f3/10/2026",
            "expected a date as DD/MM/YYYY, found '1\\u200f3/10/2026' ('\\u200f' "
            "(RIGHT-TO-LEFT MARK) between two digits splits the number: write it "
            "without the mark)",
        ),
    ],
)
def test_marks_in_dates(text: str, expected: date | str) -> None:
    assert parse_date(text, "DMY") == expected


def test_marks_in_a_date_and_time() -> None:
    assert parse_datetime("13\u200f/10\u200f/2026 09:30", "DMY") == (
        date(2026, 10, 13),
        parse_datetime("13/10/2026 09:30", "DMY")[1],  # type: ignore[index]
    )


def test_unmarked_keeps_plain_text() -> None:
    assert unmarked("13/10/2026") == ("13/10/2026", None)
    assert unmarked("\u2066x\u2069") == ("x", None)


def test_a_claim_as_babel_writes_it_for_ar_ae_is_read(tmp_path: Path) -> None:
    """Trial 25: the invoice date ``13\\u200f/10\\u200f/2026`` and the amount
    ``\\u200f999.00 د.إ.\\u200f`` pended the claim (invalid_date, invalid_number)."""
    client = client_for("ar_AE", date_order="DMY", currency="AED")
    path = tmp_path / "claims.csv"
    path.write_text(
        "Claim ID,Rep ID,Invoice No,Invoice Date,Product Code,Qty,Unit Price,"
        "Line Amount\n"
        f"C-1,104233,INV-1,{format_date(date(2026, 10, 13), locale='ar_AE')},"
        f"DRL-200,1,{format_currency(Decimal('999'), 'AED', locale='ar_AE')},"
        f"{format_currency(Decimal('999'), 'AED', locale='ar_AE')}\n",
        encoding="utf-8",
    )
    result = check([path], client, received_at=NOW, workers=1)
    assert result.records == 1
    assert ReasonCode.INVALID_DATE not in result.reasons
    assert ReasonCode.INVALID_NUMBER not in result.reasons
