"""Numbers read exactly as each locale writes them, in every format, or refused.

The oracle is Babel: it formats a random amount or quantity the way a
locale writes it (CLDR data), the text goes into a CSV cell, an Excel text
cell, a JSON string and a PDF form field, and claimflow must read back the
very number. Python's csv, openpyxl and pypdf read the same containers to
show the text arrived there as written.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from babel import Locale
from babel.numbers import format_currency, format_decimal
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from claimflow import check
from claimflow.codes import ReasonCode
from claimflow.numbers import NumberError, number_format, read_number, read_percent
from tests.formats import (
    NOW,
    Line,
    SaleForm,
    ambiguous,
    babel_number,
    client_for,
    decided,
    pdf_fields,
    text_cell,
    write_csv,
    write_jsonl,
    write_pdf,
    write_xlsx,
)

#: Twelve locales: point and comma decimals, dot, space, apostrophe and
#: comma grouping, and lakh grouping (hi_IN).
LOCALES = [
    "en_US", "en_GB", "de_DE", "de_CH", "fr_FR", "es_ES",
    "it_IT", "nl_NL", "pt_BR", "id_ID", "hi_IN", "ja_JP",
]  # fmt: skip
CURRENCY = {
    "en_US": "USD", "en_GB": "GBP", "de_DE": "EUR", "de_CH": "CHF", "fr_FR": "EUR",
    "es_ES": "EUR", "it_IT": "EUR", "nl_NL": "EUR", "pt_BR": "BRL", "id_ID": "IDR",
    "hi_IN": "INR", "ja_JP": "JPY",
}  # fmt: skip

amounts = st.decimals(
    min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2
)


@pytest.mark.parametrize("locale", LOCALES)
@given(amount=amounts, quantity=st.integers(0, 10**9), money=st.booleans())
def test_babel_written_numbers_read_back_equal(
    locale: str, amount: Decimal, quantity: int, money: bool
) -> None:
    written = babel_number(amount, locale)
    if money and "'" in written:  # Babel's grouping fault there (babel_number)
        written = f"{CURRENCY[locale]}\u00a0{written}"
    elif money:
        written = format_currency(
            amount, CURRENCY[locale], locale=locale, currency_digits=False
        )
    assert read_number(written, locale) == amount
    count = babel_number(quantity, locale)
    if ambiguous(count):  # 1.000 or 1,000: one thousand, or one?
        with pytest.raises(NumberError, match="ambiguous"):
            read_number(count, locale, True)
    else:
        assert read_number(count, locale, True) == quantity


forms = st.lists(
    st.builds(
        Line,
        sku=st.sampled_from(["DRL-200", "SAW-310", "BAT-20V"]),
        # 1 to 999 and millions: a count of 1.000 to 999.999 is refused as
        # ambiguous (test_babel_written_numbers_read_back_equal).
        quantity=st.integers(1, 999) | st.integers(1_000_000, 50_000_000),
        price=st.decimals(
            min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2
        ),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda line: line.sku,
).map(
    lambda lines: SaleForm("F-1", "104233", "INV-77", date(2026, 10, 2), tuple(lines))
)


@pytest.mark.slow
@pytest.mark.parametrize("locale", LOCALES)
@hsettings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate],  # four files an example: no shrinking
)
@given(form=forms)
def test_each_format_reads_the_locales_numbers_exactly(
    locale: str, form: SaleForm, tmp_path: Path
) -> None:
    client = client_for(locale)
    cell = text_cell(locale)
    delimiter = ";" if number_format(locale).decimal == "," else ","
    paths = [
        write_csv(tmp_path / "claims.csv", [form], cell, delimiter),
        write_xlsx(tmp_path / "claims.xlsx", [form], cell),
        write_jsonl(tmp_path / "claims.jsonl", [form], cell),
        write_pdf(tmp_path / "claims.pdf", form, cell),
    ]
    # The containers hold the text as Babel wrote it (other libraries' reading).
    expected = [cell("price", line.price) for line in form.lines]
    with paths[0].open(encoding="utf-8", newline="") as fh:
        assert [
            r["Unit Price"] for r in csv.DictReader(fh, delimiter=delimiter)
        ] == expected
    sheet = openpyxl.load_workbook(paths[1]).active
    assert [c.value for c in sheet["G"][1:]] == expected
    assert [
        pdf_fields(paths[3])[f"unit_price_{n}"] for n in range(1, len(expected) + 1)
    ] == expected

    results = decided(paths, client)
    assert len(results) == 4
    for claim, decision in results:
        assert not [p for p in decision.problems if p.code is ReasonCode.INVALID_NUMBER]
        assert [
            (x.sku, x.quantity, x.unit_price, x.line_total) for x in claim.lines
        ] == [(x.sku, x.quantity, x.price, x.total) for x in form.lines]
    result = check(paths, client, received_at=NOW, workers=1)
    assert ReasonCode.INVALID_NUMBER not in result.reasons


#: Per locale: texts that are ambiguous or malformed there.
REFUSED = {
    "en_US": ["1.000", "1,5", "12,34", "1,234,56", "1.234.567", "1..5", "1,2.3,4"],
    "en_GB": ["2.500", "1,50", "1 234.56", "£1.234,56"],
    "de_DE": [
        "1.5",
        "2,500",
        "240.5",
        "1,234.56",
        "1.234.5",
        "1,2,3",
        "12.34,56",
        "1.000",
    ],
    # trial 17: cents and the Swiss no-cents dash both, read as 1234.50
    "de_CH": ["1,5", "1'23.45", "1.000", "12'34", "1234.50.-", "1'234.50.–"],
    "fr_FR": ["1.5", "1,000", "12 34,5", "1.234,56"],
    "es_ES": ["412.50", "240.5", "1,234", "1.23,45"],
    "it_IT": ["1.5", "3,000", "1.234.56"],
    "nl_NL": ["12.5", "7,500", "€ 1,234.56"],
    "pt_BR": ["R$ 1,234.56", "10.5", "1,000", "2.500"],
    "id_ID": ["Rp 1,500,000", "2.5", "1,500", "15.000,00,-"],
    "hi_IN": ["1,234,567", "12,34,5678", "1.000", "1,00,00", "1,000"],
    # full-width forms are read (test_cjk.py), by the locale's rules still
    "ja_JP": ["1.000", "1,5", "１，０００", "一万", "159、800", "１２３。５"],
}
NOT_NUMBERS = [
    "",
    "twelve",
    "1e5",
    "NaN",
    "Infinity",
    "1_000",
    "--5",
    "(-5)",
    "5 5 5",
    "²",
]


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        (locale, text)
        for locale, texts in REFUSED.items()
        for text in texts + NOT_NUMBERS
    ],
)
def test_ambiguous_or_malformed_numbers_are_refused(locale: str, text: str) -> None:
    with pytest.raises(NumberError, match=r"^expected an amount like .*, found "):
        read_number(text, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_refusals_end_as_invalid_number_naming_the_value(
    locale: str, tmp_path: Path
) -> None:
    """Through a whole file: each refused text is its claim's invalid_number."""
    client = client_for(locale)
    path = tmp_path / "refused.csv"
    texts = REFUSED[locale]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t")
        writer.writerow(
            [
                "Claim ID",
                "Rep ID",
                "Invoice No",
                "Invoice Date",
                "Product Code",
                "Qty",
                "Unit Price",
            ]
        )
        for n, text in enumerate(texts):
            writer.writerow(
                [f"R-{n}", "104233", f"INV-{n}", "2026-10-02", "DRL-200", "1", text]
            )
    results = decided([path], client)
    assert len(results) == len(texts)
    for (claim, decision), text in zip(results, texts, strict=True):
        [problem] = [
            p for p in decision.problems if p.code is ReasonCode.INVALID_NUMBER
        ]
        assert problem.field == "unit_price"
        assert f"found {text!r}" in problem.message
        assert decision.outcome.value == "pended"
        assert claim.lines[0].unit_price is None


