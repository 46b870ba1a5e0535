"""Amounts with more decimals than their currency's minor unit are refused.

``1.234,565`` keyed at a de_DE desk was read as 1234.565 EUR, though it is
as likely a slip for 1.234.565; an Excel cell holding 1234.565 (showing
``1.234,57``) was 1234.565; ``12,5`` yen was refused only as text. Every
amount (claims in any format, source exports) now has at most the minor
unit's decimals (ISO 4217), trailing zeros not counted; a unit price may
go below it beside its line total. Oracles: Babel writes the amounts read
back, openpyxl reads the workbook, and the arithmetic is written here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from babel.numbers import format_currency, format_decimal, get_currency_precision
from hypothesis import given
from hypothesis import strategies as st

from claimflow import ReasonCode, check, load_client
from claimflow.currencies import beyond_minor_unit, decimals_written, minor_digits
from claimflow.errors import UnreadableInput
from claimflow.models import SalesClaim, ShownNumber
from claimflow.numbers import NumberError, number_format
from claimflow.parse import read_file
from claimflow.store.rows import raw_from_json, raw_header, raw_json
from claimflow.validate import build_claim, context_for
from claimflow.verify.source import read_source
from tests.conftest import FIXTURES
from tests.test_cli import run

DATA = FIXTURES / "trial14"
CLIENT = DATA / "kraftwerk.yaml"
NOW = datetime(2026, 10, 28, 12, 0, tzinfo=UTC)
HEADER = (
    "Antragsnr.;Verkäufer-Nr.;Name;Händler-Nr.;Händler;Rechnungsnr.;Rechnungsdatum;"
    "Artikelnr.;Menge;Einzelpreis;Betrag;Seriennummern;Eingang;Rechnung beigefügt\n"
)
#: Currencies of every minor unit: 2, 0 (ISO 4217), 3, and the ones whose
#: cash (TWD, SEK, NOK, CZK, HUF) or practice (HUF, IDR) goes without.
CURRENCIES = ["EUR", "USD", "GBP", "CHF", "BRL", "INR", "JPY", "KRW", "VND",
              "TWD", "SEK", "NOK", "CZK", "HUF", "IDR", "KWD", "BHD"]  # fmt: skip
LOCALES = ["de_DE", "en_US", "fr_FR", "es_ES", "pt_BR", "ja_JP", "sv_SE", "hi_IN", "C"]


def _claims(path: Path) -> dict[str | None, SalesClaim]:
    """The claims of a file as typed, by reference."""
    client = load_client(CLIENT)
    typed = [build_claim(raw, client, context_for(client, NOW))[0] for raw in read_file(path, client)]
    return {c.claim_ref: c for c in typed if isinstance(c, SalesClaim)}


def _row(ref: str, price: str, total: str, qty: str = "2") -> str:
    start = int(ref[3:]) * 10  # each claim its own serials
    serials = " ".join(f"AK{n:07d}" for n in range(start, start + int(qty)))
    return (
        f"{ref};10002;Anna Schäfer;H-BER-02;Werkzeug Nord KG;RE-{ref[3:]}00;02.10.2026;"
        f"KW-AK18;{qty};{price};{total};{serials};20.10.2026;ja\n"
    )


# Babel writes, claimflow reads back exactly


@given(
    cents=st.integers(0, 10**12),
    currency=st.sampled_from(CURRENCIES),
    locale=st.sampled_from(LOCALES),
)
def test_babel_written_amounts_in_their_currencys_digits_read_back_exactly(
    cents: int, currency: str, locale: str
) -> None:
    """An amount with the currency's digits (Babel's, CLDR), as Babel
    writes it for the locale, reads back equal in that currency."""
    digits = min(int(get_currency_precision(currency)), minor_digits(currency))
    amount = Decimal(cents).scaleb(-digits)
    babel = "en" if locale == "C" else locale
    numbers = number_format(locale)
    written = [
        format_decimal(amount, format="0." + "0" * digits if digits else "0", locale=babel)
        if locale == "C"
        else format_decimal(amount, locale=babel, decimal_quantization=False),
        format_currency(amount, currency, locale=babel),
    ]
    for babel_text in written:
        text = babel_text.replace(",", "") if locale == "C" else babel_text
        if numbers.two_readings(text, currency) is not None:
            continue  # 1.234 KWD at de_DE: one thousand, or one? (test_numbers)
        assert numbers.read(text, currency=currency) == amount, text


@given(
    cents=st.integers(0, 10**12),
    extra=st.integers(1, 9),
    currency=st.sampled_from(CURRENCIES),
    locale=st.sampled_from(LOCALES),
)
def test_more_decimals_than_the_minor_unit_are_refused_never_rounded(
    cents: int, extra: int, currency: str, locale: str
) -> None:
    """One digit more than the minor unit (not a zero) is refused, keyed
    or typed, with the decimals counted and the currency's named."""
    digits = minor_digits(currency)
    amount = (Decimal(cents).scaleb(-digits) + Decimal(extra).scaleb(-digits - 1))
    babel = "en" if locale == "C" else locale
    text = format_decimal(amount, locale=babel, decimal_quantization=False)
    text = text.replace(",", "") if locale == "C" else text
    numbers = number_format(locale)
    with pytest.raises(NumberError) as caught:
        numbers.read(text, currency=currency)
    why = str(caught.value)
    assert "ambiguous" in why or (
        f"{currency} has no decimals" if digits == 0
        else f"{digits + 1} decimals where {currency} has {digits}"
    ) in why  # fmt: skip
    assert beyond_minor_unit(amount, currency) is not None
    # a unit price may have them
    if "ambiguous" not in why:
        assert numbers.read(text, currency=currency, unit_price=True) == amount


