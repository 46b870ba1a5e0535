"""Amounts written with East Asian number units, read exactly or refused.

``123만원`` (1,230,000 KRW) and ``1억 2천만원`` (120,000,000 KRW) were refused
as "'만' (HANGUL SYLLABLE MAN) is not a digit or a mark of this format",
and ``15万`` as a kanji numeral, though Korean, Japanese and Chinese forms
write amounts so. They are read now, by the units' definition (만/万/萬
10^4, 억/億/亿 10^8, 조/兆 10^12, 천/千 1,000, 백/百 100, 십/十 10); what
people say one way and the rules read another (``1억 2천``, ``3천5``,
``1만5``) is refused, asking for digits. The oracles: the hand arithmetic
in each row, and for generated amounts the parts summed in the test.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from claimflow.codes import ReasonCode
from claimflow.numbers import NumberError, number_format
from tests.formats import client_for, decided

KOREAN = {12: "조", 8: "억", 4: "만"}
JAPANESE = {12: "兆", 8: "億", 4: "万"}
CHINESE = {12: "兆", 8: "亿", 4: "萬"}


@pytest.mark.parametrize(
    ("written", "locale", "currency", "expected"),
    [
        ("123만원", "ko_KR", "KRW", 123 * 10_000),  # 1,230,000
        ("123만 원", "ko_KR", "KRW", 1_230_000),
        ("₩123만", "ko_KR", "KRW", 1_230_000),
        ("１２３만원", "ko_KR", "KRW", 1_230_000),  # full-width digits
        ("1억 2천만원", "ko_KR", "KRW", 100_000_000 + 2_000 * 10_000),  # 120,000,000
        ("1억2천만원", "ko_KR", "KRW", 120_000_000),
        ("2천5백만원", "ko_KR", "KRW", 2_500 * 10_000),  # 25,000,000
        ("5천원", "ko_KR", "KRW", 5_000),
        ("1만 5천원", "ko_KR", "KRW", 10_000 + 5_000),
        ("1만 500원", "ko_KR", "KRW", 10_500),
        ("123만 4567원", "ko_KR", "KRW", 1_234_567),
        ("1.5만원", "ko_KR", "KRW", 15_000),  # 1.5 x 10,000
        ("1.5억", "ko_KR", "KRW", 150_000_000),
        ("12345만원", "ko_KR", "KRW", 123_450_000),
        # the comma groups digits before 만/万 at a Korean, Japanese or
        # Chinese desk (1,280만 is 1,280 x 10,000), as those desks write it
        ("1,280만원", "ko_KR", "KRW", 12_800_000),
        ("1억 2,000만원", "ko_KR", "KRW", 120_000_000),
        ("1,280万円", "ja_JP", "JPY", 12_800_000),
        ("1,280万", "zh_CN", None, 12_800_000),
        ("3조 2억", "ko_KR", "KRW", 3 * 10**12 + 2 * 10**8),
        ("-123만원", "ko_KR", "KRW", -1_230_000),
        ("15万円", "ja_JP", "JPY", 150_000),
        ("１５万", "ja_JP", "JPY", 150_000),
        ("1億2000万円", "ja_JP", "JPY", 120_000_000),
        ("3千円", "ja_JP", "JPY", 3_000),
        ("123萬", "zh_TW", None, 1_230_000),
        ("2亿5千万", "zh_CN", None, 2 * 10**8 + 5_000 * 10_000),  # 250,000,000
        ("1.23456万", "en_US", "USD", Decimal("12345.6")),
    ],
)
def test_units_read_as_hand_arithmetic_says(
    written: str, locale: str, currency: str | None, expected: int | Decimal
) -> None:
    assert number_format(locale).read(written, currency=currency) == expected


@pytest.mark.parametrize(
    ("written", "why"),
    [
        # spoken Korean drops a unit: 1억 2천 is said for 120,000,000 but is
        # 100,002,000 by the rules; 3천5 is said for 3,500 (3,005 by rule)
        ("1억 2천", "'1억 2천' skips a unit after '억': 100,002,000 by the units, 120,000,000 as it is often said; write the amount in digits"),
        ("1억 5000", "100,005,000 by the units, 150,000,000 as it is often said"),
        ("3천5", "digits '5' after '천': write each place with its unit"),
        ("1만5", "'1만5' has one digit after '만': 10,005 by the units, 15,000 as it is often said"),
        ("천만원", "'천' has no digits before it: write 1천, or the amount in digits"),
        ("만원", "'만' has no digits before it: write the amount in digits"),
        ("삼만원", "'삼' is a Korean numeral: write the number in digits"),
        ("12천원", "'12' before '천': one digit 1-9 goes before '천'"),
        # a point before 만: 1.280 x 10,000 = 12,800, or 1,280만 keyed with
        # a decimal-comma habit?
        ("1.280만원", "ambiguous: 1280 where '.' groups digits"),
        ("12,34만", "digit grouping in the wrong places"),
        ("1억 12000만", "12000 before '만' is not below ten thousand"),
        ("5만 1억", "'억' after '만': units in falling order"),
        ("5백 3천", "'천' after '백': units in falling order"),
        ("0만", "0 before '만'"),
        ("1.5억 2천만", "a fraction (1.5) in an amount of several parts"),
        ("1.23456만원", "KRW has no decimals (1.23456만 is 12345.6)"),
    ],
)  # fmt: skip
def test_what_reads_two_ways_is_refused_asking_for_digits(written: str, why: str) -> None:
    with pytest.raises(NumberError) as caught:
        number_format("ko_KR").read(written, currency="KRW")
    message = str(caught.value)
    assert message.startswith(f"expected an amount like 1,234,567, found {written!r} (")
    assert why in message


@pytest.mark.parametrize("locale", ["en_US", "de_DE", "fr_FR"])
def test_a_comma_before_a_unit_stays_ambiguous_at_other_desks(locale: str) -> None:
    """``1,280万`` at a desk whose language does not write 万: 1,280 is as
    ambiguous as anywhere (12,800,000 or 12,800), refused."""
    with pytest.raises(NumberError, match="ambiguous: 1280 where ',' groups digits"):
        number_format(locale).read("1,280万")


def test_a_quantity_in_units_is_whole() -> None:
    assert number_format("ko_KR").read("3만", whole=True) == 30_000
    assert number_format("ko_KR").read("1.25만", whole=True) == 12_500
    with pytest.raises(NumberError, match=r"a fraction \(1\.00005만 is 10000\.5\)"):
        number_format("ko_KR").read("1.00005만", whole=True)


#: Myriad parts, highest first: the first any size up to 9,999,999, each
#: after it 1..9,999 in the next myriad down (no unit skipped).
parts = st.integers(1, 3).flatmap(
    lambda n: st.tuples(
        st.integers(1, 9_999_999),
        st.lists(st.integers(1, 9_999), min_size=n - 1, max_size=n - 1),
        st.integers(0, 3 - n),  # how many myriads below the last part
        st.sampled_from([KOREAN, JAPANESE, CHINESE]),
        st.booleans(),
        st.booleans(),
    )
)


@given(drawn=parts)
def test_generated_unit_amounts_are_their_parts_summed(
    drawn: tuple[int, list[int], int, dict[int, str], bool, bool],
) -> None:
    """``{a}억 {b}만 {c}``: the test sums a x 10^8 + b x 10^4 + c itself; the
    first part's digits plain or as Babel writes them in ko_KR (``1,280만``)."""
    first, rest, lowest, units, spaced, babel = drawn
    values = [first, *rest]
    powers = [4 * (lowest + len(values) - 1 - i) for i in range(len(values))]
    expected = sum(v * 10**p for v, p in zip(values, powers, strict=True))
    pieces = []
    for n, (value, power) in enumerate(zip(values, powers, strict=True)):
        if power:
            digits = format_decimal(value, locale="ko_KR") if babel and not n else value
            pieces.append(f"{digits}{units[power]}")
        else:  # the ones: four digits, so that 1만5 (said 15,000) never arises
            pieces.append(f"{value:04d}")
    written = (" " if spaced else "").join(pieces)
    if powers[-1] == 0 and len(values) == 1:
        return  # no unit at all: the plain reader's, tested elsewhere
    assert number_format("ko_KR").read(written + "원", currency="KRW") == expected
    assert number_format("ja_JP").read(written, currency="JPY") == expected


