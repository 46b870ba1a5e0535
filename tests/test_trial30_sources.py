"""Trial 30 (Siam Palms, a retro-stay desk): regressions found by a new user.

1. A source export or a member list cut short mid-row (``head -c 300``) was
   taken in, its last row's missing cells silently absent: the stay stored
   again under a new content hash made a correct claim ambiguous with
   itself. A row of another width than the header is now refused as in
   claim files, in one line, nothing stored; and the same stay stored from
   two exports (identical values) is one stay, not two candidates.
2. ``source_not_found ... found none yet`` stayed on a claim's export and
   story after a later ``verify`` found its stay and the claim was paid.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from claimflow import Store
from tests.test_cli import run

PALMS = """\
schema_version: 1
client: palms
name: Palms Rewards
kind: stay
locale: en_US
language: en
date_order: YMD
currency: THB
timezone: Asia/Bangkok
claim_window_days: 90
require_proof: false
eligible_hotels: [SP-BKK, SP-CNX]
award:
  activity_date: check_out
  currency: THB
  rule_sets:
    - version: "2026"
      effective_from: 2026-01-01
      rules:
        - {id: nights, kind: per_unit, unit: nights, points: 100}
"""
MEMBERS = """\
participant_id,first_name,last_name,email,tier,enrolled_on,status
10000001,Somchai,Jaidee,somchai@mail.example,gold,2024-02-01,active
10000002,Somying,Rakthai,somying@mail.example,silver,2024-03-01,active
"""
CLAIMS = """\
claim_ref,participant_id,member_name,hotel_code,confirmation_number,check_in,\
check_out,qualifying_revenue,received_at
TH-001,10000001,Somchai Jaidee,SP-BKK,BK100001,2026-11-01,2026-11-04,4500.00,\
2026-11-20 10:00
TH-002,10000002,Somying Rakthai,SP-CNX,CN200002,2026-11-05,2026-11-07,1234.50,\
2026-11-21 10:00
"""
PMS_HEADER = (
    "hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,"
    "currency,rate_code,booking_channel,folio_number\n"
)
BK1 = "SP-BKK,BK100001,Somchai Jaidee,2026-11-01,2026-11-04,4500.00,THB,BAR,DIRECT,F-1001\n"
CN2 = "SP-CNX,CN200002,Somying Rakthai,2026-11-05,2026-11-07,1234.50,THB,BAR,DIRECT,F-1002\n"


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Path, list[str]]:
    """A store with the members imported; the folder and the options every
    command takes."""
    (tmp_path / "palms.yaml").write_text(PALMS, encoding="utf-8")
    (tmp_path / "members.csv").write_text(MEMBERS, encoding="utf-8")
    options = ["--client", str(tmp_path / "palms.yaml"), "--db", str(tmp_path / "s.db")]
    assert run("participants", "import", str(tmp_path / "members.csv"), *options)[0] == 0
    return tmp_path, options


def _ingest(folder: Path, options: list[str]) -> None:
    """Both claims, accepted (and verified when their source is there)."""
    (folder / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    code, *_ = run(
        "ingest", str(folder / "claims.csv"), *options, "--at", "2026-11-21T12:00"
    )
    assert code == 0


def _counts(db: Path) -> dict[str, int]:
    """Every table's row count."""
    with Store.open(db) as store:
        return {t: store.count(t) for t in store.db.table_names()}


def _export(options: list[str]) -> dict[str, str]:
    """Claim reference -> its standing reason codes, as exported."""
    code, out, _ = run("export", "claims", *options, "--out", "-")
    assert code == 0
    lines = out.lstrip("\ufeff").splitlines()
    header = lines[0].split(",")
    ref, reasons = header.index("claim_ref"), header.index("reason_codes")
    rows = [line.split(",") for line in lines[1:]]
    return {row[ref]: row[reasons].strip('"') for row in rows}


# -- 1. a short (or long) row in a reference CSV refuses the file ------------

TRUNCATED_PMS = PMS_HEADER + BK1 + "SP-CNX,CN200002,Somying Rakthai,2026-11-05,2026-11-07,1234.50,THB,BAR,D"


