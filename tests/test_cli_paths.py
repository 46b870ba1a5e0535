"""Output paths that cannot be written: one line, exit 2, nothing posted.

From the Jakarta desk trial: ``award --notices peserta.csv/sub`` posted the
awards, then failed with a ``NotADirectoryError`` traceback and exit 1 (the
README's "findings"), and the cap notices were lost for good; ``export``,
``report`` and ``replay`` with ``--out`` in a folder that does not exist
gave ``FileNotFoundError`` tracebacks.
"""

from __future__ import annotations

from pathlib import Path

from claimflow import Store
from tests.test_cli import ACME_CONFIG, OCTOBER, run


def _postings(db: Path) -> int:
    with Store.open(db) as store:
        return store.count("ledger")


def test_a_notices_folder_that_cannot_be_made_stops_the_award_run_first(
    tmp_path: Path,
) -> None:
    db = tmp_path / "c.db"
    run("ingest", OCTOBER, "--client", ACME_CONFIG, "--db", str(db))
    a_file = tmp_path / "people.csv"
    a_file.write_text("x\n", encoding="utf-8")
    code, _, err = run(
        "award", "--client", ACME_CONFIG, "--db", str(db),
        "--notices", str(a_file / "sub"),
    )  # fmt: skip
    assert code == 2
    assert "--notices" in err and "Traceback" not in err
    assert _postings(db) == 0  # nothing posted
    code, _, _ = run("award", "--client", ACME_CONFIG, "--db", str(db))
    assert code in (0, 1) and _postings(db) > 0  # the run itself was fine


def test_a_notices_folder_is_made_when_missing(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "notices"
    code, _, _ = run(
        "ingest", OCTOBER, "--client", ACME_CONFIG, "--db", str(tmp_path / "c.db"),
        "--notices", str(folder),
    )  # fmt: skip
    assert code == 1 and any(folder.glob("*.txt"))


def test_out_in_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    run("ingest", OCTOBER, "--client", ACME_CONFIG, "--db", str(db))
    missing = tmp_path / "nowhere" / "x.csv"
    for args in (
        ("export", "claims", "--all-clients", "--db", str(db), "--out", str(missing)),
        ("export", "awards", "--client", ACME_CONFIG, "--db", str(db),
         "--out", str(missing)),  # fmt: skip
        ("export", "awards", "--all-clients", "--db", str(db),
         "--out", str(missing.with_suffix(".jsonl"))),  # fmt: skip
        ("replay", "--client", ACME_CONFIG, "--db", str(db), "--out", str(missing)),
    ):
        code, _, err = run(*args)
        assert code == 2, args
        assert err.strip().splitlines() == [
            f"claimflow: error: {args[-1]}: No such file or directory"
        ], args
