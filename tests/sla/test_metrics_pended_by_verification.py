"""A claim verification pends by policy waits on its participant.

With ``verification.discrepancy_policy: pend`` a claim whose price is not
the invoice's is pended (the participant is asked to correct it), but
verification recorded no ``pended`` event: the SLA clock went on running,
so ``report sla`` counted it open (and in breach once past its due date)
while the desk was waiting on the participant, and a resubmission later
paused nothing.

IN-401 (rep 5004, Bharat Pumps, Asia/Kolkata, Mon-Fri 09:00-17:00, no
holiday list, turnaround 7 business days) claims 2 x MOTOR-5 at ₹12,000;
the dealer invoiced ₹12,500. Received Mon 16 Nov 2026, ingested Mon 16 Nov
11:00 IST, verified Wed 18 Nov 10:00 IST (pended), resubmitted Tue 24 Nov
10:00 IST, the report Mon 30 Nov 12:00 IST.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from claimflow import Store, ingest, load_client, verify_claims
from claimflow import import_source as import_sales
from claimflow.report.story import claim_story
from claimflow.sla.events import record_event
from claimflow.sla.metrics import Window, claim_facts, claim_facts_reference, summarize
from tests.test_trial35_regressions import CLIENT, HEADER, SOURCE

POLICY = CLIENT.replace(
    "  source_number_locale: en_IN\n",
    "  source_number_locale: en_IN\n  discrepancy_policy: pend\n",
)
IN_401 = "IN-401,D03,5004,INV/26/0005,10/11/2026,MOTOR-5,2,12000,24000,16/11/2026\n"
#: IST is UTC+5:30.
INGESTED = datetime(2026, 11, 16, 5, 30, tzinfo=UTC)  # Mon 16 Nov 11:00 IST
VERIFIED = datetime(2026, 11, 18, 4, 30, tzinfo=UTC)  # Wed 18 Nov 10:00 IST
RESUBMITTED = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # Tue 24 Nov 10:00 IST
REPORT = datetime(2026, 11, 30, 6, 30, tzinfo=UTC)  # Mon 30 Nov 12:00 IST


def _pended(store: Store, write: Callable[..., Path]) -> str:
    assert "discrepancy_policy: pend" in POLICY
    client = load_client(write("bharat.yaml", POLICY))
    import_sales([write("dealer_sales.csv", SOURCE)], client, store, at=INGESTED)
    ingest([write("claims.csv", HEADER + IN_401)], client, store, processed_at=INGESTED)
    found = verify_claims(client, store, at=VERIFIED, operator="ravi")
    assert dict(found.outcomes) == {"pended": 1}
    ((claim,),) = store.db.execute("SELECT id FROM claims").fetchall()
    return str(claim)


def _facts(store: Store, write: Callable[..., Path]) -> pd.DataFrame:
    client = load_client(write("bharat.yaml", POLICY))
    facts = claim_facts(store, client, Window(), REPORT, until=REPORT)
    reference = claim_facts_reference(store, client, Window(), REPORT, until=REPORT)
    assert facts.equals(reference)
    return facts


def test_a_claim_pended_by_verification_records_its_pended_event(
    store: Store, write: Callable[..., Path]
) -> None:
    claim = _pended(store, write)
    events = store.db.execute(
        "SELECT event, at, operator FROM claim_events WHERE claim_id = ?", [claim]
    ).fetchall()
    assert events == [("pended", VERIFIED.isoformat(), "ravi")]
    # and in the claim's story (``claimflow show``), on its clock
    story = claim_story(store, "IN-401")
    assert [(e["event"], e["at"]) for e in story["events"]][-1] == (
        "pended", VERIFIED.isoformat()
    )
    facts = _facts(store, write).set_index("claim_id")
    # before: "open", and in breach at the report: due Wed 25 Nov
    assert facts.loc[claim, "status"] == "waiting"
    assert not facts.loc[claim, "breached"]
    total = summarize(facts.reset_index()).iloc[-1]
    # before: backlog 1, waiting on participant 0
    assert (total["backlog"], total["waiting_on_participant"]) == (0, 1)


def test_the_resubmission_restarts_the_clock_and_the_wait_is_not_counted(
    store: Store, write: Callable[..., Path]
) -> None:
    claim = _pended(store, write)
    with store.transaction():
        record_event(store, claim, "resubmitted", RESUBMITTED, "ravi", REPORT)
    row = _facts(store, write).set_index("claim_id").loc[claim]
    # Paused from Wed 18 Nov (pended) to Tue 24 Nov (resubmitted): Wed 18,
    # Thu 19, Fri 20, Mon 23 = 4 business days. Before: 0.
    assert (row["status"], row["paused_days"]) == ("open", 4)
    # Due 7 + 4 = 11 business days after Mon 16 Nov: Tue 17, Wed 18, Thu 19,
    # Fri 20, Mon 23, Tue 24, Wed 25, Thu 26, Fri 27, Mon 30, Tue 1 Dec.
    # Before: Wed 25 Nov, and in breach at the report.
    assert row["due_date"] == pd.Timestamp(date(2026, 12, 1))
    assert not row["breached"]
    # Mon 30 Nov 12:00-17:00 (5 h) + Tue 1 Dec 09:00-17:00 (8 h) = 13 h.
    assert row["remaining_hours"] == 13.0


def test_awaiting_source_data_is_the_desks_time_the_pend_on_the_participant_is_not(
    store: Store, write: Callable[..., Path]
) -> None:
    """Verified Tue 17 Nov 10:00 IST before the dealer's export came: pended
    awaiting source data (the dealer's, not the participant's: no event,
    the clock runs). The export imported Wed 18 Nov 10:00 IST re-checks it:
    the price differs, pended on the participant from then."""
    client = load_client(write("bharat.yaml", POLICY))
    ingest([write("claims.csv", HEADER + IN_401)], client, store, processed_at=INGESTED)
    early = datetime(2026, 11, 17, 4, 30, tzinfo=UTC)  # Tue 17 Nov 10:00 IST
    assert dict(verify_claims(client, store, at=early).results) == {"not_found": 1}
    ((claim,),) = store.db.execute("SELECT id FROM claims").fetchall()
    assert store.db.execute("SELECT count(*) FROM claim_events").fetchone() == (0,)
    import_sales([write("dealer_sales.csv", SOURCE)], client, store, at=VERIFIED)
    assert store.db.execute(
        "SELECT result FROM verifications ORDER BY id DESC LIMIT 1"
    ).fetchone() == ("discrepancy",)
    with store.transaction():
        record_event(store, claim, "resubmitted", RESUBMITTED, "ravi", REPORT)
    row = _facts(store, write).set_index("claim_id").loc[claim]
    # Paused Wed 18 to Tue 24 Nov: 4 business days, not 5 from Tue 17.
    assert (row["status"], row["paused_days"]) == ("open", 4)
    assert row["due_date"] == pd.Timestamp(date(2026, 12, 1))
