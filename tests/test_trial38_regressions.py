"""Trial 38: two clients onboarded from the README alone, a Vietnamese dealer
program (saomai: vi_VN, VND, Asia/Ho_Chi_Minh) and a Norwegian hotel desk
(nordlys: nb_NO, NOK, Europe/Oslo).

Each test quotes the value the trial's files held, what claimflow did with it
and what it does now, against an oracle independent of the reader: Babel
writing the value that is read back, Python's codecs writing the bytes, hand
arithmetic.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow import Store
from claimflow.numbers import number_format
from claimflow.written_dates import named_month_date
from tests.test_cli import run

SAOMAI = """\
schema_version: 1
client: saomai
name: Sao Mai Dealer Rewards
kind: sales
locale: vi_VN
language: en
date_order: DMY
currency: VND
{encoding}timezone: Asia/Ho_Chi_Minh
claim_window_days: 90
columns:
  claim_ref: ["Mã yêu cầu"]
  participant_id: ["Mã NV"]
  participant_name: ["Họ tên"]
  dealer_id: ["Mã đại lý"]
  invoice_number: ["Số hóa đơn"]
  invoice_date: ["Ngày hóa đơn"]
  sku: ["Mã hàng"]
  quantity: ["Số lượng"]
  unit_price: ["Đơn giá"]
  line_total: ["Thành tiền"]
  received_at: ["Ngày nhận"]
eligible_skus: [TV-55, AC-12, FR-300]
award:
  activity_date: invoice_date
  currency: VND
  rounding_mode: floor
  rounding_scope: claim
  pending_days: 0
  expiry: {{policy: none}}
  rule_sets:
    - version: "2026"
      effective_from: 2026-01-01
      rules:
        - {{id: base, kind: per_currency, points: 1, per: 100000, basis: pro_rata}}
"""

HEADER = (
    "Mã yêu cầu;Mã NV;Họ tên;Mã đại lý;Số hóa đơn;Ngày hóa đơn;Mã hàng;"
    "Số lượng;Đơn giá;Thành tiền;Ngày nhận\r\n"
)


def _saomai(write: Callable[..., Path], encoding: str = "") -> Path:
    return write("saomai.yaml", SAOMAI.format(encoding=encoding))


def _cp1258(text: str) -> bytes:
    """`text` as cp1258 writes it: a letter the code page lacks (ễ) as its
    base with one mark the code page composes (ê) and the rest as combining
    marks (U+0303), which Python's cp1258 codec then encodes."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for i, mark in enumerate(marks):
            head = unicodedata.normalize("NFC", base + mark)
            if len(head) == 1 and _in_cp1258(head):
                rest = marks[:i] + marks[i + 1 :]
                out += (head + "".join(rest)).encode("cp1258")
                break
        else:
            out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)


def _in_cp1258(ch: str) -> bool:
    try:
        ch.encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