@pytest.mark.parametrize(
    ("written", "locale", "currency", "read"),
    [
        ("1.234,565", "de_DE", "EUR",
         "3 decimals where EUR has 2: is it 1.234.565?"),
        ("1234,565", "de_DE", "EUR", "3 decimals where EUR has 2)"),
        ("1,234.565", "en_US", "USD", "3 decimals where USD has 2: is it 1,234,565?"),
        ("12,5", "de_DE", "JPY", "JPY has no decimals"),
        ("1.234,5", "de_DE", "JPY", "JPY has no decimals"),
        ("¥1,234.5", "ja_JP", "JPY", "JPY has no decimals"),
        ("1.234,5655", "de_DE", "KWD", "4 decimals where KWD has 3"),
        # trailing zeros are no decimals: exactly the amount
        ("1.234,50", "de_DE", "EUR", Decimal("1234.50")),
        ("1234.500", "C", "EUR", Decimal("1234.50")),
        ("1.234,500 €", "de_DE", "EUR", Decimal("1234.50")),
        ("12,00", "de_DE", "JPY", Decimal("12")),
        ("12.00", "C", "JPY", Decimal("12")),
        # at de_DE the point groups digits: twelve thousand yen
        ("12.000", "de_DE", "JPY", Decimal("12000")),
        ("1.234,565", "de_DE", "KWD", Decimal("1234.565")),
        # ISO 4217 gives these 2 decimals; only their cash goes without
        ("1.234,5", "de_DE", "SEK", Decimal("1234.5")),
        ("1 234,50", "sv_SE", "SEK", Decimal("1234.50")),
        ("189 990,50", "hu_HU", "HUF", Decimal("189990.50")),
        ("NT$1,234.50", "zh_TW", "TWD", Decimal("1234.50")),
    ],
)  # fmt: skip
def test_concrete_amounts(
    written: str, locale: str, currency: str, read: str | Decimal
) -> None:
    numbers = number_format(locale)
    if isinstance(read, Decimal):
        assert numbers.read(written, currency=currency) == read
        return
    with pytest.raises(NumberError) as caught:
        numbers.read(written, currency=currency)
    assert str(caught.value).startswith("expected an amount like ")
    assert f"found {written!r} ({read}" in str(caught.value)
    assert numbers.beyond_minor_unit(written, currency)


def test_decimals_written_counts_no_trailing_zero() -> None:
    assert [
        decimals_written(Decimal(t))
        for t in ("1234.565", "1234.500", "12.00", "0.000", "1E+3", "0.125")
    ] == [3, 1, 0, 0, 0, 3]


# Claim forms: CSV, xlsx, JSON


