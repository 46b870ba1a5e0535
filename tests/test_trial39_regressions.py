"""Trial 39: two clients nobody here wrote, an Egyptian hotel loyalty desk
(nile-stays: ar_EG, EGP, Africa/Cairo, a Sunday-to-Thursday week) and an
Argentine dealer program (pampa-dealers: es_AR, ARS, where ``$`` is the peso).

Each test quotes the value the trial's files held and what claimflow made
of it before the fix.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_currency

from claimflow import load_client
from claimflow.codepages import garbled
from claimflow.errors import UnreadableInput
from claimflow.fields import ascii_fold
from claimflow.numbers import NumberError, number_format
from claimflow.sniff import detect_encoding
from claimflow.verify.candidates import name_similarity
from claimflow.verify.source import read_source
from tests.test_cli import run


@pytest.mark.parametrize("name", ["مُحَمَّد", "محـمد", "مُحَمَّد علي", "يُوسُف"])
def test_arabic_vowel_signs_and_tatweel_are_no_garble(name: str) -> None:
    """A cp1256 member list with 'مُحَمَّد' (damma, fatha, shadda: U+064F,
    U+064E, U+0651) or 'محـمد' (tatweel U+0640) was refused: "the word
    'مُحَمَّد' holds a symbol (ُ) in it: another code page?", although the
    client declares cp1256 and the file reads right in it."""
    text = f"id,name\n1,{name}\n"
    assert text.encode("cp1256").decode("cp1256") == text
    assert garbled(text, "ar_EG", encoding="cp1256") == []


def test_a_vowel_sign_on_a_latin_letter_is_still_garble() -> None:
    """cp1252's 'Gómez' read as cp1256 puts a fatha (U+064E) on a Latin m:
    that is a misread code page, and stays garble."""
    misread = "id,name\n1,Gómez\n".encode("cp1252").decode("cp1256")
    assert "\u064e" in misread
    assert [g.sign for g in garbled(misread, "ar_EG", encoding="cp1256")] == ["\u064e"]


@pytest.mark.parametrize(
    "written",
    [
        "ج.م 1,234.50",  # CLDR's ج.م. without its last dot, as desks key it
        "1,234.50 ج.م",
        "1,234.50 جنيه",  # the word: pound
        "LE 1,234.50",
        "1,234.50 L.E.",  # was "two decimal symbols"
        "E£ 1,234.50",
        "ج.م ١٬٢٣٤٫٥٠",
        "1,234.50 EGP",
    ],
)
def test_egyptian_pounds_as_desks_write_them(written: str) -> None:
    """'ج.م 1,234.50' was refused: "'ج' (ARABIC LETTER JEEM) is not a digit
    or a mark of this format"; it is 1234.50 pounds."""
    assert number_format("ar_EG").read(written, currency="EGP") == Decimal("1234.50")


def test_babels_egp_in_arabic_digits_reads_back() -> None:
    """The oracle: Babel's own ar_EG amount in the Arabic numbering system
    (its marks ٬ ٫; Babel keeps Western digits, which the desk's portal
    writes as Arabic-Indic ones)."""
    babel = format_currency(
        Decimal("1234.50"), "EGP", locale="ar_EG", numbering_system="arab"
    )
    shown = babel.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert "١٬٢٣٤٫٥٠" in shown
    assert number_format("ar_EG").read(babel, currency="EGP") == Decimal("1234.50")
    assert number_format("ar_EG").read(shown, currency="EGP") == Decimal("1234.50")


@pytest.mark.parametrize("written", ["LE 1,234.50", "1,234.50 ج.م"])
def test_egyptian_pounds_are_no_dollars(written: str) -> None:
    with pytest.raises(NumberError, match="is EGP in en_US"):
        number_format("en_US").read(written, currency="USD")


