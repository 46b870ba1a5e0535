"""--csv and --nl print the rows --json prints, value for value.

Each command that prints rows runs three times on the same store (a fresh
copy of it for each run, since some write): with --json, --csv and --nl. The
CSV is read back with Python's csv module and the lines with ``json.loads``;
both must equal the rows of the --json output. In CSV every value is text: a
string as it is, null empty, anything else as JSON writes it (a Decimal's
exact text such as ``"179.00"``, a date ``2026-10-02``, ``-70.0``, ``true``),
never reformatted for a locale. The oracle below is written from that rule,
not from claimflow's writer.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES
from tests.test_cli import run
from tests.test_cli_json import PEOPLE, RECEIVED, strict

# Each run copies the SQLite file with sqlite3's backup: a file store only.
pytestmark = pytest.mark.sqlite_only(reason="copies the SQLite store file for each run")

ACME = str(SAMPLES / "clients/acme-tools.yaml")
NOW = "2026-11-12"
VERIFICATION = SAMPLES / "acme-tools/verification"
KEYINGS = SAMPLES / "acme-tools/double-entry"


@dataclass
class Desk:
    """Stores at two points of the acme-tools story, and the files the cases read."""

    folder: Path
    #: November's claims ingested, not yet checked for duplicates.
    before_dedupe: Path
    #: October awarded; November checked and verified, not awarded; one
    #: adjustment pending, one case open.
    done: Path


def _backup(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as copy:
        src.backup(copy)
    return target


def _ok(*args: str) -> None:
    code, out, err = run(*args)
    assert code in (0, 1), (args, out[-500:], err[-500:])


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    folder = tmp_path_factory.mktemp("rows")
    db = folder / "desk.db"
    base = ("--client", ACME, "--db", str(db))
    claims = sorted(str(p) for p in (SAMPLES / "acme-tools/claims").iterdir())
    sources = sorted(str(p) for p in (SAMPLES / "acme-tools/source").iterdir())
    _ok("ingest", *claims, *base, "--at", RECEIVED, "--operator", "t")
    _ok("dedupe", "claims", *base)
    _ok("participants", "import", str(SAMPLES / "acme-tools/participants.csv"), *base)
    _ok("source", "import", *sources, *base)
    _ok("award", *base)  # October's: replay compares with them
    _ok("ingest", str(VERIFICATION / "claims_november.csv"), *base, "--at", RECEIVED)
    before = _backup(db, folder / "before-dedupe.db")
    _ok("dedupe", "claims", *base)
    _ok("source", "import", str(VERIFICATION / "dealer_sales_november.csv"), *base)
    _ok("ledger", "adjust", "104876", "3000", "--reason", "goodwill", "--note", "n",
        *base)  # fmt: skip
    _ok("cases", "open", "104233", "--type", "complaint", "--owner", "ann", *base)
    text = Path(ACME).read_text(encoding="utf-8")
    old = "{id: drill, kind: per_unit, points: 30,"
    (folder / "acme-2027.yaml").write_text(
        text.replace(old, old.replace("30", "40")), encoding="utf-8"
    )
    (folder / "people.csv").write_text(PEOPLE, encoding="utf-8")
    return Desk(folder, before, db)


@dataclass(frozen=True)
class Case:
    """A command that prints rows: its arguments, where its rows are in
    the --json output, and the store it runs on (None: no store)."""

    args: Callable[[Desk], list[str]]
    rows: Callable[[Any], list[dict[str, Any]]]
    store: str | None = "done"


def whole(data: Any) -> list[dict[str, Any]]:
    return list(data)


def key(name: str) -> Callable[[Any], list[dict[str, Any]]]:
    return lambda data: list(data[name])


CASES = {
    "queue": Case(lambda d: ["queue", "--client", ACME, "--as-of", NOW], whole),
    "replay": Case(
        lambda d: [
            "replay",
            "--client",
            ACME,
            "--rules",
            str(d.folder / "acme-2027.yaml"),
            "--batch",
            "1",
            "--as-of",
            NOW,
        ],
        key("changes"),
    ),  # fmt: skip
    "verify": Case(lambda d: ["verify", "--client", ACME], key("details")),
    "award": Case(lambda d: ["award", "--client", ACME, "--preview"], key("awards")),
    "dedupe claims": Case(
        lambda d: ["dedupe", "claims", "--client", ACME], key("matches"), "before"
    ),
    "dedupe participants": Case(
        lambda d: ["dedupe", "participants", str(d.folder / "people.csv"), "--pairs"],
        key("pairs"),
        None,
    ),
    "entry compare": Case(
        lambda d: [
            "entry",
            "compare",
            str(KEYINGS / "keying_ana.csv"),
            str(KEYINGS / "keying_ben.csv"),
            "--client",
            ACME,
        ],
        whole,
        None,
    ),  # fmt: skip
    "entry sample": Case(
        lambda d: ["entry", "sample", "--batch", "1", "--max-error-rate", "0.5%"],
        key("fields"),
    ),
    "ledger adjustments": Case(
        lambda d: ["ledger", "adjustments", "--client", ACME], whole
    ),
    "cases list": Case(lambda d: ["cases", "list", "--client", ACME], whole),
}


def as_csv_text(value: Any) -> str:
    """The oracle: what a CSV cell holds for a value of the --json output."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def test_every_row_command_has_a_case() -> None:
    from tests.test_cli_vocabulary import ROWS

    assert set(CASES) == ROWS


