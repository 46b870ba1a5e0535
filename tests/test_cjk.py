"""Full-width digits and Japanese written dates: read exactly, or refused saying why.

Trial 20 (a Japanese client's files): ``１２３``, ``￥１５９，８００``,
``１５９，８００円`` and ``2026年11月3日`` were refused as "not a number in this
format" or as a date not written YYYY-MM-DD, without saying which character
was the trouble. The oracles: Unicode's own compatibility mapping (NFKC) for
what a full-width character stands for, and Babel writing amounts and dates
the way ``ja`` writes them (CLDR), made full width with ``str.translate``.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from claimflow import check
from claimflow.cjk import narrow
from claimflow.codes import ReasonCode
from claimflow.numbers import NumberError, number_format, read_number, read_percent
from claimflow.values import era_year, parse_date, parse_datetime
from tests.formats import (
    NOW,
    SaleForm,
    babel_number,
    client_for,
    decided,
    write_csv,
    write_jsonl,
    write_pdf,
    write_xlsx,
)

# forms: the Babel-written sale forms of the number tests, in every format
from tests.test_numbers import forms

#: ASCII digits and marks -> full width, as a Japanese input method keys them.
WIDE = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789,.-+()'/:"})
yen_amounts = st.integers(0, 10**12).map(Decimal)
ORDERS = ["DMY", "MDY", "YMD"]


def wide(text: str, mask: list[bool] | None = None) -> str:
    """`text` with its ASCII digits and marks full width (where `mask` says)."""
    if mask is None:
        return text.translate(WIDE)
    return "".join(
        c.translate(WIDE) if mask[i % len(mask)] else c for i, c in enumerate(text)
    )


def test_narrowing_is_nfkc_on_the_full_width_block_and_nothing_else() -> None:
    for code in range(0xFF01, 0xFF5F):
        char = chr(code)
        assert narrow(char) == unicodedata.normalize("NFKC", char), hex(code)
    # NFKC would change these: they keep their meaning, and stay refused
    for char in "²½①⁵٣\u3000":
        assert narrow(char) == char


@given(amount=yen_amounts, mask=st.lists(st.booleans(), min_size=1, max_size=8))
def test_yen_babel_writes_read_back_at_any_width(amount: Decimal, mask: list[bool]) -> None:
    """Babel's ja_JP amounts (``￥159,800``, ``159,800``), also ending in 円,
    made full width in whole or in part (``1２3``): each character is one
    digit or mark whatever its width, so the reading is exact."""
    yen = number_format("ja_JP")
    plain = format_decimal(amount, locale="ja_JP")
    for written in (format_currency(amount, "JPY", locale="ja_JP"), f"{plain}円"):
        assert yen.read(wide(written), currency="JPY") == amount, wide(written)
        assert yen.read(wide(written, mask), currency="JPY") == amount
    if amount < 1000 or amount >= 1_000_000:  # 1,000 to 999,999: ambiguous (count)
        assert read_number(wide(plain, mask), "ja_JP", whole=True) == amount


@pytest.mark.parametrize("locale", ["ja_JP", "en_US", "de_DE", "de_CH", "hi_IN", "C"])
@given(amount=st.decimals(min_value=-(10**9), max_value=10**9, places=2))
def test_a_full_width_mark_is_the_locales_own_mark(locale: str, amount: Decimal) -> None:
    """``，`` is the same mark as ``,`` for the locale's reading: a decimal
    comma in de_DE, a group in ja_JP, a lakh group in hi_IN."""
    written = str(amount) if locale == "C" else babel_number(amount, locale)
    assert read_number(wide(written), locale) == amount


@pytest.mark.parametrize(
    ("text", "locale", "why"),
    [
        # the locale's rules still apply at full width
        ("１，０００", "ja_JP", "ambiguous: 1000 where ',' groups digits"),
        ("１２３．５", "de_DE", "'.' groups digits in de_DE; decimals follow ','"),
        # what cannot be read is named
        ("一万", "ja_JP", "'一' is a kanji numeral: write the number in digits"),
        ("百二十", "ja_JP", "'百' has no digits before it"),  # １５万 is read: test_myriads
        ("159、800", "ja_JP", "'、' (IDEOGRAPHIC COMMA): a list comma, not a digit group mark"),
        ("１２３。５", "ja_JP", "'。' (IDEOGRAPHIC FULL STOP): a sentence's full stop, not a decimal point"),
        ("159\u3000800", "ja_JP", "'\\u3000' (IDEOGRAPHIC SPACE): a space, not a digit group mark"),
        ("١٢3", "ja_JP", "digits of two scripts ('١' and '3')"),
        ("①", "ja_JP", "'①' (CIRCLED DIGIT ONE) is not a digit or a mark of this format"),
        ("1½", "en_US", "'½' (VULGAR FRACTION ONE HALF) is not a digit or a mark of this format"),
    ],
)  # fmt: skip
def test_what_stays_refused_says_why(text: str, locale: str, why: str) -> None:
    with pytest.raises(NumberError) as caught:
        read_number(text, locale)
    assert why in str(caught.value)
    assert f"found {text!r}" in str(caught.value)  # quoted as written, not narrowed


def test_a_full_width_percent() -> None:
    assert read_percent("０．５％") == Decimal("0.005")


@given(day=st.dates(min_value=date(1000, 1, 1)), order=st.sampled_from(ORDERS))
def test_babel_written_japanese_dates_read_back(day: date, order: str) -> None:
    """``2026年11月3日`` (long), with its weekday (full), at any width, and
    Babel's short ``2026/11/03``, in any client order: the parts are labelled."""
    long = format_date(day, "long", locale="ja")
    full = format_date(day, "full", locale="ja")
    short = format_date(day, "short", locale="ja")
    if era_year(day.year) is not None:  # a Buddhist Era or Solar Hijri year?
        era = "Buddhist Era" if day.year >= 2400 else "Hijri year, Lunar or Solar"
        for written in (long, wide(long), full, wide(full), wide(short)):
            found = parse_date(written, order)  # type: ignore[arg-type]
            assert isinstance(found, str) and era in found, written
        return
    for written in (long, wide(long), full, wide(full), wide(short)):
        assert parse_date(written, order) == day, written  # type: ignore[arg-type]
    at_nine = parse_datetime(f"{wide(long)} ０９：３０", order)  # type: ignore[arg-type]
    assert isinstance(at_nine, tuple) and at_nine[0] == day


