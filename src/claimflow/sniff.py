"""Reading a text table's bytes: its encoding and its CSV delimiter.

Encodings: a BOM decides (UTF-8, UTF-16); else UTF-8 if the bytes decode
as UTF-8; else UTF-16 without BOM if every other byte is NUL; else cp1252
(a superset of Latin-1's printable range, what Excel on Windows writes),
falling back to Latin-1 for the five bytes cp1252 leaves undefined.
A file with NUL bytes or control characters in any other encoding is binary.
The delimiter is the one of ``, ; tab |`` that splits the first lines
into rows of one width most often. Kept apart from `claimflow.parse`
(which loads every reader and the client configuration) so that a
command reading a people file without a client loads no more than this.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label

#: Rows searched for the header: a title, a date or a logo's row may sit above it.
HEADER_ROWS = 20

SNIFF_BYTES = 64 * 1024
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


def encoding_origin(given: str | None, client_file: str | None = None) -> str:
    """Who declared a CSV's encoding, as a refusal names it: the command's
    ``--encoding`` (an encoding given for the files at hand) or the client
    file's ``encoding``.

    Example: ``encoding_origin(None, "clients/x.yaml") == "the client file
    clients/x.yaml"``
    """
    if given:
        return "--encoding"
    if client_file and not client_file.startswith("<"):
        return f"the client file {client_file}"
    return "the client"


def detect_encoding(
    head: bytes, file: str, declared: str | None = None, declared_by: str = "the client"
) -> str:
    """Choose the text encoding of a CSV file from its first bytes.

    A byte-order mark decides; then the client's declared encoding (but
    valid UTF-8 beyond ASCII is UTF-8 whatever single-byte code page is
    declared); then UTF-8 if the bytes are valid UTF-8; then cp1252 (Windows Western), but
    only when the text it gives is plausible: a Greek or Cyrillic file in its
    own single-byte code page also decodes as cp1252, into a garble of
    accented letters, and is refused with the likely code page named.

    Args:
        head: the first bytes of the file (up to 64 KiB).
        file: the file name, for messages.
        declared: the encoding declared for the file, if any.
        declared_by: who declared it, for the refusal (`encoding_origin`).

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
    if declared and _single_byte(declared) and not head.isascii() and _utf8(head):
        # A single-byte code page decodes any bytes, a UTF-8 export into
        # mojibake (Ż as Å»); text in one that happens to be valid UTF-8
        # beyond ASCII does not occur: the hotel system's UTF-8 export is
        # read as UTF-8 beside the clerks' cp1250 files.
        declared = None
    decoder = codecs.getincrementaldecoder(declared or "utf-8")()
    try:
        text = decoder.decode(head, final=False)
        encoding = declared or "utf-8"
    except UnicodeDecodeError as exc:
        if declared:
            raise UnreadableInput(
                file, f"not {declared} text as {declared_by} declares ({exc.reason})"
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


def _single_byte(encoding: str) -> bool:
    """Whether every byte is one character in `encoding` (cp1250, latin-1...)."""
    return len(bytes(range(256)).decode(encoding, errors="replace")) == 256


def _utf8(head: bytes) -> bool:
    """Whether `head` is valid UTF-8 (a character cut at its end aside)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


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


#: Signs that Western European words do hold inside them: the Catalan
#: middle dot (col·legi), apostrophes and acute accents for them (don´t),
#: ordinal indicators (Nº, 1ª), dashes and ellipses (Müller–Schmidt).
_IN_WORDS = frozenset("·´’‘ºª–—‐‑…")
#: What ł, ą, ż, Ł, Ą, Ż, ľ, ž of cp1250 read as in cp1252: one inside a
#: word is enough (one Polish name in a file: MA£GORZATA).
_CENTRAL = frozenset("³¹¿£¥¯¾¼")


def _plausible_western(text: str, head: bytes, file: str) -> None:
    """Refuse a cp1252 reading that is mostly accented letters, or that puts
    symbols inside words.

    Western European text has a few accented letters in ten (Spanish,
    French, German: under 10%); Greek, Cyrillic or Hebrew in a single-byte
    code page reads as cp1252 with nearly every letter accented. Polish in
    cp1250 reads as cp1252 with symbols inside its words (``cz³onkowski``,
    ``wp³ywu``, ``Wi¿``: ł, ą and ż are ³, ¹ and ¿ there), which no Western
    word holds: two such are another code page.
    """
    letters = [c for c in text if c.isalpha()]
    accented = sum(1 for c in letters if not c.isascii())
    inside = [
        text[i - 1 : i + 2]
        for i in range(1, len(text) - 1)
        if ord(text[i]) > 127
        and not text[i].isalpha()
        and text[i] not in _IN_WORDS
        and text[i - 1].isalpha()
        and text[i + 1].isalpha()
    ]
    if len(inside) >= 2 or any(w[1] in _CENTRAL for w in inside):
        shown = ", ".join(repr(w) for w in dict.fromkeys(inside[:40]))
        why = f"read as cp1252 its words would hold symbols ({shown})"
        example = "encoding: cp1250 for Polish, Czech or Hungarian"
    elif len(letters) >= 20 and accented / len(letters) > _ACCENTED:
        why = f"read as cp1252 {accented} of {len(letters)} letters would be accented"
        example = "for example encoding: cp1253 for Greek, cp1251 for Cyrillic"
    else:
        return
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    guess = ""
    if best is not None and best.encoding not in ("cp1252", "latin_1"):
        languages = ", ".join(best.languages[:2])
        guess = f"it looks like {best.encoding}{f' ({languages})' if languages else ''}; "
        example = f"encoding: {best.encoding}"  # trial 19: cp932 was told cp1250
    raise UnreadableInput(
        file,
        f"not UTF-8, and {why}: another code page? {guess}set the client's "
        f"encoding ({example}) or give --encoding",
    )


class ExcelDialect(csv.excel):
    """Excel's CSV conventions (doubled quotes), with the detected delimiter."""


def sniff_dialect(sample: str) -> type[csv.Dialect]:
    """Pick the delimiter of , ; tab or | that splits the first lines most
    consistently: the most lines of two or more fields with one width.

    Only the delimiter is guessed; quoting follows Excel's rules (the lines
    are split as a CSV reader splits them, quoted fields whole). The
    standard library's Sniffer also guesses quoting and gets it wrong on
    short samples with doubled quotes. Consistency, not the most of one
    mark on a line: a title line above the header may hold commas and
    nothing else, and a comma file may list 20 serials joined by ``;`` in
    one cell (trial 20: that line made ``;`` the delimiter, and the file
    was refused as "no column matches"). Equal lines: the wider rows win,
    then the order above.

    Example: ``sniff_dialect("a;b\n1;2\n").delimiter == ";"``
    """
    head = "\n".join(sample.split("\n")[:HEADER_ROWS])
    delimiter, best = ",", (0, 0)
    for candidate in _DELIMITERS:
        widths: Counter[int] = Counter()
        try:
            for row in csv.reader(io.StringIO(head), delimiter=candidate):
                if len(row) > 1:
                    widths[len(row)] += 1
        except csv.Error:  # a quote left open where the sample was cut
            pass
        if widths:
            width, lines = max(widths.items(), key=lambda wl: (wl[1], wl[0]))
            if (lines, width) > best:
                delimiter, best = candidate, (lines, width)
    return type("Detected", (ExcelDialect,), {"delimiter": delimiter})


_DELIMITERS = (",", ";", "\t", "|")


def csv_format(
    path: Path, name: str, declared: str | None = None, declared_by: str = "the client"
) -> tuple[str, type[csv.Dialect]]:
    """A CSV file's encoding (`detect_encoding`) and dialect (`sniff_dialect`),
    from its first `SNIFF_BYTES`.

    Raises:
        OSError: the file cannot be opened.
        UnreadableInput: binary or undecodable.

    Example: ``csv_format(Path("teilnehmer.csv"), "teilnehmer.csv")[1].delimiter``
    """
    with path.open("rb") as raw:
        encoding = detect_encoding(raw.read(SNIFF_BYTES), name, declared, declared_by)
    with path.open(encoding=encoding, newline="") as fh:
        return encoding, sniff_dialect(fh.read(SNIFF_BYTES))


#: Cells a title line above a header fills at most (a title, a date).
TITLE_CELLS = 2


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def fields_named(cells: Sequence[object], index: Mapping[str, str]) -> int:
    """How many distinct fields of a folded header index a row's cells name."""
    return len(
        {index.get(normalize_label(str(c))) for c in cells if c is not None} - {None}
    )


def find_header(
    rows: Sequence[Sequence[object]], index: Mapping[str, str]
) -> int | None:
    """The index of the header among the first rows: the one naming most fields
    of a folded header index (two or more; the first of equals), or None.

    Example: ``find_header([["Stand 1.12."], ["Menge", "Betrag"]], index) == 1``
    """
    best, best_index = 1, None
    for at, cells in enumerate(rows):
        found = fields_named(cells, index)
        if found > best:
            best, best_index = found, at
    return best_index


def rows_above(
    name: str,
    scanned: Sequence[tuple[int, Sequence[object]]],
    at: int,
    index: Mapping[str, str],
) -> list[int]:
    """The numbers of the rows above the header (``scanned[at]``) to skip.

    Each must be a title line (`TITLE_CELLS` cells at most), and no other
    of the first rows may name as many columns as the header: the header
    must be unambiguous, else the file is refused naming the row.

    Args:
        name: the file name, for messages.
        scanned: the first rows, as (row number, cells).
        at: the header's index in `scanned`.
        index: folded header -> field.

    Example: ``rows_above("a.csv", [(1, ["Liste"]), (2, ["Menge", "Betrag"])], 1, ix)``
    """
    row, cells = scanned[at]
    named = fields_named(cells, index)
    for other, (number, others) in enumerate(scanned):
        if other != at and named >= 2 and fields_named(others, index) == named:
            raise UnreadableInput(
                name,
                f"rows {min(row, number)} and {max(row, number)} both read as "
                "the header: expected one header row",
                f"row {max(row, number)}",
            )
    above = [(n, c) for n, c in scanned[:at] if any(_filled(v) for v in c)]
    for number, title in above:
        filled = sum(1 for c in title if _filled(c))
        if filled > TITLE_CELLS:
            raise UnreadableInput(
                name,
                f"expected a title line (one or two cells) above the header on "
                f"row {row}, found {filled} values: is the header the first row?",
                f"row {number}",
            )
    return [n for n, _ in above]
