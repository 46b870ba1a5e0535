"""Trial 20 (Bharat Power Tools, Pousada Atlântica): regressions found by
a new user onboarding two clients not in samples/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from claimflow import Store
from tests.dedupe.test_claims import ACME, _ingest_batches
from tests.test_cli import run
from tests.test_stage_notices import NOVEMBER, OCTOBER


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
