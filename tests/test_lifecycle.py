"""One claim's life through the CLI: received, pended, resubmitted, accepted,
awarded, refunded; `claimflow show` and the SLA figures at each step."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from claimflow import Store, load_client
from claimflow.sla.metrics import Window, claim_facts
from tests.conftest import SAMPLES
from tests.test_cli import run

SAMPLE = SAMPLES / "clients/acme-tools.yaml"
HEADER = (
    "Claim ID,Rep #,Dealer Code,Invoice No,Invoice Date,Product Code,Qty,"
    "Serial Numbers,Received,Invoice Attached\n"
)
#: Dates near today: ingest records the pended event when it runs.
TODAY = datetime.now(UTC).replace(microsecond=0)
SOLD = (TODAY - timedelta(days=20)).strftime("%m/%d/%Y")
#: The invoice number is not in the program's format: the claim is pended.
FIRST = (
    f"NW-5002,104233,D-CHI-01,INV-2026000417,{SOLD},DRL-200,1,DR10000017,"
    f"{(TODAY - timedelta(days=10)).isoformat()},yes\n"
)
#: The participant's corrected resubmission, received after the pended notice.


def _show(db: str, key: str) -> str:
    code, out, err = run("show", key, "--db", db)
    assert code == 0, err
    return out


def _facts(db: Path, config: Path) -> dict[str, dict[str, object]]:
    with Store.open(db) as store:
        facts = claim_facts(
            store,
            load_client(config),
            Window(),
            datetime.now(UTC) + timedelta(minutes=1),
        )
    return facts.set_index("claim_id").to_dict("index")


def test_a_claim_from_receipt_to_refund(tmp_path: Path) -> None:
    config = tmp_path / "acme.yaml"  # points available at once, to redeem and refund
    config.write_text(
        SAMPLE.read_text(encoding="utf-8").replace(
            "pending_days: 30", "pending_days: 0"
        ),
        encoding="utf-8",
    )
    db = str(tmp_path / "c.db")
    first = tmp_path / "first.csv"
    first.write_text(HEADER + FIRST, encoding="utf-8")
    code, _, _ = run(
        "ingest",
        str(first),
        "--client",
        str(config),
        "--db",
        db,
    )
    assert code == 1  # pended (now: ingest --at would be when the batch ran)
    story = _show(db, "NW-5002")
    assert ": pended" in story.splitlines()[0]
    assert "invalid_format (invoice_number)" in story
    assert "Invoice No: INV-2026000417" in story  # as received
    clock = story[story.index("Clock:") :]
    assert (
        " received (" in clock and " first_response (" in clock and " pended (" in clock
    )
    with Store.open(Path(db)) as store:
        original = store.resolve_claim("NW-5002")
    facts = _facts(Path(db), config)
    assert facts[original]["status"] == "waiting"  # the clock waits on the participant

    second = tmp_path / "second.csv"
    second.write_text(
        HEADER + f"NW-5002B,104233,D-CHI-01,INV-20417,{SOLD},DRL-200,1,DR10000017,"
        f"{datetime.now(UTC).isoformat()},yes\n",
        encoding="utf-8",
    )
    code, _, _ = run("ingest", str(second), "--client", str(config), "--db", db)
    assert code == 0
    code, out, _ = run(
        "dedupe", "claims", "--client", str(config), "--db", db, "--json"
    )
    assert code == 0
    [link] = json.loads(out)["superseded"]
    assert link["supersedes"] == original
    story = _show(db, "NW-5002")
    assert ": superseded" in story.splitlines()[0]
    # named as people know them: the reference and the file and row
    assert "NW-5002B (second.csv:row 2) supersedes NW-5002 (first.csv:row 2)" in story
    facts = _facts(Path(db), config)
    assert facts[original]["status"] == "decided"  # closed when the resubmission came
    assert facts[original]["paused_days"] == 0  # pended and resubmitted the same day

    run("participants", "import", str(SAMPLES / "acme-tools/participants.csv"),
        "--client", str(config), "--db", db)  # fmt: skip
    code, out, _ = run("award", "--client", str(config), "--db", db, "--json")
    [award] = json.loads(out)["awards"]
    assert award["claim_id"] == link["claim_id"]
    points = award["points"]
    story = _show(db, "NW-5002B")
    assert ": accepted" in story.splitlines()[0]
    assert f"award +{points}" in story

    code, out, _ = run("ledger", "reverse", "NW-5002B", "--reason", "refund",
                       "--client", str(config), "--db", db)  # fmt: skip
    assert code == 0 and out.endswith("the claim is void\n")
    story = _show(db, "NW-5002B")
    assert ": void" in story.splitlines()[0]
    assert f"reversal -{points} reversing" in story and ": refund" in story
    assert "voided" in story
    code, out, _ = run("award", "--client", str(config), "--db", db, "--json")
    assert json.loads(out)["awards"] == []  # never paid again
    code, out, _ = run("show", "NW-5002B", "--db", db, "--json")
    data = json.loads(out)
    assert data["claim"]["outcome"] == "void"
    assert [p["entry_type"] for p in data["postings"]] == ["award", "reversal"]
    code, out, _ = run("replay", "--client", str(config), "--db", db, "--json")
    assert json.loads(out)["changed"] == 0
