"""Regressions a new user found (trial 14, the Kraftwerk desk: de_DE, EUR).

1. ``02.10.26`` in the invoice date column was read as 2026-10-02 without a
   word: the century was a guess. A year must now be written in full; a
   two-digit one is refused (``invalid_date``) and the notice asks for the
   date with its four-digit year.
2. Clerk-facing figures were written the en_US way for a de_DE client
   (``expected 3 x 89.95 = 269.85, found 296.85``, ``1,000 points``).
3. People read internal claim ids (``Claim 775b1c905eee-r4: ...``,
   ``6cb1b28e60be-r2: not_found -> pended``) where the reference on the form
   and its file and row name the claim.
4. The duplicate notice did not name the earlier claim of the participant.

The files are the trial's own (tests/fixtures/trial14/README.md). Expected
figures are written by Babel in the test, for the locale under test.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from claimflow import Outcome, ReasonCode, check, load_client
from claimflow.values import TWO_DIGIT_YEAR
from tests.conftest import FIXTURES
from tests.test_cli import run

DATA = FIXTURES / "trial14"
CLIENT = str(DATA / "kraftwerk.yaml")
NOW = datetime(2026, 10, 28, 12, 0, tzinfo=UTC)
HEADER = (
    "Antragsnr.;Verkäufer-Nr.;Name;Händler-Nr.;Händler;Rechnungsnr.;Rechnungsdatum;"
    "Artikelnr.;Menge;Einzelpreis;Betrag;Seriennummern;Eingang;Rechnung beigefügt\n"
)


def _row(ref: str, sold: str, qty: str, price: str, total: str, serials: str) -> str:
    return (
        f"{ref};10002;Anna Schäfer;H-BER-02;Werkzeug Nord KG;RE-{ref[3:]}00;{sold};"
        f"KW-AK18;{qty};{price};{total};{serials};20.10.2026;ja\n"
    )


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """October and November ingested (with notices), members and sales
    imported, awards posted: the trial's store."""
    folder = tmp_path_factory.mktemp("kraftwerk")
    db, notices = str(folder / "kw.db"), folder / "notices"
    for name in ("antraege_oktober.csv", "antraege_november.csv"):
        code, _, err = run(
            "ingest", str(DATA / name), "--client", CLIENT, "--db", db,
            "--notices", str(notices), "--operator", "anna",
        )  # fmt: skip
        assert code == 1, err
    for args in (
        ("participants", "import", str(DATA / "teilnehmer.csv")),
        ("source", "import", str(DATA / "verkaeufe_export.csv")),
        ("award",),
    ):
        code, _, err = run(*args, "--client", CLIENT, "--db", db)
        assert code in (0, 1), err
    return db, notices


# 1. Two-digit years


def test_a_two_digit_year_is_refused_and_the_notice_asks_for_the_full_year(
    tmp_path: Path,
) -> None:
    db, notices = str(tmp_path / "kw.db"), tmp_path / "notices"
    code, _, _ = run(
        "ingest", str(DATA / "randfaelle.csv"), "--client", CLIENT, "--db", db,
        "--notices", str(notices),
    )  # fmt: skip
    assert code == 1
    code, out, _ = run("show", "KW-3002", "--db", db)
    assert code == 0
    assert ": pended" in out.splitlines()[0]
    assert (
        "invalid_date (invoice_date): expected a date as DD.MM.YYYY, found "
        f"'02.10.26' {TWO_DIGIT_YEAR}" in out
    )
    # Its participant is asked for the date with its year in full (the
    # client sets no notice language: the default, English).
    [notice] = notices.glob("kraftwerk-1-10001.txt")
    assert (
        "Claim KW-3002, 199,00\xa0€\n"
        "  Status: waiting for information from you\n"
        "  - invoice date: the year is not written in full: please send the date "
        # in the separator of the client's de_DE (trial 34)
        "again as DD.MM.YYYY, with all four digits of the year (we read: 02.10.26)\n"
    ) in notice.read_text(encoding="utf-8")


