"""Trial 43: two clients nobody here wrote, an Indian dealer program
(bharat-dealers: en_IN with a Hindi-speaking branch keyed at hi_IN, INR,
Asia/Kolkata, Maharashtra's holidays) and a Swiss hotel desk (alpen-desk:
de_CH and fr_CH members, CHF, Europe/Zurich).

Each test quotes the value the trial's files held and what claimflow made
of it before the fix.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal

from claimflow.dedupe.normalise import read_prepared
from claimflow.numbers import NumberError, number_format
from claimflow.parse.common import TOTAL
from claimflow.written_dates import named_month_date
from tests.test_cli import run

BHARAT = """\
schema_version: 1
client: bharat-dealers
name: Bharat Appliances Dealer Rewards
kind: sales
locale: en_IN
language: en
date_order: DMY
currency: INR
timezone: Asia/Kolkata
claim_window_days: 90
columns:
  participant_id: ["Member ID", "सदस्य आईडी"]
  dealer_id: ["GSTIN"]
  invoice_number: ["Invoice No.", "बीजक संख्या"]
  invoice_date: ["Invoice Date", "बीजक तिथि"]
  sku: ["Product", "उत्पाद"]
  quantity: ["Qty", "मात्रा"]
  line_total: ["Amount (INR)", "राशि"]
  claim_ref: ["Claim No.", "दावा संख्या"]
formats:
  dealer_id: '^\\d{2}[A-Z]{5}\\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$'
eligible_skus: [FRG-240, AC-15T, WM-7KG]
award:
  activity_date: invoice_date
  currency: INR
  rounding_mode: floor
  products:
    FRG-240: {group: fridges}
    AC-15T: {group: climate}
    WM-7KG: {group: laundry}
  rule_sets:
    - version: "2026"
      effective_from: 2026-01-01
      rules:
        - {id: base, kind: per_currency, points: 1, per: 100, basis: bracket}
        - {id: ac, kind: per_unit, points: 250, scope: {groups: [climate]}}
