"""Trial 42: two clients nobody here wrote, a Persian hotel desk
(pars-hotel: fa_IR, IRR, Asia/Tehran, a Saturday-to-Thursday week) and a
South African dealer program (karoo-dealers: en_ZA, ZAR).

Each test quotes the value the trial's files held and what claimflow made
of it before the fix.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import holidays
import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

import claimflow
from claimflow.codepages import candidates, garbled
from claimflow.numbers import NumberError, number_format
from claimflow.values import parse_date, parse_datetime
from tests.test_cli import run

PARS = """\
schema_version: 1
client: pars-hotel
name: Pars Hotel Club
kind: stay
locale: fa_IR
language: en
date_order: YMD
currency: IRR
timezone: Asia/Tehran
claim_window_days: 120
columns:
  participant_id: ["شماره عضویت"]
  member_name: ["نام مهمان"]
  hotel_code: ["هتل"]
  confirmation_number: ["شماره تایید"]
  check_in: ["ورود"]
  check_out: ["خروج"]
  qualifying_revenue: ["مبلغ اتاق"]
  received_at: ["تاریخ دریافت"]
  claim_ref: ["شماره درخواست"]
eligible_hotels: [PRS-THR, PRS-SHZ]
calendar:
  country: IR
  hours: {sat: "08:00-16:00", sun: "08:00-16:00", mon: "08:00-16:00",
          tue: "08:00-16:00", wed: "08:00-16:00", thu: "08:00-12:00"}