@given(day=st.dates(min_value=date(1000, 1, 1)), shift=st.integers(1, 6))
def test_a_weekday_that_is_not_the_dates_own_is_refused(day: date, shift: int) -> None:
    own = "月火水木金土日"[day.weekday()]
    other = "月火水木金土日"[(day.weekday() + shift) % 7]
    written = format_date(day, "long", locale="ja") + f"({other})"
    assert parse_date(written, "YMD") == (
        f"expected a date as YYYY年M月D日, found {written!r} "
        f"({day.isoformat()} is a {own}曜日 ({day:%A}), not a {other}曜日)"
    )


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("令和8年11月3日", "令和8年 is a Japanese era year: the desk reads Gregorian years"),
        ("平成 元年 5月1日", "平成元年 is a Japanese era year: the desk reads Gregorian years"),
        ("㋿８年１１月３日", "㋿8年 is a Japanese era year: the desk reads Gregorian years"),
        ("26年11月3日", "a two-digit year: its century would be a guess"),
        ("２０２６年２月３０日", "no such day: February has 28"),
    ],
)  # fmt: skip
def test_japanese_dates_refused_say_why(text: str, why: str) -> None:
    assert parse_date(text, "DMY") == (
        f"expected a date as YYYY年M月D日, found {text!r} ({why})"
    )




def japanese_cell(field: str, value: object) -> object:
    """What a Japanese clerk keys: Babel's ja_JP numbers and long dates, full width."""
    if field in ("quantity", "price", "total"):
        return wide(babel_number(value, "ja_JP"))  # type: ignore[arg-type]
    if isinstance(value, date):
        return wide(format_date(value, "long", locale="ja"))
    return str(value)


@pytest.mark.slow
@hsettings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate],
)
@given(form=forms)
def test_every_format_reads_full_width_numbers_and_japanese_dates(
    form: SaleForm, tmp_path: Path
) -> None:
    client = client_for("ja_JP")
    paths = [
        write_csv(tmp_path / "claims.csv", [form], japanese_cell, ","),
        write_xlsx(tmp_path / "claims.xlsx", [form], japanese_cell),
        write_jsonl(tmp_path / "claims.jsonl", [form], japanese_cell),
        write_pdf(tmp_path / "claims.pdf", form, japanese_cell),
    ]
    results = decided(paths, client)
    assert len(results) == 4
    for claim, decision in results:
        # (the same form in four files: the later three repeat the first)
        assert not {p.code for p in decision.problems} & {
            ReasonCode.INVALID_NUMBER,
            ReasonCode.INVALID_DATE,
        }
        assert claim.invoice_date == form.day  # type: ignore[union-attr]
        assert [
            (x.sku, x.quantity, x.unit_price, x.line_total)
            for x in claim.lines  # type: ignore[union-attr]
        ] == [(x.sku, x.quantity, x.price, x.total) for x in form.lines]


def test_a_refusal_names_file_row_field_and_the_character(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(
        "Claim ID,Rep ID,Invoice No,Invoice Date,Product Code,Qty,Unit Price,Line Amount\n"
        "F-1,104233,INV-77,令和8年10月2日,DRL-200,２,１５万,３０万５\n",
        encoding="utf-8",
    )
    result = check([path], client_for("ja_JP"), received_at=NOW, workers=1)
    said = {
        (p.code, p.field, p.source.row, p.message)
        for p in result.problems
        if p.code in (ReasonCode.INVALID_NUMBER, ReasonCode.INVALID_DATE)
    }
    assert said == {
        (
            ReasonCode.INVALID_DATE,
            "invoice_date",
            2,
            "expected a date as YYYY年M月D日, found '令和8年10月2日' "
            "(令和8年 is a Japanese era year: the desk reads Gregorian years)",
        ),
        (  # １５万 is 150,000 (test_myriads); ３０万５ is 300,005 or 305,000
            ReasonCode.INVALID_NUMBER,
            "line_total",
            2,
            "expected an amount like 1,234.56, found '３０万５' "
            "('30万5' has one digit after '万': 300,005 by the units, 305,000 "
            "as it is often said; write the amount in digits)",
        ),
    }
