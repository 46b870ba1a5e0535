"""Trial 41: two clients nobody here wrote, a Russian dealer program
(ru-dealers: ru_RU, RUB, Europe/Moscow, cp1251 and KOI8-R files) and a
Greek hotel desk (el_GR, EUR, Europe/Athens, cp1253 files).

Each test quotes the value the trial's files held and what claimflow made
of it before the fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency, parse_decimal

from claimflow.codepages import garbled
from claimflow.errors import UnreadableInput
from claimflow.keys import script_slip
from claimflow.numbers import NumberError, number_format
from claimflow.sniff import detect_encoding
from claimflow.written_dates import named_month_date
from tests.test_cli import run

NB, NNB = "\u00a0", "\u202f"

RU_CLIENT = """\
schema_version: 1
client: ru-dealers
name: Программа Мастер
kind: sales
locale: ru_RU
date_order: DMY
currency: RUB
timezone: Europe/Moscow
encoding: cp1251
claim_window_days: 90
columns:
  claim_ref: ["Номер заявки"]
  participant_id: ["Код участника"]
  participant_name: ["ФИО"]
  invoice_number: ["Номер счёта"]
  invoice_date: ["Дата счёта"]
  sku: ["Артикул"]
  quantity: ["Кол-во"]
  unit_price: ["Цена"]
  line_total: ["Сумма"]
  received_at: ["Получено"]
eligible_skus: [ABC-100, КР-500]
notices: {reply_to: master@ru-dealers.example}
"""
RU_HEADER = "Номер заявки;Код участника;ФИО;Номер счёта;Дата счёта;Артикул;Кол-во;Цена;Сумма;Получено"


@pytest.mark.parametrize(
    "written",
    [
        f"1{NB}234,56 руб.",  # as the cp1251 claim file wrote it
        "1234,56 руб",
        "1234,56р.",
        f"1{NB}234,56 р.",
        f"1{NNB}234,56{NB}₽",
        "1 234,56 RUB",
    ],
)
def test_rubles_as_russian_invoices_write_them(written: str) -> None:
    """'1 234,56 руб.' was refused: "'р' (CYRILLIC SMALL LETTER ER) is not a
    digit or a mark of this format", and '1234,56р.' as "currency mismatch:
    'р.' is RUR in ru_RU" (CLDR's symbol of the ruble before 1998). Both are
    today's ruble: 1234.56, as Babel reads the digits."""
    digits = re.split("[р₽R]", written, maxsplit=1)[0].strip()
    oracle = parse_decimal(digits.replace(NNB, NB), locale="ru_RU")
    assert oracle == Decimal("1234.56")
    assert number_format("ru_RU").read(written, currency="RUB") == oracle


def test_babels_ruble_amount_reads_back() -> None:
    babel = format_currency(Decimal("12345.67"), "RUB", locale="ru_RU")
    assert number_format("ru_RU").read(babel, currency="RUB") == Decimal("12345.67")


def test_rubles_are_no_euros() -> None:
    with pytest.raises(NumberError, match="is RUB"):
        number_format("de_DE").read("1.234,56 руб.", currency="EUR")


@pytest.mark.parametrize("width", ["long", "medium", "full"])
def test_russian_dates_with_the_year_abbreviation(width: str) -> None:
    """'4 декабря 2026 г.' (the claim file's, and Babel's own long date
    with a narrow no-break space before г.) was refused: "expected a date as
    DD/MM/YYYY, found '4 декабря 2026 г.'"."""
    day = date(2026, 12, 4)
    babel = format_date(day, width, locale="ru_RU")
    assert babel.endswith("г.")
    assert named_month_date(babel, "ru_RU") == day
    assert named_month_date("4 декабря 2026 г.", "ru_RU") == day
    assert named_month_date("4 декабря 2026г", "ru_RU") == day


def test_a_year_abbreviation_keeps_the_weekday_check() -> None:
    message = named_month_date("четверг, 4 декабря 2026 г.", "ru_RU")
    assert isinstance(message, str)
    assert "2026-12-04 is a Friday, not the четверг written" in message


def test_another_word_after_the_year_is_no_date() -> None:
    assert named_month_date("4 декабря 2026 x.", "ru_RU") is None


