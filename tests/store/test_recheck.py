"""Which claims in review on a neighbouring record are checked again
(`claimflow.store.recheck`, `claimflow.verify.again`): the trial's PA-601,
matched to ``0004-00000200`` for want of ``0004-00000300``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from claimflow import Store
from claimflow.store.verify_claim import claim_outcome_and_batch, move_outcome
from claimflow.verify.again import own_key, to_check_again
from tests.verify.test_again import NEIGHBOUR, OWN, PA601, Desk

CLIENT = "pampa-dealers"


@pytest.fixture
def desk(write: Callable[..., Path], tmp_path: Path) -> Desk:
    desk = Desk(write, tmp_path)
    desk.ingest("uno.csv", PA601, "2026-11-24T12:00")
    desk.source("ventas_1.csv", NEIGHBOUR, "2026-11-25T12:00")
    return desk


def _add_own_record(desk: Desk) -> None:
    """The dealer's export of 0004-00000300, stored without a re-check."""
    from datetime import UTC, datetime

    from claimflow import load_client
    from claimflow.verify.source import import_source

    with Store.open(desk.db) as store, store.transaction():
        import_source(store, load_client(desk.client), desk.write("v2.csv", OWN),
                      datetime(2026, 11, 26, 15, tzinfo=UTC))  # fmt: skip


def test_only_once_its_own_record_is_stored(desk: Desk) -> None:
    with Store.open(desk.db) as store:
        (claim,) = [c for c, *_ in store.db.execute("SELECT id FROM claims")]
        assert to_check_again(store, CLIENT, None) == []  # 0004-00000300: none yet
    _add_own_record(desk)
    # stored, not checked yet: a replay judges PA-601 as its check saw the
    # store (verifications.last_source), on 0004-00000200
    _, out = desk("replay", ok=(0,))
    assert "1 claims replayed, 0 changed, +0 points" in out
    with Store.open(desk.db) as store:
        assert to_check_again(store, CLIENT, None) == [claim]
        assert to_check_again(store, CLIENT, 1) == [claim]
        assert to_check_again(store, CLIENT, 2) == []  # another batch's claims
        assert to_check_again(store, "acme-tools", None) == []


def test_not_once_another_stage_moved_it(desk: Desk) -> None:
    """A claim a later stage (``dedupe claims`` here) moved since its
    verification is in review for that stage's reasons too: left alone."""
    _add_own_record(desk)
    with Store.open(desk.db) as store, store.transaction():
        (claim,) = [c for c, *_ in store.db.execute("SELECT id FROM claims")]
        _, batch = claim_outcome_and_batch(store, claim)
        move_outcome(store, claim, batch, "dedupe", "review", "2026-11-25T16:00:00+00:00")
        assert to_check_again(store, CLIENT, None) == []


@pytest.mark.parametrize(
    ("claim", "key"),
    [
        (("c1", "sales", "0004-00000300", None, None, []), "400000300"),
        (("c1", "sales", None, None, None, []), ""),
        (("c1", "stay", None, "caz-mad", "ab-0012", []), "CAZ-MAD|AB12"),
        (("c1", "stay", None, "CAZ-MAD", None, []), ""),
    ],
)
def test_own_key_is_the_source_key(
    claim: tuple[str, str, str | None, str | None, str | None, list[int]], key: str
) -> None:
    assert own_key(claim) == key
