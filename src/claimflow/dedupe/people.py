"""Participant deduplication: the same person enrolled twice.

Records are normalised (`claimflow.dedupe.normalise`: accents, case,
punctuation, nicknames, phone digits, e-mail tags, address abbreviations),
then *blocked* on several keys at once (`blocking_keys`: e-mail, phone, tax
id, name sounds with the birth date, postcode with the house number or the
surname, ...), so a typo in any single field, a changed surname or a wrong
birth date does not hide a pair and cost grows close to linearly. Candidate pairs
are scored field by field in vectorised form (rapidfuzz ``cpdist``), each
field's level weighted by Fellegi-Sunter log-likelihood ratios, and the
total turned into a match probability. The m and u probabilities are
estimated from the people themselves (`claimflow.dedupe.estimate`: u from
random pairs, m per blocking key, term frequencies for names and places, the
share of candidates that match), with the hand-set ones in `LEVELS` as the
prior and the fallback on small files (fewer than 100 random pairs of two
people: about 15 people). Pairs above the duplicate threshold are clustered
transitively; each cluster's original is its earliest record. Possible twins
(`claimflow.dedupe.twins`) are held for review, whatever they score, and no
cluster joins them, or two people a reviewer marked different, through a
third record (`claimflow.dedupe.decide`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from claimflow.dedupe.blocking import FIXES, block_pairs
from claimflow.dedupe.compare import DEFAULT_METHODS, SCORERS, Method, present
from claimflow.dedupe.decide import decide
from claimflow.dedupe.estimate import (
    Model,
    estimate_m,
    estimate_u,
    prior_log_odds,
    random_pairs,
    small_file,
    term_frequency,
    two_people,
)
from claimflow.dedupe.marks import Refit, refit
from claimflow.dedupe.normalise import prepare, read_prepared
from claimflow.dedupe.result import DedupeResult, clusters
from claimflow.dedupe.twins import possible_twins
from claimflow.values import DateOrder

if TYPE_CHECKING:
    from claimflow.dedupe.settings import DedupeSettings


# Fellegi-Sunter levels per comparison: (name, lowest score, m, u).
LEVELS: dict[str, list[tuple[str, float, float, float]]] = {
    "name": [
        ("exact", 0.999, 0.80, 0.001),
        ("close", 0.92, 0.15, 0.005),
        ("similar", 0.85, 0.03, 0.03),
        ("different", -1, 0.02, 0.964),
    ],
    "dob": [
        ("exact", 1.0, 0.90, 0.002),
        ("day/month swapped", 0.9, 0.04, 0.0005),
        ("close", 0.6, 0.03, 0.01),
        ("different", -1, 0.03, 0.9875),
    ],
    "email": [("exact", 1.0, 0.75, 0.0001), ("different", -1, 0.25, 0.9999)],
    "phone": [("exact", 1.0, 0.70, 0.0002), ("different", -1, 0.30, 0.9998)],
    "tax_id": [("exact", 1.0, 0.95, 0.00001), ("different", -1, 0.05, 0.99999)],
    "address": [
        ("same", 0.9, 0.70, 0.01),
        ("similar", 0.7, 0.15, 0.05),
        ("different", -1, 0.15, 0.94),
    ],
    "postcode": [("exact", 1.0, 0.85, 0.02), ("different", -1, 0.15, 0.98)],
    # Weaker than the postcode it mostly goes with (the two are not independent).
    "city": [
        ("same", 0.95, 0.80, 0.10),
        ("similar", 0.85, 0.08, 0.05),
        ("different", -1, 0.12, 0.85),
    ],
}
PRIOR = 1 / 2000  # share of candidate pairs expected to be true duplicates


def _jw(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    scores: np.ndarray = np.asarray(
        process.cpdist(
            list(a), list(b), scorer=JaroWinkler.normalized_similarity, workers=-1
        )
    )
    return scores


#: A name known in part (one side lacks its first or last name) scores at most
#: this share of its known part's similarity: evidence, never certainty.
PARTIAL_NAME = 0.92


def _names(p: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Names in either order, with nicknames (folded before) and initials.

    A first or last name missing on either side is not a disagreement: the
    pair is scored on the part both have (at most `PARTIAL_NAME`); NaN when
    they share no part.
    """
    first_i, first_j = p["first"].to_numpy()[i], p["first"].to_numpy()[j]
    last_i, last_j = p["last"].to_numpy()[i], p["last"].to_numpy()[j]
    first_jw, last_jw = _jw(first_i, first_j), _jw(last_i, last_j)
    straight = (first_jw + 2 * last_jw) / 3
    swapped = (_jw(first_i, last_j) + 2 * _jw(last_i, first_j)) / 3
    initial = np.array(
        [
            (len(a) == 1 or len(b) == 1) and a[:1] == b[:1]
            for a, b in zip(first_i, first_j, strict=True)
        ]
    )
    with_initial = np.where(initial, (0.9 + 2 * last_jw) / 3, 0)
    best: np.ndarray = np.maximum(np.maximum(straight, swapped), with_initial)
    has_first = present(first_i, first_j)
    has_last = present(last_i, last_j)
    partial = np.where(has_last, last_jw, np.where(has_first, first_jw, np.nan))
    scored: np.ndarray = np.where(has_first & has_last, best, PARTIAL_NAME * partial)
    return scored


