"""Trial 37 (a Taiwanese dealer program, formosa-dealers, zh_TW, TWD; an
Israeli hotel desk, galil-hotels, he_IL, ILS): dates in the Minguo (ROC)
calendar and amounts as Taiwanese and Israeli invoices write them.

Minguo years. Some dealers write the invoice date in Taiwan's calendar,
whose year 1 is 1912: ``115/11/07``, ``民國115年11月8日`` (2026). The
zero-padded ``0115/11/12`` was read as the date 0115-11-12 and the claim
*rejected* (``outside_claim_window``: "expected a date on or after
2026-08-26, found 0115-11-12"), where the participant only had to write the
year again; ``115/11/07`` was refused as "a two-digit year" (it has three),
and ``民國115年11月8日`` with no reason at all. Each is now refused as the
desk refuses a Buddhist Era or Japanese era year, in one line naming the
Gregorian year (115 + 1911 = 2026), and the participant's notice asks for
that year: reading them would be right for most Taiwanese forms, but the
desk reads Gregorian years everywhere else (a member list, a source export,
replay), and a three-digit year a Taiwanese desk takes as Minguo means
nothing at another desk; see the report.

Amounts. ``NT$25,900`` (every uniform invoice writes whole dollars) was
refused as "ambiguous: 25900 ... 25.900", and ``32,500元`` and
``新台幣1,234元`` as "'元' is not a digit"; at the Israeli desk
``1,234.50 ש"ח`` (shekel hadash) was refused, and ``NIS 1,234.50`` as
"'NIS' does not say which currency". TWD is now written whole as JPY is
(CLDR's cash digits for TWD are 0), 元 and 新台幣 are TWD's (元 is CNY's
too), and ש"ח and NIS are ILS's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_currency, format_decimal

from claimflow import Store
from claimflow.dates import parse_date, parse_datetime
from claimflow.numbers import NumberError, number_format
from claimflow.validate.notice_dates import date_reading, date_reason
from claimflow.validate.notice_i18n import phrases
from tests.test_cli import run
from tests.validate.test_notices import client as notice_client

#: Year 1 of the Minguo calendar is 1912.
MINGUO = 1911


@pytest.mark.parametrize(
    ("keyed", "minguo"),
    [("115/11/07", 115), ("115/12/4", 115), ("115.12.04", 115), ("115-12-04", 115),
     ("0115/11/12", 115), ("0115-11-12", 115),  # read as year 115 before
     ("民國115年11月8日", 115), ("民国115年11月8日", 115), ("中華民國115年12月4日", 115),
     ("民國115/12/04", 115), ("115年12月4日", 115), ("民國元年1月1日", 1),
     ("民國99年5月1日", 99)],
)  # fmt: skip
def test_a_minguo_year_is_refused_naming_its_gregorian_year(
    keyed: str, minguo: int
) -> None:
    found = parse_date(keyed, "YMD")
    assert isinstance(found, str), f"{keyed!r} was read as {found}"
    gregorian = minguo + MINGUO  # 115 + 1911 = 2026, by hand
    assert f"{minguo} looks like a Minguo (ROC) year, {gregorian} in the Gregorian" in found
    assert "two-digit year" not in found


@pytest.mark.parametrize(
    ("keyed", "expected"),
    [("2026/11/07", date(2026, 11, 7)), ("2026年11月8日", date(2026, 11, 8)),
     ("2026-12-04", date(2026, 12, 4))],
)  # fmt: skip
def test_gregorian_dates_at_a_taiwanese_desk_are_read(keyed: str, expected: date) -> None:
    assert parse_date(keyed, "YMD") == expected


@pytest.mark.parametrize("keyed", ["0999-01-01", "0026-12-04", "0026/12/04"])
def test_a_year_before_1000_is_never_a_date(keyed: str) -> None:
    """No claim, birth or enrolment has one: ``0999-01-01`` was year 999,
    ``0026-12-04`` year 26 (named no Minguo year: 1937 would mislead)."""
    found = parse_date(keyed, "YMD")
    assert isinstance(found, str)
    assert "the desk reads Gregorian years from 1000 on" in found
    assert "Minguo" not in found


def test_a_received_time_in_a_minguo_year_says_why() -> None:
    """``115/12/04 10:00`` said only "expected a date and time as ..."."""
    found = parse_datetime("115/12/04 10:00", "YMD")
    assert isinstance(found, str)
    assert found.endswith(
        "(115 looks like a Minguo (ROC) year, 2026 in the Gregorian calendar: "
        "the desk reads Gregorian years)"
    )


@pytest.mark.parametrize(
    ("keyed", "language", "expected"),
    [("115/11/07", "en", " (the year is not a Gregorian year: write 2026)"),
     ("民國115年11月8日", "de", " (die Jahreszahl ist nicht gregorianisch: bitte 2026 schreiben)"),
     ("0115/11/12", "es", " (el año no es del calendario gregoriano: escriba 2026)"),
     # a Buddhist Era year (2569 - 543 = 2026) is asked for the same way
     ("2569/11/05", "en", " (the year is not a Gregorian year: write 2026)")],
)  # fmt: skip
def test_the_notice_asks_for_the_gregorian_year(
    keyed: str, language: str, expected: str
) -> None:
    """Asked for "all four digits of the year", a member who wrote 115
    could send 0115, which was read as year 115."""
    desk = notice_client(language, "zh_TW")
    desk = desk.model_copy(
        update={"config": desk.config.model_copy(update={"date_order": "YMD"})}
    )
    reading = date_reading(keyed, desk)
    assert date_reason(reading, phrases(None, language), language) == expected


FORMOSA = """\
schema_version: 1
client: formosa-dealers
name: Formosa Dealer Incentive
kind: sales
locale: zh_TW
language: en
date_order: YMD
currency: TWD
timezone: Asia/Taipei
claim_window_days: 90
columns:
  claim_ref: ["申請編號"]
  participant_id: ["業務員編號"]
  dealer_id: ["經銷商代碼"]
  invoice_number: ["發票號碼"]
  invoice_date: ["發票日期"]
  sku: ["型號"]
  quantity: ["數量"]
  unit_price: ["單價"]
  line_total: ["金額"]
  received_at: ["收件時間"]