"""
HEADER = "شماره درخواست,شماره عضویت,نام مهمان,هتل,شماره تایید,ورود,خروج,مبلغ اتاق,تاریخ دریافت\n"


def _farvardin_first(gregorian_year: int) -> date:
    """1 Farvardin, Nowruz, as the holidays package names it for Iran."""
    ir = holidays.country_holidays("IR", years=gregorian_year, language="en_US")
    return min(d for d, name in ir.items() if "Nowruz" in name.split("; "))


# (Solar Hijri date, its Gregorian date): by hand from Nowruz 1405 (21 March
# 2026), six months of 31 days then months of 30; 22 Bahman 1404 is the
# Islamic Revolution's day and 14 Khordad 1405 Khomeini's death, as the
# holidays package dates them for Iran
JALALI = [
    ((1405, 9, 13), _farvardin_first(2026) + timedelta(days=6 * 31 + 2 * 30 + 12)),
    ((1405, 1, 1), _farvardin_first(2026)),
    ((1405, 2, 31), date(2026, 3, 21) + timedelta(days=31 + 30)),
    ((1404, 11, 22), holidays.country_holidays("IR", years=2026, language="en_US")
     .get_named("Islamic Revolution Day", lookup="exact")[0]),
    ((1405, 3, 14), holidays.country_holidays("IR", years=2026, language="en_US")
     .get_named("Death of Imam Khomeini", lookup="exact")[0]),
]  # fmt: skip


def test_the_oracle_is_the_brief_s_date() -> None:
    """۱۴۰۵/۰۹/۱۳ is 4 December 2026, a Friday (Iran's weekend)."""
    assert JALALI[0][1] == date(2026, 12, 4) and JALALI[0][1].weekday() == 4


@pytest.mark.parametrize(("jalali", "gregorian"), JALALI)
def test_a_solar_hijri_date_is_refused_naming_its_gregorian_date(
    jalali: tuple[int, int, int], gregorian: date
) -> None:
    """``۱۴۰۵/۰۹/۱۰`` at a YMD fa_IR desk was read as 10 September 1405,
    six centuries before its claim: rejected as outside_claim_window with
    nothing said about the calendar."""
    year, month, day = jalali
    persian = f"{year}/{month:02d}/{day:02d}".translate(
        str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    )
    found = parse_date(persian, "YMD", solar_hijri=True)  # the fa_IR desk's
    assert isinstance(found, str)
    assert found.endswith(
        f"({year}/{month:02d}/{day:02d} looks like a Solar Hijri (Jalali) date, "
        f"{gregorian.isoformat()} in the Gregorian calendar: the desk reads "
        "Gregorian years)"
    )
    # at a day-first desk, and with a time (a received stamp), the same
    assert gregorian.isoformat() in str(
        parse_date(f"{day}/{month}/{year}", "DMY", solar_hijri=True)
    )
    stamp = parse_datetime(f"{persian} ۱۰:۳۰", "YMD", solar_hijri=True)
    assert isinstance(stamp, str) and gregorian.isoformat() in stamp


def test_a_day_the_month_has_not_names_the_year_only() -> None:
    """Esfand 1405 has 29 days (1406 begins on 21 March 2027): 1405/12/30 is
    no date, so no Gregorian date is named, but 1405 is never year 1405."""
    assert (_farvardin_first(2027) - _farvardin_first(2026)).days == 365
    found = parse_date("1405/12/30", "YMD", solar_hijri=True)
    assert isinstance(found, str)
    assert "1405 looks like a Solar Hijri (Jalali) year, 2026 or 2027" in found
    assert parse_date("2026/12/04", "YMD") == date(2026, 12, 4)


def test_jalali_claim_is_pended_and_its_notice_asks_for_the_gregorian_date(
    write: Callable[..., Path],
) -> None:
    """The claim was rejected (outside_claim_window) and its notice said the
    stay "is outside the period in which claims are accepted (we read: 10
    Sept 1405)"."""
    client = write("pars.yaml", PARS)
    claims = write(
        "azar.csv",
        HEADER + "PH-103,10020052,مریم رضایی,PRS-SHZ,SH33900,۱۴۰۵/۰۹/۰۸,۱۴۰۵/۰۹/۱۰,"
        "۲۸٬۵۰۰٬۰۰۰,۲۰۲۶/۱۲/۰۲ ۱۱:۰۰\n",
    )
    result = claimflow.check([claims], claimflow.load_client(client))
    assert result.outcomes["pended"] == 1 and result.outcomes["rejected"] == 0
    assert {p.code for p in result.problems} == {"invalid_date"}
    text = result.notices[0].text
    # the form the notice asks for, in the desk's order and separator
    assert "if it is the Solar Hijri (Jalali) one, write 2026/12/01" in text
    assert "please send it again as YYYY/MM/DD" in text


@pytest.mark.parametrize(
    "written", ["۱۲٬۳۰۰٬۰۰۰ تومان", "12,300,000 toman", "تومان ۱۲٬۳۰۰٬۰۰۰", "12300000 Toman"]
)
def test_toman_is_refused_never_read_as_rials(written: str) -> None:
    """``۱۲٬۳۰۰٬۰۰۰ تومان`` was refused only because "'ت' (ARABIC LETTER TEH)
    is not a digit", and the notice asked for it "written like 1,234.56": the
    member writing 12,300,000 again would have been paid for a tenth of the
    stay (123,000,000 rials)."""
    numbers = number_format("fa_IR")
    with pytest.raises(NumberError, match="is the toman, not IRR .*never converted"):
        numbers.read(written, currency="IRR")
    assert numbers.foreign_currency(written, "IRR")


@given(st.integers(min_value=0, max_value=10**12))
def test_rials_as_babel_writes_them_read_back(rials: int) -> None:
    """fa_IR amounts with Babel's own IRR sign, and in Persian digits with
    the Persian group mark ٬ (U+066C), read back to the rial."""
    numbers = number_format("fa_IR")
    assert numbers.read(format_currency(rials, "IRR", locale="fa_IR"), currency="IRR") == rials
    persian = format_decimal(rials, locale="en_US").replace(",", "٬").translate(
        str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    )
    assert numbers.read(f"{persian} ریال", currency="IRR") == rials


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_rand_amounts_written_either_south_african_way_read_back(amount: Decimal) -> None:
    """``R12,500.00`` was refused at an en_ZA desk ("not a number in this
    format"), CLDR's en_ZA writing ``R 12 500,00``; both are read, the
    comma-grouped one with its R sign as Babel's en writes it."""
    numbers = number_format("en_ZA")
    cldr = format_currency(amount, "ZAR", locale="en_ZA")
    assert numbers.read(cldr, currency="ZAR") == amount
    english = format_currency(amount, "ZAR", locale="en_US", format="R#,##0.00")
    assert numbers.read(english, currency="ZAR") == amount


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("R12,500.00", Decimal("12500.00")),
        ("R 1 234,56", Decimal("1234.56")),
        ("ZAR 12 500", Decimal("12500")),
        ("1,234,567.5", Decimal("1234567.5")),
        ("1.5", Decimal("1.5")),
    ],
)
def test_south_african_amounts_read(written: str, read: Decimal) -> None:
    assert number_format("en_ZA").read(written, currency="ZAR") == read


@pytest.mark.parametrize("written", ["R1,234", "12,500", "1.234", "1.234,56", "R1 234.56"])
def test_south_african_amounts_that_read_two_ways_or_none_are_refused(
    written: str,
) -> None:
    """``R1,234`` is R1 234 where ',' groups digits and R1,23 4 where it is
    CLDR's decimal comma: neither is guessed."""
    with pytest.raises(NumberError):
        number_format("en_ZA").read(written, currency="ZAR")


