"""Regressions found by new users onboarding clients not in samples/:
trial 20 (Bharat Power Tools, Pousada Atlântica), trial 22 (Hotel Sakura
Group's member services), trial 24 (an engineer's service importing the
library)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from claimflow import Store
from tests.dedupe.test_claims import ACME, _ingest_batches
from tests.test_cli import run
from tests.validate.test_stage_notices import NOVEMBER, OCTOBER


@pytest.mark.parametrize(
    ("command", "batch", "message"),
    [
        (("award",), "99", "no batch 99"),
        (("verify",), "77", "no batch 77"),
        (("dedupe", "claims"), "77", "no batch 77"),
        (("replay",), "77", "no batch 77"),
        # another client's batch: the costa-azul sample is batch 3 here
        (("award",), "3", "batch 3 is costa-azul's, not acme-tools'"),
    ],
)
def test_a_batch_the_client_does_not_have_is_refused_in_one_line(
    tmp_path: Path,
    write: Callable[..., Path],
    command: tuple[str, ...],
    batch: str,
    message: str,
) -> None:
    """Trial 20: ``award --batch 99``, ``verify --batch 77``, ``dedupe claims
    --batch 77`` and another client's batch exited 0 ("0 claims") and wrote
    an audit row, as if all were well."""
    from tests.conftest import SAMPLES

    db = tmp_path / "c.db"
    _ingest_batches(db, write, OCTOBER, NOVEMBER)
    run("ingest", str(SAMPLES / "costa-azul/verification/retro_noviembre.csv"),
        "--client", str(SAMPLES / "clients/costa-azul.yaml"), "--db", str(db))  # fmt: skip
    with Store.open(db) as store:
        audit_before = store.db.execute("SELECT count(*) FROM audit_log").fetchone()
    code, out, err = run(*command, "--client", ACME, "--db", str(db), "--batch", batch)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
    with Store.open(db) as store:
        audit_after = store.db.execute("SELECT count(*) FROM audit_log").fetchone()
    assert audit_after == audit_before


# Trial 22 (Hotel Sakura Group): member services.


def _funded(tmp_path: Path) -> tuple[str, str]:
    """A store where acme-tools' participant 104233 has awarded points."""
    from tests.test_cli_awards import CONFIG, _store

    config = tmp_path / "acme.yaml"
    config.write_text(
        Path(CONFIG).read_text(encoding="utf-8").replace("pending_days: 30", "pending_days: 0"),
        encoding="utf-8",
    )
    db = _store(tmp_path)
    assert run("award", "--client", str(config), "--db", db)[0] in (0, 1)
    return str(config), db


def _ledger(db: str) -> tuple[object, ...]:
    with Store.open(Path(db)) as store:
        return tuple(
            store.db.execute(
                "SELECT count(*), coalesce(sum(points), 0) FROM ledger"
            ).fetchone()
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # a blank reference posted, and became every later blank one's "used before"
        (("104233", "100", "--reference", ""),
         "reference '': expected an order or catalogue number (letters or digits)"),
        (("104233", "100", "--reference", " - "),
         "reference ' - ': expected an order or catalogue number (letters or digits)"),
        # a negative number was read as an option ("No such option '-1'")
        (("104233", "-100", "--reference", "R-9"),
         "participant 104233: expected a positive number of points to redeem, found -100"),
        # a mistyped member number was "0 points available"
        (("99999999", "100", "--reference", "R-8"),
         "participant 99999999: not on acme-tools's member list or ledger"),
    ],
)  # fmt: skip
def test_a_redemption_that_cannot_be_is_refused_in_one_line(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    config, db = _funded(tmp_path)
    before = _ledger(db)
    code, out, err = run("ledger", "redeem", *args, "--client", config, "--db", db)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
    assert _ledger(db) == before
    # and the next redemption with a real reference goes through
    code, _, _ = run("ledger", "redeem", "104233", "10", "--reference", "R-1",
                     "--client", config, "--db", db)  # fmt: skip
    assert code == 0


# Trial 24 (an engineer's service importing the library).


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (10.5, "participant 104233: expected a whole number of points, found 10.5"),
        (True, "participant 104233: expected a whole number of points, found True"),
        ("10", "participant 104233: expected a whole number of points, found '10'"),
        (10**30, "participant 104233: expected at most 1,000,000,000,000,000 points, "
                 "found 1,000,000,000,000,000,000,000,000,000,000"),
    ],
)  # fmt: skip
def test_the_library_refuses_points_that_are_not_a_whole_number(
    tmp_path: Path, points: object, message: str
) -> None:
    """``redeem(..., 10.5)`` posted -10.5 on SQLite (a balance of 2,339 for a
    true 2,338.5) and -11 on PostgreSQL; True redeemed 1 point; 10**30
    leaked decimal.InvalidOperation; "10" a TypeError."""
    from claimflow import LedgerError, redeem

    config, db = _funded(tmp_path)
    before = _ledger(db)
    with Store.open(Path(db)) as store, pytest.raises(LedgerError) as caught:
        redeem("104233", points, config, store, reference="R-7")  # type: ignore[arg-type]
    assert str(caught.value) == message
    assert _ledger(db) == before