eligible_skus: [AC-900, RF-500, WM-300]
award:
  activity_date: invoice_date
  currency: TWD
  rounding_mode: floor
  rounding_scope: claim
  pending_days: 0
  rule_sets:
    - version: "2026H2"
      effective_from: 2026-07-01
      rules:
        - {id: ac, kind: per_unit, points: 300, scope: {skus: [AC-900]}}
        - {id: fridge, kind: per_unit, points: 250, scope: {skus: [RF-500]}}
        - {id: washer, kind: per_currency, points: 1, per: 100, basis: bracket, scope: {skus: [WM-300]}}
"""
CLAIMS = (
    "申請編號,業務員編號,發票號碼,發票日期,型號,數量,單價,金額,收件時間\n"
    "FM-1001,TW10001,AB-12345678,2026/11/05,AC-900,2,\"NT$25,900\",\"NT$51,800\",2026/11/20 10:00\n"
    "FM-1002,TW10002,AB-12345679,2026年11月6日,RF-500,1,\"32,500元\",\"32,500元\",2026/11/20 10:30\n"
    "FM-1003,TW10003,CD-22334455,115/11/07,WM-300,1,\"NT$18,990\",\"NT$18,990\",2026/11/21 09:00\n"
    "FM-1004,TW10003,CD-22334456,民國115年11月8日,AC-900,1,\"新台幣25,900元\",\"NT$25,900\",2026/11/21 09:05\n"
    "FM-1008,TW10005,EF-55667789,0115/11/12,RF-500,1,\"NT$32,500\",\"NT$32,500\",2026/11/24 14:10\n"
)


def test_the_trials_dealer_file(tmp_path: Path, write: Callable[..., Path]) -> None:
    """The Minguo dates are pended for the participant to write again (FM-1008
    was rejected outside the window), and the amounts are read exactly: the
    points by hand, FM-1001 2 x 300 = 600 and FM-1002 1 x 250 = 250."""
    db, client = tmp_path / "formosa.db", write("formosa.yaml", FORMOSA)
    claims = write("dealers_nov.csv", CLAIMS)
    code, out, err = run(
        "ingest", str(claims), "--client", str(client), "--db", str(db),
        "--at", "2026-12-04T10:00", "--json",
    )  # fmt: skip
    assert code == 1, err
    assert json.loads(out)["outcomes"] == {
        "accepted": 2, "pended": 3, "rejected": 0, "duplicate": 0, "review": 0
    }  # fmt: skip
    with Store.open(db) as store:
        rows = list(
            store.db.execute(
                "SELECT json_extract(c.data, '$.claim_ref'), c.outcome, "
                "json_extract(c.data, '$.invoice_date'), "
                "json_extract(c.data, '$.lines[0].unit_price') FROM claims c ORDER BY 1"
            )
        )
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("FM-1001", "accepted", "2026-11-05"),
        ("FM-1002", "accepted", "2026-11-06"),
        ("FM-1003", "pended", None),
        ("FM-1004", "pended", None),
        ("FM-1008", "pended", None),
    ]
    assert [Decimal(r[3]) for r in rows] == [
        Decimal(25900), Decimal(32500), Decimal(18990), Decimal(25900), Decimal(32500)
    ]
    code, out, err = run("award", "--client", str(client), "--db", str(db), "--json")
    assert code == 0, err
    assert json.loads(out)["points"] == 600 + 250


@pytest.mark.parametrize("amount", [1234, 25900, 51800, 1000, 999, 1234567])
def test_twd_as_taiwanese_invoices_write_it(amount: int) -> None:
    """Babel writes the figure (the oracle); every way a form puts TWD
    around it reads back as the same whole amount."""
    figure = format_decimal(amount, locale="zh_TW")
    babel = format_currency(amount, "TWD", locale="zh_TW", format="¤#,##0", currency_digits=False)
    numbers = number_format("zh_TW")
    for written in (f"NT${figure}", f"NT$ {figure}", f"{figure}元", f"{figure} 元",
                    f"新台幣{figure}元", f"新臺幣 {figure} 元", f"NTD {figure}", babel, figure):  # fmt: skip
        assert numbers.read(written, currency="TWD") == Decimal(amount), written


def test_twd_cents_are_still_read() -> None:
    assert number_format("zh_TW").read("NT$1,234.50", currency="TWD") == Decimal("1234.50")


@pytest.mark.parametrize(
    ("written", "locale", "currency"),
    [("NT$1,234", "en_US", "USD"),  # another currency's sign: refused
     ("1,234元", "ja_JP", "JPY"),  # 元 is no yen
     ("$1,234", "en_US", "USD")],  # en_US keeps its one-mark rule
)  # fmt: skip
def test_what_stays_refused(written: str, locale: str, currency: str) -> None:
    with pytest.raises(NumberError):
        number_format(locale).read(written, currency=currency)


@pytest.mark.parametrize("amount", ["1234.50", "980.00", "3050.75", "0.50", "1234567.89"])
def test_ils_as_israeli_invoices_write_it(amount: str) -> None:
    value = Decimal(amount)
    figure = format_decimal(value, format="#,##0.00", locale="he_IL")
    numbers = number_format("he_IL")
    rlm = "\u200f"
    for written in (format_currency(value, "ILS", locale="he_IL"), f"₪ {figure}",
                    f"{figure} ₪", f'{figure} ש"ח', f"{figure} ש״ח", f'ש"ח {figure}',
                    f"NIS {figure}", f"{figure} NIS", f"{rlm}₪ {figure}{rlm}"):  # fmt: skip
        assert numbers.read(written, currency="ILS") == value, written


def test_hebrew_dates_as_babel_writes_them() -> None:
    """galil-hotels (he_IL): ``4 בדצמבר 2026``, Babel's long he_IL date, was
    refused ("expected a date as DD/MM/YYYY"): the month's name carries the
    letter ב ("in") that the pattern ``d בMMMM y`` glues to it, and the
    full date's weekday is two words (``יום שישי``). Every day of 2026 in
    Babel's full, long and medium he_IL forms reads back as itself."""
    from datetime import timedelta

    from babel.dates import format_date

    from claimflow.written_dates import named_month_date

    day = date(2026, 1, 1)
    while day.year == 2026:
        for width in ("full", "long", "medium"):
            written = format_date(day, width, locale="he_IL")
            assert named_month_date(written, "he_IL") == day, written
        day += timedelta(days=1)
    # a weekday not the date's own is refused, as in every language
    wrong = named_month_date("יום חמישי, 4 בדצמבר 2026", "he_IL")
    assert isinstance(wrong, str) and "2026-12-04 is a Friday" in wrong


