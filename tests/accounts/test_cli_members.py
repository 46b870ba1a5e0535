"""The member account commands: exact messages, exit codes, nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimflow import Store
from tests.conftest import SAMPLES
from tests.test_cli import run

ACME = str(SAMPLES / "clients/acme-tools.yaml")


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "c.db")
    members = str(SAMPLES / "acme-tools/participants.csv")
    assert (
        run("participants", "import", members, "--client", ACME, "--db", path)[0] == 0
    )
    return path


def _counts(db: str) -> tuple[int, ...]:
    with Store.open(db) as store:
        return tuple(
            store.count(t)
            for t in ("ledger", "adjustments", "account_merges", "audit_log")
        )


def test_merge_without_a_same_mark_is_refused_in_one_line(db: str) -> None:
    before = _counts(db)
    code, out, err = run(
        "participants", "merge", "104233", "104876", "--client", ACME, "--db", db
    )
    assert (code, out) == (2, "")
    assert err == (
        "claimflow: error: participants 104233 and 104876: no reviewer marked them "
        "the same; mark the pair same in a review file and run `dedupe apply` first\n"
    )
    assert _counts(db) == before


def test_merge_and_unmerge_say_what_moved(db: str, tmp_path: Path) -> None:
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text("kind,a,b,decision\nparticipant,104876,104233,same\n")
    assert (
        run("dedupe", "apply", str(reviewed), "--db", db, "--operator", "rita")[0] == 0
    )
    run(
        "ledger",
        "adjust",
        "104876",
        "700",
        "--reason",
        "missing_credit",
        "--note",
        "n",
        "--client",
        ACME,
        "--db",
        db,
        "--operator",
        "sam",
    )
    code, out, _ = run(
        "participants",
        "merge",
        "104233",
        "104876",
        "--client",
        ACME,
        "--db",
        db,
        "--operator",
        "rita",
    )
    assert (code, out) == (
        0,
        "merge #1: 104876 into 104233: 700 points in 1 lot, 0 claims, 0 open cases moved\n",
    )
    code, out, _ = run("ledger", "balance", "104233", "--client", ACME, "--db", db)
    assert out == "104233: 700 points (700 available, 0 pending)\n"
    code, out, _ = run(
        "participants", "unmerge", "104876", "--client", ACME, "--db", db, "--json"
    )
    assert (code, json.loads(out)["points"], json.loads(out)["action"]) == (
        0,
        700,
        "unmerge",
    )
    code, out, _ = run("ledger", "balance", "104876", "--client", ACME, "--db", db)
    assert out == "104876: 700 points (700 available, 0 pending)\n"


def test_a_clerks_large_adjustment_waits_for_a_supervisor(db: str) -> None:
    base = ["--client", ACME, "--db", db]
    code, out, _ = run(
        "ledger",
        "adjust",
        "104233",
        "4000",
        "--reason",
        "goodwill",
        "--note",
        "lost parcel",
        "--operator",
        "ann",
        *base,
    )
    assert (code, out) == (
        0,
        "adjustment #1: 104233 +4,000 points (goodwill, cost $50.00) pending: above the "
        "requester's limit, waits for `ledger approve 1` by someone else\n",
    )
    code, _, err = run("ledger", "approve", "1", "--operator", "bob", *base)
    assert (code, err) == (
        2,
        "claimflow: error: adjustment 1: 4,000 points is above bob's approval limit "
        "(2,500); a supervisor must approve it\n",
    )
    code, out, _ = run("ledger", "approve", "1", "--operator", "sam", "--json", *base)
    assert (code, json.loads(out)["status"], json.loads(out)["cost"]) == (
        0,
        "posted",
        "50.00",
    )
    assert run("ledger", "balance", "104233", *base)[1] == (
        "104233: 4,000 points (4,000 available, 0 pending)\n"
    )
    code, out, _ = run(
        "ledger",
        "adjust",
        "104233",
        "-100",
        "--reason",
        "correction",
        "--note",
        "typo",
        "--operator",
        "ann",
        *base,
    )
    assert (code, out) == (
        0,
        "adjustment #2: 104233 -100 points (correction, cost -$1.25) posted by ann "
        "(posting #2)\n",
    )


def test_cases_commands_and_report(db: str) -> None:
    base = ["--client", ACME, "--db", db, "--operator", "ann"]
    code, out, _ = run(
        "cases",
        "open",
        "104233",
        "--type",
        "inquiry",
        "--owner",
        "ann",
        "--at",
        "2026-12-01 09:00",
        *base,
    )
    assert (code, out) == (0, "case #1 opened for 104233 (inquiry, ann)\n")
    run("cases", "respond", "1", "--at", "2026-12-01 10:00", *base)
    code, out, _ = run(
        "cases", "close", "1", "answered", "--at", "2026-12-01 11:00", *base
    )
    assert (
        out
        == "case #1 inquiry/general for 104233: ann at L1, 1 contacts, 0 links, closed (answered)\n"
    )
    code, _, err = run("cases", "escalate", "1", "L2", *base)
    assert (code, err) == (
        2,
        "claimflow: error: case 1: closed at 2026-12-01 11:00 CST; open a new case\n",
    )
    code, out, _ = run(
        "cases",
        "report",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31",
        "--client",
        ACME,
        "--db",
        db,
        "--json",
    )
    total = json.loads(out)["total"]
    assert (total["cases"], total["within_sla"], total["escalated"]) == (1, 1, 0)
    assert total["cost_per_escalation"] is None


def test_the_same_case_command_run_twice_is_recorded_once(db: str) -> None:
    """Trial 36: `cases respond` run twice (same case, same time) counted two
    contacts, a follow-up that turned the complaint within its SLA; `cases
    open` run twice opened two cases. Acme's complaint terms: first response
    within 4 business hours, at most 8 between contacts, 2 follow-ups."""
    base = ["--client", ACME, "--db", db, "--operator", "ann"]
    opening = ["cases", "open", "104233", "--type", "complaint", "--owner", "ann",
               "--category", "dup", "--at", "2026-12-01 09:00", *base]  # fmt: skip
    assert run(*opening)[:2] == (0, "case #1 opened for 104233 (complaint, ann)\n")
    assert run(*opening)[:2] == (
        0,
        "case #1 opened for 104233 (complaint, ann) (opened before: nothing recorded)\n",
    )
    line = "case #1 complaint/dup for 104233: ann at L1, {} contacts, 0 links, open"
    # Tue 1 Dec: contacts 10:00 (first response, 1 h) and 11:00 (follow-up 1)
    assert run("cases", "respond", "1", "--at", "2026-12-01 10:00", *base)[:2] == (
        0,
        line.format(1) + "\n",
    )
    assert run("cases", "respond", "1", "--at", "2026-12-01 11:00", *base)[:2] == (
        0,
        line.format(2) + "\n",
    )
    assert run("cases", "respond", "1", "--at", "2026-12-01 11:00", *base)[:2] == (
        0,
        line.format(2) + " (this contact was recorded before: nothing recorded)\n",
    )
    # the same contact again with --json says so too
    code, out, _ = run(
        "cases", "respond", "1", "--at", "2026-12-01 11:00", "--json", *base
    )
    assert (code, len(json.loads(out)["contacts"]), json.loads(out)["repeated"]) == (
        0,
        2,
        True,
    )
    closing = ["cases", "close", "1", "fixed", "--at", "2026-12-01 12:00", *base]
    assert run(*closing)[0] == 0
    code, out, _ = run(*closing)
    assert (code, out.endswith("(this closed was recorded before: nothing recorded)\n")) == (
        0,
        True,
    )
    with Store.open(db) as store:
        assert store.count("cases") == 1
        # participant, owner, 2 contacts, closed
        assert store.count("case_events") == 5
    code, out, _ = run("cases", "report", "--from", "2026-12-01", "--to",
                       "2026-12-01", "--client", ACME, "--db", db, "--json")  # fmt: skip
    total = json.loads(out)["total"]
    # 1 follow-up of the 2 the terms ask: not within SLA (before: 2, within)
    assert (total["cases"], total["within_sla"]) == (1, 0)


def test_a_different_contact_at_another_time_is_recorded(db: str) -> None:
    base = ["--client", ACME, "--db", db, "--operator", "ann"]
    run("cases", "open", "104233", "--type", "inquiry", "--owner", "ann",
        "--at", "2026-12-01 09:00", *base)  # fmt: skip
    for when, note in (("10:00", "called"), ("10:00", "emailed"), ("10:30", "called")):
        code, out, _ = run("cases", "respond", "1", "--at", f"2026-12-01 {when}",
                           "--note", note, *base)  # fmt: skip
        assert code == 0 and "recorded before" not in out
    with Store.open(db) as store:
        assert store.count("case_events") == 5


def test_a_retried_adjustment_or_redemption_is_a_no_op_that_says_so(db: str) -> None:
    """Trial 36 #8: the same `ledger adjust --reference` or `ledger redeem`
    again exited 2 as an error, while `partners transfer` said it was a
    no-op: a service retrying could not tell "already done" from a conflict.
    Now a retry exits 0 and says it was done before (``repeated`` in
    --json); another request under the reference exits 2 naming what
    differs. 1,000 points credited, 300 redeemed: 700 left however often
    each is retried."""
    base = ["--client", ACME, "--db", db, "--operator", "ann"]
    adjust = ["ledger", "adjust", "104233", "1000", "--reason", "goodwill",
              "--note", "lost parcel", "--reference", "T-7", "--at",
              "2026-12-01T10:00:00+00:00", *base]  # fmt: skip
    assert run(*adjust)[0] == 0
    before = _counts(db)
    code, out, _ = run(*adjust)
    assert (code, out) == (
        0,
        "adjustment #1: 104233 +1,000 points (goodwill, cost $12.50) requested "
        "before: nothing recorded or posted now (posted by ann (posting #1))\n",
    )
    code, out, _ = run(*adjust, "--json")
    assert (code, json.loads(out)["id"], json.loads(out)["repeated"]) == (0, 1, True)
    code, _, err = run(*adjust[:3], "100", *adjust[4:])
    assert (code, err) == (
        2,
        "claimflow: error: reference 'T-7' was used before: adjustment #1 requested "
        "by ann at 2026-12-01 04:00 CST; this one asks points +100, not "
        "+1,000; give each adjustment its own\n",
    )
    redeem = ["ledger", "redeem", "104233", "300", "--reference", "ORDER-77", *base]
    assert run(*redeem)[0] == 0
    code, out, _ = run(*redeem)
    assert (code, out) == (
        0, "104233: 300 points redeemed before (nothing posted) (ORDER-77)\n"
    )
    code, out, _ = run(*redeem, "--json")
    assert (code, json.loads(out)["repeated"]) == (0, True)
    code, _, err = run(*redeem[:2], "104876", *redeem[3:5], "order 77", *base)
    assert code == 2 and err.endswith(
        "; this one asks participant 104876, not 104233; give each redemption its own\n"
    )
    assert _counts(db)[:3] == (before[0] + 1, before[1], before[2])
    assert run("ledger", "balance", "104233", *base[:4])[1] == (
        "104233: 700 points (700 available, 0 pending)\n"
    )