"""
HEADER = "Claim No.,Member ID,GSTIN,Invoice No.,Invoice Date,Product,Qty,Amount (INR)\n"


# --- '/-' after a whole amount: "and no paise" ---------------------------


@pytest.mark.parametrize("value", [1234, 41234, 123456, 1234567, 12345678, 100000])
@pytest.mark.parametrize("mark", ["Rs. ", "Rs.", "INR ", "₹", "₹ ", ""])
def test_rupees_with_a_slash_dash_are_whole_rupees(value: int, mark: str) -> None:
    """``Rs. 41,234/-`` (trial 43's row 3) was refused 'not a number in this
    format', and ``INR 12,500/-`` too: the ``/-`` that Indian invoices write
    after whole rupees was no mark the reader knew. The figure is Babel's
    en_IN grouping (lakh and crore) of the value, read back equal."""
    written = f"{mark}{format_decimal(value, locale='en_IN')}/-"
    assert number_format("en_IN").read(written, currency="INR") == Decimal(value)
    # the Hindi branch keys the same at hi_IN, in Devanagari digits too
    hindi = format_decimal(value, locale="hi_IN", numbering_system="deva")
    assert number_format("hi_IN").read(f"{hindi}/-", currency="INR") == value


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("12,500/-", Decimal(12500)),  # '12,500' alone is refused as ambiguous
        ("Rs. 1,23,456.00/-", Decimal("123456.00")),  # no paise, said twice
        ("1,234 /-", Decimal(1234)),
        ("KES 1,000/=", None),  # East Africa's '/=': read, but not as INR
    ],
)
def test_slash_dash_settles_the_group_mark(written: str, value: Decimal | None) -> None:
    """With '/-' the amount is whole, so its one comma groups digits."""
    numbers = number_format("en_IN")
    if value is None:
        assert numbers.read(written) == Decimal(1000)
        return
    assert numbers.read(written, currency="INR") == value
    with pytest.raises(NumberError, match="ambiguous"):
        numbers.read("12,500", currency="INR")


@pytest.mark.parametrize(
    ("locale", "written", "why"),
    [
        ("en_IN", "Rs. 1,234.50/-", "decimals (50) and '/-' for no cents both"),
        ("en_IN", "1,234.5/-", "decimals (5) and '/-' for no cents both"),
        ("de_DE", "1,234/-", "decimals (234) and '/-' for no cents both"),
        ("en_IN", "Rs. /-", "not a number"),
        ("en_IN", "Rupees Twelve Thousand Five Hundred Only", "not a number"),
    ],
)
def test_slash_dash_beside_paise_is_refused(locale: str, written: str, why: str) -> None:
    """Paise and "no paise" both written is no amount: refused, never rounded."""
    with pytest.raises(NumberError, match=why.replace("(", r"\(").replace(")", r"\)")):
        number_format(locale).read(written, currency="INR")


def test_a_slash_dash_claim_is_paid_its_rupees(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """Trial 43's rows 3 and 4 were pended invalid_number; now accepted and
    paid by hand: 41,234 INR is 412 whole brackets of 100 at 1 point, plus
    250 for the AC unit = 662; 12,500 INR is 125 points."""
    client = str(write("bharat.yaml", BHARAT))
    claims = write(
        "dealer_nov.csv",
        HEADER
        + 'BH-002,IN100002,27AAPFU0939F1ZV,GST/26-27/0102,04/11/2026,AC-15T,1,"Rs. 41,234/-"\n'
        + 'BH-003,IN100003,27BBCDE1234F1Z5,PHS-7781,4th Nov 2026,WM-7KG,1,"INR 12,500/-"\n',
    )
    db = str(tmp_path / "s.db")
    code, out, err = run("ingest", str(claims), "--client", client, "--db", db,
                         "--at", "2026-12-01T12:00", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["outcomes"]["accepted"] == 2
    code, out, err = run("award", "--client", client, "--db", db, "--json")
    assert code == 0, err
    code, out, _ = run("award", "explain", "BH-002", "--client", client, "--db", db)
    assert "412 whole brackets of ₹100.00 at 1 -> +412 points" in out
    assert "Total: 662 points." in out
    code, out, _ = run("award", "explain", "BH-003", "--client", client, "--db", db)
    assert "Total: 125 points." in out


# --- Hindi and Marathi total rows ----------------------------------------


@pytest.mark.parametrize("label", ["कुल", "कुल योग", "योग", "एकूण", "कुल राशि"])
def test_hindi_and_marathi_total_words(label: str) -> None:
    assert TOTAL.match(label)


@pytest.mark.parametrize("name", ["योगेश", "कुलदीप", "कुलकर्णी", "कुली", "योगिता"])
def test_names_that_begin_like_a_total_word_are_names(name: str) -> None:
    """Yogesh, Kuldeep, Kulkarni: a vowel sign after the word makes a name."""
    assert not TOTAL.match(name)


HINDI_HEADER = "दावा संख्या,सदस्य आईडी,GSTIN,बीजक संख्या,बीजक तिथि,उत्पाद,मात्रा,राशि\n"
HINDI_ROWS = (
    'BH-202,IN100022,09AAACR5055K1Z5,UP-5502,०५-११-२०२६,WM-7KG,2,"२५,०००.००"\n'
    'BH-203,IN100023,09AAACR5055K1Z5,UP-5503,06/11/2026,AC-15T,1,"Rs. 1,05,000/-"\n'
)


def test_a_hindi_total_row_is_checked_not_stored_as_a_claim(
    write: Callable[..., Path],
) -> None:
    """The Hindi branch's file ended ``कुल,,,,,,3,"₹८८,४५०.००"``: it was
    stored as a claim numbered 'कुल', pended for four missing fields, with
    a notice. Now it is a total row: its figures are checked against the
    rows above (2 + 1 = 3 units; 25,000.00 + 1,05,000 = 1,30,000.00 INR)."""
    client = str(write("bharat.yaml", BHARAT))
    wrong = write(
        "shakha.csv", HINDI_HEADER + HINDI_ROWS + 'कुल,,,,,,3,"₹८८,४५०.००"\n'
    )
    code, out, err = run("check", str(wrong), "--client", client,
                         "--number-locale", "hi_IN", "--at", "2026-12-01T12:00")  # fmt: skip
    assert code == 2
    assert err.strip().splitlines() == [
        f"claimflow: error: {wrong}: row 4: the total row's राशि says "
        "'₹८८,४५०.००' (88450.00), the 2 claim rows above add up to 130000.00; "
        "a row may be missing or misread"
    ]
    right = write(
        "shakha_ok.csv", HINDI_HEADER + HINDI_ROWS + 'कुल,,,,,,3,"₹१,३०,०००.००"\n'
    )
    code, out, err = run("check", str(right), "--client", client, "--json",
                         "--number-locale", "hi_IN", "--at", "2026-12-01T12:00")  # fmt: skip
    data = json.loads(out)
    assert (code, data["records"]) == (0, 2)
    assert any("total row 'कुल' left out" in n for n in data["files"][0]["notes"])


def test_a_hindi_total_row_of_a_member_list_is_no_member(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """``कुल,,`` under two members was imported as a third, numbered 'कुल'."""
    client = str(write("bharat.yaml", BHARAT))
    members = write(
        "members.csv", "Member ID,First Name,Last Name\nIN1,योगेश,पाटील\nIN2,सीमा,वर्मा\nकुल,,\n"
    )
    code, out, err = run("participants", "import", str(members), "--client", client,
                         "--db", str(tmp_path / "s.db"))  # fmt: skip
    assert code == 0
    assert "row 4: total row with no figures; not a record" in err + out
    assert "2 participants of bharat-dealers imported" in out


# --- a people file's total row --------------------------------------------


@pytest.mark.parametrize("label", ["Total", "कुल"])
def test_a_people_csv_total_row_is_refused_as_in_a_workbook(
    write: Callable[..., Path], label: str
) -> None:
    """``dedupe participants members.csv`` said '14 people' of a list of 13
    and a ``Total,,,,,,`` row (the member import had left it out): the total
    was scored as a person. A people workbook's total row was already
    refused; a CSV's now is too, naming its row (title 1, header 2, 13
    members 3-15, total 16)."""
    members = "".join(f"IN1000{i:02},First{i},Last{i},p{i}@x.example\n" for i in range(13))
    people = write(
        "members.csv",
        "Bharat member list\nMember ID,First Name,Last Name,Email\n"
        + members
        + f"{label},,,\n",
    )
    code, out, err = run("dedupe", "participants", str(people))
    assert code == 2
    assert err.strip() == (
        f"claimflow: error: {people}: row 16: expected a person on every row, "
        "found a total row"
    )
    code, out, err = run("dedupe", "participants", str(write("ok.csv", "Member ID,First Name,Last Name,Email\n" + members)))
    assert out.startswith("13 people")


def test_a_people_total_row_is_named_by_its_row_across_chunks(tmp_path: Path) -> None:
    """Read in chunks of 10 with a blank line above it, the total is still
    named by the row a spreadsheet shows: header 1, people 2-26, blank 27."""
    path = tmp_path / "people.csv"
    people = "".join(f"P{i},A{i},B\n" for i in range(25))
    path.write_text(f"participant_id,first_name,last_name\n{people}\nTotal,,\n")
    with pytest.raises(Exception, match="row 28: expected a person on every row"):
        read_prepared(path, chunk_rows=10)


# --- a month named in another language of the desk's country -------------


@pytest.mark.parametrize(
    ("client_locale", "writer", "day"),
    [
        ("de_CH", "fr_CH", date(2026, 11, 4)),  # '4 novembre 2026' at Zurich
        ("de_CH", "it_CH", date(2026, 11, 4)),  # '4 novembre 2026' (Ticino)
        ("de_CH", "fr_CH", date(2026, 12, 4)),  # '4 décembre 2026'
        ("en_IN", "hi_IN", date(2026, 11, 4)),  # '4 नवंबर 2026'
        ("en_IN", "hi_IN", date(2026, 2, 14)),
    ],
)
def test_a_month_named_in_another_language_of_the_country_is_read(
    client_locale: str, writer: str, day: date
) -> None:
    """A Geneva member's ``4 novembre 2026`` at a de_CH desk and the Hindi
    branch's ``4 नवंबर 2026`` at an en_IN desk were refused 'expected a date
    as DD/MM/YYYY'. The oracle is Babel writing the date in the member's
    language; the desk's own and English names still come first."""
    written = format_date(day, "long", locale=writer)
    assert named_month_date(written, client_locale, "DMY") == day
    assert named_month_date("4. Dezember 2026", "de_CH", "DMY") == date(2026, 12, 4)


