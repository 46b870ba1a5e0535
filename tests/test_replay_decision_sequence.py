"""Replay re-enacts a claim's review decisions and verification in the order
they happened (trial 44).

Invoice F-1010 holds 2 motors. Luis claims 1 (C-1010, verified, paid 25),
Jorge 2 (C-1011): the same line in another quantity, in review at ingest as
a possible duplicate. A supervisor accepts C-1011 before any verification;
the next ``verify`` sends it back to review for the unit already paid on
C-1010 (``quantity_above_invoiced``), and she rejects it. Before, replay
under unchanged rules applied only the claim's latest decision, whose
reasons (possible duplicate and too many units) were not the replay's own
(possible duplicate only: it never verified after the first acceptance),
and showed C-1011 ``rejected -> review``, exit 1: a change that is not one.
Now replay applies the first decision, verifies the accepted claim as the
live run did, applies the second: C-1011 ends rejected, 0 changed. A real
rule change still shows.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_trial35_regressions import _outcomes
from tests.test_trial44_regressions import CLIENT, HEADER, _desk, _points, _run

C_1010 = 'C-1010,MX10004,F-1010,30/10/2026,MOT-200,1,"4,500.00","4,500.00",2026-11-10T09:30\n'
C_1011 = 'C-1011,MX10002,F-1010,30/10/2026,MOT-200,2,"4,500.00","9,000.00",2026-11-10T09:40\n'
VENTAS = (
    "invoice_number,invoice_date,dealer_id,sku,quantity,amount\n"
    "F-1010,2026-10-30,D-MTY-02,MOT-200,2,9000.00\n"
)


def _ok(*args: str) -> str:
    code, out = _run(*args)
    assert code in (0, 1), out
    return out


def _replay(opts: list[str], *more: str) -> tuple[int, dict[str, object]]:
    code, out = _run("replay", *opts, "--as-of", "2026-11-17T13:00", "--json", *more)
    assert code in (0, 1), out
    return code, json.loads(out)


def test_a_claim_accepted_verified_and_rejected_in_review_replays_unchanged(
    tmp_path: Path,
) -> None:
    opts, here = _desk(tmp_path)
    _ok("participants", "import", str(here / "socios.csv"), *opts, "--at", "2026-11-01")
    (here / "b3.csv").write_text(HEADER + C_1010 + C_1011, encoding="utf-8")
    (here / "ventas.csv").write_text(VENTAS, encoding="utf-8")
    out = _ok("ingest", str(here / "b3.csv"), *opts, "--at", "2026-11-10T11:00")
    assert "possible_duplicate" in out, out
    _ok("source", "import", str(here / "ventas.csv"), *opts, "--at", "2026-11-10T12:00")
    _ok("award", *opts, "--at", "2026-11-10T13:00")
    _ok("decide", "C-1011", "accept", "--reason", "venta dividida", *opts,
        "--operator", "sofia", "--at", "2026-11-11T10:00")  # fmt: skip
    out = _ok("verify", *opts, "--at", "2026-11-11T10:40")
    assert "quantity_above_invoiced" in out and "1 on claim C-1010" in out, out
    _ok("decide", "C-1011", "reject", "--reason", "2 facturados, 1 pagado", *opts,
        "--operator", "sofia", "--at", "2026-11-11T10:45")  # fmt: skip
    _ok("award", *opts, "--at", "2026-11-11T10:50")
    # paid on F-1010: Luis's 1 motor at 25 (plata: no tier bonus), nothing to Jorge
    assert _points(opts, "MX10004", "2026-11-17T13:00") == 25
    assert _points(opts, "MX10002", "2026-11-17T13:00") == 0

    # Unchanged rules: C-1011 is accepted, verified, sent back and rejected
    # again (before: 'rejected -> review', reasons
    # [possible_duplicate, quantity_above_invoiced] -> [possible_duplicate]).
    code, same = _replay(opts)
    assert (code, same["claims"], same["changed"], same["changes"]) == (0, 2, 0, []), same
    _, text = _run("replay", *opts, "--as-of", "2026-11-17T13:00")
    assert "2 claims replayed, 0 changed" in text, text

    # A real change still shows: a motor worth 30 points pays Luis 1 x 30 = 30,
    # +5; Jorge's claim is still rejected for the units Luis was paid.
    (here / "motor-30.yaml").write_text(
        CLIENT.replace("points: 25, scope: {skus: [MOT-200]}",
                       "points: 30, scope: {skus: [MOT-200]}"),
        encoding="utf-8",
    )  # fmt: skip
    code, changed = _replay(opts, "--rules", str(here / "motor-30.yaml"))
    assert code == 1 and changed["points_delta"] == 5, changed
    changes = changed["changes"]
    assert isinstance(changes, list)
    assert [(c["outcome_from"], c["outcome_to"], c["points_from"], c["points_to"])
            for c in changes] == [("accepted", "accepted", 25, 30)]  # fmt: skip
    assert _outcomes(here / "desk.db") == {"C-1010": "accepted", "C-1011": "rejected"}


def test_a_decision_on_a_claim_of_a_desk_that_never_verifies_replays_unchanged(
    tmp_path: Path,
) -> None:
    """No verification at all: C-1011 in review at ingest (possible
    duplicate), accepted, paid 2 x 25 = 50. Before, replay applied review
    decisions only for a client whose claims were ever verified, and showed
    C-1011 'accepted -> review', 50 -> no points."""
    opts, here = _desk(tmp_path)
    unverified = here / "mx-dealers.yaml"
    unverified.write_text(CLIENT.replace("verification: {required: true}\n", ""),
                          encoding="utf-8")  # fmt: skip
    _ok("participants", "import", str(here / "socios.csv"), *opts, "--at", "2026-11-01")
    (here / "b3.csv").write_text(HEADER + C_1010 + C_1011, encoding="utf-8")
    out = _ok("ingest", str(here / "b3.csv"), *opts, "--at", "2026-11-10T11:00")
    assert "possible_duplicate" in out, out
    _ok("decide", "C-1011", "accept", "--reason", "venta dividida", *opts,
        "--operator", "sofia", "--at", "2026-11-11T10:00")  # fmt: skip
    _ok("award", *opts, "--at", "2026-11-11T10:50")
    assert _points(opts, "MX10002", "2026-11-17T13:00") == 50  # 2 x 25, plata
    code, same = _replay(opts)
    assert (code, same["changed"], same["changes"]) == (0, 0, []), same
