"""The command line: exact messages and exit codes; bad input leaves the store as it was."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimflow.cli import main
from tests.conftest import ROOT, SAMPLES

ACME_CONFIG = str(SAMPLES / "clients/acme-tools.yaml")
OCTOBER = str(SAMPLES / "acme-tools/claims/october.csv")
GOOD = (
    "Rep #,Invoice No,Invoice Date,Product Code,Qty,Serials,Received\n"
    "104233,INV-1001,10/02/2026,DRL-200,1,DR10000001,2026-10-20\n"
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_all_accepted_exits_0(write: Callable[..., Path]) -> None:
    code, out, _ = run(
        "check", str(write("good.csv", GOOD)), "--client", ACME_CONFIG, "--json"
    )
    assert code == 0
    assert json.loads(out)["outcomes"] == {
        "accepted": 1,
        "pended": 0,
        "rejected": 0,
        "duplicate": 0,
        "review": 0,
    }


def test_check_with_findings_exits_1_and_json_matches_library() -> None:
    code, out, _ = run("check", OCTOBER, "--client", ACME_CONFIG, "--json")
    data = json.loads(out)
    assert code == 1
    assert data["records"] == 9
    assert sum(data["outcomes"].values()) == 9
    assert data["reasons"]["duplicate_serial_in_batch"] == 1
    assert data["problems"][0]["source"]["file"] == OCTOBER


def test_ingest_then_ingest_again_is_a_no_op(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    code, out, _ = run(
        "ingest",
        OCTOBER,
        "--client",
        ACME_CONFIG,
        "--db",
        db,
        "--notices",
        str(tmp_path / "n"),
        "--json",
    )
    assert code == 1
    assert json.loads(out)["batch_id"] == 1
    # one notice per participant: 105112, 104233, 106020 (two claims), 105540,
    # each as text and as an e-mail beside it
    written = sorted(p.name for p in (tmp_path / "n").iterdir())
    assert len(written) == 8
    assert {n.removesuffix(".txt") for n in written if n.endswith(".txt")} == {
        n.removesuffix(".eml") for n in written if n.endswith(".eml")
    }
    code, out, _ = run("ingest", OCTOBER, "--client", ACME_CONFIG, "--db", db, "--json")
    data = json.loads(out)
    assert (code, data["batch_id"], data["records"]) == (0, None, 0)
    assert data["files"][0]["status"] == "already ingested (batch 1)"


HOSTILE: list[tuple[str, bytes, str]] = [
    ("truncated.csv", GOOD.encode() + b'104234,"INV-1002', "not valid CSV"),
    ("random.pdf", os.urandom(4096).replace(b"%PDF", b"%PDX"), "not a PDF"),
    ("empty.csv", b"", "empty file (0 bytes)"),
    ("long.csv", b"x" * (50 * 1024 * 1024), "field larger than field limit"),
    ("sheet.xlsx", b"PK\x03\x04" + os.urandom(512), "not a readable .xlsx workbook"),
    ("claims.json", b'{"claims": [', "not valid JSON"),
]


def _encrypted(tmp_path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=SAMPLES / "acme-tools/claims/claims_printed.pdf")
    writer.encrypt(user_password="secret")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_hostile_input_one_line_error_exit_2_store_unchanged(
    tmp_path: Path, write: Callable[..., Path], name: str, content: bytes, message: str
) -> None:
    db = tmp_path / "c.db"
    assert run("ingest", OCTOBER, "--client", ACME_CONFIG, "--db", str(db))[0] == 1
    before = db.read_bytes()
    bad = write(name, content)
    code, out, err = run(
        "ingest",
        str(write("good.csv", GOOD)),
        str(bad),
        "--client",
        ACME_CONFIG,
        "--db",
        str(db),
    )
    assert code == 2
    assert err.startswith(f"claimflow: error: {bad}")
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert out == ""
    assert db.read_bytes() == before


def test_encrypted_pdf_exit_2_and_no_database_created(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    locked = _encrypted(tmp_path)
    code, _, err = run("ingest", str(locked), "--client", ACME_CONFIG, "--db", str(db))
    assert code == 2
    assert (
        err
        == f"claimflow: error: {locked}: encrypted PDF: ask the sender for an unprotected copy\n"
    )
    assert not db.exists()


def test_keep_going_stores_readable_files_and_lists_the_others(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db = str(tmp_path / "c.db")
    bad = write("truncated.csv", GOOD.encode() + b'104234,"INV-1002')
    code, out, _ = run(
        "ingest",
        str(write("good.csv", GOOD)),
        str(bad),
        "--client",
        ACME_CONFIG,
        "--db",
        db,
        "--keep-going",
        "--json",
    )
    data = json.loads(out)
    assert code == 2
    assert data["records"] == 1
    assert [f["status"] for f in data["files"]] == ["stored", "unreadable"]
    assert "row 3" in data["files"][1]["error"]
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM claims").fetchone()[0] == 1


def test_bad_config_is_a_one_line_error(write: Callable[..., Path]) -> None:
    config = write(
        "bad.yaml",
        "client: x1\nname: X\nkind: sales\ndate_order: DMY\nclaim_window_days: -1\n",
    )
    code, _, err = run("check", OCTOBER, "--client", str(config))
    assert code == 2
    assert (
        err
        == f"claimflow: error: {config}: claim_window_days: Input should be greater than 0\n"
    )


def test_usage_error_exits_2() -> None:
    assert run("check", OCTOBER)[0] == 2


def test_export_neutralises_formulas(tmp_path: Path) -> None:
    db, out = str(tmp_path / "c.db"), tmp_path / "claims.csv"
    run("ingest", OCTOBER, "--client", ACME_CONFIG, "--db", db)
    code, stdout, _ = run(
        "export", "claims", "--client", ACME_CONFIG, "--db", db, "--out", str(out)
    )
    assert (code, stdout) == (0, f"9 claims written to {out}\n")
    text = out.read_text(encoding="utf-8-sig")
    assert ",'=Tom Becker," in text
    import sqlite3

    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT data FROM claims WHERE data LIKE '%Becker%'"
        ).fetchone()[0]
    assert json.loads(stored)["participant_name"] == "=Tom Becker"


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert command.help and "Example:" in command.help
        assert f"claimflow {name}" in readme
        assert run(name, "--help")[0] == 0


def test_sheet_option_reads_one_sheet() -> None:
    workbook = str(SAMPLES / "acme-tools/claims/dealer_north.xlsx")
    code, _, err = run("check", workbook, "--client", ACME_CONFIG, "--sheet", "Nope")
    assert (code, err) == (
        2,
        f"claimflow: error: {workbook}: no sheet 'Nope'; sheets: October\n",
    )
    code, out, _ = run(
        "check", workbook, "--client", ACME_CONFIG, "--sheet", "October", "--json"
    )
    assert json.loads(out)["records"] == 3


def test_headers_that_almost_match_are_suggested(write: Callable[..., Path]) -> None:
    path = write("x.csv", "colour,Invoce No\nred,1\n")
    code, _, err = run("check", str(path), "--client", ACME_CONFIG)
    assert code == 2
    assert "near misses: 'Invoce No' -> invoice_number?" in err


@pytest.mark.sqlite_only  # its messages name the store file
def test_notices_lost_after_the_commit_are_written_on_the_rerun(tmp_path: Path) -> None:
    """Killed between the commit and writing the notice files (or run without
    --notices), a re-run said "already ingested" and never wrote them."""
    db = str(tmp_path / "c.db")
    code, _, _ = run("ingest", OCTOBER, "--client", ACME_CONFIG, "--db", db)
    assert code == 1
    folder = tmp_path / "notices"
    code, out, _ = run(
        "ingest", OCTOBER, "--client", ACME_CONFIG, "--db", db, "--notices", str(folder)
    )
    assert "already ingested (batch 1)" in out
    written = sorted(p.name for p in folder.iterdir())
    assert written and all(name.startswith("acme-tools-1-") for name in written)
    first = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    (folder / written[0]).unlink()
    code, out, _ = run(
        "notices", "write", "--batch", "1", "--db", db, "--out", str(folder)
    )
    assert (code, out) == (0, f"batch 1: {len(written)} notices in {folder}\n")
    assert {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()} == first
    code, _, err = run(
        "notices", "write", "--batch", "9", "--db", db, "--out", str(folder)
    )
    assert (code, err) == (2, f"claimflow: error: {db}: no batch 9\n")


def test_notice_file_names_never_collide() -> None:
    from claimflow.report import file_safe

    names = {file_safe(i) for i in ("a.b", "a/b", "a_b", "a b", "a\\b", "", "ä_b")}
    assert len(names) == 7
    assert file_safe("104233") == "104233"
    assert all("/" not in n and "\\" not in n and n for n in names)


def test_ingesting_a_file_again_says_so_in_one_line_and_writes_nothing(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """The same bytes ingested again printed three tables of zeros (files,
    outcomes, reasons) and added an audit row for a run that did nothing.
    Now one line per file names the batch that holds it; exit 0, as
    documented for a no-op; the store, audit log included, is unchanged."""
    from claimflow import Store

    db = str(tmp_path / "c.db")
    good = write("good.csv", GOOD)
    assert run("ingest", str(good), "--client", ACME_CONFIG, "--db", db)[0] == 0
    tables = ("batches", "documents", "claims", "problems", "outcomes", "notices",
              "claim_events", "audit_log")  # fmt: skip

    def counts() -> dict[str, int]:
        with Store.open(Path(db)) as store:
            return {t: store.count(t) for t in tables}

    before = counts()
    assert before["audit_log"] == 1
    code, out, err = run("ingest", str(good), "--client", ACME_CONFIG, "--db", db)
    assert (code, out, err) == (
        0,
        f"{good}: already ingested (batch 1): nothing new stored\n",
        "",
    )
    assert counts() == before
    # with a new file beside it, the batch's tables are shown as before
    other = write("other.csv", GOOD.replace("INV-1001", "INV-1002"))
    code, out, _ = run(
        "ingest", str(good), str(other), "--client", ACME_CONFIG, "--db", db
    )
    assert code == 0 and "1 record stored as batch 2" in out
    assert "already ingested (batch 1)" in out and "outcome" in out
    assert counts()["audit_log"] == 2
