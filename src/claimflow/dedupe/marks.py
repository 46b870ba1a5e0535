"""Learning from review marks: a desk's same/different decisions refit the weights.

Every pair a reviewer marked (``dedupe apply``) whose two people are in the
file is evidence about this client's data. `refit` moves each comparison
level's log2 weight by a penalised logistic fit on the marked pairs: the
model's own score of each pair is the offset, one adjustment per level is
learned, and a Gaussian prior of `SIGMA` bits holds each adjustment near
zero unless many marks agree (one mark moves a weight by under a bit).
Marks of one kind move every level they show one way (*same* up,
*different* down) and leave the levels no mark shows where they were.

The held-out check: the marks are cut into `FOLDS` folds; each fold is
scored by a refit on the others. The refit is kept only when, over the
folds, it predicts the held-out marks better (log loss) and decides no more
of them wrongly at the duplicate threshold than the weights before; else
the weights stay as estimated, and the result says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: A level's adjustment has a Gaussian prior of this many bits.
SIGMA = 1.0
#: Fewer marks than this are too few to refit or check.
MIN_MARKS = 10
#: Folds of the held-out check.
FOLDS = 5
#: Adjustments smaller than this (bits) are not listed as moved.
SHOWN = 0.05
LN2 = math.log(2)


@dataclass
class Refit:
    """What the marks did to the weights.

    Attributes:
        marks: marked pairs whose two people are in the file.
        kept: whether the refit passed the held-out check and was applied.
        reason: why it was not kept, or '' when it was.
        adjust: per comparison, the log2 adjustment of each level (all zero
            when not kept).
        moved: per moved weight: comparison, level, weight before and after,
            the marks at that level (same / different), and the marks that
            moved it most.
        held_out: the held-out check's figures, before and after.
    """

    marks: int
    kept: bool
    reason: str
    adjust: dict[str, np.ndarray]
    moved: list[dict[str, Any]] = field(default_factory=list)
    held_out: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """As plain data (``--json``)."""
        return {
            "marks": self.marks,
            "kept": self.kept,
            "reason": self.reason,
            "held_out": self.held_out,
            "moved": self.moved,
        }


def _design(levels: dict[str, np.ndarray], sizes: dict[str, int]) -> np.ndarray:
    """One indicator column per level of each comparison (missing: none)."""
    columns = []
    for name, size in sizes.items():
        index = levels[name]
        columns.append(index[:, None] == np.arange(size)[None, :])
    return np.concatenate(columns, axis=1).astype(float)


def _objective(
    x: np.ndarray, base: np.ndarray, y: np.ndarray, theta: np.ndarray
) -> float:
    return _loss(base + x @ theta, y) + float((theta**2).sum()) / (2 * SIGMA**2)


def _fit(x: np.ndarray, base: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The penalised logistic fit: one adjustment per column.

    Newton's method with step halving: where the estimated weights are
    sure of themselves the likelihood is flat, and a full Newton step from
    the prior's curvature alone overshoots.
    """
    theta = np.zeros(x.shape[1])
    current = _objective(x, base, y, theta)
    for _ in range(50):
        z = np.clip(LN2 * (base + x @ theta), -40, 40)
        p = 1 / (1 + np.exp(-z))
        gradient = LN2 * x.T @ (p - y) + theta / SIGMA**2
        hessian = LN2**2 * (x.T * (p * (1 - p))) @ x + np.eye(len(theta)) / SIGMA**2
        step = np.linalg.solve(hessian, gradient)
        scale = 1.0
        while scale > 1e-4:
            trial = theta - scale * step
            value = _objective(x, base, y, trial)
            if value <= current:
                break
            scale /= 2
        else:
            break
        theta, improved = trial, current - value
        current = value
        if improved < 1e-9:
            break
    return theta


def _loss(total: np.ndarray, y: np.ndarray) -> float:
    """The log loss (nats) of log2 odds `total` against the marks `y`."""
    z = LN2 * total
    return float((np.logaddexp(0, z) - y * z).sum())