def test_a_cp1258_file_of_vietnamese_names_is_read_as_declared(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """cp1258 writes most Vietnamese tones as a combining mark after the
    letter: 'Nguyễn' is the bytes of 'Nguyê' then U+0303 (0xDE). Before, a
    dealer's cp1258 export read as the client declared (encoding: cp1258) was
    refused: "the word 'cầu' holds a symbol (̀) in it: another code page?",
    and then "the word 'đại' holds đ, a letter vi_VN does not write". Now it
    is read, and its claim accepted."""
    client = _saomai(write, "encoding: cp1258\n")
    claims = tmp_path / "yeucau.csv"
    claims.write_bytes(
        _cp1258(
            HEADER + "SM-101;VN10001;Nguyễn Thị Minh Khai;DL-HN1;HD000101;"
            "03/11/2026;TV-55;2;15.990.000 ₫;31.980.000 ₫;20/11/2026 09:15\r\n"
        )
    )
    assert b"Nguy\xea\xden" in claims.read_bytes()  # ê, then the tilde mark
    code, out, err = run("check", str(claims), "--client", str(client), "--json")
    assert code == 0, err
    assert json.loads(out)["outcomes"]["accepted"] == 1


def test_a_cp1258_file_read_as_cp1252_names_cp1258(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """Without a declared encoding, the same file is read as cp1252 and
    refused naming cp1258: the Vietnamese letters and marks that a cp1258
    file is now read with must not let its cp1252 reading ('Trâ\u0300n'
    read as 'TrâÌn') through."""
    client = _saomai(write)
    claims = tmp_path / "yeucau.csv"
    claims.write_bytes(
        _cp1258(
            HEADER + "SM-102;VN10002;Trần Văn Đức;DL-HCM;HD000102;05/11/2026;"
            "FR-300;1;12.350.000;12.350.000;23/11/2026 16:30\r\n"
        )
    )
    code, _, err = run("check", str(claims), "--client", str(client))
    assert code == 2
    assert "give --encoding cp1258" in err
    assert "encoding: cp1258" in err


@pytest.mark.parametrize("sign", ["₫", "đ", "VNĐ", "VND"])
def test_vnd_written_with_dong_sign_or_letter(sign: str) -> None:
    """Vietnamese invoices write đồng as Babel's '₫' and as 'đ' or 'VNĐ'
    ('8.490.000đ'). Before, '8.490.000đ' was invalid_number: "'đ' (LATIN
    SMALL LETTER D WITH STROKE) is not a digit or a mark of this format", and
    the rep was asked to write the price again. Babel writes 8490000 VND in
    vi_VN as '8.490.000 ₫'; with any of the four signs it reads back 8490000."""
    babel = format_currency(8490000, "VND", locale="vi_VN")
    assert babel == "8.490.000\xa0₫"
    vi = number_format("vi_VN")
    for written in (babel.replace("₫", sign), "8.490.000" + sign):
        assert vi.read(written, currency="VND") == Decimal(8490000)
    with pytest.raises(ValueError, match="VND"):
        number_format("de_DE").read("8.490.000đ", currency="EUR")


@pytest.mark.parametrize(
    "written",
    [
        "ngày 5 tháng 11 năm 2026",
        "Ngày 05 tháng 11 năm 2026",
        "ngay 5 thang 11 nam 2026",  # keyed without diacritics
        format_date(date(2026, 11, 5), "long", locale="vi_VN"),  # 5 tháng 11, 2026
        format_date(date(2026, 11, 5), "medium", locale="vi_VN"),  # 5 thg 11, 2026
        format_date(date(2026, 11, 5), "full", locale="vi_VN"),  # Thứ Năm, 5 tháng 11, 2026
        "Thứ Năm, ngày 5 tháng 11 năm 2026",
        "thứ 5, ngày 5 tháng 11 năm 2026",
    ],
)
def test_vietnamese_written_dates(written: str) -> None:
    """Vietnamese names a month by its number ('tháng 11'), so no month name
    table held it: 'ngày 5 tháng 11 năm 2026' on SM-102 was invalid_date
    ("expected a date as DD/MM/YYYY"). Now it is 5 November 2026, as are
    Babel's long, medium and full vi_VN forms (the full one opens with the
    two-word weekday 'Thứ Năm', whose 'Thứ' alone had been read as English
    'Thu')."""
    assert named_month_date(written, "vi_VN") == date(2026, 11, 5)


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("ngày 31 tháng 11 năm 2026", "no such day: November has 30"),
        ("ngày 4 tháng 13 năm 2026", "no month 13"),
        ("ngày 4 tháng 12 năm 26", "two-digit year"),
        # the weekday must be the date's own: 4 December 2026 is a Friday
        ("Thứ Năm, ngày 4 tháng 12 năm 2026", "is a Friday, not the Thứ Năm written"),
    ],
)
def test_vietnamese_written_dates_refused_with_why(written: str, why: str) -> None:
    found = named_month_date(written, "vi_VN")
    assert isinstance(found, str)
    assert why in found
    assert named_month_date(written, "en_US") is None  # not read outside vi