def test_a_french_swiss_claim_is_read_at_a_german_swiss_desk(
    write: Callable[..., Path],
) -> None:
    """Trial 43's demandes.csv, its '1 234,50 CHF' read with --number-locale
    fr_FR as the README says, was pended invalid_date for both dates."""
    client = str(write("alpen.yaml", ALPEN))
    claims = write(
        "demandes.csv",
        "Demande;No de membre;Nom du client;Hotel;Confirmation;Arrivée;Départ;"
        "Montant chambre\nAG-1;CH6001;Chloé Favre;ALP-GVA;GV300001;4 novembre 2026;"
        "6 novembre 2026;1\u202f234,50 CHF\n",
    )
    code, out, err = run("check", str(claims), "--client", client, "--json",
                         "--number-locale", "fr_FR", "--at", "2026-11-20T12:00")  # fmt: skip
    assert (code, json.loads(out)["outcomes"]["accepted"]) == (0, 1), err


ALPEN = """\
schema_version: 1
client: alpen-desk
name: Alpen Hotels Club
kind: stay
locale: de_CH
language: de
date_order: DMY
currency: CHF
timezone: Europe/Zurich
claim_window_days: 120
columns:
  participant_id: ["No de membre"]
  member_name: ["Nom du client"]
  confirmation_number: ["Confirmation"]
  check_in: ["Arrivée"]
  check_out: ["Départ"]
  qualifying_revenue: ["Montant chambre"]
  claim_ref: ["Demande"]
eligible_hotels: [ALP-ZRH, ALP-GVA]
"""


def test_award_explain_names_a_claim_not_paid_by_its_row(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """``award explain AH-2`` of a claim in review said 'claim AH-2
    (f8d3dac1d118-r3) is review': the store's id where every other line
    names the file and row the participant's claim came in."""
    client = str(write("bharat.yaml", BHARAT))
    claims = write(
        "dealer_nov.csv",
        HEADER
        + "BH-006,IN100006,27AAPFU0939F1ZV,GST/26-27/0103,05-11-2026,AC-15T,1,"
        "Rupees Twelve Thousand Five Hundred Only\n",
    )
    db = str(tmp_path / "s.db")
    code, _, _ = run("ingest", str(claims), "--client", client, "--db", db,
                     "--at", "2026-12-01T12:00")  # fmt: skip
    assert code == 1  # pended: an amount in words is refused, never guessed
    code, _, err = run("award", "explain", "BH-006", "--client", client, "--db", db)
    assert (code, err) == (
        2,
        "claimflow: error: claim BH-006 (dealer_nov.csv:row 2) is pended: "
        "only accepted claims are awarded\n",
    )