def test_a_write_dated_in_the_future_is_refused(tmp_path: Path) -> None:
    """A library ``redeem(at=2030-01-01)`` posted a redemption dated 2030
    (ingest and the CLI's ingest --at refused a future time, the ledger's
    writes did not)."""
    from datetime import UTC, datetime

    from claimflow import FutureTime, redeem

    config, db = _funded(tmp_path)
    before = _ledger(db)
    with Store.open(Path(db)) as store, pytest.raises(FutureTime) as caught:
        redeem("104233", 10, config, store, reference="R-7",
               at=datetime(2030, 1, 1, tzinfo=UTC))  # fmt: skip
    assert "at: expected a time no later than now" in str(caught.value)
    code, out, err = run("ledger", "redeem", "104233", "10", "--reference", "R-7",
                         "--at", "2030-01-01", "--client", config, "--db", db)  # fmt: skip
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "expected a time no later than now" in err
    assert _ledger(db) == before


def test_replay_refuses_another_clients_rules_in_one_line(tmp_path: Path) -> None:
    """``replay --client ferre-mx.yaml --rules ferre-cap.yaml`` (another
    client's file) crashed with KeyError 'breached' and exit 1, which a
    deployment gate reads as "something changed"."""
    from tests.conftest import SAMPLES

    config, db = _funded(tmp_path)
    other = str(SAMPLES / "clients/costa-azul.yaml")
    code, out, err = run("replay", "--client", config, "--rules", other, "--db", db)
    assert code == 2 and out == ""
    assert err.strip().endswith(
        "costa-azul.yaml: rules of client 'costa-azul', not of 'acme-tools': give a "
        "new version of acme-tools's own file"
    )


def test_the_library_takes_a_client_as_every_function_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: Callable[..., Path]
) -> None:
    """``ingest`` and ``check`` took only a resolved client (a file path:
    AttributeError 'str' object has no attribute 'config'), recorded the
    operator as 'unknown' whatever CLAIMFLOW_OPERATOR said, and a date
    given as text raised AttributeError."""
    from datetime import date

    from claimflow import balance, check, ingest
    from claimflow.parse.participants import read_participants
    from tests.dedupe.test_claims import SALES

    monkeypatch.setenv("CLAIMFLOW_OPERATOR", "maria")
    claims = write("a.csv", SALES + OCTOBER)
    assert check([claims], ACME).outcomes["accepted"] == 1
    with Store.open(tmp_path / "c.db") as store:
        assert ingest([claims], ACME, store).outcomes["accepted"] == 1
        (operator,) = store.db.execute("SELECT operator FROM batches").fetchone()
        store.record_participants(
            list(read_participants(write("m.csv", "participant_id\n104233\n"), "acme-tools")),
            date(2026, 10, 1), "maria",
        )  # fmt: skip
        with pytest.raises(TypeError) as caught:
            balance("104233", ACME, store, as_of="2026-06-01")  # type: ignore[arg-type]
    assert operator == "maria"
    assert str(caught.value) == "expected a datetime or a date, found '2026-06-01'"


def test_a_replay_change_file_names_each_claim_as_people_know_it(
    tmp_path: Path,
) -> None:
    """``replay --out rep.json`` carried only the store's claim id, not the
    reference the terminal shows; and ``export_rows("ledger", ...)``
    exported award postings under another name."""
    import json

    from claimflow import export_rows
    from tests.conftest import SAMPLES

    config, db = _funded(tmp_path)
    cheaper = tmp_path / "acme-v2.yaml"
    cheaper.write_text(
        Path(config).read_text(encoding="utf-8").replace(
            "{id: drill, kind: per_unit, points: 30", "{id: drill, kind: per_unit, points: 35"
        ),
        encoding="utf-8",
    )
    out = tmp_path / "rep.json"
    code, _, _ = run("replay", "--client", config, "--rules", str(cheaper), "--db", db,
                     "--out", str(out))  # fmt: skip
    assert code == 1
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert rows and all(r["claim"].startswith("AC-") for r in rows)
    assert all(r["claim"].endswith(")") and ".csv:row " in r["claim"] for r in rows)
    with Store.open(Path(db)) as store, pytest.raises(ValueError) as caught:
        export_rows("ledger", str(SAMPLES / "clients/acme-tools.yaml"), store, tmp_path / "x.csv")  # type: ignore[arg-type]  # noqa: E501
    assert str(caught.value) == "expected 'claims' or 'awards' to export, found 'ledger'"