def test_a_keyed_amount_beyond_the_cent_is_refused_naming_file_row_and_field(
    write: Callable[..., Path],
) -> None:
    path = write(
        "antraege.csv",
        HEADER
        + _row("KW-7001", "617,28", "1.234,565")
        + _row("KW-7002", "617,25", "1.234,50")
        + _row("KW-7003", "617,2500", "1.234,500"),
    )
    result = check([path], load_client(CLIENT), received_at=NOW)
    said = [
        (p.code, p.source.where(), p.message)
        for p in result.problems
        if p.code is ReasonCode.INVALID_NUMBER
    ]
    assert said == [
        (
            ReasonCode.INVALID_NUMBER,
            f"{path}:row 2:Betrag",
            "expected an amount like 1.234,56, found '1.234,565' "
            "(3 decimals where EUR has 2: is it 1.234.565?)",
        )
    ]
    by_ref = _claims(path)
    # 2 x 617,25 = 1.234,50 exactly; trailing zeros are the same amount
    assert by_ref["KW-7002"].lines[0].line_total == Decimal("1234.50")
    assert by_ref["KW-7003"].lines[0].line_total == Decimal("1234.50")
    assert result.outcomes["pended"] == 1


def test_an_excel_cell_holding_more_than_it_shows_is_refused_saying_both(
    tmp_path: Path,
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(";"))
    cells = _row("KW-7101", "617,28", "0").strip().split(";")
    cells[8], cells[9], cells[10] = 2, 617.2825, 1234.565  # typed numbers
    sheet.append(cells)
    sheet["J2"].number_format = sheet["K2"].number_format = "#,##0.00"
    path = tmp_path / "antraege.xlsx"
    book.save(path)
    # openpyxl reads the number the cell holds; Babel writes what it shows
    assert openpyxl.load_workbook(path).active["K2"].value == 1234.565
    shows = format_decimal(Decimal("1234.57"), format="#,##0.00", locale="de_DE")
    result = check([path], load_client(CLIENT), received_at=NOW)
    [problem] = [p for p in result.problems if p.code is ReasonCode.INVALID_NUMBER]
    assert (problem.source.where(), problem.message) == (
        f"{path}:sheet Sheet:row 2:Betrag",
        "expected an amount with 2 decimals at most, found 1234.565 (3 decimals "
        f"where EUR has 2; the cell holds 1234.565 and shows {shows})",
    )
    # the unit price beside it may go below the cent: not refused
    assert _claims(path)["KW-7101"].lines[0].unit_price == Decimal("617.2825")
    # stored for replay as the number it holds (what it shows words messages)
    [raw] = read_file(path, load_client(CLIENT))
    [(_, line)] = raw.lines
    assert isinstance(line["line_total"], ShownNumber)
    back = raw_from_json(raw_json(raw), {raw_header(raw).digest: raw_header(raw).text})
    [(_, stored)] = back.lines
    assert stored["line_total"].__class__ is Decimal
    assert stored["line_total"] == Decimal("1234.565")


def test_json_numbers_beyond_the_cent_are_refused_trailing_zeros_read(
    tmp_path: Path,
) -> None:
    claims = [
        {"Antragsnr.": ref, "Verkäufer-Nr.": "10002", "Rechnungsnr.": f"RE-{n}00000",
         "Rechnungsdatum": "02.10.2026", "Eingang": "20.10.2026",
         "Rechnung beigefügt": "ja",
         "lines": [{"Artikelnr.": "KW-AK18", "Menge": 1, "Einzelpreis": price,
                    "Betrag": total, "Seriennummern": f"AK000000{n}"}]}
        for n, (ref, price, total) in enumerate(
            [("KW-7201", "@1234.565@", "@1234.565@"), ("KW-7202", "@1234.500@", "@1234.500@")],
            start=1,
        )
    ]  # fmt: skip
    # JSON numbers as a portal writes them (json.dumps writes strings)
    text = json.dumps(claims).replace('"@', "").replace('@"', "")
    path = tmp_path / "antraege.json"
    path.write_text(text, encoding="utf-8")
    assert json.loads(text, parse_float=Decimal)[0]["lines"][0]["Betrag"] == Decimal(
        "1234.565"
    )
    result = check([path], load_client(CLIENT), received_at=NOW)
    said = [(p.field, p.message) for p in result.problems]
    assert (
        "line_total",
        "expected an amount with 2 decimals at most, found 1234.565 "
        "(3 decimals where EUR has 2)",
    ) in said
    by_ref = _claims(path)
    assert by_ref["KW-7202"].lines[0].line_total == Decimal("1234.50")


