"""Without the reports extra, the commands that need it stop in one line.

The extra's libraries are installed here (make test installs it), so their
absence is simulated where claimflow looks them up (`extras.installed`);
the wheel check (benchmarks/check_wheel.py) meets the real absence in a
plain install.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import claimflow.extras
from tests.conftest import SAMPLES
from tests.test_cli import run

ACME = str(SAMPLES / "clients/acme-tools.yaml")
HINT = "pip install 'claimflow[reports]'"


@pytest.fixture
def without_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    real = claimflow.extras.installed
    missing = {"scipy", "statsmodels", "matplotlib"}
    monkeypatch.setattr(
        claimflow.extras,
        "installed",
        lambda module: module not in missing and real(module),
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("extras") / "c.db"
    claims = sorted(str(p) for p in (SAMPLES / "acme-tools/claims").iterdir())
    code, _, err = run("ingest", *claims, "--client", ACME, "--db", str(db),
                       "--at", "2026-10-28")  # fmt: skip
    assert code in (0, 1), err
    return db


def test_installed_looks_modules_up() -> None:
    assert claimflow.extras.installed("json")
    assert not claimflow.extras.installed("claimflow_no_such_module")


@pytest.mark.usefixtures("without_reports")
def test_need_names_the_extra() -> None:
    with pytest.raises(claimflow.MissingExtra) as raised:
        claimflow.extras.need("scipy", "QA verdicts")
    assert str(raised.value) == (
        f"QA verdicts need scipy, which claimflow's reports extra installs: {HINT}"
    )


@pytest.mark.usefixtures("without_reports")
@pytest.mark.parametrize(
    ("args", "needs"),
    [
        (["entry", "sample", "--batch", "1", "--max-error-rate", "0.5%"], "scipy"),
        (["report", "sla", "--client", ACME, "--period", "2026-10"], "scipy"),
        (["report", "qa", "--client", ACME, "--period", "2026-10"], "scipy"),
    ],
)
def test_a_command_that_needs_the_extra_names_it(
    args: list[str], needs: str, store: Path
) -> None:
    before = store.read_bytes()
    code, out, err = run(*args, "--db", str(store))
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith("claimflow: error: ") and line.endswith(HINT)
    assert f"need {needs}," in line
    assert store.read_bytes() == before


@pytest.mark.usefixtures("without_reports")
def test_intake_and_awards_do_not_need_it(tmp_path: Path) -> None:
    db = str(tmp_path / "plain.db")
    base = ("--client", ACME, "--db", db)
    claims = sorted(str(p) for p in (SAMPLES / "acme-tools/claims").iterdir())
    sources = sorted(str(p) for p in (SAMPLES / "acme-tools/source").iterdir())
    assert run("ingest", *claims, *base, "--at", "2026-10-28")[0] == 1
    assert run("dedupe", "claims", *base)[0] == 0
    assert run("participants", "import", str(SAMPLES / "acme-tools/participants.csv"),
               *base)[0] == 0  # fmt: skip
    assert run("source", "import", *sources, *base)[0] == 0
    code, out, _ = run("award", *base, "--json")
    assert code == 0 and '"posted": 7' in out
