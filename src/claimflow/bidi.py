"""Invisible direction marks in keyed values: dropped where they cannot
change what was written, refused by name where they can.

Right-to-left text (Arabic, Hebrew, Persian) carries invisible formatting
characters that steer how a line is drawn: Babel's ar_AE date is
``13\\u200f/10\\u200f/2026`` with a right-to-left mark (U+200F) after the day and the
month, its AED amount ``\\u200f1,234.56 د.إ.\\u200f`` opens and closes with one, and a
spreadsheet or a phone keyboard adds them around what a participant types.
They look like nothing, so a message asking for ``DD/MM/YYYY`` in answer
to a date that looks exactly so would send back a value nobody can fix.

The characters of the text keep their order whatever marks sit between
them: that order is the one they were keyed in, and the one a reader of
the line's own direction reads (``13\\u200f/10\\u200f/2026`` is drawn ``2026/10/13``
left to right, read right to left as 13/10/2026). So a mark (`MARKS`) is
dropped where it stands at either end of the value or next to anything
that is not a digit (a separator, a sign, a currency sign, a space): a
minus sign keeps its place, so ``\\u200f-250`` is still minus 250. Two cases are
refused, naming the mark, since there what the participant saw is in doubt:

- a mark between two digits (``12\\u200f34``): it splits one number into two runs,
  which a right-to-left line draws in the other order (``34 12``);
- a right-to-left override (U+202E): it draws the digits after it reversed.
"""

from __future__ import annotations

import re
import unicodedata

#: Left-to-right, right-to-left and Arabic letter marks; embeddings and
#: overrides (U+202A..U+202E); isolates (U+2066..U+2069).
MARKS = frozenset(
    "\u200e\u200f\u061c"
    + "".join(map(chr, range(0x202A, 0x202F)))
    + "".join(map(chr, range(0x2066, 0x206A)))
)
_OVERRIDE = "\u202e"
_DROP = dict.fromkeys(map(ord, MARKS))
#: Spaces and direction marks (not the override) at either end of a value.
_ENDS = re.compile(
    "^[\\s{0}]+|[\\s{0}]+$".format(re.escape("".join(sorted(MARKS - {_OVERRIDE}))))
)


def _name(mark: str) -> str:
    return f"{mark!r} ({unicodedata.name(mark)})"


def unmarked(text: str) -> tuple[str, str | None]:
    """`text` without its direction marks, and why one cannot be dropped.

    Args:
        text: a keyed value (a number or a date), as read.

    Returns:
        The text with every mark in `MARKS` removed, and None; or the text
        unchanged and the reason a mark is refused (it names the mark).

    Example: ``unmarked("13\\u200f/10\\u200f/2026") == ("13/10/2026", None)``
    """
    if text.isascii() or MARKS.isdisjoint(text):
        return text, None
    if _OVERRIDE in text:
        return text, (
            f"{_name(_OVERRIDE)} draws the digits after it reversed: "
            "write the value without it"
        )
    kept = [(i, c) for i, c in enumerate(text) if c not in MARKS]
    for (before, left), (after, right) in zip(kept, kept[1:], strict=False):
        if after - before > 1 and left.isdecimal() and right.isdecimal():
            return text, (
                f"{_name(text[before + 1])} between two digits splits the number: "
                "write it without the mark"
            )
    return text.translate(_DROP), None


def trimmed(text: str) -> str:
    """`text` without spaces and direction marks at either end: a Hebrew
    spreadsheet wraps a Latin code typed in a right-to-left cell in marks
    (``\u200fGLL-TLV\u200f``), which made an eligible hotel ``ineligible_hotel``
    and a member number ``invalid_format`` (trial 37). Marks inside are kept
    (a name's own), and so is the override (U+202E), which changes what was
    seen.

    Example: ``trimmed("\u200f20114457\u200f ") == "20114457"``
    """
    if text.isascii():
        return text.strip()
    return _ENDS.sub("", text)