GALIL = """\
schema_version: 1
client: galil-hotels
name: Galil Hotels Club
kind: stay
locale: he_IL
language: en
date_order: DMY
currency: ILS
timezone: Asia/Jerusalem
columns:
  participant_id: ["מספר חבר"]
  member_name: ["שם האורח"]
  hotel_code: ["מלון"]
  confirmation_number: ["מספר אישור"]
  check_in: ["תאריך הגעה"]
  check_out: ["תאריך עזיבה"]
  qualifying_revenue: ["סכום"]
  received_at: ["התקבל"]
eligible_hotels: [GLL-TLV]
"""


def test_the_trials_hotel_file(tmp_path: Path, write: Callable[..., Path]) -> None:
    """A cp1255 export with day-first, dotted and named Hebrew dates and the
    shekel written four ways: every value read exactly."""
    rows = (
        "מספר חבר,שם האורח,מלון,מספר אישור,תאריך הגעה,תאריך עזיבה,סכום,התקבל\n"
        "20114457,\u200fדוד כהן\u200f,GLL-TLV,TA881234,01/11/2026,04/11/2026,\"₪ 1,234.50\",10/11/2026 09:15\n"
        "20118820,שרה לוי,GLL-TLV,TA558031,4.11.2026,6.11.2026,\"1,234.50 ש\"\"ח\",10/11/2026 11:40\n"
        "20131118,יוסי מזרחי,GLL-TLV,TA120044,1 בנובמבר 2026,\"יום רביעי, 4 בנוב׳ 2026\",NIS 860.00,20/11/2026 14:05\n"
    )
    claims = tmp_path / "retro.csv"
    claims.write_bytes(rows.encode("cp1255"))
    client, db = write("galil.yaml", GALIL), tmp_path / "galil.db"
    code, out, err = run(
        "ingest", str(claims), "--client", str(client), "--encoding", "cp1255",
        "--db", str(db), "--at", "2026-12-01T10:00", "--json",
    )  # fmt: skip
    assert code == 0, out + err
    assert json.loads(out)["outcomes"]["accepted"] == 3
    with Store.open(db) as store:
        stored = list(
            store.db.execute(
                "SELECT json_extract(data, '$.check_in'), json_extract(data, '$.check_out'),"
                " json_extract(data, '$.qualifying_revenue') FROM claims ORDER BY rowid"
            )
        )
    assert stored == [
        ("2026-11-01", "2026-11-04", "1234.50"),
        ("2026-11-04", "2026-11-06", "1234.50"),
        ("2026-11-01", "2026-11-04", "860.00"),
    ]


