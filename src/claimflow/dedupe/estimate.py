"""Fellegi-Sunter weights estimated from the people being deduplicated.

The hand-set m and u probabilities (`claimflow.dedupe.people.LEVELS`, or a
client's ``dedupe.levels``) are the prior; the data move them as far as they
have evidence, so a small file keeps them and a large one speaks for itself:

- **u** (how often two different people reach a level) from random pairs of
  records (`U_SAMPLE`, drawn from a fixed seed), blended with the prior as
  `U_PRIOR_PAIRS` pseudo-pairs; a level seen fewer than `MIN_SEEN` times
  keeps its hand-set u (the sample is too small to say how rare it is).
  When every pair of the file is drawn (up to 447 people), each counts as
  much as the hand-set model's probability that it is two people
  (`two_people`). Splink's random sampling takes every random pair for two
  people, which holds for a sample of a larger file (13 in 100,000 on
  FEBRL2) but not for a small file's every pair, among which are all its
  repeats (in a 6-person list with one person keyed 4 times, 7 of its 15
  pairs): counted as two people, they made an exact name and birth date
  look common, each weighing under 4 bits instead of nearly 10, and exact
  repeats fell below review. A sample is left as splink leaves it: weighing
  out its few repeats, tried, left the top name and birth-date levels seen
  fewer than `MIN_SEEN` times, so back at their cautious hand-set u (on
  FEBRL2 12.4 bits down to 8.7, and recall without the national id 0.9850
  down to 0.9824).
- **a small file keeps the hand-set weights whole** (`small_file`): when the
  random pairs that are two people number fewer than the `U_PRIOR_PAIRS`
  pseudo-pairs the hand-set u weighs as, the file says less about u than
  the prior does, and less still about m and the values' frequencies (a
  name keyed four times for one person is no common name); nothing is
  estimated, and the result says so.
- **m** (how often the same person does) per blocking key, as splink trains
  it: over the pairs a key produces, expectation-maximisation with u held
  fixed estimates m for the comparisons the key does *not* fix
  (`claimflow.dedupe.blocking.FIXES`); the fixed ones are left out, which is
  what breaks plain EM on blocked pairs. Each comparison's expected match
  counts are summed over the keys that leave it free and blended with the
  prior as `M_PRIOR_PAIRS` pseudo-matches.
- **term frequencies** for names, cities and postcodes: agreeing on a value
  few people share is stronger evidence than on a common one. The top
  level's weight is adjusted by ``log2(u / tf(value))``, the value's share
  counted without the pair itself and shrunk toward u by `TF_PSEUDO`
  pseudo-records, within `TF_CAP` bits.
- **the prior odds of a match**, by EM over all candidate pairs with the
  weights above. As u comes from random pairs, a pair starts from the odds
  of two random records (the expected matches over every pair of people,
  as splink's ``probability_two_random_records_match``), not of two
  candidates: the blocking's own evidence is not counted twice. Blended
  with the hand-set odds of `claimflow.dedupe.people.PRIOR` as
  `SHARE_PRIOR_PAIRS` pseudo-candidates. With it the probability is
  the model's estimate that a pair is one person, so ``review`` and ``duplicate`` are
  probabilities, and the pairs between them the model's uncertain band.

How the constants were chosen (never on FEBRL, the external benchmark): by
principle, as pseudo-counts small beside the data of a real programme
(tens of thousands of people) and large beside a test's dozen rows, and
checked on the generated people of `benchmarks/generate.py` (seed 7; seed 8
held out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Random pairs drawn to estimate u (every pair when there are fewer).
U_SAMPLE = 100_000
#: A level seen fewer times among the random pairs keeps its hand-set u.
MIN_SEEN = 5
#: The hand-set u weighs as much as this many random pairs.
U_PRIOR_PAIRS = 100.0
#: The hand-set m weighs as much as this many matched pairs.
M_PRIOR_PAIRS = 20.0
#: The hand-set prior odds weigh as much as this many candidate pairs.
SHARE_PRIOR_PAIRS = 2000.0
#: A value's term frequency is shrunk toward u as if by this many records.
TF_PSEUDO = 1000.0
#: A term-frequency adjustment is at most this many bits either way.
TF_CAP = 5.0
#: Rounds of expectation-maximisation (it settles in a few dozen at most).
EM_ROUNDS = 30
#: Seed of the random pairs: the same file gives the same weights.
SEED = 0

Levels = dict[str, np.ndarray]


@dataclass(frozen=True)
class Model:
    """Estimated probabilities per comparison level.

    Attributes:
        m: per comparison, the probability of each level for the same person.
        u: per comparison, the probability of each level for two people.
        share: the hand-set share of candidate pairs that are matches.
        matches: per comparison, the expected matched pairs behind its m
            (0: the hand-set m stands).
        random_pairs: random pairs behind u (0: the hand-set weights stand).
        two_people: the random pairs counted for u, each weighed by its
            probability of being two people (`two_people`).
        small_file: the hand-set weights stand because the file is too small
            to estimate them (`small_file`).
    """

    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    share: float
    matches: dict[str, float]
    random_pairs: int
    two_people: float = 0.0
    small_file: bool = False

    def tables(self) -> dict[str, np.ndarray]:
        """The log2 weight of each level of each comparison."""
        return {c: np.log2(self.m[c] / self.u[c]) for c in self.m}


def random_pairs(n: int, size: int = U_SAMPLE) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs (i < j) drawn at random from `n` rows; all of them when fewer.

    Example: ``i, j = random_pairs(len(prepared))``
    """
    if n * (n - 1) // 2 <= size:
        i, j = np.triu_indices(n, k=1)
        return i.astype(np.int64), j.astype(np.int64)
    rng = np.random.default_rng(SEED)
    a = rng.integers(0, n, size + size // 10)
    b = rng.integers(0, n, size + size // 10)
    keep = a != b
    a, b = a[keep][:size], b[keep][:size]
    return np.minimum(a, b), np.maximum(a, b)


def two_people(
    levels: Levels,
    prior_m: dict[str, np.ndarray],
    prior_u: dict[str, np.ndarray],
    prior: float,
) -> np.ndarray:
    """Per pair: the hand-set model's probability that it is two people.

    Args:
        levels: each pair's level per comparison (-1: missing).
        prior_m: the hand-set m per comparison.
        prior_u: the hand-set u per comparison.
        prior: the hand-set odds of a match, as a share (`people.PRIOR`).

    Example: ``two_people(random_levels, hand_m, hand_u, 1 / 2000).sum()``
    """
    ratio = {c: np.log2(prior_m[c] / prior_u[c]) for c in prior_m}
    total = _log_ratio(levels, ratio, list(prior_m)) + np.log2(prior / (1 - prior))
    apart: np.ndarray = 1 / (1 + np.power(2.0, np.clip(total, -60, 60)))
    return apart


def small_file(apart: np.ndarray) -> bool:
    """Whether the random pairs that are two people (`two_people`, summed) are
    too few to move the hand-set u: fewer than its `U_PRIOR_PAIRS`.

    Example: ``small_file(np.full(15, 0.5))``
    """
    return float(apart.sum()) < U_PRIOR_PAIRS


def estimate_u(
    levels: Levels,
    prior: dict[str, np.ndarray],
    apart: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """u per comparison from the levels of random pairs, the prior blended in.

    Args:
        levels: each random pair's level per comparison (-1: missing).
        prior: the hand-set u per comparison.
        apart: how much each pair counts: its probability of being two
            people (`two_people`; default: each counts whole).

    Example: ``estimate_u({"dob": dob_levels}, {"dob": hand_u})["dob"]``
    """
    out: dict[str, np.ndarray] = {}
    for name, hand in prior.items():
        index = levels[name]
        seen = index >= 0
        counts = np.bincount(
            index[seen],
            weights=None if apart is None else apart[seen],
            minlength=len(hand),
        ).astype(float)
        estimate = (counts + U_PRIOR_PAIRS * hand) / (counts.sum() + U_PRIOR_PAIRS)
        kept = counts < MIN_SEEN
        if not kept.all():
            left = max(1.0 - float(hand[kept].sum()), 1e-6)
            estimate[~kept] *= left / estimate[~kept].sum()
        estimate[kept] = hand[kept]
        out[name] = estimate
    return out


def _patterns(
    levels: Levels, sizes: dict[str, int], rows: np.ndarray | None = None
) -> tuple[Levels, np.ndarray]:
    """The distinct comparison vectors of some pairs, and how many pairs have each."""
    code = np.zeros(len(next(iter(levels.values()))), dtype=np.int64)
    for name, size in sizes.items():
        code = code * (size + 1) + (levels[name].astype(np.int64) + 1)
    if rows is not None:
        code = code[rows]
    unique, counts = np.unique(code, return_counts=True)
    decoded: Levels = {}
    for name, size in reversed(sizes.items()):
        decoded[name] = (unique % (size + 1) - 1).astype(np.int64)
        unique = unique // (size + 1)
    return decoded, counts.astype(float)


def _log_ratio(
    levels: Levels, ratio: dict[str, np.ndarray], names: list[str]
) -> np.ndarray:
    """Per pattern: the sum of the log ratios of its levels (0 where missing)."""
    total = np.zeros(len(levels[names[0]]) if names else 0)
    for name in names:
        index = levels[name]
        total += np.where(index >= 0, ratio[name][np.maximum(index, 0)], 0.0)
    return total


def _em(
    levels: Levels,
    counts: np.ndarray,
    free: list[str],
    prior_m: dict[str, np.ndarray],
    u: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """EM over one key's patterns, u fixed: the expected matches at each level
    of each free comparison."""
    m = {c: prior_m[c].copy() for c in free}
    share = 0.5
    tallies: dict[str, np.ndarray] = {}
    for _ in range(EM_ROUNDS):
        ratio = {c: np.log(m[c] / u[c]) for c in free}
        logit = np.log(share / (1 - share)) + _log_ratio(levels, ratio, free)
        weight = counts / (1 + np.exp(-np.clip(logit, -50, 50)))
        share = float(np.clip(weight.sum() / counts.sum(), 1e-6, 1 - 1e-6))
        for c in free:
            index = levels[c]
            seen = index >= 0
            tallies[c] = np.bincount(
                index[seen], weights=weight[seen], minlength=len(prior_m[c])
            )
            m[c] = (tallies[c] + M_PRIOR_PAIRS * prior_m[c]) / (
                tallies[c].sum() + M_PRIOR_PAIRS * prior_m[c].sum()
            )
    return tallies


def estimate_m(
    levels: Levels,
    found_by: np.ndarray,
    keys: list[str],
    fixes: dict[str, frozenset[str]],
    prior_m: dict[str, np.ndarray],
    u: dict[str, np.ndarray],
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """m per comparison, estimated key by key over the pairs each key found.

    Args:
        levels: each candidate pair's level per comparison (-1: missing).
        found_by: a bit mask per pair (bit k: found by ``keys[k]``).
        keys: the blocking keys' names.
        fixes: the comparisons each key holds equal (left out of its EM).
        prior_m: the hand-set m per comparison.
        u: the estimated u per comparison (held fixed).

    Returns:
        m per comparison, and the expected matches behind each.

    Example: ``m, matches = estimate_m(levels, bits, names, FIXES, hand_m, u)``
    """
    sizes = {c: len(prior_m[c]) for c in prior_m}
    expected = {c: np.zeros(size) for c, size in sizes.items()}
    for k, key in enumerate(keys):
        rows = np.flatnonzero((found_by >> k) & 1)
        free = [c for c in sizes if c not in fixes.get(key, frozenset())]
        if len(rows) == 0 or not free:
            continue
        patterns, counts = _patterns(levels, sizes, rows)
        for c, tally in _em(patterns, counts, free, prior_m, u).items():
            expected[c] += tally
    m = {
        c: (expected[c] + M_PRIOR_PAIRS * prior_m[c])
        / (expected[c].sum() + M_PRIOR_PAIRS * prior_m[c].sum())
        for c in sizes
    }
    return m, {c: round(float(expected[c].sum()), 1) for c in sizes}


def prior_log_odds(total: np.ndarray, prior: float, people: int) -> float:
    """The log2 prior odds of a match that every pair starts from.

    The weights' u come from random pairs, so the odds are those of two
    *random* records: the expected matches (all among the candidates, which
    is what blocking is for) over every pair of the `people`, found by EM
    over the candidates' log2 weights `total`. Blended with the hand-set odds
    of a candidate (`prior`, a share of candidates) in proportion of
    candidates to `SHARE_PRIOR_PAIRS` pseudo-candidates: a small file keeps
    the hand-set odds.

    Example: ``prior_log_odds(np.array([20.0, -10.0]), 1 / 2000, 1000)``
    """
    hand = float(np.log2(prior / (1 - prior)))
    everyone = people * (people - 1) / 2
    if len(total) == 0 or everyone <= len(total):
        return hand
    # Pairs with nearly the same weight counted together: a million
    # candidates are a few thousand distinct weights.
    values, counts = np.unique(np.round(total, 2), return_counts=True)
    expected = prior * len(total)
    for _ in range(EM_ROUNDS):
        logit = np.log2(expected / (everyone - expected)) + values
        expected = float((counts / (1 + np.power(2.0, -np.clip(logit, -60, 60)))).sum())
        expected = min(max(expected, 1e-3), len(total) - 1e-3)
    estimated = float(np.log2(expected / (everyone - expected)))
    return (len(total) * estimated + SHARE_PRIOR_PAIRS * hand) / (
        len(total) + SHARE_PRIOR_PAIRS
    )


def term_frequency(
    values: np.ndarray, index: np.ndarray, i: np.ndarray, u_top: float
) -> np.ndarray:
    """Per pair: the log2 adjustment of the top level's weight for its value.

    Args:
        values: one value per row ("" for none).
        index: each pair's level (0: the top level, where it applies).
        i: each pair's first row (whose value is counted).
        u_top: the top level's u.

    Example: ``term_frequency(surnames, name_levels, i, 0.001)``
    """
    codes, _ = pd.factorize(values)
    counts = np.bincount(codes)
    known = int((values != "").sum())
    seen = np.maximum(counts[codes[i]] - 2, 0)
    share = (seen + TF_PSEUDO * u_top) / (max(known - 2, 0) + TF_PSEUDO)
    adjust = np.clip(np.log2(u_top / share), -TF_CAP, TF_CAP)
    out: np.ndarray = np.where(index == 0, adjust, 0.0)
    return out
