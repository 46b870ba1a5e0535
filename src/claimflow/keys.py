"""How invoice, serial and confirmation numbers are folded for comparison.

`normalize_key` is the one fold the batch rules, the stored dedupe keys and
serials, verification and the record rules share (re-exported by
`claimflow.validate.batch`, where it was first).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple, Protocol

_KEY_JUNK = str.maketrans("", "", " \t\r\n-_./#")
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
# An O, I or L between two digits was keyed for 0 or 1 (``2O17`` is ``2017``).
_LETTER_IN_NUMBER = re.compile(r"(?<=[0-9])[OIL](?=[0-9])")
_DIGIT_OF = {"O": "0", "I": "1", "L": "1"}


#: Letters of other scripts a keyboard layout or a locale's upper case puts
#: where a Latin one was meant (trials 25-26: a Cyrillic С in ``СN1001``, a
#: Turkish İ from upper-casing ``i``), uppercase, as the fold meets them.
LOOK_ALIKES = str.maketrans(
    {
        "İ": "I", "\u0307": None,  # Turkish dotted I; a combining dot above
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
        "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J",
        "Ѕ": "S", "Ԛ": "Q", "Ԝ": "W",  # Cyrillic
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K",
        "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",  # Greek
    }
)  # fmt: skip


def look_alike(letter: str) -> bool:
    """Whether `letter` is a Cyrillic or Greek capital that looks like a
    Latin one (`LOOK_ALIKES`: Cyrillic А, Greek Ρ).

    Example: ``look_alike("В")`` (Cyrillic), not ``look_alike("Ж")``
    """
    return letter != "İ" and letter.translate(LOOK_ALIKES) != letter


def _latin(value: str) -> str:
    """A key's text in the Latin letters and ASCII digits it was meant in:
    NFKC (full-width forms, a decomposed İ), upper case, look-alike letters
    of other scripts, and digits of any script as their values (``١٠٤٢٣٣``
    is 104233: each is one digit, read exactly)."""
    return ascii_digits(
        unicodedata.normalize("NFKC", value).upper().translate(LOOK_ALIKES)
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


def _scripts(value: str) -> dict[str, list[str]]:
    """The letters of `value` by script (``LATIN``, ``CYRILLIC``...), in order."""
    found: dict[str, list[str]] = {}
    for c in value:
        if c.isalpha():
            script = unicodedata.name(c, "?").split(" ", 1)[0]
            letters = found.setdefault(script, [])
            if c not in letters:
                letters.append(c)
    return found


class ScriptSlip(NamedTuple):
    """A code keyed in look-alike letters of another script (`script_slip`).

    Attributes:
        meant: the catalogue's code it looks like, or None (a code mixing
            scripts that looks like none).
        keyed: the look-alike letters keyed, with their script
            (``Cyrillic А, В, С``).
        written: the letters the catalogue writes there (``Latin A, B, C``),
            or the script a mixed code's other letters are in (``Latin``).
    """

    meant: str | None
    keyed: str
    written: str


def script_slip(value: str, catalogue: frozenset[str]) -> ScriptSlip | None:
    """The code `value`, not in `catalogue`, as one keyed in look-alike
    letters of another script, or None when it is not.

    A Cyrillic or Greek А, В, С looks exactly like a Latin A, B, C, so a
    code keyed on another keyboard layout reads on paper as the program's
    but is another string: it is named as the catalogue's code with which
    letters differ (``АВС-100`` with Cyrillic letters for the program's
    ``ABC-100``, ``KP-500`` with Latin letters for a Cyrillic ``КР-500``),
    never taken for it, nor for a product of its own. A code that mixes
    Latin letters with Cyrillic or Greek ones is one too where no catalogue
    code looks like it: no code is written in two scripts.

    Example: ``script_slip("АВС-100", frozenset({"ABC-100"}))`` is
    ``ScriptSlip("ABC-100", "Cyrillic А, В, С", "Latin A, B, C")``
    """
    if value.isascii() and all(code.isascii() for code in catalogue):
        return None
    upper = value.upper()
    meant = [c for c in sorted(catalogue) if c != upper and _latin(c) == _latin(value)]
    differ = [] if len(meant) != 1 else [
        (c, d) for c, d in zip(upper, meant[0], strict=False) if c != d and c.isalpha()
    ]  # fmt: skip
    if differ:
        return ScriptSlip(
            meant[0], _letters(c for c, _ in differ), _letters(d for _, d in differ)
        )
    keyed = _scripts(value)
    foreign = [s for s in keyed if s in ("CYRILLIC", "GREEK")]
    if foreign and "LATIN" in keyed:
        return ScriptSlip(None, _letters(c for s in foreign for c in keyed[s]), "Latin")
    return None


def script_slip_message(value: str, slip: ScriptSlip) -> str:
    """``expected the program's ABC-100 (Latin A, B, C), found 'АВС-100'
    (Cyrillic А, В, С: look-alike letters, keyed on another keyboard
    layout?)``: a `script_slip` for the desk."""
    layout = "keyed on another keyboard layout?"
    if slip.meant is None:
        return (
            f"expected a code in one script, found {value!r} (Latin letters with "
            f"{slip.keyed}: {layout})"
        )
    return (
        f"expected the program's {slip.meant} ({slip.written}), found {value!r} "
        f"({slip.keyed}: look-alike letters, {layout})"
    )


class Matcher(Protocol):
    """A regex, or a client's `claimflow.patterns.BoundedPattern`."""

    def fullmatch(self, string: str, /) -> object: ...


def look_alike_note(value: str, pattern: Matcher) -> str:
    """`` (Greek Α, Β: look-alike letters of Latin A, B, ...)`` when `value`
    fails `pattern` only for letters of another script that look like Latin
    ones (a confirmation ``ΑΒ12399`` keyed on a Greek layout), else ``""``.

    Example: ``look_alike_note("ΑΒ12399", re.compile("[A-Z0-9]+"))``
    """
    latin = value.upper().translate(LOOK_ALIKES)
    keyed = [c for c in value.upper() if look_alike(c)]
    if not keyed or not pattern.fullmatch(latin):
        return ""
    return (
        f" ({_letters(keyed)}: look-alike letters of Latin "
        f"{', '.join(dict.fromkeys(c.translate(LOOK_ALIKES) for c in keyed))}, "
        "keyed on another keyboard layout?)"
    )


def _letters(letters: Iterable[str]) -> str:
    """``Cyrillic А, В, С``: letters named with their script (the first's)."""
    found = list(dict.fromkeys(letters))
    script = unicodedata.name(found[0], "?").split(" ", 1)[0].title() if found else ""
    return f"{script} {', '.join(found)}"