@pytest.mark.parametrize(
    ("command", "text", "message"),
    [
        (  # the trial's: `head -c 300` of the export, cut in booking_channel
            ("source", "import"),
            TRUNCATED_PMS,
            "row 3: expected 10 fields as in the header, found 9 (truncated or "
            "misaligned row)",
        ),
        (  # a stray delimiter at a row's end
            ("source", "import"),
            PMS_HEADER + BK1.rstrip("\n") + ",\n" + CN2,
            "row 2: expected 10 fields as in the header, found 11 (truncated or "
            "misaligned row)",
        ),
        (  # a member list cut after the phone
            ("participants", "import"),
            MEMBERS.splitlines()[0] + "\n10000003,Wichai,Srisuk,wichai@mail.example",
            "row 2: expected 7 fields as in the header, found 4 (truncated or "
            "misaligned row)",
        ),
    ],
    ids=["source-cut-mid-row", "source-extra-field", "members-cut-mid-row"],
)
def test_a_reference_csv_with_a_row_of_another_width_is_refused_in_one_line(
    desk: tuple[Path, list[str]], command: tuple[str, str], text: str, message: str
) -> None:
    folder, options = desk
    _ingest(folder, options)
    path = folder / "cut.csv"
    path.write_text(text, encoding="utf-8")
    before = _counts(folder / "s.db")
    code, out, err = run(*command, str(path), *options)
    assert (code, out) == (2, "")
    assert err == f"claimflow: error: {path}: {message}\n"
    assert _counts(folder / "s.db") == before


@pytest.mark.parametrize("resent_amount", ["1234.50", "1234.5"])
def test_the_same_stay_in_two_exports_is_one_stay_not_two_candidates(
    desk: tuple[Path, list[str]], resent_amount: str
) -> None:
    """Also when the second export writes the amount another way (1234.5
    for 1234.50: one value, compared as a number, not as written)."""
    folder, options = desk
    (folder / "nov.csv").write_text(PMS_HEADER + BK1 + CN2, encoding="utf-8")
    (folder / "resent.csv").write_text(
        PMS_HEADER + CN2.replace("1234.50", resent_amount), encoding="utf-8"
    )
    for name in ("nov.csv", "resent.csv"):
        assert run("source", "import", str(folder / name), *options)[0] == 0
    assert _counts(folder / "s.db")["source_records"] == 3
    # the claims come after both exports: each of TH-002's finds two records
    _ingest(folder, options)
    assert run("verify", *options, "--at", "2026-11-22T10:00")[0] == 0
    assert _export(options) == {"TH-001": "", "TH-002": ""}
    code, out, _ = run("show", "TH-002", *options)
    assert code == 0
    assert "verified" in out.split("Verification:")[1]


def test_a_stay_exported_twice_with_other_values_is_still_ambiguous(
    desk: tuple[Path, list[str]],
) -> None:
    folder, options = desk
    other = CN2.replace("1234.50", "1334.50")
    (folder / "nov.csv").write_text(PMS_HEADER + BK1 + CN2, encoding="utf-8")
    (folder / "resent.csv").write_text(PMS_HEADER + other, encoding="utf-8")
    for name in ("nov.csv", "resent.csv"):
        assert run("source", "import", str(folder / name), *options)[0] == 0
    _ingest(folder, options)
    assert run("verify", *options, "--at", "2026-11-22T10:00")[0] == 1
    assert _export(options) == {"TH-001": "", "TH-002": "source_ambiguous"}
    # the candidates, alike to the eye, are named with where each came from
    code, out, _ = run("show", "TH-002", *options)
    assert code == 0
    assert "nov.csv:row 3)" in out and "resent.csv:row 2)" in out


# -- 2. a source_not_found a later verify overtook no longer stands ----------


def test_a_stay_found_on_a_later_verify_drops_source_not_found(
    desk: tuple[Path, list[str]],
) -> None:
    folder, options = desk
    _ingest(folder, options)
    assert run("verify", *options, "--at", "2026-11-21T13:00")[0] == 1
    assert _export(options) == {
        "TH-001": "source_not_found",
        "TH-002": "source_not_found",
    }
    # TH-001's stay arrives; TH-002's never does
    (folder / "pms.csv").write_text(PMS_HEADER + BK1, encoding="utf-8")
    # exit 1, as verify: its re-check left TH-002 awaiting its stay
    assert run("source", "import", str(folder / "pms.csv"), *options,
               "--at", "2026-11-22T09:00")[0] == 1  # fmt: skip
    assert run("verify", *options, "--at", "2026-11-22T10:00")[0] == 1
    assert run("award", *options)[0] == 0  # (members listed today: award now)

    assert _export(options) == {"TH-001": "", "TH-002": "source_not_found"}
    code, paid, _ = run("show", "TH-001", *options)
    assert code == 0
    assert "Reasons:" not in paid
    assert " award +300 " in paid.split("Ledger:\n")[1]  # three nights, paid
    # the history stays in the story: each run's result and its codes
    assert paid.split("Verification:\n")[1].splitlines()[:2] == [
        "  2026-11-21 13:00 +07: not_found (source_not_found)",
        "  2026-11-22 09:00 +07: verified",
    ]
    code, pending, _ = run("show", "TH-002", *options)
    assert code == 0
    # a reason that stands is listed, once, though each run said it again
    assert pending.split("Reasons:\n")[1].splitlines()[:2] == [
        "  source_not_found (confirmation_number): expected a stay at SP-CNX "
        "with confirmation 'CN200002', found none yet",
        "Outcomes:",
    ]
