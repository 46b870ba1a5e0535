"""Trial 31 (a Polish dealer program, four clerks on one store): files that
hold no claim, and a file ingested under the wrong client."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from babel.dates import format_date
from hypothesis import given
from hypothesis import strategies as st

from claimflow import Store
from claimflow.values import parse_date
from claimflow.written_dates import named_month_date
from tests.conftest import SAMPLES
from tests.test_cli import run

ACME = str(SAMPLES / "clients/acme-tools.yaml")
HEADER = "Claim ID,Rep #,Invoice No,Invoice Date,Product Code,Qty,Serials,Received\n"
ROW = "F-1,104233,INV-1001,11/02/2026,DRL-200,1,DR10000001,2026-11-20T10:00\n"


def _counts(db: Path) -> dict[str, int]:
    with Store.open(db) as store:  # the test's backend (tests/conftest.py)
        return {t: store.count(t) for t in ("batches", "documents", "claims", "audit_log")}


def test_a_file_with_a_header_and_no_claim_is_refused_and_makes_no_batch(
    tmp_path: Path,
) -> None:
    """A header-only file was stored as an empty batch, exit 0; with
    --keep-going a run whose every new file was refused made one too."""
    db = tmp_path / "store.db"
    empty = tmp_path / "header_only.csv"
    empty.write_text(HEADER, encoding="utf-8")
    good = tmp_path / "claims.csv"
    good.write_text(HEADER + ROW, encoding="utf-8")
    assert run("ingest", str(good), "--client", ACME, "--db", str(db))[0] == 0
    before = _counts(db)
    refusal = f"claimflow: error: {empty}: no claims in the file: nothing under its header\n"
    assert run("check", str(empty), "--client", ACME)[::2] == (2, refusal)
    assert run("ingest", str(empty), "--client", ACME, "--db", str(db))[::2] == (2, refusal)
    assert _counts(db) == before
    code, _, _ = run("ingest", str(empty), "--client", ACME, "--db", str(db), "--keep-going")
    assert code == 2
    after = _counts(db)
    assert (after["batches"], after["documents"], after["claims"]) == (
        before["batches"], before["documents"], before["claims"],
    )  # the run is audited, nothing else  # fmt: skip


def test_a_file_stored_for_another_client_is_refused_not_skipped(tmp_path: Path) -> None:
    """A dealer file ingested under the wrong client, then under the right
    one, was 'already ingested (batch 1)', exit 0: the right client never
    got its claims, and nothing said why. The second ingest is refused,
    naming the batch and the client that hold the file."""
    other = tmp_path / "acme-two.yaml"
    other.write_text(
        Path(ACME).read_text(encoding="utf-8").replace(
            "client: acme-tools", "client: acme-two", 1
        ),
        encoding="utf-8",
    )
    db = tmp_path / "store.db"
    claims = tmp_path / "claims.csv"
    claims.write_text(HEADER + ROW, encoding="utf-8")
    assert run("ingest", str(claims), "--client", ACME, "--db", str(db))[0] == 0
    before = _counts(db)
    code, _, err = run("ingest", str(claims), "--client", str(other), "--db", str(db))
    assert (code, err) == (
        2,
        f"claimflow: error: {claims}: already ingested as batch 1 of client "
        "acme-tools, not acme-two: was that batch ingested under the wrong client?\n",
    )
    assert _counts(db) == before
    # the same client again is still the quiet no-op it was
    code, out, _ = run("ingest", str(claims), "--client", ACME, "--db", str(db))
    assert code == 0 and "already ingested (batch 1)" in out


def test_dedupe_participants_reads_a_member_list_in_the_clients_encoding(
    tmp_path: Path,
) -> None:
    """participants import read a cp1250 member list in the client's
    ``encoding``; dedupe participants ignored it, refused the file and told
    the clerk to give --encoding, which it did not have. Both read it now,
    and --encoding is there for a client that declares none."""
    text = (
        "participant_id,first_name,last_name,email\n"
        "500101,Łukasz,Żółć,lukasz.zolc@hurt.example\n"
        "500102,Lukasz,Zolc,lukasz.zolc@hurt.example\n"
        "500103,Małgorzata,Wójcik,m.wojcik@hurt.example\n"
    )
    people = tmp_path / "uczestnicy.csv"
    people.write_bytes(text.encode("cp1250"))
    polish = tmp_path / "pl.yaml"
    polish.write_text(
        Path(ACME).read_text(encoding="utf-8").replace(
            "client: acme-tools", "client: pl-test\nencoding: cp1250", 1
        ),
        encoding="utf-8",
    )
    code, out, err = run("dedupe", "participants", str(people), "--client", str(polish), "--json")
    assert code == 1, err  # a duplicate found

    found = json.loads(out)
    assert [sorted(c["participant_ids"]) for c in found["clusters"]] == [["500101", "500102"]]
    code, out, err = run("dedupe", "participants", str(people), "--encoding", "cp1250", "--json")
    assert code == 1 and json.loads(out)["clusters"] == found["clusters"], err


def test_a_file_without_a_required_fields_column_is_refused_in_one_line(
    tmp_path: Path,
) -> None:
    """A dealer file without its quantity column (trial 31, 'Ilość') and a
    stay file without the confirmation column (trial 30) were stored, every
    claim pended and every participant asked for a value the desk's file
    lacked. The file is refused naming the column and how the client heads
    it, nothing stored; a near miss is named."""
    db = tmp_path / "store.db"
    claims = tmp_path / "bez_ilosci.csv"
    claims.write_text(
        "Claim ID,Rep #,Invoice No,Invoice Date,Product Code,Ilosc szt,Serials\n"
        "F-1,104233,INV-1001,11/02/2026,DRL-200,1,DR10000001\n",
        encoding="utf-8",
    )
    code, _, err = run("ingest", str(claims), "--client", ACME, "--db", str(db))
    assert (code, err) == (
        2,
        f"claimflow: error: {claims}: row 1: no column for the required quantity "
        "(headed 'qty' or 'units' or 'quantity'): is this the right client, or is "
        "the column named differently? (the client's columns section names it)\n",
    )
    assert _counts(db)["claims"] == 0
    stays = tmp_path / "stays.csv"
    stays.write_text(
        "Member Number,Hotel Code,Arrival,Departure,Room Revenue\n"
        "CA1000001,CAZ-RIO,2026-10-02,2026-10-04,640.00\n",
        encoding="utf-8",
    )
    costa = str(SAMPLES / "clients/costa-azul.yaml")
    code, _, err = run("check", str(stays), "--client", costa)
    assert code == 2 and "no column for the required confirmation_number" in err
    # a near miss is named
    near = tmp_path / "near.csv"
    near.write_text(claims.read_text(encoding="utf-8").replace("Ilosc szt", "Qtty"),
                    encoding="utf-8")  # fmt: skip
    code, _, err = run("check", str(near), "--client", ACME)
    assert code == 2 and "near misses: 'Qtty' -> quantity?" in err


def test_a_tier_the_program_does_not_know_refuses_the_member_list(tmp_path: Path) -> None:
    """A member list's 'nieznany' (unknown) tier was taken in silently; a tier
    bonus then paid nothing for it and a merge could not rank it. A tier the
    program names (accounts.tiers, its tier bonuses) is read in any case."""
    db = tmp_path / "store.db"
    members = tmp_path / "uczestnicy.csv"
    members.write_text(
        "participant_id,first_name,last_name,tier,enrolled_on,status\n"
        "104233,Ewa,Nowak,Gold,2024-03-11,active\n"
        "104234,Jan,Kowal,nieznany,2024-03-11,active\n",
        encoding="utf-8",
    )
    code, _, err = run("participants", "import", str(members), "--client", ACME, "--db", str(db))
    assert (code, err) == (
        2,
        f"claimflow: error: {members}: row 3:tier: expected one of the program's "
        "tiers (gold, silver), found 'nieznany'\n",
    )
    members.write_text(members.read_text(encoding="utf-8").replace("nieznany", "SILVER"),
                       encoding="utf-8")  # fmt: skip
    assert run("participants", "import", str(members), "--client", ACME, "--db", str(db))[0] == 0


#: Locales whose long and medium dates name the month (Babel's patterns).
NAMED_MONTH_LOCALES = ["pl_PL", "de_DE", "es_ES", "fr_FR", "pt_BR", "nl_NL", "en_US",
                       "en_GB", "it_IT", "sv_SE", "cs_CZ", "tr_TR", "el_GR", "es_MX"]  # fmt: skip


@pytest.mark.parametrize("locale", NAMED_MONTH_LOCALES)
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2399, 12, 31)))
def test_babel_written_long_dates_read_back(locale: str, day: date) -> None:
    """'4 grudnia 2026' was refused though claimflow's own notices write
    dates so (trial 31). A date Babel writes in the client's locale, long or
    medium, reads back as that date: the month's name says which part it
    is, so the client's date order does not enter (a numeric medium date,
    de_DE's 04.12.2026, is read in the client's order as before)."""
    for width in ("long", "medium", "full"):  # full: with its weekday
        written = format_date(day, width, locale=locale)
        found = parse_date(written, "DMY" if locale != "en_US" else "MDY")
        if isinstance(found, str):
            found = named_month_date(written, locale)
        assert found == day, (width, written)


@pytest.mark.parametrize(
    ("text", "why"),
    [("31 listopada 2026", "(no such day: November has 30)"),
     ("4 grudnia 26", "(a two-digit year: its century would be a guess)"),
     ("4 grudnia 2569", "2569 looks like a Buddhist Era year")],
)  # fmt: skip
def test_a_named_month_date_that_cannot_be_read_says_why(text: str, why: str) -> None:
    found = named_month_date(text, "pl_PL")
    assert isinstance(found, str) and found.startswith(
        f"expected a date as D MMMM YYYY, found {text!r}"
    ) and why in found  # fmt: skip


def test_a_polish_form_with_a_written_date_checks_clean(tmp_path: Path) -> None:
    polish = tmp_path / "pl.yaml"
    polish.write_text(
        Path(ACME).read_text(encoding="utf-8").replace(
            "client: acme-tools", "client: pl-test", 1
        ).replace("locale: en_US", "locale: pl_PL", 1).replace(
            "date_order: MDY", "date_order: DMY", 1
        ),
        encoding="utf-8",
    )
    claims = tmp_path / "wnioski.csv"
    claims.write_text(
        HEADER + ROW.replace("11/02/2026", "2 listopada 2026")
        + ROW.replace("F-1", "F-2").replace("INV-1001", "INV-1002")
        .replace("DR10000001", "DR10000002").replace("11/02/2026", "2 lis 2026"),
        encoding="utf-8",
    )
    code, out, err = run("check", str(claims), "--client", str(polish), "--json")
    assert code == 0, out + err
    assert json.loads(out)["outcomes"]["accepted"] == 2