@given(thousands=st.integers(1, 9), hundreds=st.integers(0, 9), tens=st.integers(0, 9))
def test_generated_small_units_within_a_myriad(
    thousands: int, hundreds: int, tens: int
) -> None:
    """``2천5백3십만``: each digit with its unit, times ten thousand."""
    written = f"{thousands}천"
    written += f"{hundreds}백" if hundreds else ""
    written += f"{tens}십" if tens else ""
    expected = (thousands * 1000 + hundreds * 100 + tens * 10) * 10_000
    assert number_format("ko_KR").read(written + "만원", currency="KRW") == expected


def test_a_korean_claim_reads_its_amounts_and_keeps_its_names_and_codes(
    tmp_path: Path,
) -> None:
    """A ko_KR claim in KRW: ``123만원`` x 2 = ``246만원`` is 1,230,000 and
    2,460,000; the invoice ``천안-만01`` and the rep's name keep their 천 and
    만 (only amounts and quantities are read as numbers)."""
    path = tmp_path / "claims.csv"
    path.write_text(
        "Claim ID,Rep ID,Rep Name,Invoice No,Invoice Date,Product Code,Qty,"
        "Unit Price,Line Amount\n"
        "F-1,104233,김만수,천안-만01,2026-10-02,DRL-200,2,123만원,246만 원\n",
        encoding="utf-8",
    )
    client = client_for("ko_KR", currency="KRW")
    [(claim, decision)] = decided([path], client)
    assert not {p.code for p in decision.problems} & {ReasonCode.INVALID_NUMBER}
    [line] = claim.lines  # type: ignore[union-attr]
    assert (line.quantity, line.unit_price, line.line_total) == (
        2,
        Decimal(1_230_000),
        Decimal(2_460_000),
    )
    assert claim.invoice_number == "천안-만01"  # type: ignore[union-attr]