@pytest.mark.parametrize("written", ["U$S 1.234,56", "1.234,56 U$S", "U$D 1.234,56"])
def test_argentine_dollars_u_dollar_s(written: str) -> None:
    """'U$S 1.234,56' (dollars, as Argentine invoices write them) was refused
    naming "'U$' does not say which currency": it is USD, never pesos, and
    read where the amount's currency is USD."""
    with pytest.raises(NumberError, match=r"'U\$[SD]' is USD in es_AR"):
        number_format("es_AR").read(written, currency="ARS")
    assert number_format("es_AR").read(written, currency="USD") == Decimal("1234.56")


@pytest.mark.parametrize(
    ("claimed", "folio"),
    [
        ("محمد حسن", "مُحَمَّد حسن"),  # harakat on the folio
        ("محـمد حسن", "محمد حسن"),  # tatweel keyed
        ("محمد على", "محمد علي"),  # Egyptian final ى for ي
        ("احمد سالم", "أحمد سالم"),  # hamza on the alef
        ("\u200fمحمد حسن\u200f", "محمد حسن"),  # right-to-left marks
    ],
)
def test_arabic_spellings_of_one_name_match_the_folio(claimed: str, folio: str) -> None:
    """NP-2002 (member 10000002, 'محمد حسن') against its folio 'مُحَمَّد حسن'
    went to review as name_mismatch: similarity 0.84 against the 0.85
    threshold (anyascii spells the vowels only where they are written,
    'mhmd' vs 'muhamad'). One name: 1.0."""
    assert name_similarity(claimed, folio) == 1.0
    assert ascii_fold(claimed).split() == ascii_fold(folio).split()


def test_arabic_folding_keeps_other_scripts() -> None:
    assert ascii_fold("Søren Ødegård") == "soren odegard"
    assert ascii_fold("حسن") != ascii_fold("حسين")  # Hassan is not Hussein


@pytest.mark.parametrize(
    ("text", "encoding", "locale", "row"),
    [
        ("Claim No,Guest Name\nNP-1,محمد علي\n", "cp1256", "ar_EG", 2),
        ("Solicitud;Nº vendedor\nPA-1;V0001\n", "cp1252", "es_AR", 1),
    ],
)
def test_a_utf8_mark_before_a_code_page_is_named(
    text: str, encoding: str, locale: str, row: int
) -> None:
    """A UTF-8 byte-order mark before cp1256 (or cp1252) bytes was refused as
    "near row 1: cannot decode as utf-8-sig (invalid continuation byte)",
    and --encoding cp1256 changed nothing (the mark wins). The refusal now
    says what the file is and what to do."""
    data = codecs.BOM_UTF8 + text.encode(encoding)
    with pytest.raises(UnreadableInput) as refused:
        detect_encoding(data, "stays.csv", locale=locale)
    assert str(refused.value) == (
        f"stays.csv: row {row}: starts with a UTF-8 byte-order mark, but the text "
        f"after it is not UTF-8 (it reads as {encoding}): save it again as "
        "UTF-8, or remove the mark (its first 3 bytes) and give --encoding "
        f"{encoding}"
    )


def test_a_utf8_mark_before_utf8_is_read() -> None:
    data = codecs.BOM_UTF8 + "Claim No,Guest Name\nNP-1,محمد علي\n".encode()
    assert detect_encoding(data, "stays.csv", locale="ar_EG") == "utf-8-sig"


STAYS_CLIENT = """\
schema_version: 1
client: nile-stays
name: Nile Palace Rewards
kind: stay
locale: ar_EG
date_order: DMY
currency: EGP
timezone: Africa/Cairo
verification:
  source_date_order: DMY
  source_number_locale: ar_EG
"""
STAYS_SOURCE = """\
Hotel,Confirmation,Guest Name,Arrival,Departure,Room Revenue,Currency
NPH-CAI,CNF10001,محمد علي,01/11/2026,04/11/2026,"ج.م 1,234.50",EGP
NPH-HRG,CNF30003,محمد علي,20/11/2026,23/11/2026,"US$ 100.00",{currency}
"""