def _level_index(
    levels: list[tuple[str, float, float, float]], scores: np.ndarray
) -> np.ndarray:
    """Each score's level (index into `levels`), -1 when a value is missing."""
    index = np.full(len(scores), -1, dtype=np.int8)
    assigned = np.isnan(scores)
    for k, (_, lowest, _, _) in enumerate(levels):
        hit = ~assigned & (scores >= lowest)
        index[hit] = k
        assigned |= hit
    return index


def _weights(
    levels: list[tuple[str, float, float, float]],
    index: np.ndarray,
    table: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: the log2 weight of its level (0 when missing), and the level name."""
    present = index >= 0
    weight = np.where(present, table[np.maximum(index, 0)], 0.0)
    labels = np.array(["missing"] + [level[0] for level in levels], dtype=object)
    return weight, labels[index + 1]


def hand_probabilities(
    table: dict[str, list[tuple[str, float, float, float]]],
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The m and u probabilities per comparison of a levels table (as `LEVELS`)."""
    return {
        name: (
            np.array([level[2] for level in levels]),
            np.array([level[3] for level in levels]),
        )
        for name, levels in table.items()
    }


COMPARISONS = (
    "name",
    "dob",
    "email",
    "phone",
    "tax_id",
    "address",
    "postcode",
    "city",
)


#: The prepared column each comparison reads (name reads first and last).
COLUMN_OF = {
    "dob": "dob",
    "email": "email",
    "phone": "phone",
    "tax_id": "tax",
    "address": "address",
    "postcode": "postcode",
    "city": "city",
}


def _full_name(p: pd.DataFrame) -> np.ndarray:
    """First and last name in a fixed order (a name matches in either order)."""
    first, last = p["first"].to_numpy(), p["last"].to_numpy()
    both: np.ndarray = np.where(first <= last, first + " " + last, last + " " + first)
    return np.where((first == "") & (last == ""), "", both)


#: The values whose term frequency adjusts their comparison's top level.
TF_VALUES: dict[str, Callable[[pd.DataFrame], np.ndarray]] = {
    "name": _full_name,
    "city": lambda p: p["city"].to_numpy(),
    "postcode": lambda p: p["postcode"].to_numpy(),
}


def _scores(
    p: pd.DataFrame, i: np.ndarray, j: np.ndarray, methods: dict[str, Method]
) -> dict[str, np.ndarray]:
    """Each comparison's score per pair (NaN where either value is missing)."""
    scores: dict[str, np.ndarray] = {}
    for name in COMPARISONS:
        method = methods[name]
        if method.method == "person_name":
            scores[name] = _names(p, i, j)
            continue
        if name == "name":
            values = (p["first"] + " " + p["last"]).str.strip().to_numpy()
        else:
            values = p[COLUMN_OF[name]].to_numpy()
        scores[name] = SCORERS[method.method](values[i], values[j], method)
    return scores


def dedupe_people(
    people: pd.DataFrame | Path,
    *,
    duplicate: float = 0.9,
    review: float = 0.5,
    max_block: int = 100,
    different: set[tuple[str, str]] | None = None,
    settings: DedupeSettings | None = None,
    date_order: DateOrder | None = None,
    marks: dict[tuple[str, str], str] | None = None,
    columns: Mapping[str, str] | None = None,
    language: str | None = None,
    encoding: str | None = None,
    encoding_by: str = "the client",
) -> DedupeResult:
    """Find people enrolled more than once.

    Args:
        people: rows with any subset of `COLUMNS` (``participant_id`` required),
            or the path of a CSV file of them (read in chunks, each normalised
            as it is read, so the raw text is never held whole).
        duplicate: probability at or above which a pair is the same person.
        review: probability at or above which a pair goes to a person.
        max_block: blocks larger than this are skipped (a key too common to tell).
        different: id pairs a reviewer marked different: never flagged again.
        settings: a client's ``dedupe`` section: its thresholds replace
            `duplicate` and `review`, its levels the defaults in `LEVELS`
            (as the prior of the estimated weights, or as they are when
            ``estimate`` is off).
        date_order: how to read birth dates keyed day or month first
            (``DMY``, ``MDY``); year-first dates are read regardless.
        marks: reviewers' latest marks, ``same`` or ``different`` per id
            pair: those whose two people are in the file refit the weights
            (`claimflow.dedupe.marks`), if the held-out check agrees; a pair
            marked different is never flagged again nor clustered through
            another record, a pair marked same is a duplicate whatever it
            scores (`claimflow.dedupe.decide`).
        columns: a CSV's folded header -> column (a client's
            `people_index`; default: the built-in aliases).
        language: the client's language (its locale's): names in its own
            romanisation where claimflow knows one (``uk``).
        encoding: a CSV's text encoding (the client's, or given for the
            file), as `encoding_by` names who declared it; None: detected.

    Example: ``dedupe_people(pd.read_csv("people.csv", dtype=str)).clusters``
    """
    if settings is not None:
        duplicate, review = settings.duplicate, settings.review
    prepared = (
        read_prepared(
            people, date_order=date_order, index=columns, language=language,
            encoding=encoding, encoding_by=encoding_by,
        )  # fmt: skip
        if isinstance(people, Path)
        else prepare(people.reset_index(drop=True), date_order, language)
    )
    i, j, found_by, names = block_pairs(prepared, max_block)
    methods = DEFAULT_METHODS if settings is None else settings.methods()
    level_table = LEVELS if settings is None else settings.table()
    scores, levels = _compare(prepared, i, j, methods, level_table)
    model = _model(
        prepared,
        levels,
        found_by,
        names,
        methods,
        level_table,
        settings is None or settings.estimate,
    )
    tables = model.tables()
    weights = _pair_weights(prepared, i, levels, model, level_table)
    total = np.sum([weights[name][0] for name in COMPARISONS], axis=0)
    prior = math.log2(model.share / (1 - model.share))
    if model.random_pairs:
        prior = prior_log_odds(total, model.share, len(prepared))
    total = total + prior
    learned = None
    if marks:
        learned = _learn(prepared, marks, model, methods, level_table, prior, duplicate)
        for name in COMPARISONS:
            change = learned.adjust[name]
            tables[name] = tables[name] + change
            shift = np.where(levels[name] >= 0, change[np.maximum(levels[name], 0)], 0)
            weights[name] = weights[name][0] + shift, weights[name][1]
            total += shift
    probability = np.round(1 / (1 + np.power(2.0, -total)), 4)
    # Only the pairs at or above review become rows: most candidates are
    # distinct, and a row of 27 columns per candidate costs more than scoring.
    # A pair a reviewer marked same is one person whatever it scores.
    kept = np.flatnonzero((probability >= review) | _marked_same(prepared, i, j, marks))
    ids = prepared["id"].to_numpy()
    different = (different or set()) | {
        pair for pair, mark in (marks or {}).items() if mark == "different"
    }
    if different:
        marked = {tuple(sorted(p)) for p in different}
        kept = kept[
            np.array(
                [
                    tuple(sorted((a, b))) not in marked
                    for a, b in zip(ids[i[kept]], ids[j[kept]], strict=True)
                ],
                dtype=bool,
            )
        ]
    table: dict[str, Any] = {"a": ids[i[kept]], "b": ids[j[kept]]}
    for name in COMPARISONS:
        weight, level = weights[name]
        table[f"{name}_score"] = np.round(scores[name][kept], 3)
        table[f"{name}_level"] = level[kept]
        table[f"{name}_weight"] = np.round(weight[kept], 2)
    table["probability"] = probability[kept]
    # Which blocking keys found each pair: a bit mask per candidate, named per row.
    table["found_by"] = [
        [n for k, n in enumerate(names) if mask >> k & 1]
        for mask in found_by[kept].tolist()
    ]
    # Possible twins go to a person whatever they score (`claimflow.dedupe.twins`),
    # unless a person marked them same; no cluster joins two people held apart.
    twins = possible_twins(
        prepared, i[kept], j[kept], {name: levels[name][kept] for name in COMPARISONS}
    )
    apart = {(min(p), max(p)): "different" for p in different}
    shown = decide(pd.DataFrame(table), twins, duplicate, {**(marks or {}), **apart})
    result = DedupeResult(
        shown,
        records=len(prepared),
        thresholds={"duplicate": duplicate, "review": review},
        candidates=len(i),
        methods={name: methods[name].model_dump() for name in COMPARISONS},
        weights={
            name: {
                level[0]: round(float(w), 2)
                for level, w in zip(level_table[name], tables[name], strict=True)
            }
            for name in COMPARISONS
        },
        model=_summary(model, prior, probability, review, duplicate),
        marks=learned,
    )
    result.clusters = clusters(prepared, shown[shown["decision"] == "duplicate"])
    return result


def _marked_same(
    prepared: pd.DataFrame,
    i: np.ndarray,
    j: np.ndarray,
    marks: dict[tuple[str, str], str] | None,
) -> np.ndarray:
    """Per candidate pair: whether a reviewer's latest mark calls it one person."""
    same = [pair for pair, mark in (marks or {}).items() if mark == "same"]
    if not same:
        return np.zeros(len(i), dtype=bool)
    index = pd.Index(prepared["id"])
    a = index.get_indexer([p[0] for p in same])
    b = index.get_indexer([p[1] for p in same])
    known = (a >= 0) & (b >= 0)
    n = len(prepared)
    wanted = np.minimum(a, b)[known].astype(np.int64) * n + np.maximum(a, b)[known]
    low, high = np.minimum(i, j).astype(np.int64), np.maximum(i, j).astype(np.int64)
    found: np.ndarray = np.isin(low * n + high, wanted)
    return found


def _pair_weights(
    prepared: pd.DataFrame,
    i: np.ndarray,
    levels: dict[str, np.ndarray],
    model: Model,
    level_table: dict[str, list[tuple[str, float, float, float]]],
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per comparison: each pair's log2 weight (its level's, plus the term
    frequency of its value where estimated) and its level's name."""
    tables = model.tables()
    weights: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in COMPARISONS:
        weight, label = _weights(level_table[name], levels[name], tables[name])
        if model.random_pairs and name in TF_VALUES:
            weight = weight + term_frequency(
                TF_VALUES[name](prepared), levels[name], i, float(model.u[name][0])
            )
        weights[name] = weight, label
    return weights


def _learn(
    prepared: pd.DataFrame,
    marks: dict[tuple[str, str], str],
    model: Model,
    methods: dict[str, Method],
    level_table: dict[str, list[tuple[str, float, float, float]]],
    prior: float,
    duplicate: float,
) -> Refit:
    """The weights refit to the marked pairs whose people are in the file."""
    index = pd.Index(prepared["id"])
    pairs = sorted(marks)
    a = index.get_indexer([p[0] for p in pairs])
    b = index.get_indexer([p[1] for p in pairs])
    known = (a >= 0) & (b >= 0) & (a != b)
    a, b = a[known], b[known]
    kept = [p for p, k in zip(pairs, known.tolist(), strict=True) if k]
    i, j = np.minimum(a, b), np.maximum(a, b)
    _, levels = _compare(prepared, i, j, methods, level_table)
    weights = _pair_weights(prepared, i, levels, model, level_table)
    base = np.sum([weights[name][0] for name in COMPARISONS], axis=0) + prior
    context = {
        "ids": kept,
        "labels": {name: [lv[0] for lv in level_table[name]] for name in COMPARISONS},
        "weights": model.tables(),
        "duplicate": duplicate,
    }
    same = np.array([marks[p] == "same" for p in kept], dtype=bool)
    sizes = {name: len(level_table[name]) for name in COMPARISONS}
    return refit(levels, np.asarray(base, dtype=float), same, sizes, context)


def _compare(
    prepared: pd.DataFrame,
    i: np.ndarray,
    j: np.ndarray,
    methods: dict[str, Method],
    level_table: dict[str, list[tuple[str, float, float, float]]],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Each comparison's score and level per pair."""
    scores = _scores(prepared, i, j, methods)
    levels = {
        name: _level_index(level_table[name], scores[name]) for name in COMPARISONS
    }
    return scores, levels


def _model(
    prepared: pd.DataFrame,
    levels: dict[str, np.ndarray],
    found_by: np.ndarray,
    keys: list[str],
    methods: dict[str, Method],
    level_table: dict[str, list[tuple[str, float, float, float]]],
    estimate: bool,
) -> Model:
    """The weights: estimated from these people (`claimflow.dedupe.estimate`),
    the hand-set ones as the prior; or the hand-set ones alone."""
    hand = hand_probabilities(level_table)
    prior_m = {name: hand[name][0] for name in COMPARISONS}
    prior_u = {name: hand[name][1] for name in COMPARISONS}
    none = dict.fromkeys(COMPARISONS, 0.0)
    if not estimate or len(prepared) < 2:
        return Model(prior_m, prior_u, PRIOR, none, 0, small_file=estimate)
    ri, rj = random_pairs(len(prepared))
    _, random_levels = _compare(prepared, ri, rj, methods, level_table)
    apart = two_people(random_levels, prior_m, prior_u, PRIOR)
    behind = round(float(apart.sum()), 1)
    if small_file(apart):
        return Model(prior_m, prior_u, PRIOR, none, 0, behind, small_file=True)
    # Every pair drawn: the file's repeats are all among them, weighed out.
    # A sample of a larger file holds a few in 100,000 (`estimate` says why
    # it is left as it is).
    everyone = len(ri) == len(prepared) * (len(prepared) - 1) // 2
    u = estimate_u(random_levels, prior_u, apart if everyone else None)
    m, matches = estimate_m(levels, found_by, keys, FIXES, prior_m, u)
    return Model(m, u, PRIOR, matches, len(ri), behind)


def _summary(
    model: Model,
    prior: float,
    probability: np.ndarray,
    review: float,
    duplicate: float,
) -> dict[str, Any]:
    """What the model estimated, and what it expects of its own decisions."""
    band = (probability >= review) & (probability < duplicate)
    above = probability >= duplicate
    return {
        "estimated": model.random_pairs > 0,
        # Hand-set weights because the file is too small to estimate them.
        "small_file": model.small_file,
        "random_pairs": model.random_pairs,
        "pairs_behind_u": model.two_people,
        "prior_log2_odds": round(prior, 2),
        "matches_behind_m": model.matches,
        "review_band": int(band.sum()),
        # The model's own expectations: matches in the band, and pairs
        # called duplicates that are two people.
        "expected_matches_in_band": round(float(probability[band].sum()), 1),
        "expected_false_duplicates": round(float((1 - probability[above]).sum()), 1),
    }
