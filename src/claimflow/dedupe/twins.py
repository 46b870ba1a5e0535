"""Possible twins: pairs a high score must not settle alone.

Input: the prepared people (`claimflow.dedupe.normalise.prepare`), candidate
pairs (row numbers ``i``, ``j``) and each comparison's level per pair.
Output: per pair, whether it looks like two siblings born the same day under
one roof rather than one person enrolled twice.

Fellegi-Sunter adds each field's evidence as if the fields were independent.
For twins they are not: the birth date, the family name and the address
(with its postcode and city, one fact counted three times) all agree
*because* they are a family, and their differing first names and contacts
weigh little, since one person's e-mail or phone also changes between
enrolments. So such a pair can score 1.0. Nothing in the scores can tell
twins from a re-enrolment with a new e-mail and a misspelt first name; a
person can. The pair is held for review, never called a duplicate:

- the birth dates are the same (the comparison's top level) and so are the
  family names (as normalised) and the addresses (top level);
- the first names differ: both known, not the same name once nicknames are
  folded (`claimflow.dedupe.normalise.NICKNAMES`), neither the other's
  initial nor a part of a double first name;
- every personal identifier both records have (e-mail, phone, tax id)
  differs, and they have at least one: one shared e-mail or phone is one
  person, and with nothing to compare nothing says they are two. A tax id
  one keying slip from the other (a digit or two neighbours swapped) is
  the same id mis-keyed, not a second one, unless the two are numbers in
  sequence (`SIBLING_GAP`), as siblings registered together are often
  given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz.distance import OSA

#: What a held pair's explanation says first.
POSSIBLE_TWINS = (
    "possible twins: same birth date and address, different first names and contacts"
)

#: Personal identifiers: one agreeing says one person, all differing two.
CONTACTS = ("email", "phone", "tax_id")


#: Tax ids this close as numbers may be siblings' (issued in sequence).
SIBLING_GAP = 2


def _slipped_tax_id(a: str, b: str) -> bool:
    """One tax id keyed with a slip: one edit or swap apart, not in sequence."""
    if OSA.distance(a, b, score_cutoff=2) > 1:
        return False
    in_sequence = a.isdigit() and b.isdigit() and abs(int(a) - int(b)) <= SIBLING_GAP
    return not in_sequence


def _other_first_name(a: str, b: str) -> bool:
    """Two known first names that are not one name written two ways."""
    if not a or not b or a == b:
        return False
    if (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b)):
        return False  # an initial
    words_a, words_b = set(a.split()), set(b.split())
    return not (words_a <= words_b or words_b <= words_a)  # "jose" of "jose maria"


def possible_twins(
    prepared: pd.DataFrame,
    i: np.ndarray,
    j: np.ndarray,
    levels: dict[str, np.ndarray],
) -> np.ndarray:
    """Which pairs may be twins (see the module docstring).

    Args:
        prepared: the normalised people.
        i: each pair's first row.
        j: each pair's second row.
        levels: comparison -> each pair's level index (0 the top, -1 missing).

    Returns:
        A boolean per pair.

    Example: ``possible_twins(prepared, i, j, levels).sum()``
    """
    last = prepared["last"].to_numpy()
    family = (last[i] != "") & (last[i] == last[j])
    held: np.ndarray = (levels["dob"] == 0) & (levels["address"] == 0) & family
    compared = np.zeros(len(i), dtype=bool)
    for name in CONTACTS:
        compared |= levels[name] >= 0
        held &= levels[name] != 0  # an agreeing identifier: one person
    held &= compared
    first, tax = prepared["first"].to_numpy(), prepared["tax"].to_numpy()
    for n in np.flatnonzero(held).tolist():
        a, b = i[n], j[n]
        held[n] = _other_first_name(first[a], first[b]) and not (
            tax[a] and tax[b] and _slipped_tax_id(tax[a], tax[b])
        )
    return held