@pytest.mark.parametrize(
    ("keyed", "meant", "keyed_letters", "written"),
    [
        ("АВС-100", "ABC-100", "Cyrillic А, В, С", "Latin A, B, C"),  # all Cyrillic
        ("AВC-100", "ABC-100", "Cyrillic В", "Latin B"),  # one Cyrillic В
        ("KP-500", "КР-500", "Latin K, P", "Cyrillic К, Р"),  # the catalogue's is Cyrillic
        ("abс-100", "ABC-100", "Cyrillic С", "Latin C"),
    ],
)
def test_a_product_code_in_look_alike_letters(
    keyed: str, meant: str, keyed_letters: str, written: str
) -> None:
    slip = script_slip(keyed, frozenset({"ABC-100", "КР-500", "DRL-200"}))
    assert slip is not None
    assert (slip.meant, slip.keyed, slip.written) == (meant, keyed_letters, written)


@pytest.mark.parametrize("code", ["ABC-100", "КР-500", "ZZZ-1", "ЖЖ-1", "АВС-200"])
def test_codes_in_one_script_are_no_slip(code: str) -> None:
    assert script_slip(code, frozenset({"ABC-100", "КР-500"})) is None


def test_a_code_mixing_scripts_like_no_catalogue_code() -> None:
    slip = script_slip("DRL-2ОО", frozenset({"DRL-200"}))  # Cyrillic О for zeros
    assert slip is not None
    assert (slip.meant, slip.keyed) == (None, "Cyrillic О")


def test_look_alike_product_codes_are_pended_not_rejected(
    write: Callable[..., Path],
) -> None:
    """R-003 keyed 'АВС-100' (Cyrillic А, В, С) for the program's ABC-100 and
    was rejected as ineligible_sku, "expected a program product, found
    'АВС-100'": a message that reads as nonsense on screen, and a final
    outcome for an eligible product. R-004 'AВC-100' (a Cyrillic В) refused
    the whole cp1251 file as garble: "the word 'AВC-100' holds В, a letter
    ru_RU does not write: another code page?". Both are now pended
    (invalid_format) naming the letters; the notice says which to retype."""
    client = write("ru-dealers.yaml", RU_CLIENT)
    rows = [
        "R-001;10001;Иванов Иван;СЧ-101;01.12.2026;ABC-100;1;100,00;100,00;03.12.2026",
        "R-003;10003;Сидоров Пётр;СЧ-103;02.12.2026;АВС-100;1;100,00;100,00;03.12.2026",
        "R-004;10004;Смирнова Ольга;СЧ-104;02.12.2026;AВC-100;1;100,00;100,00;03.12.2026",
        "R-005;10005;Кузнецов Олег;СЧ-105;02.12.2026;KP-500;1;100,00;100,00;03.12.2026",
    ]
    claims = write("zayavki.csv", "\r\n".join([RU_HEADER, *rows]) + "\r\n", "cp1251")
    code, out, err = run("check", str(claims), "--client", str(client), "--json")
    assert code == 1, err
    result = json.loads(out)
    assert result["outcomes"]["accepted"] == 1
    assert result["outcomes"]["pended"] == 3
    assert result["outcomes"]["rejected"] == 0
    messages = {p["source"]["row"]: p["message"] for p in result["problems"]}
    assert {p["code"] for p in result["problems"]} == {"invalid_format"}
    assert messages[3] == (
        "expected the program's ABC-100 (Latin A, B, C), found 'АВС-100' "
        "(Cyrillic А, В, С: look-alike letters, keyed on another keyboard layout?)"
    )
    assert messages[4].startswith("expected the program's ABC-100 (Latin B), found 'AВC-100'")
    assert messages[5].startswith("expected the program's КР-500 (Cyrillic К, Р)")
    notices = "\n".join(n["text"] for n in result["notices"])
    assert (
        "product code: typed with letters of another alphabet that look the same "
        "(А, В, С): please type the code again in the letters the program writes "
        "it in: ABC-100 (we read: АВС-100)"
    ) in notices


def test_a_look_alike_code_is_no_garble() -> None:
    """The cp1251 word 'AВC-100' is a code keyed across layouts, not a
    misread code page; 'Mьller' (cp1252's Müller read as cp1251) still is."""
    assert garbled("AВC-100;ΑΒΓ\n", "ru_RU", encoding="cp1251") == []
    misread = "Müller".encode("cp1252").decode("cp1251")
    assert [g.why for g in garbled(misread, "ru_RU", encoding="cp1251")] == ["script"]


