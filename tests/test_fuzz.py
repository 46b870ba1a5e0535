"""Mutated sample files: every one read, or refused in one line, never a traceback.

A fixed, seeded corpus of mutations of the sample claim files (bytes
flipped, cut short, spliced, repeated, a byte deleted or inserted) goes
through the CLI's `check` and `ingest`. Each must exit 0, 1 or 2 with no
traceback; an `ingest` that exits 2 leaves the store byte for byte as it was.
Measured before: 199 of 3,069 such inputs to `check` and 35 of 520 to
`ingest` ended in a traceback.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimflow.cli import main
from tests.conftest import SAMPLES

SOURCES = {
    "acme-tools": [
        "acme-tools/claims/october.csv",
        "acme-tools/claims/dealer_north.xlsx",
        "acme-tools/claims/claim_form_fillable.pdf",
        "acme-tools/claims/claims_printed.pdf",
    ],
    "costa-azul": ["costa-azul/claims/octubre.csv"],
}
CASES = 200


def _mutate(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    at = rng.randrange(max(1, len(data)))
    if kind == 0:  # flip bytes
        out = bytearray(data)
        for _ in range(rng.randint(1, 16)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if kind == 1:  # cut short
        return data[:at]
    if kind == 2:  # delete a run
        return data[:at] + data[at + rng.randint(1, 64) :]
    if kind == 3:  # insert noise
        return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]
    if kind == 4:  # repeat a run
        run = data[at : at + rng.randint(1, 512)]
        return data[:at] + run * rng.randint(2, 50) + data[at:]
    return data[: at // 2] + data[at:]  # splice


def _cases() -> list[tuple[str, str, int]]:
    rng = random.Random(20261203)
    pairs = [(c, f) for c, files in SOURCES.items() for f in files]
    return [(*pairs[rng.randrange(len(pairs))], n) for n in range(CASES)]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


@pytest.fixture(scope="module")
def store_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one sample batch, copied before each ingest."""
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "base.db"
    result = CliRunner().invoke(
        main,
        ["ingest", str(SAMPLES / "acme-tools/claims/october.csv"),
         "--client", str(SAMPLES / "clients/acme-tools.yaml"), "--db", str(db)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    return db


@pytest.mark.slow
@pytest.mark.sqlite_only(
    reason="copies a SQLite store file per case and compares its bytes "
    "(the check half touches no store)"
)
@pytest.mark.parametrize(("client", "source", "n"), _cases())
def test_mutated_files_never_crash(
    client: str, source: str, n: int, tmp_path: Path, store_copy: Path
) -> None:
    original = SAMPLES / source
    rng = random.Random(n)
    mutated = tmp_path / f"m{n}{original.suffix}"
    mutated.write_bytes(_mutate(original.read_bytes(), rng))
    config = str(SAMPLES / f"clients/{client}.yaml")
    runner = CliRunner()
    checked = runner.invoke(
        main, ["check", str(mutated), "--client", config, "--workers", "1"]
    )
    assert checked.exception is None or isinstance(checked.exception, SystemExit), (
        f"{source} mutation {n}: {checked.exception!r}"
    )
    assert checked.exit_code in (0, 1, 2)
    assert "Traceback" not in checked.output
    if checked.exit_code == 2:
        assert checked.stderr.count("\n") == 1, checked.stderr
    if n % 4:
        return  # ingest a quarter of them: each copies a store
    db = tmp_path / "c.db"
    shutil.copy(store_copy, db)
    before = _digest(db)
    stored = runner.invoke(
        main,
        ["ingest", str(mutated), "--client", config, "--db", str(db), "--workers", "1"],
    )
    assert stored.exception is None or isinstance(stored.exception, SystemExit), (
        f"{source} mutation {n}: {stored.exception!r}"
    )
    assert stored.exit_code in (0, 1, 2)
    if stored.exit_code == 2:
        assert _digest(db) == before