@pytest.mark.parametrize(
    ("text", "locale", "whole", "expected"),
    [
        ("2,0", "de_DE", True, 2),
        ("1.000.000", "de_DE", True, 1000000),
        ("1.000,00", "de_DE", False, Decimal("1000.00")),
        ("12,34,567.50", "hi_IN", False, Decimal("1234567.50")),
        ("1 234,56", "fr_FR", False, Decimal("1234.56")),
        ("1\u202f234,56", "fr_FR", False, Decimal("1234.56")),
        ("1’234.50", "de_CH", False, Decimal("1234.50")),
        ("1'234.50", "de_CH", False, Decimal("1234.50")),
        ("(12.50)", "en_US", False, Decimal("-12.50")),
        ("12.50-", "en_US", False, Decimal("-12.50")),
        ("1234,56", "es_ES", False, Decimal("1234.56")),
        ("0.125", "en_US", False, Decimal("0.125")),
        ("1000.000", "en_US", False, Decimal("1000.000")),
        # ",-" after the decimal symbol is "no cents", not a minus (the
        # Jakarta desk trial: "Rp 3.450.000,-" was read as -3450000 and
        # paid 0 points); the symbol written also settles 15.000,-
        ("Rp 3.450.000,-", "id_ID", False, Decimal("3450000")),
        ("Rp 15.000,-", "id_ID", False, Decimal("15000")),
        ("1.250.000,--", "id_ID", False, Decimal("1250000")),
        ("15,–", "de_DE", False, Decimal("15")),
        ("5.-", "de_CH", False, Decimal("5")),
        ("1,250.-", "en_US", False, Decimal("1250")),
        ("-Rp 15.000,-", "id_ID", False, Decimal("-15000")),
        ("1.250,00-", "de_DE", False, Decimal("-1250.00")),  # SAP's trailing minus
        ("412.50", "C", False, Decimal("412.50")),
        ("1.000", "C", False, Decimal("1.000")),
    ],
)
def test_exact_readings(text: str, locale: str, whole: bool, expected: Decimal) -> None:
    assert read_number(text, locale, whole) == expected