def test_a_folio_amount_is_read_in_the_folios_currency(
    write: Callable[..., Path],
) -> None:
    """A folio's 'US$ 100.00' is read where its Currency says USD, and
    refused where it says EGP (the source reader took any sign)."""
    client = load_client(write("nile.yaml", STAYS_CLIENT))
    ok = write("stays.csv", STAYS_SOURCE.format(currency="USD"))
    assert [(r.room_revenue, r.currency) for r in read_source(ok, client)] == [
        (Decimal("1234.50"), "EGP"),
        (Decimal("100.00"), "USD"),
    ]
    wrong = write("wrong.csv", STAYS_SOURCE.format(currency="EGP"))
    with pytest.raises(UnreadableInput, match=r"row 3:Room Revenue: expected an amount in EGP"):
        list(read_source(wrong, client))


def test_a_member_number_in_arabic_indic_digits_finds_the_member(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """`ledger balance ١٠٠٠٠٠٠١` (the number as an Arabic form writes it) said
    "participant ١٠٠٠٠٠٠١: not on nile-stays's member list or ledger", of a
    member the list had imported as 10000001 (its digits read as claims and
    member lists read them). Each digit is its value: 10000001."""
    client = write("nile.yaml", STAYS_CLIENT)
    members = write("members.csv", "member id,first name\n١٠٠٠٠٠٠١,محمد\n")
    db = str(tmp_path / "eg.db")
    code, _, err = run("participants", "import", str(members), "--client", str(client), "--db", db)
    assert code == 0, err
    for number in ("10000001", "١٠٠٠٠٠٠١", "۱۰۰۰۰۰۰۱"):
        code, out, err = run("ledger", "balance", number, "--client", str(client), "--db", db)
        assert (code, out) == (0, f"{number}: 0 points (0 available, 0 pending)\n"), err
    code, _, err = run("ledger", "balance", "١٠٠٠٠٠٠٢", "--client", str(client), "--db", db)
    assert code == 2
    assert "not on nile-stays's member list or ledger" in err


AWARD = """\
award:
  activity_date: check_out
  currency: EGP
  rounding_mode: floor
  pending_days: 0
{rates}  rule_sets:
    - version: "2026"
      effective_from: 2026-01-01
      rules:
        - {{id: base, kind: per_currency, points: 1, per: 10, basis: pro_rata}}
"""
RATE = '  rates:\n    - {from: USD, to: EGP, rate: "47.5", date: 2026-11-01, source: CBE}\n'
USD_STAY = """\
Claim No,Member No,Guest Name,Hotel,Confirmation,Arrival,Departure,Room Revenue,Currency,Received
NP-3003,10000001,محمد علي,NPH-HRG,CNF30003,20/11/2026,23/11/2026,"1,000.00",USD,24/11/2026 09:00
"""


def test_a_rate_added_shows_what_it_pays_in_a_baseline_replay(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """NP-3003, a stay in USD, earned nothing live (no USD->EGP rate:
    no_conversion_rate). `replay --rules` with the rate added and
    `--baseline` said "0 changed, +0 points": a claim never awarded was
    left out of the points compared. By hand: 1,000.00 USD x 47.5 =
    47,500.00 EGP, 1 point per EGP 10: 4,750 points."""
    old = write("nile.yaml", STAYS_CLIENT + AWARD.format(rates=""))
    new = write("nile-rates.yaml", STAYS_CLIENT + AWARD.format(rates=RATE))
    db = str(tmp_path / "eg.db")
    code, _, err = run("ingest", str(write("usd.csv", USD_STAY)), "--client", str(old), "--db", db)
    assert code == 0, err
    code, out, _ = run("award", "--client", str(old), "--db", db)
    assert code == 1
    assert "no_conversion_rate" in out
    args = ("replay", "--client", str(old), "--db", db, "--all", "--json")
    code, out, err = run(*args, "--rules", str(new), "--baseline")
    assert code == 1, err
    result = json.loads(out)
    assert (result["changed"], result["points_delta"]) == (1, 4750)
    assert result["changes"][0]["points_from"] is None
    assert result["changes"][0]["points_to"] == 4750
    code, out, _ = run(*args)  # the same rules: nothing changes
    assert (code, json.loads(out)["changed"]) == (0, 0)