def test_koi8_read_as_cp1251_names_the_capital_not_a_foreign_letter() -> None:
    """A KOI8-R file under a client declaring cp1251 was refused saying "the
    word 'оПНЕТ' holds П, a letter ru_RU does not write" (П is Russian's
    own). The refusal stays, naming what is wrong with the word."""
    data = f"{RU_HEADER}\r\n".encode("koi8_r")
    with pytest.raises(UnreadableInput) as refused:
        detect_encoding(data, "zayavki_koi8.csv", locale="ru_RU", declared="cp1251")
    message = str(refused.value)
    assert "the word 'оПНЕТ' holds the capital П after a small letter" in message
    assert "in koi8_r it reads 'Номер'" in message
    assert "does not write" not in message


GR_CLIENT = """\
schema_version: 1
client: gr-hotel
name: Aegean Stays Rewards
kind: stay
locale: el_GR
date_order: DMY
currency: EUR
timezone: Europe/Athens
encoding: cp1253
claim_window_days: 120
columns:
  claim_ref: ["Αρ. αίτησης"]
  participant_id: ["Αρ. μέλους"]
  member_name: ["Ονοματεπώνυμο"]
  hotel_code: ["Ξενοδοχείο"]
  confirmation_number: ["Αρ. επιβεβαίωσης"]
  check_in: ["Άφιξη"]
  check_out: ["Αναχώρηση"]
  qualifying_revenue: ["Έσοδα δωματίου"]
  received_at: ["Παραλαβή"]
formats:
  confirmation_number: '^[A-Z0-9]{6,10}$'
eligible_hotels: [ATH-01, HER-02]
notices: {reply_to: desk@aegean.example}
"""
GR_HEADER = (
    "Αρ. αίτησης;Αρ. μέλους;Ονοματεπώνυμο;Ξενοδοχείο;Αρ. επιβεβαίωσης;"
    "Άφιξη;Αναχώρηση;Έσοδα δωματίου;Παραλαβή"
)


def test_greek_look_alike_hotel_and_confirmation(write: Callable[..., Path]) -> None:
    """G-004 keyed the hotel 'ΑΤΗ-01' (Greek Α, Τ, Η) for ATH-01 and was
    rejected as ineligible_hotel, "expected a participating hotel, found
    'ΑΤΗ-01'"; G-003's confirmation 'ΑΒ12399' (Greek Α, Β) was pended as
    "expected '^[A-Z0-9]{6,10}$', found 'ΑΒ12399'", which reads as a match.
    Both now name the letters, pended, and the notice asks for them again.
    G-001's amount is Babel's el_GR EUR amount and its dates Babel's long
    and medium el_GR dates."""
    day_in, day_out = date(2026, 12, 1), date(2026, 12, 4)
    amount = format_currency(Decimal("1234.56"), "EUR", locale="el_GR")
    rows = [
        f"G-001;20000001;Παπαδόπουλος Γιώργος;ATH-01;AB12345;"
        f"{format_date(day_in, 'long', locale='el_GR')};"
        f"{format_date(day_out, 'medium', locale='el_GR')};{amount};04/12/2026 10:00",
        "G-003;20000003;Γεωργίου Ελένη;ATH-01;ΑΒ12399;30/11/2026;03/12/2026;300,50;04/12/2026",
        "G-004;20000004;Δημητρίου Νίκος;ΑΤΗ-01;XY55555;30/11/2026;02/12/2026;200,00;04/12/2026",
    ]
    text = "\r\n".join([GR_HEADER, *rows]) + "\r\n"
    claims = write("kratiseis.csv", text.replace(NB, " "), "cp1253")
    client = write("gr-hotel.yaml", GR_CLIENT)
    code, out, err = run("check", str(claims), "--client", str(client), "--json")
    assert code == 1, err
    result = json.loads(out)
    assert result["outcomes"]["accepted"] == 1
    assert result["outcomes"]["pended"] == 2
    assert result["outcomes"]["rejected"] == 0
    messages = {p["source"]["row"]: p["message"] for p in result["problems"]}
    assert messages[3] == (
        "expected '^[A-Z0-9]{6,10}$', found 'ΑΒ12399' (Greek Α, Β: look-alike "
        "letters of Latin A, B, keyed on another keyboard layout?)"
    )
    assert messages[4] == (
        "expected the program's ATH-01 (Latin A, T, H), found 'ΑΤΗ-01' (Greek Α, "
        "Τ, Η: look-alike letters, keyed on another keyboard layout?)"
    )
    notices = "\n".join(n["text"] for n in result["notices"])
    assert "hotel: typed with letters of another alphabet that look the same (Α, Τ, Η)" in notices
    assert "confirmation number: typed with letters of another alphabet" in notices