def test_chinese_dates_as_babel_writes_zh_tw() -> None:
    """formosa-dealers (zh_TW): Babel's full date ``2026年12月4日 星期五`` and
    a dealer's ``2026/12/04(五)`` were refused ("expected a date as
    YYYY-MM-DD", no reason): a Chinese weekday, unlike a Japanese or Korean
    one, was not read. Every day of 2026 in Babel's zh_TW forms reads back as
    itself; a weekday not the date's own is refused naming the right one."""
    from datetime import timedelta

    from babel.dates import format_date

    day = date(2026, 1, 1)
    while day.year == 2026:
        for width in ("full", "long", "medium", "short"):
            written = format_date(day, width, locale="zh_TW")
            assert parse_date(written, "YMD") == day, written
        day += timedelta(days=1)
    for written in ("2026/12/04(五)", "2026/12/04 (週五)", "2026年12月4日(五)"):
        assert parse_date(written, "YMD") == date(2026, 12, 4), written
    for sunday in ("2026年12月6日 星期日", "2026年12月6日 星期天", "2026/12/06(日)"):
        assert parse_date(sunday, "YMD") == date(2026, 12, 6), sunday
    wrong = parse_date("2026年12月4日(四)", "YMD")
    assert isinstance(wrong, str)
    assert wrong.endswith("(2026-12-04 is a 星期五 (Friday), not a 星期四)")


