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
prior and the fallback on small files. Pairs above the duplicate threshold are clustered
transitively; each cluster's original is its earliest record.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from claimflow.dedupe.blocking import FIXES, block_pairs
from claimflow.dedupe.compare import DEFAULT_METHODS, SCORERS, Method, present
from claimflow.dedupe.estimate import (
    Model,
    estimate_m,
    estimate_u,
    prior_log_odds,
    random_pairs,
    term_frequency,
)
from claimflow.dedupe.normalise import prepare, read_prepared
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


@dataclass
class DedupeResult:
    """Scored pairs and clusters.

    Attributes:
        pairs: one row per candidate pair at or above the review threshold:
            ids, probability, decision, per-field score, level and weight,
            and the blocking keys that found it.
        clusters: groups of duplicates with their original (earliest record).
        thresholds: the duplicate and review probabilities used.
        candidates: candidate pairs scored.
        records: people read.
        weights: the log2 weight of each level of each comparison used
            (estimated; a pair's name, city and postcode weights also carry
            the term-frequency adjustment of its value).
        methods: the comparison method (and parameters) of each field.
        model: what the estimation found (`claimflow.dedupe.estimate`): the
            share of candidates that match, the matched pairs behind m, the
            pairs in the review band and the matches it expects there.
    """

    pairs: pd.DataFrame
    clusters: list[dict[str, Any]] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)
    candidates: int = 0
    records: int = 0
    weights: dict[str, dict[str, float]] = field(default_factory=dict)
    methods: dict[str, dict[str, Any]] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, every_pair: bool = False) -> dict[str, Any]:
        """As plain data (what ``--json`` prints; ``--json --pairs``: `every_pair`).

        Args:
            every_pair: list every pair in `pairs`, the duplicates too;
                otherwise only the pairs to review (the duplicates are in
                `clusters`, and a large file has a great many).

        Returns:
            Thresholds, counts, methods, weights, clusters, and the pairs as
            one dict each (a missing score is None, never NaN).

        Example: ``dedupe_people(frame).to_dict()["clusters"]``
        """
        pairs = self.pairs
        if not every_pair and len(pairs):
            pairs = pairs[pairs["decision"] == "review"]
        return {
            "thresholds": self.thresholds,
            "records": self.records,
            "candidates": self.candidates,
            "methods": self.methods,
            "weights": self.weights,
            "model": self.model,
            "clusters": self.clusters,
            "pairs": records(pairs),
        }


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of `frame` as dicts of plain Python values, NaN as None.

    Column by column (``tolist``), not cell by cell as
    ``DataFrame.to_dict(orient="records")`` goes (0.1 s against 0.3 s for
    10,000 pairs), and with no NaN left for the JSON writer to hunt.

    Example: ``records(dedupe_people(frame).pairs)[0]["probability"]``
    """
    columns = []
    for name in frame.columns:
        values = frame[name].tolist()
        if frame[name].dtype.kind == "f":
            values = [None if math.isnan(v) else v for v in values]
        columns.append(values)
    names = [str(name) for name in frame.columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


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

    Example: ``dedupe_people(pd.read_csv("people.csv", dtype=str)).clusters``
    """
    if settings is not None:
        duplicate, review = settings.duplicate, settings.review
    prepared = (
        read_prepared(people, date_order=date_order)
        if isinstance(people, Path)
        else prepare(people.reset_index(drop=True), date_order)
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
    total = np.zeros(len(i))
    weights: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in COMPARISONS:
        weight, label = _weights(level_table[name], levels[name], tables[name])
        if model.random_pairs and name in TF_VALUES:
            weight = weight + term_frequency(
                TF_VALUES[name](prepared), levels[name], i, float(model.u[name][0])
            )
        weights[name] = weight, label
        total += weight
    prior = math.log2(model.share / (1 - model.share))
    if model.random_pairs:
        prior = prior_log_odds(total, model.share, len(prepared))
    total += prior
    probability = np.round(1 / (1 + np.power(2.0, -total)), 4)
    # Only the pairs at or above review become rows: most candidates are
    # distinct, and a row of 27 columns per candidate costs more than scoring.
    kept = np.flatnonzero(probability >= review)
    ids = prepared["id"].to_numpy()
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
    table["decision"] = np.where(
        table["probability"] >= duplicate, "duplicate", "review"
    )
    shown = pd.DataFrame(table)
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
    )
    result.clusters = _clusters(prepared, shown[shown["decision"] == "duplicate"])
    return result


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
    if not estimate or len(prepared) < 2:
        return Model(prior_m, prior_u, PRIOR, dict.fromkeys(COMPARISONS, 0.0), 0)
    ri, rj = random_pairs(len(prepared))
    _, random_levels = _compare(prepared, ri, rj, methods, level_table)
    u = estimate_u(random_levels, prior_u)
    m, matches = estimate_m(levels, found_by, keys, FIXES, prior_m, u)
    return Model(m, u, PRIOR, matches, len(ri))


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
        "random_pairs": model.random_pairs,
        "prior_log2_odds": round(prior, 2),
        "matches_behind_m": model.matches,
        "review_band": int(band.sum()),
        # The model's own expectations: matches in the band, and pairs
        # called duplicates that are two people.
        "expected_matches_in_band": round(float(probability[band].sum()), 1),
        "expected_false_duplicates": round(float((1 - probability[above]).sum()), 1),
    }


def _roots(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nodes of the edges (a, b), ascending, and each one's component, named
    by its smallest node.

    Each round hooks every root to the smallest root across its edges, then
    follows the links to the end; as a hook always points to a smaller node,
    no cycle forms and the last root standing is the component's minimum.
    """
    nodes = np.unique(np.concatenate([a, b]))
    a, b = np.searchsorted(nodes, a), np.searchsorted(nodes, b)
    parent = np.arange(len(nodes))
    while True:
        root_a, root_b = parent[a], parent[b]
        if np.array_equal(root_a, root_b):
            return nodes, nodes[parent]
        low = np.minimum(root_a, root_b)
        np.minimum.at(parent, root_a, low)
        np.minimum.at(parent, root_b, low)
        while True:  # to the end of each chain
            above = parent[parent]
            if np.array_equal(above, parent):
                break
            parent = above


def _clusters(prepared: pd.DataFrame, pairs: pd.DataFrame) -> list[dict[str, Any]]:
    if pairs.empty:
        return []
    # Row numbers by an index lookup: a dict of a million ids would cost 100 MB.
    index = pd.Index(prepared["id"])
    if index.is_unique:
        a, b = index.get_indexer(pairs["a"]), index.get_indexer(pairs["b"])
    else:  # an id listed twice: its last row, as a dict would have it
        position = {pid: n for n, pid in enumerate(prepared["id"])}
        a = pairs["a"].map(position).to_numpy()
        b = pairs["b"].map(position).to_numpy()
    nodes, roots = _roots(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
    # Members in row order, clusters in the order of their earliest member.
    order = np.lexsort((nodes, roots))
    nodes, roots = nodes[order], roots[order]
    bounds = np.flatnonzero(np.r_[True, roots[1:] != roots[:-1], True]).tolist()
    members = [str(pid) for pid in prepared["id"].to_numpy()[nodes].tolist()]
    return [
        {"participant_ids": members[start:end], "original": members[start]}
        for start, end in zip(bounds[:-1], bounds[1:], strict=True)
    ]
