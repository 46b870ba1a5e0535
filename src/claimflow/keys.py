"""How invoice, serial and confirmation numbers are folded for comparison.

`normalize_key` is the one fold the batch rules, the stored dedupe keys and
serials, verification and the record rules share (re-exported by
`claimflow.validate.batch`, where it was first).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_KEY_JUNK = str.maketrans("", "", " \t\r\n-_./#")
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
# An O, I or L between two digits was keyed for 0 or 1 (``2O17`` is ``2017``).
_LETTER_IN_NUMBER = re.compile(r"(?<=[0-9])[OIL](?=[0-9])")
_DIGIT_OF = {"O": "0", "I": "1", "L": "1"}


#: Letters of other scripts a keyboard layout or a locale's upper case puts
#: where a Latin one was meant (trials 25-26: a Cyrillic С in ``СN1001``, a
#: Turkish İ from upper-casing ``i``), uppercase, as the fold meets them.
_LOOK_ALIKES = str.maketrans(
    {
        "İ": "I", "\u0307": None,  # Turkish dotted I; a combining dot above
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
        "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J",
        "Ѕ": "S", "Ԛ": "Q", "Ԝ": "W",  # Cyrillic
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K",
        "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",  # Greek
    }
)  # fmt: skip


def _latin(value: str) -> str:
    """A key's text in the Latin letters and ASCII digits it was meant in:
    NFKC (full-width forms, a decomposed İ), upper case, look-alike letters
    of other scripts, and digits of any script as their values (``١٠٤٢٣٣``
    is 104233: each is one digit, read exactly)."""
    return ascii_digits(
        unicodedata.normalize("NFKC", value).upper().translate(_LOOK_ALIKES)
    )


def ascii_digits(value: str) -> str:
    """`value` with digits of any script written 0-9 (exact: each is one
    digit); everything else as it was. For ids that name an account.

    Example: ``ascii_digits("١٠٤٢٣٣") == "104233"``
    """
    if value.isascii():
        return value
    return "".join(
        str(unicodedata.decimal(c)) if not c.isascii() and c.isdecimal() else c
        for c in value
    )


# Cached: the batch rules, the stored serials and the dedupe keys each fold
# the same serial and invoice numbers of a chunk.
@lru_cache(maxsize=1 << 17)
def normalize_key(value: str) -> str:
    """Fold an invoice, serial or confirmation number for exact comparison.

    Case, spaces, dashes, dots and slashes go; an O, I or L between digits
    becomes 0 or 1; leading zeros of a number go. Text beyond ASCII is
    first brought to the Latin letters and ASCII digits it was meant in
    (`_latin`): a key keyed on another layout meets its twin.

    Example: ``normalize_key(" inv-000123 ") == "INV123"``, and
    ``normalize_key("INV-2O17") == "INV2017"``
    """
    folded = (value.upper() if value.isascii() else _latin(value)).translate(_KEY_JUNK)
    if "O" in folded or "I" in folded or "L" in folded:
        folded = _LETTER_IN_NUMBER.sub(lambda m: _DIGIT_OF[m[0]], folded)
    return _LEADING_ZEROS.sub("", folded) if "0" in folded else folded