@pytest.mark.parametrize(
    ("text", "locale", "why"),
    [
        ("2.5", "en_US", "a fraction"),
        ("1,5", "en_US", "',' groups digits in en_US; decimals follow '.'"),
        ("1.000", "en_US", "ambiguous"),
        ("1,000.5", "C", "not a number in this format"),
    ],
)
def test_quantities_are_whole_numbers(text: str, locale: str, why: str) -> None:
    with pytest.raises(NumberError, match=r"expected a whole number like") as caught:
        read_number(text, locale, whole=True)
    assert why in str(caught.value)


def test_percentages() -> None:
    assert read_percent("0.5%") == Decimal("0.005")
    assert read_percent("0,5 %", "de_DE") == Decimal("0.005")
    assert read_percent("0.95") == Decimal("0.95")
    with pytest.raises(NumberError):
        read_percent("half")


#: A locale and its currency, with signs before (pt_BR, en_US, hi_IN, ja_JP,
#: es_MX, en_CA, id_ID) and after the amount (de_DE, fr_FR, sv_SE, pl_PL).
MONEY = [
    ("pt_BR", "BRL"), ("en_US", "USD"), ("de_DE", "EUR"), ("fr_FR", "EUR"),
    ("hi_IN", "INR"), ("ja_JP", "JPY"), ("sv_SE", "SEK"), ("pl_PL", "PLN"),
    ("es_MX", "MXN"), ("en_CA", "CAD"), ("id_ID", "IDR"), ("ko_KR", "KRW"),
    ("ar_AE", "AED"),  # trial 25: Babel writes it between right-to-left marks
]  # fmt: skip


def _sign_moved(locale: str) -> str:
    """The locale's currency pattern with its sign at the other end: people
    write ``1.234,56 R$`` as well as Babel's pt_BR ``R$ 1.234,56``."""
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    positive = pattern.split(";")[0]
    core = positive.replace("¤", "").strip(" \u00a0")
    return f"{core}\u00a0¤" if positive.lstrip().startswith("¤") else f"¤{core}"


