"""Clusters of claim matches: each duplicate names the original of its cluster.

Input: the matches `claimflow.dedupe.matching` found (one per rule that
fired for a later and an earlier claim), what it compared of each claim, and
the resubmissions a run links. Output: the matches a run records, each
duplicate naming the earliest claim of its cluster. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only
    from claimflow.dedupe.match_types import ClaimMatch, _Info


def clustered(
    matches: list[ClaimMatch],
    info: Mapping[str, _Info],
    resubmitted: Collection[tuple[str, str]] = (),
) -> list[ClaimMatch]:
    """Name the original of each duplicate: the earliest claim of its cluster.

    A superseded claim (or one a pair of `resubmitted` supersedes now) is
    never an original: its resubmission is, and stands for it in its
    cluster; a match between the two is no repeat, and is left out.
    """
    parent: dict[str, str] = {}

    def root(cid: str) -> str:
        while parent.get(cid, cid) != cid:
            parent[cid] = parent.get(parent[cid], parent[cid])
            cid = parent[cid]
        return cid

    replaced = {cid: i.superseded_by for cid, i in info.items() if i.superseded_by}
    # (a pended claim met field by field may not be among the pairs: it
    # stands for no one here)
    replaced.update({old: new for new, old in resubmitted if new in info})
    for old, new in replaced.items():
        if root(new) != old:  # links never make a loop; if they did, stop
            parent[old] = new
    # a claim and its resubmission (or theirs, or its resubmission's) are
    # one claim resent: one is not the other's repeat
    matches = [
        m
        for m in matches
        if not (
            {m.claim_id, m.original} & replaced.keys()
            and root(m.claim_id) == root(m.original)
        )
    ]
    # a replaced claim is closed as superseded: where its resubmission
    # repeats an earlier claim itself, it does so for both (trial 38: NO-603,
    # pended for a revenue of -150,00 and a repeat of NO-503's stay, was
    # called superseded by NO-701 and then recorded a duplicate of NO-503,
    # its clock decided twice)
    repeats = {m.claim_id for m in matches if m.decision == "duplicate"}
    carried = {old for old, new in replaced.items() if new in repeats}
    joined = [m for m in matches if m.claim_id in carried and m.decision == "duplicate"]
    matches = [m for m in matches if m.claim_id not in carried]
    for m in [*matches, *joined]:
        if m.decision == "duplicate":
            a, b = root(m.claim_id), root(m.original)
            if a != b:
                first, second = (a, b) if info[a].ranks_before(info[b]) else (b, a)
                parent[second] = first
    # A claim that matched both an original and that original's duplicate is
    # explained by the original alone; one that matched a superseded claim
    # and its resubmission, by the resubmission.
    flagged = {m.claim_id for m in matches if m.decision == "duplicate"}
    flagged |= replaced.keys()
    clean = {
        (m.claim_id, d)
        for m in matches
        if m.original not in flagged
        for d in ("review", m.decision)
    }
    return [
        replace(
            m,
            source=info[m.claim_id].source,
            duplicate_of=root(m.claim_id) if m.decision == "duplicate" else "",
        )
        for m in matches
        if m.original not in flagged or (m.claim_id, m.decision) not in clean
    ]