def test_check_shows_the_refused_two_digit_year() -> None:
    code, out, _ = run("check", str(DATA / "randfaelle.csv"), "--client", CLIENT, "-v")
    assert code == 1
    assert (
        "randfaelle.csv:row 3:Rechnungsdatum: expected a date as DD.MM.YYYY, found "
        f"'02.10.26' {TWO_DIGIT_YEAR} (invalid_date)"
    ) in out
    # the same date with its year in full (row 2: '2.10.2026') is read
    assert "row 2:Rechnungsdatum" not in out


# 2. Figures in the client's locale


@pytest.mark.parametrize("locale", ["de_DE", "fr_FR", "en_US"])
def test_validation_messages_write_amounts_in_the_clients_locale(
    locale: str, tmp_path: Path
) -> None:
    # The file is keyed the German way whatever the clerks' locale.
    text = (DATA / "kraftwerk.yaml").read_text(encoding="utf-8")
    config = tmp_path / "kraftwerk.yaml"
    config.write_text(
        text.replace(
            "\nlocale: de_DE\n", f"\nlocale: {locale}\nnumber_locale: de_DE\n"
        ),
        encoding="utf-8",
    )
    claims = tmp_path / "claims.csv"
    claims.write_text(
        HEADER
        + _row("KW-3003", "05.10.2026", "3", "89,95", "296,85", "AK1 AK2 AK3")
        + _row("KW-3008", "07.10.2026", "1", "-1.234,56", "-1.234,56", "AK4"),
        encoding="utf-8",
    )
    result = check([claims], load_client(config), received_at=NOW)
    messages = {(p.code, p.field): p.message for p in result.problems}

    def eur(amount: str) -> str:
        return str(format_currency(Decimal(amount), "EUR", locale=locale))

    assert messages[(ReasonCode.LINE_TOTAL_MISMATCH, "line_total")] == (
        f"expected 3 x {eur('89.95')} = {eur('269.85')}, found {eur('296.85')}"
    )
    assert messages[(ReasonCode.NEGATIVE_AMOUNT, "unit_price")] == (
        f"expected an amount of 0 or more, found {eur('-1234.56')}"
    )


def test_award_explain_and_balance_write_points_in_the_clients_locale(
    desk: tuple[str, Path],
) -> None:
    db, _ = desk

    def de(points: int) -> str:
        return str(format_decimal(points, locale="de_DE"))

    code, out, _ = run("award", "explain", "KW-1002", "--db", db, "--client", CLIENT)
    assert code == 0
    assert out.splitlines()[0] == (
        f"Claim KW-1002 (antraege_oktober.csv:row 4): {de(1000)} points under rules "
        "2026 (activity 2026-10-05, EUR)."
    )
    assert f"-> +{de(1234)} points\n" in out
    assert f"  Desired {de(1234)}, awarded {de(1000)} after caps.\n" in out
    assert out.endswith(f"  Total: {de(1000)} points.\n")
    code, out, _ = run("ledger", "balance", "10002", "--client", CLIENT, "--db", db)
    assert (code, out) == (
        0,
        f"10002: {de(1000)} points ({de(1000)} available, 0 pending)\n",
    )


def test_machine_outputs_stay_locale_free(desk: tuple[str, Path]) -> None:
    db, _ = desk
    code, out, _ = run(
        "ledger", "balance", "10002", "--client", CLIENT, "--db", db, "--json"
    )
    assert code == 0 and json.loads(out)["total"] == 1000
    code, out, _ = run("award", "explain", "KW-1002", "--db", db, "--json")
    assert code == 0
    explained = json.loads(out)
    assert (explained["points"], explained["desired_points"]) == (1000, 1234)
    code, out, _ = run("export", "awards", "--client", CLIENT, "--db", db, "--out", "-")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    # the posting file a fulfilment system loads: plain figures, claim ids
    assert [r["points"] for r in rows if r["participant_id"] == "10002"] == ["1000"]
    assert all(re.fullmatch(r"[0-9a-f]{12}-r\d+", r["claim_id"]) for r in rows)


# 3. The reference (and where it came from), not the internal id