# Unit prices


def test_a_unit_price_below_the_cent_is_read_beside_its_line_total_only(
    write: Callable[..., Path],
) -> None:
    """Invoices price units below the cent (0,125 EUR a unit); the line
    total is the amount, to the cent, and quantity x price rounds to it
    (8 x 0,125 = 1,00; 3 x 0,125 = 0,375, written 0,38). Without a line
    total the price would be the line's amount: refused."""
    path = write(
        "antraege.csv",
        HEADER
        + _row("KW-7301", "0,125", "1,00", qty="8")
        + _row("KW-7302", "0,125", "0,38", qty="3")
        + _row("KW-7303", "0,125", "", qty="3"),
    )
    result = check([path], load_client(CLIENT), received_at=NOW)
    said = [(p.source.row, p.field, p.message) for p in result.problems]
    assert said == [
        (
            4,
            "unit_price",
            "expected a unit price with its line total, or an amount with 2 "
            "decimals at most, found 0.125 (3 decimals where EUR has 2)",
        )
    ]
    assert Decimal("0.125") * 3 - Decimal("0.38") == Decimal("-0.005")


def test_a_yen_total_rounds_a_price_below_the_yen(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """3 x 0,25 yen = 0,75 yen, a line total of 1 yen: within half a yen.
    2 yen for it is refused."""
    config = tmp_path / "yen.yaml"
    config.write_text(
        CLIENT.read_text(encoding="utf-8").replace("currency: EUR", "currency: JPY"),
        encoding="utf-8",
    )
    path = write(
        "antraege.csv",
        HEADER
        + _row("KW-7401", "0,25", "1", qty="3")
        + _row("KW-7402", "0,25", "2", qty="3"),
    )
    result = check([path], load_client(config), received_at=NOW)
    assert [(p.source.row, p.code) for p in result.problems] == [
        (3, ReasonCode.LINE_TOTAL_MISMATCH)
    ]


# Source exports


def test_a_source_export_amount_beyond_the_cent_refuses_the_file(
    write: Callable[..., Path],
) -> None:
    path = write(
        "verkaeufe.csv",
        "Rechnungsnr;Rechnungsdatum;Händler;Artikel;Menge;Betrag;Seriennummern\n"
        "RE-100101;02.10.2026;H-MUC-01;KW-BH18;2;698,00;BH1000001 BH1000002\n"
        "RE-100102;02.10.2026;H-MUC-01;KW-BH18;2;1.234,565;BH1000003 BH1000004\n",
    )
    with pytest.raises(UnreadableInput) as caught:
        list(read_source(path, load_client(CLIENT)))
    assert str(caught.value) == (
        f"{path}: row 3:Betrag: expected an amount like 1.234,56, found '1.234,565' "
        "(3 decimals where EUR has 2: is it 1.234.565?); the exports' number "
        "locale is verification.source_number_locale (de_DE)"
    )


def test_a_typed_source_cell_beyond_the_cent_refuses_the_file(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Rechnungsnr", "Rechnungsdatum", "Händler", "Artikel", "Menge",
                  "Betrag", "Seriennummern"])  # fmt: skip
    sheet.append(["RE-100101", "02.10.2026", "H-MUC-01", "KW-BH18", 2, 1234.565,
                  "BH1000001 BH1000002"])  # fmt: skip
    path = tmp_path / "verkaeufe.xlsx"
    book.save(path)
    with pytest.raises(UnreadableInput, match=r"row 2:Betrag: expected an amount in "
                       r"EUR, found 1234\.565 \(3 decimals where EUR has 2\)"):  # fmt: skip
        list(read_source(path, load_client(CLIENT)))


# What the participant is asked, and the command line


