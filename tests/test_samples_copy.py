"""``claimflow samples DIR`` copies the shipped sample programs out, whole."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SAMPLES
from tests.test_cli import run


def test_samples_are_copied_whole_and_run(tmp_path: Path) -> None:
    target = tmp_path / "try"
    code, out, _ = run("samples", str(target))
    assert code == 0
    shipped = sorted(
        p.relative_to(SAMPLES)
        for part in ("clients", "acme-tools", "costa-azul")
        for p in (SAMPLES / part).rglob("*")
        if p.is_file()
    )
    copied = sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
    assert copied == shipped
    assert all((target / p).read_bytes() == (SAMPLES / p).read_bytes() for p in copied)
    assert out.splitlines()[0] == f"{len(copied)} sample files copied to {target}:"
    # the copy runs: the client file finds nothing outside its folder
    code, out, _ = run(
        "check", str(target / "acme-tools/claims/october.csv"),
        "--client", str(target / "clients/acme-tools.yaml"), "--at", "2026-10-28",
        "--json",
    )  # fmt: skip
    assert code == 1 and '"records": ' in out


def test_a_folder_with_files_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    code, _, err = run("samples", str(tmp_path))
    assert (code, err) == (
        2,
        f"claimflow: error: {tmp_path}: exists and is not empty; name a new folder\n",
    )
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