def test_a_persian_zero_width_non_joiner_is_writing_not_garble(
    write: Callable[..., Path],
) -> None:
    """A cp1256 member list with ``حسين‌زاده`` (a ZWNJ, cp1256's 0x9D, inside
    the name) was refused as garble, the desk told "it looks like
    mac_cyrillic; give --encoding mac_cyrillic"."""
    text = (
        "participant_id,first_name,last_name\n"
        "10020030,علي,کريمي\n10020041,زهرا,حسين\u200cزاده\n"
    )
    raw = text.encode("cp1256")
    assert raw.decode("cp1256") == text
    assert garbled(text, "fa_IR", encoding="cp1256") == []
    assert candidates(raw, "fa_IR")[0][0] == "cp1256"
    client = write("pars.yaml", PARS)
    code, _, err = run("participants", "import", str(write("members.csv", raw)),
                       "--client", str(client), "--db", str(client.with_name("s.db")))  # fmt: skip
    assert code == 2
    assert "give --encoding cp1256, or set the client's encoding (encoding: cp1256)" in err
    assert "mac_cyrillic" not in err


def test_a_joiner_between_latin_letters_is_still_garble() -> None:
    """cp1252's ž read as cp1256 is a zero-width joiner: still a misread."""
    misread = "id,name\n1,Bo\u017eidar\n".encode("cp1252").decode("cp1256")
    assert "\u200d" in misread
    assert [g.sign for g in garbled(misread, "hr_HR", encoding="cp1256")] == ["\u200d"]


def test_check_json_names_the_toman_and_the_calendar(write: Callable[..., Path]) -> None:
    client = write("pars.yaml", PARS)
    claims = write(
        "azar.csv",
        HEADER
        + "PH-102,10020041,زهرا حسین‌زاده,PRS-THR,IS77310,۲۰۲۶/۱۱/۲۵,۲۰۲۶/۱۱/۲۷,"
        "۱۲٬۳۰۰٬۰۰۰ تومان,۲۰۲۶/۱۲/۰۲ ۱۰:۴۰\n",
    )
    code, out, _ = run("check", str(claims), "--client", str(client), "--json")
    assert code == 1
    (problem,) = json.loads(out)["problems"]
    assert problem["code"] == "invalid_number"
    assert "'تومان' is the toman, not IRR" in problem["message"]


def test_a_pair_of_persian_digit_member_numbers_marked_same_can_be_merged(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """``dedupe participants`` wrote the pair as ``۱۰۰۲۰۰۳۰``/``۱۰۰۲۰۰۷۴``
    while the member list stores 10020030/10020074, so the reviewer's
    ``same`` was stored for numbers no member has, and ``participants merge
    10020030 10020074`` answered "no reviewer marked them the same". The
    same name keyed with Arabic kaf and yeh (``علي كريمي``) as with Persian
    keheh and yeh (``علی کریمی``) is found the same person."""
    client = str(write("pars.yaml", PARS))
    members = write(
        "members.csv",
        "participant_id,first_name,last_name,email\n"
        "۱۰۰۲۰۰۳۰,علی,کریمی,ali.karimi@mail.example\n"
        "۱۰۰۲۰۰۴۱,زهرا,حسین‌زاده,zahra.h@mail.example\n"
        "۱۰۰۲۰۰۷۴,علي,كريمي,ali.karimi@mail.example\n",
    )
    db = str(tmp_path / "store.db")
    assert run("participants", "import", str(members), "--client", client, "--db", db)[0] == 0
    review = tmp_path / "pairs.csv"
    code, out, _ = run("dedupe", "participants", str(members), "--db", db,
                       "--review-out", str(review))  # fmt: skip
    assert "10020030 <- 10020074" in out
    text = review.read_text(encoding="utf-8-sig")
    header, pair = text.splitlines()[:2]
    assert pair.split(",")[1:3] == ["10020030", "10020074"]
    marked = write("marked.csv", f"{header}\n{pair}same\n")
    assert run("dedupe", "apply", str(marked), "--db", db)[0] == 0
    code, out, err = run("participants", "merge", "10020030", "10020074",
                         "--client", client, "--db", db)  # fmt: skip
    assert (code, err) == (0, "")
    assert out.startswith("merge #1: 10020074 into 10020030")


@pytest.mark.parametrize("label", ["جمع", "جمع کل", "مجموع", "جمع\u200cکل"])
def test_a_persian_total_row_of_a_member_list_is_no_member(
    write: Callable[..., Path], tmp_path: Path, label: str
) -> None:
    """A member list ending ``جمع,,,`` ("total") imported 2 participants,
    the second numbered 'جمع'. ``جمعه`` (Friday, also a name) is no total."""
    client = str(write("pars.yaml", PARS))
    members = write(
        "members.csv",
        "participant_id,first_name,last_name,enrolled_on\n"
        f"۱۰۰۲۰۰۳۰,جمعه,کریمی,۲۰۲۴/۰۳/۱۱\n{label},,,\n",
    )
    code, out, err = run("participants", "import", str(members), "--client", client,
                         "--db", str(tmp_path / "s.db"))  # fmt: skip
    assert code == 0
    assert "row 3: total row with no figures; not a record" in err + out
    assert "1 participant of pars-hotel imported" in out
