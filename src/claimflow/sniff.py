"""Reading a text table's bytes: its encoding and its CSV delimiter.

Encodings: a BOM decides (UTF-8, UTF-16); else UTF-8 if the bytes decode
as UTF-8; else UTF-16 without BOM if every other byte is NUL; else cp1252
(a superset of Latin-1's printable range, what Excel on Windows writes),
falling back to Latin-1 for the five bytes cp1252 leaves undefined.
A file with NUL bytes or control characters in any other encoding is binary.
The delimiter is the one of ``, ; tab |`` a line among the first has most
of. Kept apart from `claimflow.parse` (which loads every reader and the
client configuration) so that a command reading a people file without a
client loads no more than this.
"""

from __future__ import annotations

import codecs
import csv

from claimflow.errors import UnreadableInput

#: Rows searched for the header: a title, a date or a logo's row may sit above it.
HEADER_ROWS = 20

SNIFF_BYTES = 64 * 1024
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


def detect_encoding(head: bytes, file: str, declared: str | None = None) -> str:
    """Choose the text encoding of a CSV file from its first bytes.

    A byte-order mark decides; then the client's declared encoding; then
    UTF-8 if the bytes are valid UTF-8; then cp1252 (Windows Western), but
    only when the text it gives is plausible: a Greek or Cyrillic file in its
    own single-byte code page also decodes as cp1252, into a garble of
    accented letters, and is refused with the likely code page named.

    Args:
        head: the first bytes of the file (up to 64 KiB).
        file: the file name, for messages.
        declared: the client's ``encoding``, if it sets one.

    Returns:
        A Python codec name.

    Raises:
        UnreadableInput: the file is empty or binary, or not UTF-8 and not
            plausibly cp1252.

    Example: ``detect_encoding(b"\\xef\\xbb\\xbfa,b", "x.csv") == "utf-8-sig"``
    """
    if not head.strip():
        raise UnreadableInput(file, "empty file: no header row and no claims")
    marked = _unicode_by_bytes(head)
    if marked is not None:
        return marked
    if b"\x00" in head:
        raise UnreadableInput(file, "binary file (NUL bytes): not a CSV text file")
    decoder = codecs.getincrementaldecoder(declared or "utf-8")()
    try:
        text = decoder.decode(head, final=False)
        encoding = declared or "utf-8"
    except UnicodeDecodeError as exc:
        if declared:
            raise UnreadableInput(
                file, f"not {declared} text as the client declares ({exc.reason})"
            ) from None
        try:
            text, encoding = head.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, encoding = head.decode("latin-1"), "latin-1"
        _plausible_western(text, head, file)
    controls = sum(1 for ch in text if ch in _CONTROL)
    if controls > max(2, len(text) // 200):
        raise UnreadableInput(file, "binary file (control bytes): not a CSV text file")
    return encoding


def _unicode_by_bytes(head: bytes) -> str | None:
    """UTF-8 or UTF-16 said by a byte-order mark, or UTF-16 by its zero bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4 and even.count(0) == 0 and odd.count(0) == len(odd):
        return "utf-16-le"
    if len(head) >= 4 and odd.count(0) == 0 and even.count(0) == len(even):
        return "utf-16-be"
    return None


#: Above this share of accented letters, cp1252 text is another code page's.
_ACCENTED = 0.3


def _plausible_western(text: str, head: bytes, file: str) -> None:
    """Refuse a cp1252 reading that is mostly accented letters.

    Western European text has a few accented letters in ten (Spanish,
    French, German: under 10%); Greek, Cyrillic or Hebrew in a single-byte
    code page reads as cp1252 with nearly every letter accented.
    """
    letters = [c for c in text if c.isalpha()]
    accented = sum(1 for c in letters if not c.isascii())
    if len(letters) < 20 or accented / len(letters) <= _ACCENTED:
        return
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    guess = (
        f"it looks like {best.encoding} ({', '.join(best.languages[:2]) or 'unknown'}); "
        if best is not None and best.encoding not in ("cp1252", "latin_1")
        else ""
    )
    raise UnreadableInput(
        file,
        f"not UTF-8, and read as cp1252 {accented} of {len(letters)} letters "
        f"would be accented: another code page? {guess}set the client's "
        "encoding (for example encoding: cp1253 for Greek, cp1251 for Cyrillic)",
    )


class ExcelDialect(csv.excel):
    """Excel's CSV conventions (doubled quotes), with the detected delimiter."""


def sniff_dialect(sample: str) -> type[csv.Dialect]:
    """Pick the delimiter the header uses most: , ; tab or |.

    Only the delimiter is guessed; quoting follows Excel's rules. The
    standard library's Sniffer also guesses quoting and gets it wrong on
    short samples with doubled quotes.
    """
    # The line that has most of one of them, among the first: a title line
    # above the header may have a comma in it and nothing else.
    lines = sample.split("\n")[:HEADER_ROWS]
    counts = {d: max(line.count(d) for line in lines) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    return type("Detected", (ExcelDialect,), {"delimiter": delimiter})