@pytest.mark.parametrize(("locale", "currency"), MONEY)
@hsettings(max_examples=40, deadline=None)
@given(amount=amounts, foreign=st.sampled_from(["USD", "EUR", "GBP", "JPY", "BRL"]))
def test_an_amount_in_its_own_currency_reads_back_either_side_and_a_foreign_one_is_refused(
    locale: str, currency: str, amount: Decimal, foreign: str
) -> None:
    """Trial 15: ``1.234,56 R$`` was refused while ``R$1.234,56`` was read,
    and ``US$ 100,00`` was read as 100 reais. Babel writes the amount in the
    claim's currency, with the sign where the locale puts it and at the
    other end; both read back exactly. In another currency it is refused."""
    numbers = number_format(locale)
    # ISO 4217: no minor units (Babel's CLDR digits say 0 for IDR too, which
    # ISO gives 2: trial 34)
    if currency in ("JPY", "KRW") and amount != amount.to_integral_value():
        # trial 19: a currency without minor units has no decimals (¥1,234.5)
        written = format_currency(amount, currency, locale=locale, currency_digits=False)
        with pytest.raises(NumberError, match=f"{currency} has no decimals"):
            numbers.read(written, currency=currency)
        return
    for written in (
        format_currency(amount, currency, locale=locale, currency_digits=False),
        format_currency(
            amount, currency, format=_sign_moved(locale), locale=locale,
            currency_digits=False,
        ),
    ):  # fmt: skip
        assert numbers.read(written, currency=currency) == amount, written
    if foreign != currency:
        written = format_currency(amount, foreign, locale=locale, currency_digits=False)
        with pytest.raises(NumberError, match=f"expected an amount in {currency}"):
            numbers.read(written, currency=currency)


def test_swiss_francs_as_the_swiss_write_them() -> None:
    """Trial 17: ``SFr. 50.00`` (the old Swiss mark) was refused as "two
    decimal symbols"; it is francs, and still not euros."""
    swiss = number_format("de_CH")
    for text, value in [
        ("SFr. 50.00", Decimal("50.00")),
        ("50.00 SFr.", Decimal("50.00")),
        ("Fr. 1'234.-", Decimal("1234")),
        ("CHF 1'234.50", Decimal("1234.50")),
    ]:
        assert swiss.read(text, currency="CHF") == value
    with pytest.raises(NumberError, match="'SFr.' is CHF in de_DE, the claim's currency is EUR"):
        number_format("de_DE").read("SFr. 50,00", currency="EUR")


def test_yen_as_japanese_forms_write_it() -> None:
    """Trial 19: ¥1,234.5 and 0.25 yen were accepted (JPY has no decimals),
    while ¥159,800 was refused as ambiguous (it cannot be 159.8 yen) and
    159,800円, the usual notation, as not a number. The oracle: Babel
    writing each amount in ja_JP, read back exactly."""
    yen = number_format("ja_JP")
    for amount in (Decimal("159800"), Decimal("1598000"), Decimal("800"), Decimal("5")):
        written = format_currency(amount, "JPY", locale="ja_JP")
        assert yen.read(written, currency="JPY") == amount, written
        plain = format_decimal(amount, locale="ja_JP")
        assert yen.read(f"{plain}円", currency="JPY") == amount
    for text in ("¥1,234.5", "0.5", "1,234.5円", "0.25"):
        with pytest.raises(NumberError, match="JPY has no decimals") as caught:
            yen.read(text, currency="JPY")
        assert "like 1,234,567" in str(caught.value)  # a whole example, no cents
    with pytest.raises(NumberError, match="'円' is JPY in en_US, the claim's currency is USD"):
        number_format("en_US").read("100円", currency="USD")
    # without a currency (a quantity, a source export) nothing changes
    with pytest.raises(NumberError, match="ambiguous"):
        yen.read("159,800")