def test_iso_8859_7_read_as_cp1253_is_named() -> None:
    """A hotel system's ISO-8859-7 export under a client declaring cp1253:
    the two differ in the accented capitals, so 'Άννα Ιωάννου' read as
    cp1253 was stored as '¶ννα Ιωάννου' without a word (and the header
    'Άφιξη' became '¶φιξη', refused only as a near miss of check_in). The
    file is refused naming the code page that reads it as written."""
    raw = "id;name\r\n1;Άννα Ιωάννου\r\n".encode("iso8859_7")
    misread = raw.decode("cp1253")
    assert "¶ννα" in misread
    assert [g.word for g in garbled(misread, "el_GR", encoding="cp1253")] == ["¶ννα"]
    with pytest.raises(UnreadableInput) as refused:
        detect_encoding(raw, "stays.csv", locale="el_GR", declared="cp1253")
    assert "in iso8859_7 it reads 'Άννα': give --encoding iso8859_7" in str(refused.value)
    assert detect_encoding(raw, "stays.csv", locale="el_GR", declared="iso8859_7") == (
        "iso8859_7"
    )


def test_mixed_script_codes_are_pended_without_a_catalogue(
    write: Callable[..., Path],
) -> None:
    """A program that lists no products took 'AВC-100' (a Cyrillic В among
    Latin letters) as a product of its own, paid beside ABC-100: no code is
    written in two scripts, so it is pended naming the letter, with or
    without a catalogue. A code wholly in Cyrillic ('КР-500') or Latin is a
    product of the program as before."""
    client = write("ru-open.yaml", RU_CLIENT.replace("eligible_skus: [ABC-100, КР-500]\n", ""))
    rows = [
        "R-001;10001;Иванов Иван;СЧ-101;01.12.2026;ABC-100;1;100,00;100,00;03.12.2026",
        "R-002;10002;Петров Олег;СЧ-102;01.12.2026;КР-500;1;100,00;100,00;03.12.2026",
        "R-004;10004;Смирнова Ольга;СЧ-104;02.12.2026;AВC-100;1;100,00;100,00;03.12.2026",
    ]
    claims = write("zayavki.csv", "\r\n".join([RU_HEADER, *rows]) + "\r\n", "cp1251")
    code, out, err = run("check", str(claims), "--client", str(client), "--json")
    assert code == 1, err
    result = json.loads(out)
    assert (result["outcomes"]["accepted"], result["outcomes"]["pended"]) == (2, 1)
    [problem] = result["problems"]
    assert (problem["source"]["row"], problem["code"], problem["field"]) == (
        4, "invalid_format", "sku"
    )
    assert problem["message"] == (
        "expected a code in one script, found 'AВC-100' (Latin letters with "
        "Cyrillic В: keyed on another keyboard layout?)"
    )
    notices = "\n".join(n["text"] for n in result["notices"])
    assert "typed with letters of another alphabet that look the same (В)" in notices


def test_mixed_script_hotel_code_without_a_list_of_hotels(
    write: Callable[..., Path],
) -> None:
    """A desk that lists no hotels took 'AΤH-01' (a Greek Τ) as a hotel of
    its own: it is pended naming the letter; 'ATH-01' is accepted."""
    client = write("gr-open.yaml", GR_CLIENT.replace("eligible_hotels: [ATH-01, HER-02]\n", ""))
    rows = [
        "G-001;20000001;Παπαδόπουλος Γιώργος;ATH-01;AB12345;30/11/2026;02/12/2026;200,00;04/12/2026",
        "G-002;20000002;Δημητρίου Νίκος;AΤH-01;XY55555;30/11/2026;02/12/2026;200,00;04/12/2026",
    ]
    claims = write("kratiseis.csv", "\r\n".join([GR_HEADER, *rows]) + "\r\n", "cp1253")
    code, out, err = run("check", str(claims), "--client", str(client), "--json")
    assert code == 1, err
    result = json.loads(out)
    assert (result["outcomes"]["accepted"], result["outcomes"]["pended"]) == (1, 1)
    [problem] = result["problems"]
    assert (problem["source"]["row"], problem["code"], problem["field"]) == (
        3, "invalid_format", "hotel_code"
    )
    assert "(Latin letters with Greek Τ: keyed on another keyboard layout?)" in problem["message"]
    notices = "\n".join(n["text"] for n in result["notices"])
    assert "hotel: typed with letters of another alphabet that look the same (Τ)" in notices