def test_a_taiwanese_dealer_export(tmp_path: Path, write: Callable[..., Path]) -> None:
    """A dealer's sales export read in zh_TW (``source_number_locale``)
    refused its first amount, ``51,800``, as "ambiguous: 51800 ... 51.800":
    a sales export has no currency column, and its amounts were read as no
    currency's. They are the program's (TWD, written whole), so ``51,800``,
    ``NT$32,500`` and the total row ``84,300`` (51,800 + 32,500, by hand) are
    read as such."""
    client = write(
        "formosa.yaml",
        FORMOSA + "verification:\n  source_date_order: YMD\n  source_number_locale: zh_TW\n",
    )
    export = write(
        "dealer_sales.csv",
        "發票號碼,發票日期,經銷商代碼,型號,數量,金額\n"
        'AB-12345678,2026/11/05,D-TPE01,AC-900,2,"51,800"\n'
        'AB-12345679,2026年11月6日,D-TXG02,RF-500,1,"NT$32,500"\n'
        '合計,,,,3,"84,300"\n',
    )
    db = tmp_path / "formosa.db"
    code, out, err = run(
        "source", "import", str(export), "--client", str(client), "--db", str(db)
    )
    assert code == 0, out + err
    assert "row 4: total row, equals the rows' sum; not a record" in out + err
    with Store.open(db) as store:
        amounts = [
            Decimal(a)
            for (a,) in store.db.execute(
                "SELECT json_extract(data, '$.amount') FROM source_records ORDER BY rowid"
            )
        ]
    assert amounts == [Decimal(51800), Decimal(32500)]


RLM, LRM = "\u200f", "\u200e"


def _stored(
    client: Path, claims: Path, members: Path, db: Path, fields: tuple[str, str]
) -> tuple[tuple[object, ...], list[object]]:
    """`claims` ingested and `members` imported into `db`: the claim's
    participant and two of its fields as stored, and the members stored."""
    code, out, err = run(
        "ingest", str(claims), "--client", str(client), "--db", str(db),
        "--at", "2026-12-01T10:00", "--json",
    )  # fmt: skip
    assert code == 0, out + err
    code, out, err = run(
        "participants", "import", str(members), "--client", str(client), "--db", str(db)
    )
    assert code == 0, out + err
    with Store.open(db) as store:
        claim = store.db.execute(
            "SELECT participant_id, json_extract(data, ?), json_extract(data, ?) FROM claims",
            [f"$.{fields[0]}", f"$.{fields[1]}"],
        ).fetchone()
        people = [row[0] for row in store.db.execute("SELECT id FROM participants")]
    return tuple(claim), people


def test_direction_marks_around_codes(tmp_path: Path, write: Callable[..., Path]) -> None:
    """A Hebrew spreadsheet wraps Latin codes typed in a right-to-left cell
    in direction marks. ``\\u200fGLL-TLV\\u200f`` was *rejected* as
    ``ineligible_hotel`` ("expected a participating hotel, found
    '\\u200fGLL-TLV\\u200f'"), and the member number and confirmation were
    ``invalid_format``; the member list stored ``\\u200f20114457\\u200f`` as a
    member of its own. Marks at a value's ends are dropped as spaces are."""
    client = write(
        "galil.yaml",
        GALIL + "formats:\n  participant_id: '^\\d{8}$'\n"
        "  confirmation_number: '^[A-Z0-9]{8}$'\n",
    )
    claims = write(
        "retro.csv",
        "מספר חבר,שם האורח,מלון,מספר אישור,תאריך הגעה,תאריך עזיבה,סכום,התקבל\n"
        f'{RLM}20114457{RLM},{RLM}דוד כהן{RLM},{RLM}GLL-TLV{RLM},{LRM}TA551234{LRM} ,'
        '01/11/2026,04/11/2026,"₪ 1,234.50",10/11/2026 09:15\n',
    )
    members = write("members.csv", f"מספר חבר,first_name\n{RLM}20114457{RLM},דוד\n")
    claim, people = _stored(
        client, claims, members, tmp_path / "galil.db", ("hotel_code", "confirmation_number")
    )
    assert claim == ("20114457", "GLL-TLV", "TA551234")
    assert people == ["20114457"]