def test_people_read_the_claims_reference_and_place(desk: tuple[str, Path]) -> None:
    db, _ = desk
    code, out, _ = run(
        "source", "import", str(DATA / "verkaeufe_export.csv"),
        "--client", CLIENT, "--db", db,
    )  # fmt: skip
    assert "  KW-1006 (antraege_november.csv:row 2): not_found -> pended\n" in out
    code, out, _ = run(
        "ledger", "reverse", "KW-1003", "--reason", "test", "--preview",
        "--client", CLIENT, "--db", db,
    )  # fmt: skip
    assert (code, out) == (
        0,
        "claim KW-1003 (antraege_oktober.csv:row 5): 42 points would be reversed "
        "and the claim would be void; preview: nothing posted\n",
    )


# 4. The duplicate notice names the earlier claim

#: The kraftwerk desk (de_DE) writes its notices in English: their dates are
#: English as written in Germany (CLDR en_DE: "20 Oct 2026"), amounts the
#: desk's (698,00 €); they read "20.10.2026" before dates followed the
#: notice's language.
ENGLISH_AT_DE = "en_DE"


def test_an_in_batch_duplicate_notice_names_the_earlier_claim(
    desk: tuple[str, Path],
) -> None:
    _, notices = desk
    text = (notices / "kraftwerk-1-10001.txt").read_text(encoding="utf-8")
    sold = format_date(datetime(2026, 10, 2), "medium", locale=ENGLISH_AT_DE)
    received = format_date(datetime(2026, 10, 20), "medium", locale=ENGLISH_AT_DE)
    assert (
        f"Claim KW-1004, sold on {sold}, 698,00\xa0€\n"
        "  Status: already claimed\n"
        "  - serial numbers: this serial number has already been claimed\n"
        f"    You claimed it before in claim KW-1001, received on {received} in file "
        "antraege_oktober.csv.\n"
    ) in text


def test_a_history_duplicate_names_the_earlier_claim_in_notice_and_cli(
    desk: tuple[str, Path], tmp_path: Path
) -> None:
    db, _ = desk
    copy = tmp_path / "kw.db"
    copy.write_bytes(Path(db).read_bytes())
    code, out, _ = run(
        "dedupe", "claims", "--client", CLIENT, "--db", str(copy),
        "--notices", str(tmp_path / "notices"),
    )  # fmt: skip
    assert code == 1
    assert (
        "  KW-5001 (antraege_november.csv:row 3) duplicate of KW-1001 "
        "(antraege_oktober.csv:row 3): same serial number claimed again "
        "(serial BH1000001)\n"
    ) in out
    [notice] = (tmp_path / "notices").glob("*.txt")
    received = format_date(datetime(2026, 10, 20), "medium", locale=ENGLISH_AT_DE)
    assert (
        f"    You claimed it before in claim KW-1001, received on {received} in file "
        "antraege_oktober.csv.\n"
    ) in notice.read_text(encoding="utf-8")
    code, out, _ = run("show", "KW-5001", "--db", str(copy))
    assert "as claim KW-1001 (antraege_oktober.csv:row 3)" in out


def test_a_duplicate_of_another_participant_names_no_reference(
    tmp_path: Path,
) -> None:
    # Klaus (10004) keys Anna's serial: he is told the day, not her claim.
    anna = _row("KW-7001", "05.10.2026", "1", "89,95", "89,95", "AK3000901")
    klaus = _row("KW-7002", "05.10.2026", "1", "89,95", "89,95", "AK3000901")
    path = tmp_path / "claims.csv"
    path.write_text(
        HEADER + anna + klaus.replace("10002;Anna Schäfer", "10004;Klaus Weiß"),
        encoding="utf-8",
    )
    result = check([path], load_client(CLIENT), received_at=NOW)
    assert result.outcomes[Outcome.DUPLICATE] == 1
    [notice] = [n for n in result.notices if n.participant_id == "10004"]
    assert "KW-7001" not in notice.text and "claims.csv" not in notice.text
    received = format_date(datetime(2026, 10, 20), "medium", locale=ENGLISH_AT_DE)
    assert (
        f"    It was claimed before, on {received}, under another account.\n"
        in notice.text
    )