@pytest.mark.parametrize(
    ("keyed", "order", "locale", "read"),
    [
        ("04.12.2026 г.", "DMY", "ru_RU", date(2026, 12, 4)),
        ("04.12.2026г.", "DMY", "ru_RU", date(2026, 12, 4)),
        (f"4.12.2026{NB}г", "DMY", "ru_RU", date(2026, 12, 4)),
        ("04.12.2026 р.", "DMY", "uk_UA", date(2026, 12, 4)),
        ("2026-12-04 г.", "DMY", "ru_RU", date(2026, 12, 4)),  # ISO in any order
        ("12.04.2026 г.", "MDY", "ru_RU", date(2026, 12, 4)),  # the reader's order
    ],
)
def test_a_date_in_digits_with_the_year_word(
    keyed: str, order: Literal["DMY", "MDY", "YMD"], locale: str, read: date
) -> None:
    """'04.12.2026 г.', as Russian invoices date themselves, was invalid_date
    ("expected a date as DD.MM.YYYY, found '04.12.2026 г.'") though
    '4 декабря 2026 г.' was read: the digits are read in the reader's date
    order, as the same date without 'г.' is."""
    assert named_month_date(keyed, locale, order) == read


def test_a_date_in_digits_with_the_year_word_is_refused_as_its_digits_are() -> None:
    short = named_month_date("4.12.26 г.", "ru_RU", "DMY")
    assert short == (
        "expected a date as DD.MM.YYYY, found '4.12.26 г.' (a two-digit year: its "
        "century would be a guess)"
    )
    assert "no such day" in str(named_month_date("31.02.2026 г.", "ru_RU", "DMY"))
    assert named_month_date("04.12.2026 x.", "ru_RU", "DMY") is None
    # without the reader's order (a caller that has none) it is not guessed
    assert named_month_date("04.12.2026 г.", "ru_RU") is None


def test_a_russian_claim_dated_in_digits_with_the_year_word(
    write: Callable[..., Path],
) -> None:
    client = write("ru-dealers.yaml", RU_CLIENT)
    rows = [
        "R-001;10001;Иванов Иван;СЧ-101;01.12.2026 г.;ABC-100;1;100,00;100,00;03.12.2026 г.",
    ]
    claims = write("zayavki.csv", "\r\n".join([RU_HEADER, *rows]) + "\r\n", "cp1251")
    code, out, err = run("check", str(claims), "--client", str(client), "--json")
    assert code == 0, (out, err)
    assert json.loads(out)["outcomes"]["accepted"] == 1


def test_a_greek_file_given_the_wrong_code_page_names_its_own(
    write: Callable[..., Path],
) -> None:
    """A cp1253 file checked with --encoding cp1251 was refused as "no column
    matches a stay claim field (found 'Αρ. αίτησης' read as Cyrillic ...)"
    and nothing more: its headers read as cp1251 are all letters (Cyrillic
    ones), which no garble check flags. Read back in cp1253 they are the
    client's column names, so the refusal names cp1253."""
    rows = ["G-001;20000001;Παπαδόπουλος Γιώργος;ATH-01;AB12345;30/11/2026;02/12/2026;200,00;04/12/2026"]
    claims = write("kratiseis.csv", "\r\n".join([GR_HEADER, *rows]) + "\r\n", "cp1253")
    client = write("gr-hotel.yaml", GR_CLIENT)
    code, out, err = run("check", str(claims), "--client", str(client), "--encoding", "cp1251")
    assert code == 2, (out, err)
    [line] = err.strip().splitlines()
    as_cp1251 = "Αρ. αίτησης".encode("cp1253").decode("cp1251")
    assert f"is the file cp1253? {as_cp1251!r} reads 'Αρ. αίτησης' in it" in line
    assert line.endswith("a column of this client (--encoding cp1253); is this the right client?")
