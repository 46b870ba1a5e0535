"""A same-rules replay of any store shows no change: a property over generated stores.

Each generated store holds batches of sales claims with every outcome
(accepted, pended, rejected, duplicates in a batch and against history),
`dedupe claims` decisions, resubmissions, awards, voids and corrections; the
replay reads it in one-claim chunks, so keys must carry across chunks and
batches. Measured before: a same-rules replay of a real store showed 6
changed claims and -510 points.

An award change replayed against a baseline (its claims decided once for
both files) gives what deciding them again under the recorded file gives,
and the recorded file given as new rules changes nothing.

Caps bite: the client's quarterly cap is 150 points, its rule set's fund
900 a quarter and promotion points 40 a quarter, so claims are cut; a
reporting threshold holds awards (reserving their points) until one rep's
tax form arrives before the last run, and a void in between two award runs gives points back to
the next run. Replay meets the caps in the order the live runs posted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

import claimflow.replay as replay_module
from claimflow import Store, ingest, load_client
from claimflow.award.ledger import reverse_claim
from claimflow.award.run import award_claims
from claimflow.config import ResolvedClient
from claimflow.dedupe.claims import dedupe_claims
from claimflow.parse.participants import read_participants
from claimflow.replay import replay, same_intake
from tests.conftest import SAMPLES

REPS = ["104233", "104876", "104901"]
SKUS = {"DRL-200": "DR", "SAW-310": "SW", "GRN-115": "GR"}
HEADER = (
    "Claim ID,Rep #,Dealer Code,Invoice No,Invoice Date,Product Code,Qty,"
    "Serial Numbers,Received,Invoice Attached\n"
)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)

claims = st.lists(
    st.tuples(
        st.sampled_from(REPS),
        st.sampled_from(sorted(SKUS)),
        st.integers(1, 3),  # quantity
        st.integers(0, 12),  # serial base: small, so serials repeat
        st.booleans(),  # a valid invoice number (else pended)
        st.integers(1, 25),  # invoice day in October
    ),
    min_size=3,
    max_size=14,
)


def _csv(rows: list[tuple[str, str, int, int, bool, int]], batch: int) -> str:
    lines = [HEADER]
    for n, (rep, sku, qty, base, valid, day) in enumerate(rows):
        serials = " ".join(f"{SKUS[sku]}{base * 10 + k:08d}" for k in range(qty))
        invoice = f"INV-{base:05d}" if valid else f"INV-{base:010d}"
        lines.append(
            f"B{batch}-{n},{rep},D-CHI-01,{invoice},10/{day:02d}/2026,{sku},{qty},"
            f"{serials},2026-10-{day + 2:02d}T10:00,yes\n"
        )
    return "".join(lines)


def _capped_client(folder: Path) -> ResolvedClient:
    """acme-tools with caps that bite on a few claims."""
    text = (SAMPLES / "clients/acme-tools.yaml").read_text(encoding="utf-8")
    capped = text.replace(
        "caps: {per_participant: {period: quarter, points: 5000}}",
        "caps: {per_participant: {period: quarter, points: 150}, "
        "budget: {points: 900, scope: rule_set, period: quarter}, "
        "promotions: {per_participant: {period: quarter, points: 40}}}",
    )
    assert capped != text
    # 60 points paid in a year need a tax form (at 0.05 a point, 3.00).
    capped = capped.replace(
        "award:\n", "award:\n  reporting_threshold: {amount: 3, point_value: 0.05}\n", 1
    )
    path = folder / "acme-tools.yaml"
    path.write_text(capped, encoding="utf-8")
    return load_client(path)


def _drill_35(folder: Path) -> ResolvedClient:
    """The capped file with the 2026.2 drill rate raised: an award change only."""
    text = (folder / "acme-tools.yaml").read_text(encoding="utf-8")
    raised = text.replace(
        "- {id: drill, kind: per_unit, points: 30",
        "- {id: drill, kind: per_unit, points: 35",
    )
    assert raised != text
    path = folder / "acme-drill-35.yaml"
    path.write_text(raised, encoding="utf-8")
    return load_client(path)


@pytest.mark.slow
@hsettings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate],  # each example builds a store
)
@given(
    batches=st.lists(claims, min_size=1, max_size=3),
    voids=st.lists(st.booleans(), max_size=4),
)
def test_a_same_rules_replay_of_any_store_changes_nothing(
    tmp_path_factory: pytest.TempPathFactory,
    batches: list[list[tuple[str, str, int, int, bool, int]]],
    voids: list[bool],
) -> None:
    folder = tmp_path_factory.mktemp("store")
    client = _capped_client(folder)
    store = Store.open(folder / "c.db")
    for n, rows in enumerate(batches):
        path = folder / f"b{n}.csv"
        path.write_text(_csv(rows, n), encoding="utf-8")
        ingest([path], client, store, processed_at=NOW - timedelta(days=10 - n))
        dedupe_claims(store, client, now=NOW - timedelta(days=9 - n))
    people = list(
        read_participants(SAMPLES / "acme-tools/participants.csv", client.key)
    )
    with store.transaction():
        store.upsert_participants(people)
    award_claims(store, client, now=NOW, batch_id=1)  # runs of their own
    award_claims(store, client, now=NOW)
    posted = [
        cid
        for (cid,) in store.db.execute(
            "SELECT claim_id FROM ledger WHERE entry_type = 'award' ORDER BY id"
        )
    ]
    with store.transaction():
        for claim_id, void in zip(posted, voids, strict=False):
            reverse_claim(store, client.key, claim_id, "test", "ann", NOW, void=void)
    with store.transaction():  # one rep's tax form arrives: held awards paid
        store.upsert_participants(
            [p.model_copy(update={"tax_form_on": NOW.date()}) for p in people[:1]]
        )
    award_claims(store, client, now=NOW + timedelta(hours=1))  # corrections re-posted
    capped = store.db.execute(
        'SELECT count(*) FROM awards WHERE data LIKE \'%"code":"cap_%\''
    ).fetchone()[0]
    event("a cap cut a claim" if capped else "no cap cut")
    held = store.db.execute("SELECT count(*) FROM award_holds").fetchone()[0]
    event("an award was held" if held else "nothing held")
    later = NOW + timedelta(hours=2)
    original = replay_module.CHUNK
    replay_module.CHUNK = 1
    try:
        result = replay(store, client, now=later)
        (last,) = store.db.execute("SELECT max(batch_id) FROM claims").fetchone()
        alone = replay(store, client, batch_id=last, now=later)
        # The same file given as new rules: nothing to derive again, no change.
        same_file = replay(store, client, rules=load_client(folder / "acme-tools.yaml"))
        # An award change against a baseline decides the claims once; decided
        # again under the recorded file, the result is the same.
        drill = _drill_35(folder)
        shared = replay(store, client, rules=drill, now=later, baseline=True)
        replay_module.same_intake = lambda a, b: False  # type: ignore[assignment]
        separate = replay(store, client, rules=drill, now=later, baseline=True)
    finally:
        replay_module.CHUNK = original
        replay_module.same_intake = same_intake
        store.close()
    # One batch alone: the others' awards count against the caps as recorded.
    changes = (
        [c.to_dict() for c in result.changes]
        + [{"alone": True, **c.to_dict()} for c in alone.changes]
        + [{"same file": True, **c.to_dict()} for c in same_file.changes]
    )
    assert changes == [], "\n".join(str(c) for c in changes)
    assert shared.to_dict() == separate.to_dict()
    event("the award change changed a claim" if shared.changes else "no award change")
