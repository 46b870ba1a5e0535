"""Blocking for participant dedupe: the keys that bring candidate pairs together.

Each key is an integer per prepared row (-1: the row has no such key); rows
sharing a key form a block, and every pair inside a block of at most
``max_block`` rows is a candidate. Several keys run at once (`blocking_keys`),
so a typo in any single field does not hide a pair. `FIXES` names the
comparisons each key holds (nearly) equal inside its blocks: the weight
estimation (`claimflow.dedupe.estimate`) learns nothing about those from
that key's pairs.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from claimflow.dedupe.normalise import house_numbers, per_unique


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
    # Moved house (a new postcode) with a slip in the birth date or a name:
    # the same town still brings the pair together.
    yield "birth date + city", _key(col("dob"), col("city"))
    yield (
        "names either order + city",
        _key(np.minimum(first, last), np.maximum(first, last), col("city")),
    )
    initial = _codes(per_unique(prepared["last"], lambda name: name[:1]).to_numpy())
    yield (
        "first name sound + postcode + surname initial",
        _key(col("pf"), col("postcode"), initial),
    )


#: The comparisons each blocking key holds (nearly) equal inside its blocks:
#: its pairs say nothing about how often the same person agrees on them.
#: The city goes with the postcode (a postcode names its town), the address
#: with the house number.
FIXES: dict[str, frozenset[str]] = {
    "email": frozenset({"email"}),
    "phone": frozenset({"phone"}),
    "tax_id": frozenset({"tax_id"}),
    "surname sound + birth date (either order)": frozenset({"name", "dob"}),
    "names either order + birth date": frozenset({"name", "dob"}),
    "birth date + postcode": frozenset({"dob", "postcode", "city"}),
    "birth date + first name sound": frozenset({"dob", "name"}),
    "postcode + house number": frozenset({"postcode", "city", "address"}),
    "postcode + surname sound": frozenset({"postcode", "city", "name"}),
    "birth date + city": frozenset({"dob", "city"}),
    "names either order + city": frozenset({"name", "city"}),
    "first name sound + postcode + surname initial": frozenset(
        {"name", "postcode", "city"}
    ),
}


def block_pairs(
    prepared: pd.DataFrame, max_block: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Every candidate pair once, with the keys that found it.

    Returns:
        Row numbers `i` < `j` per pair (ascending by pair), a bit mask per
        pair (bit k: found by the k-th key) and the keys' names.

    Example: ``i, j, found_by, names = block_pairs(prepare(frame), 100)``
    """
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
    bits = np.zeros(len(unique), dtype=np.int64)
    np.bitwise_or.at(bits, inverse.ravel(), np.left_shift(1, which.astype(np.int64)))
    return unique // width, unique % width, bits, names