def _wrong(total: np.ndarray, y: np.ndarray, duplicate: float) -> int:
    threshold = math.log2(duplicate / (1 - duplicate)) if duplicate < 1 else 60.0
    return int(((total >= threshold) != (y == 1)).sum())


def refit(
    levels: dict[str, np.ndarray],
    base: np.ndarray,
    same: np.ndarray,
    sizes: dict[str, int],
    context: dict[str, Any],
) -> Refit:
    """Adjust the level weights to the marked pairs, if the held-out check agrees.

    Args:
        levels: each marked pair's level per comparison (-1: missing).
        base: each marked pair's log2 odds under the estimated weights.
        same: True where the pair was marked same.
        sizes: the number of levels of each comparison.
        context: ``ids`` (each pair's two ids), ``labels`` (level names per
            comparison), ``weights`` (the estimated log2 weight of each
            level) and ``duplicate`` (the duplicate threshold).

    Example: ``refit(levels, base, same, sizes, context).adjust["email"]``
    """
    zero = {name: np.zeros(size) for name, size in sizes.items()}
    y = same.astype(float)
    count = len(y)
    if count < MIN_MARKS:
        return Refit(
            count,
            False,
            f"{count} marks on people in the file: at least {MIN_MARKS} needed",
            zero,
        )
    x = _design(levels, sizes)
    duplicate = float(context["duplicate"])
    fold = np.arange(count) % FOLDS
    before = after = 0.0
    wrong_before = wrong_after = 0
    for k in range(FOLDS):
        test = fold == k
        theta = _fit(x[~test], base[~test], y[~test])
        refitted = base[test] + x[test] @ theta
        before += _loss(base[test], y[test])
        after += _loss(refitted, y[test])
        wrong_before += _wrong(base[test], y[test], duplicate)
        wrong_after += _wrong(refitted, y[test], duplicate)
    held_out = {
        "log_loss_before": round(before / count, 4),
        "log_loss_after": round(after / count, 4),
        "wrong_before": wrong_before,
        "wrong_after": wrong_after,
    }
    if after > before or wrong_after > wrong_before:
        reason = "held-out marks predicted no better by the refit weights"
        return Refit(count, False, reason, zero, held_out=held_out)
    theta = _fit(x, base, y)
    adjust: dict[str, np.ndarray] = {}
    start = 0
    for name, size in sizes.items():
        adjust[name] = theta[start : start + size]
        start += size
    moved = _moved(levels, base, y, adjust, context)
    return Refit(count, True, "", adjust, moved, held_out)


def _moved(
    levels: dict[str, np.ndarray],
    base: np.ndarray,
    y: np.ndarray,
    adjust: dict[str, np.ndarray],
    context: dict[str, Any],
) -> list[dict[str, Any]]:
    """Each weight the marks moved, and the marks that moved it most (those
    the estimated weights got most wrong)."""
    surprise = y - 1 / (1 + np.exp(-np.clip(LN2 * base, -40, 40)))
    ids: list[tuple[str, str]] = context["ids"]
    moved = []
    for name, change in adjust.items():
        for k, delta in enumerate(change.tolist()):
            if abs(delta) < SHOWN:
                continue
            at = np.flatnonzero(levels[name] == k)
            order = at[np.argsort(-np.sign(delta) * surprise[at], kind="stable")]
            weight = float(context["weights"][name][k])
            moved.append(
                {
                    "comparison": name,
                    "level": context["labels"][name][k],
                    "before": round(weight, 2),
                    "after": round(weight + delta, 2),
                    "same": int(y[at].sum()),
                    "different": int(len(at) - y[at].sum()),
                    "by": [
                        f"{ids[n][0]}~{ids[n][1]} {'same' if y[n] else 'different'}"
                        for n in order[:3].tolist()
                    ],
                }
            )
    moved.sort(key=lambda m: -abs(m["after"] - m["before"]))
    return moved
