"""Replay pays a claim to the participant its award was posted for.

The story (`tests.accounts.test_merged_claims`), with a tier bonus: Acme's
rule sets get ``status`` (tier_bonus: gold +50%, silver +10% of the base
points). 104233 (Maria) is gold, 104876 (James) silver, on the member list
recorded before the October run.

- October run (before the merge): r3 keyed under 104876 pays 30 base
  + 10% silver = 33 points to 104876.
- 104876 is merged into 104233 (``higher``: 104233 stays gold). The merge
  files r3 under 104233; its award stays 104876's.
- November claim keyed under 104876 (2 x DRL-200, rule set 2026.2: 30 a
  drill = 60 base), credited to the survivor at gold: 60 + 50% of 60 = 30,
  + the Q4 cordless promotion doubling the base (+60) = 150 points. Replayed
  at the keyed (silver) account it would be 60 + 6 + 60 = 126: a change
  that is not real.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from claimflow import ResolvedClient, Store, ingest, load_client
from claimflow.accounts.merge import merge_accounts, unmerge_accounts
from claimflow.award.run import award_claims
from claimflow.parse.participants import read_participants
from claimflow.replay import replay
from claimflow.store.dedupe_decisions import add_dedupe_decisions
from tests.accounts.test_merged_claims import LATE, MERGED_AT, NOVEMBER
from tests.conftest import SAMPLES
from tests.test_replay import AWARDED, CONFIG, OCTOBER, PROCESSED

TIERS = ("higher", ("silver", "gold"))
#: November claim keyed under the survivor itself (1 x DRL-200: 30 base,
#: + 50% gold = 15, doubled base + 30 = 75 points).
SURVIVOR_NOVEMBER = NOVEMBER.replace(
    "AC-2001,104876,James O'Neill", "AC-2002,104233,Maria Lopez"
).replace(
    "INV-30001,11/02/2026,DRL-200,2,149.00,298.00,DR10000917;DR10000918",
    "INV-30002,11/02/2026,DRL-200,1,149.00,149.00,DR10000919",
)


@pytest.fixture
def tiered(tmp_path: Path) -> ResolvedClient:
    text = CONFIG.read_text(encoding="utf-8").replace(
        "      rules:\n",
        "      rules:\n"
        "        - {id: status, kind: tier_bonus, percent: {gold: 50, silver: 10}}\n",
    )
    (tmp_path / "acme.yaml").write_text(text, encoding="utf-8")
    return load_client(tmp_path / "acme.yaml")


def _points(store: Store, claim: str) -> tuple[str, int]:
    who, points = store.db.execute(
        "SELECT participant_id, points FROM ledger WHERE claim_id = ? "
        "AND entry_type = 'award'",
        [claim],
    ).fetchone()
    return str(who), int(points)


def _claim(store: Store, row: str, latest: bool = False) -> str:
    """The claim of row `row` (``r3``) of the first batch (or the latest)."""
    (claim,) = store.db.execute(
        "SELECT id FROM claims WHERE id LIKE ? AND batch_id = (SELECT "
        f"{'max' if latest else 'min'}(batch_id) FROM claims)",
        [f"%-{row}"],
    ).fetchone()
    return str(claim)


def _merged_store(tmp_path: Path, client: ResolvedClient) -> Store:
    """October awarded before the merge, then 104876 merged into 104233."""
    store = Store.open(tmp_path / "c.db")
    ingest([OCTOBER], client, store, processed_at=PROCESSED)
    people = list(
        read_participants(SAMPLES / "acme-tools/participants.csv", client.key)
    )
    with store.transaction():
        store.record_participants(people, PROCESSED.date(), "ann", at=PROCESSED)
        add_dedupe_decisions(
            store, [("participant", "104233", "104876", "same")], "rita", "x"
        )
    award_claims(store, client, now=AWARDED)
    merge_accounts(
        store, client.key, "104233", "104876", "rita", MERGED_AT, tier_policy=TIERS
    )
    return store


def _ingest(store: Store, client: ResolvedClient, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    ingest([path], client, store, processed_at=MERGED_AT + timedelta(hours=1))


def test_a_claim_credited_to_the_survivor_replays_at_the_survivors_tier(
    tmp_path: Path, tiered: ResolvedClient
) -> None:
    store = _merged_store(tmp_path, tiered)
    try:
        # The run before the merge paid r3 to 104876 at silver: 30 + 3.
        assert _points(store, _claim(store, "r3")) == ("104876", 33)
        assert (
            replay(store, tiered, now=LATE).changes == []
        )  # r3 now filed under 104233

        _ingest(store, tiered, tmp_path / "november.csv", NOVEMBER)
        result = award_claims(store, tiered, now=LATE, actor="ann")

        assert (result.posted, result.points) == (1, 150)
        assert _points(store, _claim(store, "r2", latest=True)) == ("104233", 150)
        assert replay(store, tiered, now=LATE).changes == []
        assert (
            replay(store, tiered, now=LATE, baseline=True, rules=tiered).changes == []
        )
        for (batch,) in store.db.execute("SELECT DISTINCT batch_id FROM claims"):
            assert replay(store, tiered, now=LATE, batch_id=batch).changes == []
    finally:
        store.close()


def test_runs_made_while_merged_still_replay_after_the_unmerge(
    tmp_path: Path, tiered: ResolvedClient
) -> None:
    store = _merged_store(tmp_path, tiered)
    try:
        _ingest(store, tiered, tmp_path / "maria.csv", SURVIVOR_NOVEMBER)
        assert award_claims(store, tiered, now=LATE, actor="ann").points == 75
        assert replay(store, tiered, now=LATE).changes == []

        later = LATE + timedelta(hours=1)
        unmerge_accounts(store, tiered.key, "104876", "rita", later)

        assert _points(store, _claim(store, "r2", latest=True)) == ("104233", 75)
        assert _points(store, _claim(store, "r3")) == ("104876", 33)
        assert replay(store, tiered, now=later).changes == []
    finally:
        store.close()