@pytest.mark.parametrize(
    "serials", ["AC00000071、AC00000072", "AC00000071，AC00000072", "AC00000071；AC00000072"]
)
def test_serials_keyed_as_chinese_forms_separate_them(
    serials: str, write: Callable[..., Path]
) -> None:
    """``AC00000071、AC00000072`` (an ideographic comma) was one serial:
    ``invalid_format`` and "expected 2 serial numbers, found 1"."""
    client = write(
        "formosa.yaml",
        FORMOSA.replace('  received_at: ["收件時間"]', '  received_at: ["收件時間"]\n'
                        '  serial_numbers: ["序號"]')
        + "serials_per_unit: true\nserial_formats:\n  AC-900: '^AC\\d{8}$'\n",
    )  # fmt: skip
    claims = write(
        "serials.csv",
        "申請編號,業務員編號,發票號碼,發票日期,型號,數量,單價,金額,序號,收件時間\n"
        f'FM-7001,TW10001,AB-77777771,2026/11/05,AC-900,2,"NT$25,900","NT$51,800",{serials},'
        "2026/11/20 10:00\n",
    )
    code, out, err = run("check", str(claims), "--client", str(client), "--json")
    assert code == 0, out + err
    assert json.loads(out)["outcomes"]["accepted"] == 1


def test_full_width_codes_are_their_ascii_selves(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """A dealer's input method keyed the model ``ＲＦ－５００`` in full width:
    the claim was *rejected* ``ineligible_sku`` ("expected a program product,
    found 'ＲＦ－５００'"); its member number ``ＴＷ１０００１`` became
    ``ＴＷ10001`` (digits narrowed, letters not), a member of its own where no
    format refuses it, and the member list's likewise. Full-width forms
    (U+FF01..U+FF5E, NFKC the oracle) are read as their ASCII selves in codes
    and names, as they are in numbers and dates."""
    import unicodedata

    keyed_sku, keyed_id = "ＲＦ－５００", "ＴＷ１０００１"
    assert unicodedata.normalize("NFKC", keyed_sku) == "RF-500"
    assert unicodedata.normalize("NFKC", keyed_id) == "TW10001"
    client = write("formosa.yaml", FORMOSA)
    claims = write(
        "wide.csv",
        "申請編號,業務員編號,發票號碼,發票日期,型號,數量,單價,金額,收件時間\n"
        f'FM-6102,{keyed_id},ＡＢ－１２３４５６７０,2026/11/05,{keyed_sku},1,"NT$32,500",'
        '"NT$32,500",2026/11/20 10:00\n',
    )
    members = write("members.csv", f"業務員編號,first_name\n{keyed_id},志明\n")
    claim, people = _stored(
        client, claims, members, tmp_path / "formosa.db", ("invoice_number", "lines[0].sku")
    )
    assert claim == ("TW10001", "AB-12345670", "RF-500")
    assert people == ["TW10001"]


@pytest.mark.parametrize(
    ("client_text", "export"),
    [(FORMOSA, "invoice_number,invoice_date,dealer_id,sku,quantity,amount\n"
               "AB-12345678,2026-11-05,D-TPE01,AC-900,2,51800\n總計,,,,2,51800\n"),
     (GALIL, "hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,currency\n"
             "GLL-TLV,TA881234,כהן/דוד,2026-11-01,2026-11-04,1234.50,ILS\n"
             "סה״כ,,,,,1234.50,\n"),
     (GALIL, "hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,currency\n"
             "GLL-TLV,TA881234,כהן/דוד,2026-11-01,2026-11-04,1234.50,ILS\n"
             "סך הכל,,,,,1234.50,\n")],
)  # fmt: skip
def test_total_rows_as_taiwanese_and_israeli_exports_head_them(
    client_text: str, export: str, tmp_path: Path, write: Callable[..., Path]
) -> None:
    """A dealer export's ``總計`` row (Traditional Chinese; 合計, 総計 and
    总计 were known) and a hotel export's ``סה״כ`` (with a gershayim; ``סה"כ``
    was known) or ``סך הכל`` were read as records and refused the file
    ("row 3:invoice_date: expected a value, found none"). They are total
    rows, checked against the sums (51,800 and 1,234.50)."""
    client, db = write("client.yaml", client_text), tmp_path / "store.db"
    code, out, err = run(
        "source", "import", str(write("export.csv", export)), "--client", str(client),
        "--db", str(db),
    )  # fmt: skip
    assert code == 0, out + err
    assert "row 3: total row, equals the rows' sum; not a record" in out + err