def test_a_typed_amount_with_decimals_in_yen_is_refused(tmp_path: Path) -> None:
    """Trial 19: typed cells (an Excel 1234.5, a JSON 0.25) in a yen
    program were accepted: the text reader refuses ¥1,234.5, so a typed
    amount with decimals is refused as well, naming the field and line."""
    import json
    from datetime import UTC, datetime

    from claimflow import check, load_client
    from tests.conftest import SAMPLES

    config = tmp_path / "yen.yaml"
    config.write_text(
        (SAMPLES / "clients/acme-tools.yaml").read_text(encoding="utf-8").replace(
            "currency: USD", "currency: JPY", 1
        ),
        encoding="utf-8",
    )
    client = load_client(config)
    claims = [
        {"claim_ref": "Y-1", "Rep #": "104233", "invoice_number": "INV-1001",
         "invoice_date": "2026-10-02", "received": "2026-10-20",
         "lines": [{"sku": "DRL-200", "qty": 2, "unit_price": 0.25, "amount": 0.5,
                    "serials": "DR10000001 DR10000002"}]},
        {"claim_ref": "Y-2", "Rep #": "104234", "invoice_number": "INV-1002",
         "invoice_date": "2026-10-02", "received": "2026-10-20",
         "lines": [{"sku": "DRL-200", "qty": 1, "unit_price": 149, "amount": 149,
                    "serials": "DR10000003"}]},
        # a price per unit below the yen, with no line total to hold it
        {"claim_ref": "Y-3", "Rep #": "104235", "invoice_number": "INV-1003",
         "invoice_date": "2026-10-02", "received": "2026-10-20",
         "lines": [{"sku": "DRL-200", "qty": 1, "unit_price": 0.25,
                    "serials": "DR10000004"}]},
    ]  # fmt: skip
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(claims), encoding="utf-8")
    result = check([path], client, received_at=datetime(2026, 10, 28, tzinfo=UTC))
    said = [
        (p.source.row, p.field, p.message)
        for p in result.problems
        if p.code.value == "invalid_number"
    ]
    # the unit price beside its line total may be below the yen (as
    # invoices price units); the line total is an amount, and has none
    assert said == [
        (1, "line_total", "expected a whole amount, found 0.5 (JPY has no decimals)"),
        (
            3,
            "unit_price",
            "expected a unit price with its line total, or a whole amount, found "
            "0.25 (JPY has no decimals)",
        ),
    ]
    assert result.outcomes["pended"] == 2 and result.outcomes["accepted"] == 1


#: Locales whose own numbering is not 0-9 (CLDR's default numbering system),
#: and the Unicode name of that system's zero: the digits run on from it.
NATIVE_DIGITS = {
    "ar_EG": "ARABIC-INDIC DIGIT ZERO",
    "ar_SA": "ARABIC-INDIC DIGIT ZERO",
    "fa_IR": "EXTENDED ARABIC-INDIC DIGIT ZERO",
    "bn_BD": "BENGALI DIGIT ZERO",
    "mr_IN": "DEVANAGARI DIGIT ZERO",
    "my_MM": "MYANMAR DIGIT ZERO",
    "th_TH": "THAI DIGIT ZERO",  # latn by default; Thai digits on paper forms
}


def _native(text: str, zero_name: str) -> str:
    zero = ord(unicodedata.lookup(zero_name))
    return "".join(chr(zero + int(c)) if c.isdigit() else c for c in text)


