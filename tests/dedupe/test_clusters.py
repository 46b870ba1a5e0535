"""`claimflow.dedupe.clusters`: the original each duplicate names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from claimflow.codes import ReasonCode
from claimflow.dedupe.clusters import clustered
from claimflow.dedupe.match_types import ClaimMatch, _Info


def _info(n: int, superseded_by: str | None = None) -> _Info:
    at = datetime(2026, 10, 10 + n, tzinfo=UTC)
    return _Info((at, n), "HU10004", f"b{n}.csv:row 2", "SZ-1", "2026-10-13",
                 superseded_by=superseded_by)  # fmt: skip


def _dup(claim: str, original: str) -> ClaimMatch:
    return ClaimMatch(
        claim, original, "same invoice", ReasonCode.DUPLICATE_CLAIM, 1.0,
        "duplicate", "invoice SZ-1 vs SZ-1",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("links", "resubmitted", "expected"),
    [
        # no resubmission: C and B repeat A, the earliest
        ({}, (), [("B", "A", "A"), ("C", "A", "A")]),
        # A superseded by B before this run: B is no repeat of A, and C
        # repeats B (its match to A is explained by B)
        ({"A": "B"}, (), [("C", "B", "B")]),
        # B supersedes A in this run: the same
        ({}, (("B", "A"),), [("C", "B", "B")]),
    ],
)
def test_a_superseded_claim_is_never_an_original(
    links: dict[str, str],
    resubmitted: tuple[tuple[str, str], ...],
    expected: list[tuple[str, str, str]],
) -> None:
    info = {
        cid: _info(n, links.get(cid)) for n, cid in enumerate("ABC")
    }
    matches = [_dup("B", "A"), _dup("C", "A"), _dup("C", "B")]
    found = clustered(matches, info, resubmitted)
    assert [(m.claim_id, m.original, m.duplicate_of) for m in found] == expected
