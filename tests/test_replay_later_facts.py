"""Replay under unchanged rules does not see facts that arrived after the
live verification: a source export imported later, or another claim's
outcome moved later.

The session-18 closing note left both open: replay filtered a member's
other stays by their outcome now, and matched claims against every source
record now stored. A desk replaying to test an upgrade then saw changes
the upgrade did not make. Each case: unchanged rules replay to no change;
verifying again (the live desk's own next step) then does move the claim,
and a real rule change still shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimflow import ResolvedClient, Store, ingest, load_client
from claimflow.verify.knew import Knew
from claimflow.verify.run import verify_claims, verify_claims_per_claim
from claimflow.verify.source import import_source
from tests.test_replay_as_ingested import (
    CLIENT,
    NOW,
    SOURCE,
    TH_001,
    TH_199,
    _changes,
    _client,
    _csv,
    _live_reasons,
)

#: The set-based run and the claim-by-claim reference it is held equal to.
Verify = Callable[..., object]
BOTH = pytest.mark.parametrize("verify", [verify_claims, verify_claims_per_claim])

OTA_SOURCE = SOURCE.replace("4500.00,THB,BAR,DIRECT", "4500.00,THB,BAR,EXPEDIA")


def _outcomes(store: Store) -> dict[str, str]:
    """Oracle: each claim's outcome as stored, by its reference."""
    return dict(
        store.db.execute("SELECT json_extract(data, '$.claim_ref'), outcome FROM claims")
    )


def _knew(store: Store) -> list[dict[str, object]]:
    """What each verification recorded it was told, in the order written;
    each stay matched its own hotel record (ids 1 and 2), which no other
    claim had matched."""
    return [json.loads(row[0]) for row in store.db.execute(
        "SELECT knew FROM verifications ORDER BY id")]  # fmt: skip


def _source(tmp_path: Path, store: Store, client: ResolvedClient, text: str) -> None:
    path = tmp_path / f"pms-{len(text)}.csv"
    path.write_text(text, encoding="utf-8")
    with store.transaction():
        import_source(store, client, path, NOW)


def _check_source_imported_later(
    tmp_path: Path, store: Store, verify: Verify = verify_claims
) -> None:
    """TH-001 was verified before the hotel's export came: awaiting source
    data. The export is imported, not yet verified against: replay under the
    same rules shows no change (before: pended -> accepted)."""
    client = _client(tmp_path)
    ingest([_csv(tmp_path, "stays_nov.csv", TH_001)], client, store, processed_at=NOW)
    verify(store, client, now=NOW)
    assert _live_reasons(store) == {"TH-001": {"source_not_found"}}
    assert _outcomes(store) == {"TH-001": "pended"}
    _source(tmp_path, store, client, SOURCE)
    assert _changes(store, client) == []
    # A real rule change still shows, judged as the live run knew the claim.
    no_bkk = tmp_path / "no-bkk.yaml"
    no_bkk.write_text(
        CLIENT.replace("NIGHTS", "100").replace("[SP-BKK, SP-CNX]", "[SP-CNX]"),
        encoding="utf-8",
    )
    [changed] = _changes(store, client, load_client(no_bkk))
    assert changed[:2] == ("pended", "rejected")
    assert "ineligible_hotel" in changed[3]
    # The desk verifies again: now the export is known, and replay follows.
    verify(store, client, now=NOW)
    assert _outcomes(store) == {"TH-001": "accepted"}
    assert _changes(store, client) == []


@BOTH
def test_a_source_export_imported_after_verification_moves_no_replay(
    tmp_path: Path, verify: Verify
) -> None:
    _check_source_imported_later(tmp_path, Store.open(tmp_path / "th.db"), verify)


def test_a_source_export_imported_after_verification_moves_no_replay_on_postgres(
    tmp_path: Path, pg_url: str
) -> None:
    _check_source_imported_later(tmp_path, Store.open(pg_url))


def _check_other_outcome_moved_later(
    tmp_path: Path, store: Store, verify: Verify = verify_claims
) -> None:
    """TH-199 was verified (``verify --batch 2``) while TH-001, whose dates
    it overlaps, was still accepted: review, ``overlapping_stay``. TH-001 is
    verified afterwards and rejected (booked through Expedia). Replay under
    the same rules keeps TH-199 in review (before: review -> accepted, as
    if TH-001 had never been there when TH-199 was checked)."""
    client = _client(tmp_path)
    _source(tmp_path, store, client, OTA_SOURCE)
    first = ingest([_csv(tmp_path, "stays_nov.csv", TH_001)], client, store,
                   processed_at=NOW)  # fmt: skip
    second = ingest([_csv(tmp_path, "retro_nov.csv", TH_199)], client, store,
                    processed_at=NOW)  # fmt: skip
    assert first.batch_id is not None and second.batch_id is not None
    verify(store, client, batch_id=second.batch_id, now=NOW)
    verify(store, client, now=NOW)
    assert _outcomes(store) == {"TH-001": "rejected", "TH-199": "review"}
    assert _live_reasons(store) == {
        # TH-199 was in review, not closed, when TH-001 was checked
        "TH-001": {"ota_booking", "overlapping_stay"},
        "TH-199": {"overlapping_stay"},
    }
    assert _changes(store, client) == []


