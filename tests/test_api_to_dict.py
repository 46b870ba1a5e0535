"""Every public result's ``to_dict()`` is plain JSON data, what ``--json`` prints.

Trial 36: ``claimflow.expire_points(...).to_dict()`` held ``as_of`` as a
datetime, and ``Case.to_dict()["contacts"]`` datetimes, so ``json.dumps``
failed, though the README promises that ``to_dict()`` is what ``--json``
prints. The results are built from a small store of the acme-tools samples.
"""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import claimflow
from claimflow.output import json_ready
from tests.conftest import SAMPLES

ACME = SAMPLES / "clients/acme-tools.yaml"
RECEIVED = datetime(2026, 10, 28, 15, tzinfo=UTC)
#: Public results no call below returns, and why.
NOT_BUILT = {
    "Adjudication": "double entry needs a second keying of a sample",
    "DedupeResult": "participant dedupe over a member file",
    "CopyReport": "a store copy",
    "EntryCheckImport": "an entry-check file",
    "FieldSample": "a field sample",
    "MergeResult": "a same-marked participant pair",
    "Notice": "inside results below (BatchResult notices)",
    "ParticipantsImport": "built in the fixture, checked there",
    "PartnerDiscrepancy": "a partner statement",
    "Reconciliation": "a partner statement",
    "ReviewApplied": "a review file",
    "ReviewDecision": "a claim in review",
    "ReviewFile": "a review file written",
    "SamplesCopied": "samples copied to a folder",
    "Transfer": "a partner in the client file",
    "Report": "its tables are frames (reports render them)",
    "Export": "rows written to a file",
    "ReplayResult": "a second rule set",
}


def _public_results() -> set[str]:
    return {
        name
        for name in claimflow.__all__
        if inspect.isclass(getattr(claimflow, name))
        and hasattr(getattr(claimflow, name), "to_dict")
    }


@pytest.fixture
def results(tmp_path: Path) -> dict[str, Any]:
    client = claimflow.load_client(ACME)
    at = datetime(2026, 11, 2, 15, tzinfo=UTC)
    out: dict[str, Any] = {}
    with claimflow.Store.open(tmp_path / "c.db") as store:
        members = claimflow.import_participants(
            SAMPLES / "acme-tools/participants.csv", client, store, operator="t"
        )
        json.dumps(members.to_dict())
        batch = claimflow.ingest(
            [SAMPLES / "acme-tools/claims/october.csv"], client, store,
            received_at=RECEIVED,
        )  # fmt: skip
        out["BatchResult"] = batch
        out["FileResult"] = batch.files[0]
        out["ClaimDedupeResult"] = claimflow.dedupe_claims(client, store, at=at)
        source = claimflow.import_source(
            [SAMPLES / "acme-tools/source/dealer_sales.csv"], client, store, at=at
        )
        out["SourceImport"] = source
        out["VerifyResult"] = source.verification
        run = claimflow.award_claims(client, store, operator="t")
        out["AwardRunResult"] = run
        award = run.awards[0]
        who = award.participant_id
        out["Explanation"] = claimflow.explain_award(award.claim_id, client, store)
        out["Story"] = claimflow.claim_story(award.claim_id, client, store)
        out["Balance"] = claimflow.balance(who, client, store)
        # awarded points are not available yet (the client's credit delay)
        out["Redemption"] = claimflow.Redemption(who, 1, "R-1", preview=True)
        out["Reversal"] = claimflow.reverse_claim(
            award.claim_id, client, store, reason="test", preview=True
        )
        out["Expiry"] = claimflow.expire_points(
            client, store, as_of=datetime(2030, 1, 1, tzinfo=UTC), preview=True
        )
        out["Adjustment"] = claimflow.request_adjustment(
            who, 10, client, store, reason="goodwill", note="sorry"
        )
        case = claimflow.open_case(
            who, client, store, case_type="complaint", owner="ann", at=at
        )
        out["Case"] = claimflow.record_case_event(
            case.id, "contact", client, store, at=datetime(2026, 11, 2, 16, tzinfo=UTC)
        )
        out["CaseFigures"] = claimflow.case_report(client, store)
        (pended,) = store.db.execute(
            "SELECT id FROM claims WHERE outcome = 'pended' ORDER BY id LIMIT 1"
        ).fetchone()
        out["EventRecorded"] = claimflow.record_event(
            pended, "escalated", client, store, at=at
        )
        out["WorkQueue"] = claimflow.work_queue([client], store, as_of=at)
        out["CaseQueue"] = claimflow.case_queue([client], store, as_of=at)
        assert out["CaseQueue"].to_dict(), "the open complaint is listed"
    return out


def test_every_public_result_is_built_or_said_why_not(results: dict[str, Any]) -> None:
    assert _public_results() - set(results) <= set(NOT_BUILT)


def test_every_public_results_to_dict_is_json(results: dict[str, Any]) -> None:
    refused = {}
    for name, result in results.items():
        data = result.to_dict()
        try:
            # json.dumps raised TypeError on a datetime, a date or a Decimal
            text = json.dumps(data, allow_nan=False)
        except (TypeError, ValueError) as error:
            refused[name] = str(error)
            continue
        # and it is what --json prints (`strict_json` of the same dict)
        assert json.loads(text) == json_ready(data), name
    assert refused == {}


def test_the_expiry_and_the_case_hold_instants_as_iso_text(
    results: dict[str, Any],
) -> None:
    assert results["EventRecorded"].to_dict()["at"] == "2026-11-02T15:00:00+00:00"
    assert results["Expiry"].to_dict()["as_of"] == "2030-01-01T00:00:00+00:00"
    case = results["Case"].to_dict()
    assert case["contacts"] == ["2026-11-02T16:00:00+00:00"]
    assert case["opened_at"] == "2026-11-02T15:00:00+00:00"


def test_a_future_expiry_names_the_library_and_the_cli_option(tmp_path: Path) -> None:
    """Trial 36: the library's refusal said "add --preview", a CLI option."""
    with claimflow.Store.open(tmp_path / "c.db") as store:
        with pytest.raises(claimflow.ClaimflowError) as caught:
            claimflow.expire_points(ACME, store, as_of=datetime(2099, 1, 1, tzinfo=UTC))
    # 2099-01-01 00:00 UTC at the Chicago desk, as the desk reads it
    assert str(caught.value) == (
        "as of 2098-12-31 18:00 CST (as_of / --as-of) is in the future: points would "
        "expire before their date; add preview=True / --preview to see what would"
    )
