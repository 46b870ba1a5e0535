"""Each scored pair's decision, and duplicates that never join two people held apart.

Input: the pairs kept for a person or a cluster (ids ``a`` and ``b``,
``probability``), which of them may be twins (`claimflow.dedupe.twins`), the
duplicate threshold and reviewers' latest marks (``same`` or ``different``
per sorted id pair). Output: the pairs with ``decision`` (duplicate or
review), ``held`` (why a pair goes to review whatever it scored; "" if not)
and ``marked`` (``same`` when a reviewer's mark settled it; "" if not).

- A reviewer's latest mark settles a pair: ``same`` makes it a duplicate
  whatever it scored, possible twins too (a person looked and found one
  person); a pair marked ``different`` is never a pair again (the caller
  drops it) and, like possible twins, is *held apart*.
- Otherwise a pair at or above the threshold is a duplicate, unless held as
  possible twins.
- Clusters are transitive, so two records held apart could still end in one
  cluster through a third (Anna ~ A. Kowalski and A. Kowalski ~ Hanna, both
  duplicates, would merge the twins Anna and Hanna). Duplicates are joined
  strongest first (marked same, then by probability); a link that would join
  two records held apart goes to review instead, its ``held`` naming the two
  (`HELD_APART`). The vectorised components come first: only a component
  holding both records of a pair held apart is joined link by link.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from claimflow.dedupe.result import _roots
from claimflow.dedupe.twins import POSSIBLE_TWINS

#: Why a link went to review: it would put two records held apart in one cluster.
HELD_APART = "would join {a} and {b} in one cluster, {why}"
#: The reasons two records are held apart, as `HELD_APART` gives them.
APART_TWINS = "held as possible twins"
APART_MARKED = "marked different"


def decide(
    pairs: pd.DataFrame,
    twins: np.ndarray,
    duplicate: float,
    marks: Mapping[tuple[str, str], str],
) -> pd.DataFrame:
    """The pairs with their decision, why any was held, and any settling mark.

    Args:
        pairs: ids ``a``, ``b`` and ``probability`` per pair (no pair marked
            different among them).
        twins: per pair, whether it may be twins.
        duplicate: the probability at or above which a pair is one person.
        marks: reviewers' latest marks per sorted id pair.

    Returns:
        A copy of `pairs` with ``held``, ``marked`` and ``decision``.

    Example: ``decide(pairs, twins, 0.9, {("P1", "P2"): "same"})["decision"]``
    """
    out = pairs.copy()
    key = [
        (a, b) if a <= b else (b, a)
        for a, b in zip(out["a"].tolist(), out["b"].tolist(), strict=True)
    ]
    same = np.array([marks.get(k) == "same" for k in key], dtype=bool)
    held = np.asarray(twins, dtype=bool) & ~same
    reasons = np.where(held, POSSIBLE_TWINS, "").astype(object)
    out["marked"] = np.where(same, "same", "").astype(object)
    linked = same | ((out["probability"].to_numpy() >= duplicate) & ~held)
    apart = {k: APART_TWINS for k, h in zip(key, held.tolist(), strict=True) if h}
    apart.update({k: APART_MARKED for k, mark in marks.items() if mark == "different"})
    for n, reason in _held_apart(out, linked, same, apart).items():
        linked[n] = False
        reasons[n] = reason
    out["held"] = reasons
    out["decision"] = np.where(linked, "duplicate", "review")
    return out[[*pairs.columns, "held", "marked", "decision"]]


def _held_apart(
    pairs: pd.DataFrame,
    linked: np.ndarray,
    same: np.ndarray,
    apart: dict[tuple[str, str], str],
) -> dict[int, str]:
    """The links (row numbers) that would join two records held apart, each
    with its reason; the strongest links are kept."""
    rows = np.flatnonzero(linked)
    if not apart or not len(rows):
        return {}
    a, b = pairs["a"].to_numpy()[rows], pairs["b"].to_numpy()[rows]
    codes, ids = pd.factorize(np.concatenate([a, b]))
    nodes, roots = _roots(codes[: len(rows)], codes[len(rows) :])
    component = dict(zip(ids[nodes].tolist(), roots.tolist(), strict=True))
    torn = {
        component[x]
        for x, y in apart
        if x in component and component[x] == component.get(y)
    }
    if not torn:  # the usual case: nothing to undo
        return {}
    partners: dict[str, dict[str, str]] = {}
    for (x, y), why in apart.items():
        if component.get(x) in torn and component[x] == component.get(y):
            partners.setdefault(x, {})[y] = why
            partners.setdefault(y, {})[x] = why
    chosen = [n for n in range(len(rows)) if component[str(a[n])] in torn]
    # Strongest first: marked same, then probability; ties in row order.
    probability = pairs["probability"].to_numpy()[rows]
    chosen.sort(key=lambda n: (not same[rows[n]], -probability[n], n))
    members: dict[str, set[str]] = {}
    root: dict[str, str] = {}
    skipped: dict[int, str] = {}
    for n in chosen:
        x, y = str(a[n]), str(b[n])
        rx, ry = root.setdefault(x, x), root.setdefault(y, y)
        if rx == ry:
            continue
        group_x = members.setdefault(rx, {rx})
        group_y = members.setdefault(ry, {ry})
        clash = next(
            (
                (p, q, why)
                for p in group_x
                for q, why in partners.get(p, {}).items()
                if q in group_y
            ),
            None,
        )
        if clash is not None:
            p, q, why = clash
            first, second = sorted((p, q))
            skipped[int(rows[n])] = HELD_APART.format(a=first, b=second, why=why)
            continue
        if len(group_x) < len(group_y):
            rx, ry, group_x, group_y = ry, rx, group_y, group_x
        group_x |= group_y
        for member in group_y:
            root[member] = rx
        del members[ry]
    return skipped
