"""How invoice, serial and confirmation numbers are folded for comparison.

`normalize_key` is the one fold the batch rules, the stored dedupe keys and
serials, verification and the record rules share (re-exported by
`claimflow.validate.batch`, where it was first).
"""

from __future__ import annotations

import re
from functools import lru_cache

_KEY_JUNK = str.maketrans("", "", " \t\r\n-_./#")
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
# An O, I or L between two digits was keyed for 0 or 1 (``2O17`` is ``2017``).
_LETTER_IN_NUMBER = re.compile(r"(?<=[0-9])[OIL](?=[0-9])")
_DIGIT_OF = {"O": "0", "I": "1", "L": "1"}


# Cached: the batch rules, the stored serials and the dedupe keys each fold
# the same serial and invoice numbers of a chunk.
@lru_cache(maxsize=1 << 17)
def normalize_key(value: str) -> str:
    """Fold an invoice, serial or confirmation number for exact comparison.

    Case, spaces, dashes, dots and slashes go; an O, I or L between digits
    becomes 0 or 1; leading zeros of a number go.

    Example: ``normalize_key(" inv-000123 ") == "INV123"``, and
    ``normalize_key("INV-2O17") == "INV2017"``
    """
    folded = value.upper().translate(_KEY_JUNK)
    if "O" in folded or "I" in folded or "L" in folded:
        folded = _LETTER_IN_NUMBER.sub(lambda m: _DIGIT_OF[m[0]], folded)
    return _LEADING_ZEROS.sub("", folded) if "0" in folded else folded