NORDLYS = """\
schema_version: 1
client: nordlys
name: Nordlys Lojalitet
kind: stay
locale: nb_NO
language: en
date_order: DMY
currency: NOK
timezone: Europe/Oslo
claim_window_days: 120
accounts:
  point_value: "0.05"
  approval_limits: {supervisor: null}
  operators: {ola: supervisor}
award:
  activity_date: check_out
  currency: NOK
  rounding_mode: half_up
  rounding_scope: claim
  pending_days: 0
  expiry: {policy: none}
  rule_sets:
    - version: "2026"
      effective_from: 2026-01-01
      rules:
        - {id: base, kind: per_currency, points: 10, per: 100, basis: pro_rata}
partners:
  nordfly:
    name: NordFly
    points_per_mile: "4"
    bonus: {miles: 1000, per_points: 20000}
    minimum_points: 2000
    member_number: '^NF\\d{9}$'
    credit_days: 5
    statement_columns:
      reference: ["Referanse"]
      member_number: ["Medlemsnummer"]
      points: ["Poeng"]
      miles: ["Bonuspoeng"]
      credited_on: ["Kreditert"]
"""


def test_partner_figures_are_written_as_a_norwegian_desk_reads_them(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """At an nb_NO desk '6,000' is six: Babel writes six thousand '6 000'
    (a no-break space). Before, partners transfer printed 'NL000101: 20,000
    points -> 6,000 nordfly miles incl. 1,000 bonus', its refusals 'expected
    at least 2,000 points ... found 164', and reconcile 'expected 6,000 miles
    for transfer NLY-NF-0001 (20,000 points: 5,000 miles + 1,000 bonus),
    found 7,500', while ledger adjust and balance wrote '20 000'. Now every
    figure is the desk's. By hand: 20 000 points / 4 = 5 000 miles, + 1 000
    for the one complete block of 20 000 points = 6 000."""
    client = str(write("nordlys.yaml", NORDLYS))
    db = str(tmp_path / "n.db")
    common = ("--client", client, "--db", db, "--operator", "ola")
    members = tmp_path / "medlemmer.csv"
    members.write_text("participant_id;first_name;last_name\nNL000101;Åse;Bjørnstad\n")
    with Store.open(db):
        pass
    code, _, err = run("participants", "import", str(members), *common)
    assert code == 0, err
    code, _, err = run(
        "ledger", "adjust", "NL000101", "20000", "--reason", "goodwill",
        "--note", "kompensasjon", "--at", "2026-11-30T10:00", *common,
    )  # fmt: skip
    assert code == 0, err

    def nb(value: int) -> str:
        return format_decimal(value, locale="nb_NO")

    assert nb(6000) == "6\xa0000"
    transfer = (
        "partners", "transfer", "NL000101", "20000", "--partner", "nordfly",
        "--member-number", "NF100000001", "--reference", "NLY-NF-0001",
    )  # fmt: skip
    code, out, err = run(*transfer, "--at", "2026-12-01T10:00", *common)
    assert (code, err) == (0, "")
    assert out == (
        f"NL000101: {nb(20000)} points -> {nb(6000)} nordfly miles incl. "
        f"{nb(1000)} bonus to NF100000001 (NLY-NF-0001)\n"
    )
    too_few = ("partners", "transfer", "NL000101", "164", *transfer[4:-1], "X-2")
    code, _, err = run(*too_few, *common)
    assert code == 2
    assert f"expected at least {nb(2000)} points for a nordfly transfer" in err
    statement = tmp_path / "nordfly.csv"
    statement.write_text(
        "\ufeffReferanse;Medlemsnummer;Poeng;Bonuspoeng;Kreditert\r\n"
        "NLY-NF-0001;NF100000001;20\xa0000;7\xa0500;03.12.2026\r\n",
        encoding="utf-8",
    )
    code, out, err = run(
        "partners", "reconcile", str(statement), "--partner", "nordfly", *common
    )
    assert (code, err) == (1, "")
    assert (
        f"wrong_ratio: row 2: expected {nb(6000)} miles for transfer NLY-NF-0001 "
        f"({nb(20000)} points: {nb(5000)} miles + {nb(1000)} bonus), found "
        f"{nb(7500)}" in out
    )


def test_replay_leaves_a_claim_never_verified_as_it_is(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """NO-801 and NO-802 were ingested after the desk's last source import
    and verify run: accepted, waiting for verification. Before, 'replay
    --client nordlys --all' under the same rules said '2 changed: accepted ->
    pended; reasons [] -> ['source_not_found']' (it verified them against no
    source at all) and exited 1. Now a claim with no verification recorded
    is replayed as the store holds it: '0 changed', exit 0."""
    client = str(
        write(
            "nordlys.yaml",
            NORDLYS
            + "verification:\n  required: true\n  source_date_order: DMY\n"
            "  source_number_locale: nb_NO\n",
        )
    )
    db = str(tmp_path / "n.db")
    common = ("--client", client, "--db", db, "--operator", "kari")
    header = "claim id;member number;name;hotel;confirmation;arrival;departure;"
    header += "revenue;currency;received\n"
    first = tmp_path / "krav_november.csv"
    first.write_text(
        header + "NO-501;NL000101;Åse Bjørnstad;NLY-OSL;OSL48213;02.11.2026;"
        "05.11.2026;4\xa0350,00;NOK;23.11.2026 10:00\n",
        encoding="utf-8",
    )
    later = tmp_path / "krav_desember.csv"
    later.write_text(
        header + "NO-602;NL000102;Øystein Ærø;NLY-OSL;OSL48301;20.11.2026;"
        "22.11.2026;1\xa0234,50;NOK;30.11.2026 08:30\n",
        encoding="utf-8",
    )
    stays = tmp_path / "opphold.csv"
    stays.write_text(
        "hotel;confirmation;guest;arrival;departure;revenue;currency\n"
        "NLY-OSL;OSL48213;BJORNSTAD/ASE MS;02.11.2026;05.11.2026;4\xa0350,00;NOK\n",
        encoding="utf-8",
    )
    assert run("ingest", str(first), "--at", "2026-11-26T09:00", *common)[0] == 0
    code, out, err = run("source", "import", str(stays), *common)
    assert code == 0, err
    assert "verified 1" in out
    assert run("ingest", str(later), "--at", "2026-11-30T12:00", *common)[0] == 0
    code, out, err = run("replay", "--all", *common[:4])
    assert (code, err) == (0, "")
    assert out.startswith("nordlys: 2 claims replayed, 0 changed, +0 points")


def test_a_cp1258_people_file_is_read_with_the_clients_letters(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """The member list imported (participants import) but the same people
    in cp1258 given to 'dedupe participants --client saomai' were refused:
    "row 4:first_name: read as cp1258 (as the client file declares), the word
    'Đức' holds Đ, a letter the client does not write": the people file was
    sniffed without the client's locale. Now it is read as the member list
    is, and Trần Văn Đức (0903111222) meets Tran Van Duc (+84 903 111 222,
    same birth date) as one person."""
    client = _saomai(write, "encoding: cp1258\n")
    people = tmp_path / "people.csv"
    people.write_bytes(
        _cp1258(
            "participant_id;last_name;first_name;phone;dob;city\r\n"
            "P03;Trần Văn;Đức;0903111222;30/09/1988;Thành phố Hồ Chí Minh\r\n"
            "P04;Tran Van;Duc;+84 903 111 222;30/09/1988;TP HCM\r\n"
            "P05;Nguyễn Văn;An;0901234567;15/03/1991;Đà Nẵng\r\n"
        )
    )
    code, out, err = run(
        "dedupe", "participants", str(people), "--client", str(client), "--json",
        "--pairs",
    )  # fmt: skip
    assert code == 1, err
    pairs = json.loads(out)["pairs"]
    assert [(p["a"], p["b"], p["decision"]) for p in pairs] == [
        ("P03", "P04", "duplicate")
    ]


def test_a_resubmitted_repeat_is_superseded_once_not_also_a_duplicate(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """NO-503 claimed Håkon Lie's stay TRD55001 (accepted). NO-603 claimed it
    again with a revenue of '−150,00' (U+2212, read as -150.00: pended,
    negative_amount), and NO-701 resent NO-603 with 1 640,00. Before,
    'dedupe claims' printed 'NO-701 resubmits pended claim NO-603 ..., now
    superseded' but stored NO-603 as a duplicate of NO-503 (export: NO-603
    duplicate), with two 'decided' events on its clock. Now NO-603 is
    superseded, as printed, decided once when NO-701 arrived; NO-701 is the
    duplicate of NO-503, and nothing of the stay is paid twice."""
    client = str(write("nordlys.yaml", NORDLYS))
    db = str(tmp_path / "n.db")
    common = ("--client", client, "--db", db, "--operator", "kari")
    header = "claim id;member number;name;hotel;confirmation;arrival;departure;"
    header += "revenue;currency;received\n"
    stay = "NL000103;Håkon Lie;NLY-TRD;TRD55001;12.11.2026;14.11.2026"
    files = {
        "krav_november.csv": f"NO-503;{stay};1640,00;NOK;24.11.2026 09:00",
        "krav_desember.csv": f"NO-603;{stay};\u2212150,00;NOK;30.11.2026 09:30",
        "app_eksport.csv": f"NO-701;{stay};1\u202f640,00;NOK;01.12.2026 14:00",
    }
    for (name, row), at in zip(
        files.items(), ("2026-11-26T09:00", "2026-11-30T12:00", "2026-12-02T09:00"),
        strict=True,
    ):  # fmt: skip
        path = tmp_path / name
        path.write_text(header + row + "\n", encoding="utf-8")
        assert run("ingest", str(path), "--at", at, *common)[0] in (0, 1)
    code, out, err = run("dedupe", "claims", *common)
    assert (code, err) == (1, "")
    assert "1 duplicate, 0 to review" in out
    assert "NO-701 (app_eksport.csv:row 2) resubmits pended claim NO-603" in out
    code, out, _ = run("export", "claims", "--out", "-", *common[:4])
    outcomes = {row.split(",")[1]: row.split(",")[8] for row in out.splitlines()[1:]}
    assert outcomes == {"NO-503": "accepted", "NO-603": "superseded", "NO-701": "duplicate"}
    code, out, _ = run("show", "NO-603", "--json", *common[:4])
    events = [e["event"] for e in json.loads(out)["events"]]
    assert events.count("decided") == 1


def test_a_received_date_with_its_month_named_is_read(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """A booking app's export stamps claims 'Mottatt: 1. desember 2026'
    (Babel's long nb_NO date, read back). Before, the claim was pended:
    "expected a date as DD/MM/YYYY or DD/MM/YYYY HH:MM, found '1. desember
    2026'; the batch's time stands in"; the check-in and check-out written
    so were read. Now a received date alone with its month named is read as
    the claim's dates are: its first instant at the desk, 00:00 in Oslo."""
    client = str(write("nordlys.yaml", NORDLYS))
    received = format_date(date(2026, 12, 1), "long", locale="nb_NO")
    assert received == "1. desember 2026"
    claims = tmp_path / "app.csv"
    claims.write_text(
        "claim id;member number;name;hotel;confirmation;arrival;departure;"
        "revenue;currency;received\n"
        f"NO-702;NL000107;Ingrid Nilsen;NLY-OSL;OSL48333;27. november 2026;"
        f"29. november 2026;5\u00a0400,00;NOK;{received}\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "n.db")
    code, out, err = run(
        "ingest", str(claims), "--client", client, "--db", db, "--at", "2026-12-02"
    )
    assert code == 0, out + err
    code, out, _ = run("export", "claims", "--client", client, "--db", db, "--out", "-")
    assert ",2026-12-01T00:00:00+01:00," in out


def test_the_same_name_keyed_in_cp1258_and_in_utf8_is_no_keying_slip(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    """Two operators keyed SM-101 identically, one into a cp1258 file, one
    into UTF-8. cp1258 writes 'Nguyễn' as 'Nguyê' + U+0303, UTF-8 as one
    letter ễ: canonically the same text. Before, 'entry compare' listed
    "SM-101: participant_name: 'Nguyễn Thị Minh Khai' vs 'Nguyễn Thị Minh
    Khai' (other)", a keying error the adjudicator had to decide and the QA
    figures would count. Now the two are the same value: 0 differences."""
    client = _saomai(write, "encoding: cp1258\n")
    row = (
        "SM-101;VN10001;Nguyễn Thị Minh Khai;DL-HN1;HD000101;03/11/2026;TV-55;2;"
        "15.990.000 ₫;31.980.000 ₫;20/11/2026 09:15\r\n"
    )
    first, second = tmp_path / "keying_a.csv", tmp_path / "keying_b.csv"
    first.write_bytes(_cp1258(HEADER + row))
    second.write_bytes(("\ufeff" + HEADER + row).encode("utf-8"))
    code, out, err = run(
        "entry", "compare", str(first), str(second), "--client", str(client)
    )
    assert (code, err) == (0, ""), out
    assert "participant_name" not in out


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from(["₫", "đ", "VNĐ", "VND"]),
)
def test_any_vnd_amount_babel_writes_reads_back(amount: int, sign: str) -> None:
    """Babel writes VND in vi_VN as '1.234.000 ₫'; with the sign as a desk
    writes it (đ, VNĐ, VND) every amount reads back as itself."""
    written = format_currency(amount, "VND", locale="vi_VN").replace("₫", sign)
    assert number_format("vi_VN").read(written, currency="VND") == amount


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.sampled_from(["\xa0", "\u202f", " "]),
    st.booleans(),
)
def test_any_nok_amount_babel_writes_reads_back(
    cents: int, space: str, minus_sign: bool
) -> None:
    """Babel writes NOK in nb_NO as '1 234,50 kr' (no-break spaces); a desk
    writes the group space as a no-break, narrow no-break or plain space and
    a correction with U+2212 MINUS SIGN ('−150,00 kr'): each reads back as
    the amount written."""
    amount = Decimal(cents) / 100
    written = format_currency(amount, "NOK", locale="nb_NO").replace("\xa0", space)
    if minus_sign:
        written = written.replace("-", "\u2212")
    assert number_format("nb_NO").read(written, currency="NOK") == amount


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "  source_number_locale: en_US\n",
            "row 2:Invoice Date: expected a date as YYYY-MM-DD, found '03/11/2026' "
            "(the year comes first); the exports' date order is "
            "verification.source_date_order (YMD)",
        ),
        (
            "  source_date_order: DMY\n",
            # in VND, the record's currency: its example has no decimals
            "row 2:Net Amount: expected an amount like 1234567, found '31,980,000' "
            "(not a number in this format); the exports' number locale is "
            "verification.source_number_locale (C)",
        ),
    ],
)
def test_an_unreadable_export_names_the_setting_that_reads_it(
    write: Callable[..., Path], tmp_path: Path, setting: str, message: str
) -> None:
    """A new desk's dealer export ('03/11/2026', '31,980,000') refused as
    the default YMD dates and C numbers named no setting; the claims' own
    date_order and locale do not read exports, so the user had to find
    verification.source_date_order and source_number_locale in the README.
    Now the refusal names the setting and its value."""
    client = write(
        "saomai.yaml",
        SAOMAI.format(encoding="") + "verification:\n" + setting,
    )
    export = tmp_path / "dealer_sales_en.csv"
    export.write_text(
        "Invoice No,Invoice Date,Dealer,Product,Qty,Net Amount\n"
        "HD000101,03/11/2026,DL-HN1,TV-55,2,\"31,980,000\"\n",
        encoding="utf-8",
    )
    code, _, err = run(
        "source", "import", str(export), "--client", str(client),
        "--db", str(tmp_path / "s.db"),
    )  # fmt: skip
    assert code == 2
    assert err == f"claimflow: error: {export}: {message}\n"
