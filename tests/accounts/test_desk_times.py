"""Refusals of the member account commands write instants as the desk reads
them: its wall time and zone (``2026-12-01 10:00 CST``), never UTC text.

Before, at the Chicago desk (acme-tools, UTC-6 in December):

- ``ledger adjust ... --reference T-1`` under a used reference said
  "adjustment #1 requested by ann at 2026-12-01T16:00:00+00:00" for an
  adjustment made at 10:00 at the desk;
- ``ledger adjust --at 2027-01-01T10:00`` (and ``ledger redeem``) said
  "found 2027-01-01 10:00: a claim cannot be received in the future", a
  time without its zone and a reason about claims;
- merging an account already merged named the merge "at
  2026-11-26T12:00:00+00:00", and an unmerge refused for a later member
  record named its fact "recorded at 2026-11-02T15:00:00+00:00" (both in
  test_merge.py and test_tiers.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from tests.test_cli import run

ACME = SAMPLES / "clients/acme-tools.yaml"


def _desk(tmp_path: Path) -> tuple[str, ...]:
    base = ("--client", str(ACME), "--db", str(tmp_path / "a.db"))
    members = str(SAMPLES / "acme-tools/participants.csv")
    assert run("participants", "import", members, *base)[0] == 0
    return base


def test_a_used_adjustment_reference_names_its_request_in_desk_time(
    tmp_path: Path,
) -> None:
    base = _desk(tmp_path)
    adjust = ["ledger", "adjust", "104233", "500", "--reason", "goodwill", "--note",
              "late parcel", "--operator", "ann", "--reference", "T-1", *base]  # fmt: skip
    assert run(*adjust, "--at", "2026-12-01T10:00")[0] == 0  # 16:00 UTC
    adjust[3] = "600"
    code, out, err = run(*adjust)
    assert (code, out) == (2, "")
    assert err == (
        "claimflow: error: reference 'T-1' was used before: adjustment #1 requested "
        "by ann at 2026-12-01 10:00 CST; this one asks points +600, not +500; give "
        "each adjustment its own\n"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["ledger", "adjust", "104233", "600", "--reason", "goodwill", "--note", "x"],
        ["ledger", "redeem", "104233", "100", "--reference", "R-1"],
    ],
)
def test_a_future_at_is_refused_in_desk_time_without_naming_claims(
    tmp_path: Path, command: list[str]
) -> None:
    base = _desk(tmp_path)
    code, out, err = run(*command, "--operator", "ann", "--at", "2099-01-01T10:00", *base)
    assert (code, out) == (2, "")
    assert err.startswith("claimflow: error: at: expected a time no later than now (")
    assert err.endswith(
        "CST at the desk, America/Chicago), found 2099-01-01 10:00 CST: nothing is "
        "recorded as done in the future\n"
    ), err
    assert "+00:00" not in err and "a claim" not in err