@pytest.mark.parametrize(
    ("language", "asked"),
    [
        ("en", "this amount has more decimals than amounts in EUR have (2): please "
               "send it again as your invoice shows it, written like 1.234,56"),
        ("de", "Dieser Betrag hat mehr Nachkommastellen als Beträge in EUR (2): "
               "Bitte senden Sie ihn erneut, wie er auf Ihrer Rechnung steht, in "
               "der Schreibweise 1.234,56"),
    ],
)  # fmt: skip
def test_the_notice_asks_for_the_amount_as_the_invoice_shows_it(
    tmp_path: Path, write: Callable[..., Path], language: str, asked: str
) -> None:
    config = tmp_path / "kw.yaml"
    config.write_text(
        CLIENT.read_text(encoding="utf-8").replace("language: en", f"language: {language}"),
        encoding="utf-8",
    )
    path = write("antraege.csv", HEADER + _row("KW-7501", "617,28", "1.234,565"))
    notices = tmp_path / "notices"
    code, _, err = run(
        "ingest", str(path), "--client", str(config), "--db", str(tmp_path / "kw.db"),
        "--notices", str(notices),
    )  # fmt: skip
    assert code == 1, err
    [notice] = notices.glob("*.txt")
    text = notice.read_text(encoding="utf-8")
    assert asked in text
    assert "1.234,565" in text  # the amount as keyed, never rounded


def test_check_prints_one_line_and_exits_1(write: Callable[..., Path]) -> None:
    path = write("antraege.csv", HEADER + _row("KW-7601", "617,28", "1.234,565"))
    code, out, _ = run("check", str(path), "--client", str(CLIENT), "-v")
    assert code == 1
    assert (
        f"{path.name}:row 2:Betrag: expected an amount like 1.234,56, found "
        "'1.234,565' (3 decimals where EUR has 2: is it 1.234.565?) (invalid_number)"
    ) in out


# Replay of claims stored before amounts were held to their minor unit


def test_replay_shows_a_claim_stored_before_as_the_change_this_release_makes(
    tmp_path: Path, write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replay validates stored claims again (`claimflow.replay`): it is the
    deployment gate that shows what a release changes. A claim taken in as
    1234.565 EUR before now shows as pended for it; one of 1.234,50 shows
    no change."""
    import claimflow.numbers
    import claimflow.validate.record
    import claimflow.values

    path = write(
        "antraege.csv",
        HEADER + _row("KW-7701", "617,28", "1.234,565") + _row("KW-7702", "617,25", "1.234,50"),
    )
    db = str(tmp_path / "kw.db")
    with monkeypatch.context() as before:  # the release that took it as written
        for module in (claimflow.numbers, claimflow.values, claimflow.validate.record):
            before.setattr(module, "beyond_minor_unit", lambda value, currency: None)
        claimflow.numbers._reading.cache_clear()
        code, _, err = run("ingest", str(path), "--client", str(CLIENT), "--db", db)
        claimflow.numbers._reading.cache_clear()
    code, out, err = run("show", "KW-7701", "--db", db)
    assert ": accepted" in out.splitlines()[0], out
    code, out, err = run("replay", "--client", str(CLIENT), "--db", db, "--json")
    assert code == 1, err
    result = json.loads(out)
    assert result["changed"] == 1
    [change] = result["changes"]
    assert (change["outcome_from"], change["outcome_to"]) == ("accepted", "pended")
    assert change["reasons_to"] == ["invalid_number"]
    assert result["by_reason"] == {"invalid_number": 1}


@pytest.mark.parametrize("locale", ["en_US", "de_DE", "ar_KW", "fr_FR"])
@pytest.mark.parametrize("currency", ["KWD", "BHD", "OMR", "EUR", "JPY"])
def test_the_example_a_message_gives_has_the_currencys_digits(locale: str, currency: str) -> None:
    """A refusal's example ('expected an amount like 1,234.56') showed two
    decimals for the Kuwaiti dinar, which has three: the example is now
    Babel's writing of 1234.567 (or 1234.56, or 1234567) in the locale, and
    reads back as an amount in the currency, in its digits."""
    example = number_format(locale).money_example(currency)
    digits = minor_digits(currency)
    assert digits == get_currency_precision(currency)
    babel = {
        3: format_decimal(Decimal("1234.567"), "#,##0.000", locale=locale),
        2: format_decimal(Decimal("1234.56"), "#,##0.00", locale=locale),
        0: format_decimal(Decimal("1234567"), "#,##0", locale=locale),
    }[digits]
    assert example == babel
    read = number_format(locale).read(example, currency=currency)
    assert decimals_written(read) == digits