@pytest.mark.parametrize("name", sorted(CASES))
def test_csv_and_nl_rows_equal_the_json_rows(
    name: str, desk: Desk, tmp_path: Path
) -> None:
    case = CASES[name]
    runs = {}
    for fmt in ("--json", "--csv", "--nl"):
        args = case.args(desk)
        if case.store is not None:
            source = desk.done if case.store == "done" else desk.before_dedupe
            copy = _backup(source, tmp_path / f"{fmt.strip('-')}.db")
            args += ["--db", str(copy)]
        code, out, err = run(*args, fmt)
        runs[fmt] = (code, out)
        assert "\x1b" not in out + err  # no progress or colour off a terminal
    assert len({code for code, _ in runs.values()}) == 1, runs  # same exit code
    rows = case.rows(strict(runs["--json"][1]))
    assert rows, f"{name}: no rows to compare"
    lines = runs["--nl"][1].splitlines()
    assert [json.loads(line) for line in lines] == rows
    reader = csv.DictReader(io.StringIO(runs["--csv"][1], newline=""))
    header = list(dict.fromkeys(k for row in rows for k in row))
    assert reader.fieldnames == header
    expected = [{k: as_csv_text(row.get(k)) for k in header} for row in rows]
    assert list(reader) == expected


def test_decimals_and_times_keep_their_json_text(desk: Desk) -> None:
    """The pending goodwill adjustment costs 3,000 x USD 0.0125: "37.50" in
    all three formats (not 37.5, not a locale's 37,50); the case's opening
    time is the same ISO text in each."""
    outs = {}
    for fmt in ("--json", "--csv", "--nl"):
        code, outs[fmt], _ = run("ledger", "adjustments", "--client", ACME,
                                 "--db", str(desk.done), fmt)  # fmt: skip
        assert code == 0
    (adjustment,) = strict(outs["--json"])
    (row,) = csv.DictReader(io.StringIO(outs["--csv"], newline=""))
    (line,) = outs["--nl"].splitlines()
    assert adjustment["cost"] == row["cost"] == json.loads(line)["cost"] == "37.50"
    assert row["points"] == "3000" and row["posting_id"] == ""  # null: empty
    cases = {}
    for fmt in ("--json", "--csv"):
        cases[fmt] = run("cases", "list", "--client", ACME, "--db", str(desk.done),
                         fmt)[1]  # fmt: skip
    (case,) = strict(cases["--json"])
    (row,) = csv.DictReader(io.StringIO(cases["--csv"], newline=""))
    assert row["opened_at"] == case["opened_at"]
    assert datetime.fromisoformat(row["opened_at"]).utcoffset() is not None


def test_out_suffix_picks_the_format(desk: Desk, tmp_path: Path) -> None:
    """export --out: .csv, .json, .jsonl and .ndjson hold the same rows; an
    unknown suffix is refused in one line before anything is written."""
    base = ("export", "awards", "--db", str(desk.done), "--client", ACME)
    _ok("award", "--client", ACME, "--db", str(_backup(desk.done, tmp_path / "a.db")))
    db = str(tmp_path / "a.db")
    files = {s: tmp_path / f"postings{s}" for s in (".csv", ".json", ".jsonl")}
    for path in files.values():
        code, _, err = run("export", "awards", "--db", db, "--client", ACME,
                           "--out", str(path))  # fmt: skip
        assert code == 0, err
    as_json = json.loads(files[".json"].read_text(encoding="utf-8"))
    lines = files[".jsonl"].read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == as_json and as_json
    with files[".csv"].open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [r["idempotency_key"] for r in table] == [
        r["idempotency_key"] for r in as_json
    ]
    assert [int(r["points"]) for r in table] == [r["points"] for r in as_json]
    code, out, err = run(*base, "--out", str(tmp_path / "postings.txt"))
    assert code == 2 and out == ""
    assert err.splitlines()[-1] == (
        f"Error: Invalid value for '--out': {tmp_path / 'postings.txt'}: "
        "expected a .csv, .xlsx, .json, .jsonl or .ndjson file"
    )
    assert not (tmp_path / "postings.txt").exists()


def test_no_progress_text_when_piped(desk: Desk, tmp_path: Path) -> None:
    """Through pipes (a script, a log) a long command prints its result only:
    no progress line, no escape codes, on stdout or stderr."""
    db = _backup(desk.done, tmp_path / "piped.db")
    code = "import sys; from claimflow.cli import main; sys.exit(main())"
    done = subprocess.run(
        [sys.executable, "-c", code, "award", "--client", ACME, "--db", str(db),
         "--preview"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "\x1b" not in done.stdout and "awarding claims" not in done.stdout
    assert "awards (preview)" in done.stdout
