"""A person decides a claim that verification sent to review (trial 35).

Before, no command could settle such a claim: a Korean desk's stays in
review for a name unlike the folio's stayed unpaid for good, and
``event ... decided`` only stopped the SLA clock and dropped the claim from
the queue, while it stayed in review and unpaid. Now ``claimflow decide``
accepts (the next ``award`` pays it, also where awards wait for a verified
result) or rejects it with a reason, and a replay under the same rules
applies the decision again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimflow import (
    ClaimflowError,
    ResolvedClient,
    Store,
    decide_claim,
    ingest,
    load_client,
)
from claimflow.award.run import award_claims
from claimflow.cli import main
from claimflow.sla.events import record_event
from claimflow.verify.run import verify_claims
from claimflow.verify.source import import_source
from tests.test_replay_as_ingested import (
    CLIENT,
    NOW,
    SOURCE,
    TH_001,
    TH_199,
    _changes,
    _csv,
)

#: Awards wait for a verified result, as a desk that pays only verified stays.
REQUIRED = CLIENT.replace("require_proof: false", "require_proof: false\nverification: {required: true}")


def _client(tmp_path: Path, nights: int = 100) -> ResolvedClient:
    path = tmp_path / f"siam-{nights}.yaml"
    path.write_text(REQUIRED.replace("NIGHTS", str(nights)), encoding="utf-8")
    return load_client(path)


def _in_review(tmp_path: Path, store: Store) -> ResolvedClient:
    """TH-001 (1-4 Nov) and TH-199 (3-6 Nov) of one member overlap: both in
    review (`overlapping_stay`) once verified together."""
    client = _client(tmp_path)
    source = tmp_path / "pms_nov.csv"
    source.write_text(SOURCE, encoding="utf-8")
    with store.transaction():
        import_source(store, client, source, NOW)
    ingest([_csv(tmp_path, "stays.csv", TH_001, TH_199)], client, store, processed_at=NOW)
    verify_claims(store, client, now=NOW)
    assert _outcomes(store) == {"TH-001": "review", "TH-199": "review"}
    return client


def _outcomes(store: Store) -> dict[str, str]:
    return dict(
        store.db.execute("SELECT json_extract(data, '$.claim_ref'), outcome FROM claims")
    )


def _paid(store: Store) -> dict[str, int]:
    """Oracle: the ledger's award postings, straight from the store."""
    return dict(
        store.db.execute(
            "SELECT json_extract(c.data, '$.claim_ref'), l.points FROM ledger l "
            "JOIN claims c ON c.id = l.claim_id WHERE l.entry_type = 'award'"
        )
    )


def _check_decide_pay_and_replay(tmp_path: Path, store: Store) -> None:
    client = _in_review(tmp_path, store)
    award_claims(store, client, now=NOW)
    assert _paid(store) == {}  # nothing is paid while in review
    done = decide_claim("TH-199", "accept", client, store, operator="ann",
                        reason="second room on the folio: two stays", at=NOW)  # fmt: skip
    assert (done.outcome, done.codes, done.operator) == ("accepted", ["overlapping_stay"], "ann")
    decide_claim("TH-001", "reject", client, store, operator="ann",
                 reason="the same nights claimed twice", at=NOW)  # fmt: skip
    assert _outcomes(store) == {"TH-001": "rejected", "TH-199": "accepted"}
    award_claims(store, client, now=NOW)
    # 3,000.00 THB: 120 base points (per 25, bracketed) + 3 nights x 100, by hand
    assert _paid(store) == {"TH-199": 420}
    events = [e for (e,) in store.db.execute(
        "SELECT event FROM claim_events ORDER BY id")]  # fmt: skip
    # the rejection's decided event, and the award's for the accepted claim
    assert events.count("decided") == 2
    [detail] = [json.loads(d) for (d,) in store.db.execute(
        "SELECT detail FROM audit_log WHERE action = 'review decision' "
        "AND detail LIKE '%accept%'")]  # fmt: skip
    assert detail["reason"] == "second room on the folio: two stays"
    # Replay under the same rules applies both decisions: no change.
    assert _changes(store, client) == []
    # A real rule change still shows on the accepted claim: 150 a night, +150.
    assert _changes(store, client, _client(tmp_path, 150)) == [
        ("accepted", "accepted", ["overlapping_stay"], ["overlapping_stay"], 150)
    ]


def test_a_claim_in_review_is_decided_paid_and_replayed(tmp_path: Path) -> None:
    _check_decide_pay_and_replay(tmp_path, Store.open(tmp_path / "th.db"))


def test_a_claim_in_review_is_decided_paid_and_replayed_on_postgres(
    tmp_path: Path, pg_url: str
) -> None:
    _check_decide_pay_and_replay(tmp_path, Store.open(pg_url))


def test_only_a_claim_in_review_is_decided(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "th.db")
    client = _in_review(tmp_path, store)
    decide_claim("TH-199", "accept", client, store, reason="checked", at=NOW)
    with pytest.raises(ClaimflowError, match="expected a claim in review, found it accepted"):
        decide_claim("TH-199", "reject", client, store, reason="changed my mind", at=NOW)
    with pytest.raises(ClaimflowError, match="expected a decision accept or reject"):
        decide_claim("TH-001", "maybe", client, store, reason="?", at=NOW)
    with pytest.raises(ClaimflowError, match="expected a reason"):
        decide_claim("TH-001", "accept", client, store, reason="  ", at=NOW)
    other = load_client(Path("samples/clients/acme-tools.yaml"))
    with pytest.raises(ClaimflowError, match="expected a claim of acme-tools"):
        decide_claim("TH-001", "accept", other, store, reason="checked", at=NOW)
    # A decided event alone no longer hides a claim in review.
    with store.transaction(), pytest.raises(ClaimflowError, match="found it in review"):
        record_event(store, "TH-001", "decided", NOW, "ann", NOW)
    assert _outcomes(store)["TH-001"] == "review"


def test_decide_on_the_command_line(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "th.db")
    client = _in_review(tmp_path, store)
    store.close()
    args = ["--client", str(client.source_path), "--db", str(tmp_path / "th.db"),
            "--operator", "ann"]  # fmt: skip
    ok = CliRunner().invoke(main, ["decide", "TH-199", "accept", "--reason",
                                   "two rooms", *args])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    # one line naming the claim, the decision, what it settled and why
    # (before: 'TH-199 (...): accepted in review (overlapping_stay) by ann: ...',
    # as if still in review)
    assert ok.output.startswith("claim TH-199 ") and ok.output.count("\n") == 1
    assert ok.output.rstrip().endswith(
        ": accepted by ann (in review for overlapping_stay): two rooms"
    ), ok.output
    again = CliRunner().invoke(main, ["decide", "TH-199", "reject", "--reason", "no", *args])
    assert again.exit_code == 2
    # the refusal names the decision asked (before: only what was expected)
    assert again.output.startswith("claimflow: error: claim TH-199 ")
    assert ": reject refused: expected a claim in review, found it accepted" in again.output
    assert again.output.count("\n") == 1
    assert "Traceback" not in again.output
    event = CliRunner().invoke(main, ["event", "TH-001", "decided", *args])
    assert event.exit_code == 2
    assert "claimflow decide TH-001 accept|reject" in event.output