@BOTH
def test_another_claims_later_outcome_moves_no_replay(
    tmp_path: Path, verify: Verify
) -> None:
    store = Store.open(tmp_path / "th.db")
    _check_other_outcome_moved_later(tmp_path, store, verify)
    # What the check left out is recorded: TH-199's check left out nothing
    # (TH-001 was accepted then), TH-001's nothing (TH-199 was in review).
    assert _knew(store) == [{"matched": {"2": []}}, {"matched": {"1": []}}]


def test_another_claims_later_outcome_moves_no_replay_on_postgres(
    tmp_path: Path, pg_url: str
) -> None:
    _check_other_outcome_moved_later(tmp_path, Store.open(pg_url))


@pytest.mark.parametrize("verify_between", [True, False])
def test_the_history_cases_still_replay_unchanged(
    tmp_path: Path, verify_between: bool
) -> None:
    from tests.test_replay_as_ingested import _check_history_replay

    _check_history_replay(tmp_path, Store.open(tmp_path / "th.db"), verify_between)


@BOTH
def test_a_check_records_the_stays_it_left_out(tmp_path: Path, verify: Verify) -> None:
    """TH-001 is rejected first (Expedia); TH-199, checked afterwards, leaves
    it out of the member's stays and says so: a replay leaves out that claim,
    whatever becomes of it later."""
    store = Store.open(tmp_path / "th.db")
    client = _client(tmp_path)
    _source(tmp_path, store, client, OTA_SOURCE)
    first = ingest([_csv(tmp_path, "stays_nov.csv", TH_001)], client, store,
                   processed_at=NOW)  # fmt: skip
    ingest([_csv(tmp_path, "retro_nov.csv", TH_199)], client, store, processed_at=NOW)
    verify(store, client, batch_id=first.batch_id, now=NOW)
    verify(store, client, now=NOW)
    assert _outcomes(store) == {"TH-001": "rejected", "TH-199": "accepted"}
    [th_001] = [cid for (cid,) in store.db.execute(
        "SELECT id FROM claims WHERE batch_id = ?", [first.batch_id])]  # fmt: skip
    assert _knew(store) == [
        {"matched": {"1": []}},
        {"left_out": [th_001], "matched": {"2": []}},
    ]
    assert _changes(store, client) == []


TH_300 = "TH-300,10000003,Somchai Jaidee,SP-BKK,BK100001,01/11/2026,04/11/2026,4500.00,21/11/2026 10:00"  # noqa: E501


@BOTH
def test_a_later_match_of_the_same_stay_moves_no_replay(
    tmp_path: Path, verify: Verify
) -> None:
    """Two accounts claim one stay (a member enrolled twice). The later
    batch's claim TH-300 is verified first (``verify --batch 2``): nobody had
    matched the hotel's record, accepted. TH-001 of the first batch is
    verified next and meets TH-300's match: a duplicate, claimed by another
    account. Replay keeps TH-300 accepted (before: the match TH-001 made
    afterwards made it a duplicate on replay, as of its batch)."""
    store = Store.open(tmp_path / "th.db")
    client = _client(tmp_path)
    _source(tmp_path, store, client, SOURCE)
    ingest([_csv(tmp_path, "stays_nov.csv", TH_001)], client, store, processed_at=NOW)
    second = ingest([_csv(tmp_path, "retro_nov.csv", TH_300)], client, store,
                    processed_at=NOW)  # fmt: skip
    verify(store, client, batch_id=second.batch_id, now=NOW)
    verify(store, client, now=NOW)
    assert _outcomes(store) == {"TH-001": "duplicate", "TH-300": "accepted"}
    assert _live_reasons(store) == {"TH-001": {"claimed_by_other_account"}}
    [th_300] = [cid for (cid,) in store.db.execute(
        "SELECT id FROM claims WHERE batch_id = ?", [second.batch_id])]  # fmt: skip
    assert _knew(store) == [
        {"matched": {"1": []}},
        {"matched": {"1": [[th_300, "10000003", "verified"]]}},
    ]
    assert _changes(store, client) == []


@given(
    left_out=st.sets(st.text(min_size=1, max_size=8)),
    matched=st.dictionaries(
        st.integers(1, 10**9),
        st.lists(st.tuples(st.text(min_size=1), st.none() | st.text(), st.text())),
    ),
    serials=st.dictionaries(st.text(min_size=1), st.none() | st.text(min_size=1)),
)
def test_what_a_check_knew_reads_back_as_written(
    left_out: set[str],
    matched: dict[int, list[tuple[str, str | None, str]]],
    serials: dict[str, str | None],
) -> None:
    """Oracle: the parts as given, but for serials no claim held (an
    earlier batch gains no claim later, so the store's answer stays None)."""
    back = Knew.from_json(Knew(left_out, matched, serials).to_json())
    assert back.left_out == left_out
    assert back.matched == matched
    assert back.serials == {k: v for k, v in serials.items() if v is not None}
