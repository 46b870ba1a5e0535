"""Participant deduplication: the same person enrolled twice.

Records are normalised (`claimflow.dedupe.normalise`: accents, case,
punctuation, nicknames, phone digits, e-mail tags, address abbreviations),
then *blocked* on several keys at once (`blocking_keys`: e-mail, phone, tax
id, name sounds with the birth date, postcode with the house number or the
surname, ...), so a typo in any single field, a changed surname or a wrong
birth date does not hide a pair and cost grows close to linearly. Candidate pairs
are scored field by field in vectorised form (rapidfuzz ``cpdist``), each
field's level weighted by Fellegi-Sunter log-likelihood ratios (m and u
probabilities set by hand, listed in `LEVELS`), and the total turned into a
match probability. Pairs above the duplicate threshold are clustered
transitively; each cluster's original is its earliest record.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from claimflow.dedupe.compare import DEFAULT_METHODS, SCORERS, Method, present
from claimflow.dedupe.normalise import (
    house_numbers,
    per_unique,
    prepare,
    read_prepared,
)
from claimflow.values import DateOrder

if TYPE_CHECKING:
    from claimflow.dedupe.settings import DedupeSettings


def _block_pairs(keys: np.ndarray, max_block: int) -> np.ndarray:
    """All pairs (i < j) of rows sharing a key (-1: no key), in blocks up to `max_block`."""
    rows = np.flatnonzero(keys >= 0)
    if len(rows) == 0:
        return np.empty((0, 2), dtype=np.int64)
    order = np.argsort(keys[rows], kind="stable")
    rows = rows[order]
    sorted_codes = keys[rows]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    sizes = np.diff(np.r_[starts, len(sorted_codes)])
    pairs = []
    for size in np.unique(sizes):
        if size < 2 or size > max_block:
            continue
        group_starts = starts[sizes == size]
        members = rows[group_starts[:, None] + np.arange(size)]
        a, b = np.triu_indices(size, k=1)
        pairs.append(np.stack([members[:, a].ravel(), members[:, b].ravel()], axis=1))
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    found = np.concatenate(pairs)
    return np.sort(found, axis=1)


def _codes(values: np.ndarray) -> np.ndarray:
    """An integer per value, the same for equal values; -1 for the empty string."""
    codes, uniques = pd.factorize(values)
    empty = np.flatnonzero(np.asarray(uniques, dtype=object) == "")
    return np.where(codes == empty[0], -1, codes) if len(empty) else codes


def _key(
    *parts: np.ndarray, required: tuple[np.ndarray, ...] | None = None
) -> np.ndarray:
    """One integer per row for the combination of `parts`; -1 for no key.

    Each part is an integer per row (`_codes`: -1 for an empty value). A row
    has no key when any of `required` (default: every part) is -1.
    """
    combined = np.zeros(len(parts[0]), dtype=np.int64)
    for part in parts:
        codes, uniques = pd.factorize(part)
        combined, _ = pd.factorize(combined * (len(uniques) + 1) + codes)
    empty = np.zeros(len(combined), dtype=bool)
    for part in parts if required is None else required:
        empty |= part < 0
    return np.where(empty, -1, combined)


def blocking_keys(prepared: pd.DataFrame) -> Iterator[tuple[str, np.ndarray]]:
    """The blocking keys, by name, one at a time (each an integer per row; -1: none)."""
    coded: dict[str, np.ndarray] = {}

    def col(name: str) -> np.ndarray:
        # Each column coded once (text is slow to hash), then combined as integers.
        if name not in coded:
            coded[name] = _codes(prepared[name].to_numpy())
        return coded[name]

    dob = prepared["dob"].to_numpy()
    swapped = per_unique(
        prepared["dob"], lambda d: f"{d[:4]}-{d[8:10]}-{d[5:7]}" if d else ""
    ).to_numpy()
    either = _codes(np.where(dob < swapped, dob, swapped))
    # Names in either order: both sounds coded in one space, smaller first.
    sounds, _ = pd.factorize(
        np.concatenate([prepared["pf"].to_numpy(), prepared["pl"].to_numpy()])
    )
    first, last = sounds[: len(dob)], sounds[len(dob) :]
    yield "email", _key(col("email"))
    yield "phone", _key(col("phone"))
    yield "tax_id", _key(col("tax"))
    yield "surname sound + birth date (either order)", _key(col("pl"), either)
    yield (
        "names either order + birth date",
        _key(
            np.minimum(first, last), np.maximum(first, last), either, required=(either,)
        ),
    )
    yield "birth date + postcode", _key(col("dob"), col("postcode"))
    # A surname changed (marriage) or badly keyed: first name and birth date.
    yield "birth date + first name sound", _key(col("dob"), col("pf"))
    # Birth date missing or wrong: the same door, or the same family name there.
    house = house_numbers(prepared["address"])
    at_door = _key(col("postcode"), house, required=(col("postcode"),))
    yield "postcode + house number", np.where(house < 0, -1, at_door)
    yield "postcode + surname sound", _key(col("postcode"), col("pl"))
    initial = _codes(per_unique(prepared["last"], lambda name: name[:1]).to_numpy())
    yield (
        "first name sound + postcode + surname initial",
        _key(col("pf"), col("postcode"), initial),
    )


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
    m: np.ndarray,
    u: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: the log2 likelihood ratio of its level (0 when missing), and the level name."""
    table = np.log2(m / u)
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
        weights: the log2 weight of each level of each comparison used.
        methods: the comparison method (and parameters) of each field.
    """

    pairs: pd.DataFrame
    clusters: list[dict[str, Any]] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)
    candidates: int = 0
    records: int = 0
    weights: dict[str, dict[str, float]] = field(default_factory=dict)
    methods: dict[str, dict[str, Any]] = field(default_factory=dict)

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
            `duplicate` and `review`, its levels the defaults in `LEVELS`.
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
    names: list[str] = []
    found: list[np.ndarray] = []
    origin: list[np.ndarray] = []
    for n, (name, key) in enumerate(blocking_keys(prepared)):
        block = _block_pairs(key, max_block)
        names.append(name)
        found.append(block)
        origin.append(np.full(len(block), n, dtype=np.int8))
    # One code per pair; each intermediate array is let go as soon as it is
    # used (a million people give millions of candidate pairs).
    width = len(prepared) + 1
    all_pairs = np.concatenate(found) if found else np.empty((0, 2), dtype=np.int64)
    del found
    codes = all_pairs[:, 0] * width + all_pairs[:, 1]
    del all_pairs
    unique, inverse = np.unique(codes, return_inverse=True)
    del codes
    which = np.concatenate(origin) if origin else np.empty(0, dtype=np.int8)
    del origin
    i, j = unique // width, unique % width
    methods = DEFAULT_METHODS if settings is None else settings.methods()
    scores = _scores(prepared, i, j, methods)
    level_table = LEVELS if settings is None else settings.table()
    levels = {
        name: _level_index(level_table[name], scores[name]) for name in COMPARISONS
    }
    probabilities = hand_probabilities(level_table)
    total = np.zeros(len(i))
    weights: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in COMPARISONS:
        weights[name] = _weights(level_table[name], levels[name], *probabilities[name])
        total += weights[name][0]
    total += math.log2(PRIOR / (1 - PRIOR))
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
    bits = np.zeros(len(unique), dtype=np.int64)
    np.bitwise_or.at(bits, inverse.ravel(), np.left_shift(1, which.astype(np.int64)))
    table["found_by"] = [
        [n for k, n in enumerate(names) if mask >> k & 1]
        for mask in bits[kept].tolist()
    ]
    table["decision"] = np.where(
        table["probability"] >= duplicate, "duplicate", "review"
    )
    shown = pd.DataFrame(table)
    result = DedupeResult(
        shown,
        records=len(prepared),
        thresholds={"duplicate": duplicate, "review": review},
        candidates=len(unique),
        methods={name: methods[name].model_dump() for name in COMPARISONS},
        weights={
            name: {
                level[0]: round(math.log2(m / u), 2)
                for level, m, u in zip(
                    level_table[name], *probabilities[name], strict=True
                )
            }
            for name in COMPARISONS
        },
    )
    result.clusters = _clusters(prepared, shown[shown["decision"] == "duplicate"])
    return result


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