@pytest.mark.parametrize("locale", list(NATIVE_DIGITS))
@given(amount=amounts, quantity=st.integers(0, 10**9))
def test_numbers_in_the_locales_own_digits_read_back_equal(
    locale: str, amount: Decimal, quantity: int
) -> None:
    """Babel writes the number with the locale's own numbering marks
    (``numbering_system="default"``: ``١٬٢٣٤٫٥٠`` in ar_EG); its digits put in
    the locale's script by their Unicode names read back equal. The Arabic
    marks ``٫`` and ``٬`` are a decimal point and a digit group only, so
    ``١٬٠٠٠`` is one thousand; a thousand written with ``,`` stays ambiguous."""
    pattern = re.sub(r"\.#+", ".00", Locale.parse(locale).decimal_formats[None].pattern)
    written = format_decimal(amount, pattern, locale=locale, numbering_system="default")
    assert read_number(_native(written, NATIVE_DIGITS[locale]), locale) == amount
    count = format_decimal(quantity, locale=locale, numbering_system="default")
    native = _native(count, NATIVE_DIGITS[locale])
    if ambiguous(count):
        with pytest.raises(NumberError, match="ambiguous"):
            read_number(native, locale, True)
    else:
        assert read_number(native, locale, True) == quantity


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("١٢٣٫٥٠", "ar_EG", Decimal("123.50")),
        ("١٬٢٣٤٫٥٠ ج.م.", "ar_EG", Decimal("1234.50")),
        ("١٬٠٠٠", "ar_AE", Decimal("1000")),  # Arabic marks: no ambiguity
        ("١٢٣.٥٠", "ar_AE", Decimal("123.50")),  # Arabic digits, the locale's point
        ("۱۲۳٫۵", "fa_IR", Decimal("123.5")),
        ("๑,๒๓๔.๕๐", "th_TH", Decimal("1234.50")),
        ("१२,३४,५६७.५०", "hi_IN", Decimal("1234567.50")),
        ("١٬٢٣٤٫٥٠", "de_DE", Decimal("1234.50")),  # the marks are the locale's own
    ],
)  # fmt: skip
def test_any_scripts_digits_are_read_exactly(
    text: str, locale: str, expected: Decimal
) -> None:
    assert read_number(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "why"),
    [
        ("1٢3", "ar_EG", "digits of two scripts ('1' and '٢')"),
        ("١٢٣٤۵", "fa_IR", "digits of two scripts"),  # Arabic and Persian five
        ("١,٠٠٠", "ar_EG", "ambiguous: 1000 where ',' groups digits"),
        ("١٬٢٣٤٫٥٠", "C", "'٬' (ARABIC THOUSANDS SEPARATOR) is not a digit"),
        ("١٢٣٫٥٫٠", "ar_EG", "two decimal symbols"),
    ],
)  # fmt: skip
def test_digits_that_cannot_be_read_one_way_are_refused(
    text: str, locale: str, why: str
) -> None:
    with pytest.raises(NumberError) as refused:
        read_number(text, locale)
    assert why in str(refused.value)


def test_a_form_in_arabic_indic_digits_reads_in_every_format(tmp_path: Path) -> None:
    """Dates and ids were read in any script's digits while an amount or a
    quantity in them was refused: an Egyptian dealer's form keyed with
    Arabic-Indic digits and Arabic marks now reads the same in CSV, Excel,
    JSON lines and a PDF form, and checks with no number refused."""
    locale = "ar_EG"
    form = SaleForm(
        "F-1", "104233", "INV-77", date(2026, 10, 2),
        (Line("DRL-200", 1200, Decimal("1234.50")), Line("BAT-20V", 3, Decimal("0.75"))),
    )  # fmt: skip

    def cell(field: str, value: object) -> object:
        if field in ("quantity", "price", "total"):
            digits = "#,##0.00" if isinstance(value, Decimal) else "#,##0"
            written = format_decimal(value, digits, locale=locale, numbering_system="default")
            return _native(written, NATIVE_DIGITS[locale])
        return value.isoformat() if isinstance(value, date) else str(value)

    assert cell("price", Decimal("1234.50")) == "١٬٢٣٤٫٥٠"  # as written by hand
    paths = [
        write_csv(tmp_path / "claims.csv", [form], cell, ","),
        write_xlsx(tmp_path / "claims.xlsx", [form], cell),
        write_jsonl(tmp_path / "claims.jsonl", [form], cell),
        write_pdf(tmp_path / "claims.pdf", form, cell),
    ]
    client = client_for(locale)
    results = decided(paths, client)
    assert len(results) == 4
    for claim, decision in results:
        assert not [p for p in decision.problems if p.code is ReasonCode.INVALID_NUMBER]
        assert [(x.quantity, x.unit_price, x.line_total) for x in claim.lines] == [
            (1200, Decimal("1234.50"), Decimal("1481400.00")),
            (3, Decimal("0.75"), Decimal("2.25")),
        ]
    assert ReasonCode.INVALID_NUMBER not in check(
        paths, client, received_at=NOW, workers=1
    ).reasons


def test_a_refusal_names_the_locale_as_the_client_wrote_it() -> None:
    """A zh_TW desk's refusal said "',' groups digits in zh_Hant_TW", Babel's
    id, a locale no client file names (trial 37)."""
    with pytest.raises(NumberError) as refused:
        number_format("zh_TW").read("1,23", False, currency="TWD")
    assert "',' groups digits in zh_TW; decimals follow '.'" in str(refused.value)
    assert number_format("zh_TW").locale == "zh_Hant_TW"  # Babel's own, for Babel
