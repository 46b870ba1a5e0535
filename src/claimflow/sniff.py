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
from functools import cache
from pathlib import Path
from typing import NoReturn

from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label

#: Rows searched for the header: a title, a date or a logo's row may sit above it.
HEADER_ROWS = 20

SNIFF_BYTES = 64 * 1024
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


#: `encoding_origin` of an encoding given for the files at hand: taken as said.
GIVEN = "--encoding"


def encoding_origin(given: str | None, client_file: str | None = None) -> str:
    """Who declared a CSV's encoding, as a refusal names it: the command's
    ``--encoding`` (an encoding given for the files at hand) or the client
    file's ``encoding``.

    Example: ``encoding_origin(None, "clients/x.yaml") == "the client file
    clients/x.yaml"``
    """
    if given:
        return GIVEN
    if client_file and not client_file.startswith("<"):
        return f"the client file {client_file}"
    return "the client"


def detect_encoding(
    head: bytes,
    file: str,
    declared: str | None = None,
    declared_by: str = "the client",
    locale: str | None = None,
) -> str:
    """Choose the text encoding of a CSV file from its first bytes.

    A byte-order mark decides; then the client's declared encoding (but
    valid UTF-8 beyond ASCII is UTF-8 whatever single-byte code page is
    declared); then UTF-8 if the bytes are valid UTF-8; then cp1252 (Windows Western).
    A single-byte code page decodes any bytes, so its reading, the client's
    as well as the cp1252 guess, must be plausible for the client's
    locale (`_plausible`): a file in another code page is refused naming a
    garbled word and the likely code page. An encoding given for the files
    at hand (``--encoding``) is taken as said: it is how a desk reads a
    file it knows to be right.

    Args:
        head: the first bytes of the file (up to 64 KiB).
        file: the file name, for messages.
        declared: the encoding declared for the file, if any.
        declared_by: who declared it, for the refusal (`encoding_origin`).
        locale: the client's locale (``hu_HU``): the letters its words hold.

    Returns:
        A Python codec name.

    Raises:
        UnreadableInput: the file is empty or binary, not UTF-8 and not
            plausibly cp1252, or not plausibly in the client's code page.

    Example: ``detect_encoding(b"\\xef\\xbb\\xbfa,b", "x.csv") == "utf-8-sig"``
    """
    if not head.strip():
        raise UnreadableInput(file, "empty file: no header row and no claims")
    marked = _unicode_by_bytes(head)
    if marked == "utf-8-sig" and not _utf8(head[len(codecs.BOM_UTF8) :]):
        _refuse_false_mark(head[len(codecs.BOM_UTF8) :], file, locale)
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
    text, encoding = _decode(head, file, declared, declared_by, locale)
    controls = sum(1 for ch in text if ch in _CONTROL)
    if controls > max(2, len(text) // 200):
        raise UnreadableInput(file, "binary file (control bytes): not a CSV text file")
    if not declared and encoding != "utf-8":
        _plausible(text, head, encoding, file, locale)
    elif declared and declared_by != GIVEN and not head.isascii() and _single_byte(declared):
        _plausible(text, head, declared, file, locale, declared_by)
    return encoding


def _decode(
    head: bytes, file: str, declared: str | None, declared_by: str, locale: str | None
) -> tuple[str, str]:
    """The text and its encoding: the declared one, else UTF-8, else cp1252
    (Latin-1 for the five bytes cp1252 leaves undefined)."""
    decoder = codecs.getincrementaldecoder(declared or "utf-8")()
    try:
        return decoder.decode(head, final=False), declared or "utf-8"
    except UnicodeDecodeError as exc:
        if declared:
            instead = _instead(head, locale, declared) if _single_byte(declared) else ""
            raise UnreadableInput(
                file,
                f"not {declared} text as {declared_by} declares ({exc.reason})"
                + (f":{instead}" if instead else ""),
            ) from None
    try:
        return head.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return head.decode("latin-1"), "latin-1"


def _refuse_false_mark(text: bytes, file: str, locale: str | None) -> NoReturn:
    """Refuse a UTF-8 byte-order mark before text in a single-byte code
    page (an export that marks cp1256 or cp1252 bytes as UTF-8): the mark
    would win over any encoding given, so the refusal says to drop it."""
    from claimflow.codepages import candidates

    found = candidates(text, locale, besides="utf-8")
    row = text.count(b"\n", 0, _first_non_utf8(text)) + 1
    page = found[0][0] if found else None
    raise UnreadableInput(
        file,
        "starts with a UTF-8 byte-order mark, but the text after it is not UTF-8"
        + (f" (it reads as {page})" if page else "")
        + ": save it again as UTF-8, or remove the mark (its first 3 bytes)"
        + (f" and give --encoding {page}" if page else ""),
        f"row {row}",
    )


def _first_non_utf8(text: bytes) -> int:
    """The offset of the first byte of `text` that is not UTF-8."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(text, final=False)
    except UnicodeDecodeError as exc:
        return exc.start
    return len(text)


@cache
def _single_byte(encoding: str) -> bool:
    """Whether every byte is one character in `encoding` (cp1250, latin-1...):
    no byte beyond ASCII starts a character of two (UTF-8's é is C3 A9)."""
    return all(
        len(bytes((lead, 0xA9)).decode(encoding, errors="replace")) == 2
        for lead in range(0x80, 0x100)
    )


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


def _plausible(
    text: str,
    head: bytes,
    encoding: str,
    file: str,
    locale: str | None,
    declared_by: str | None = None,
) -> None:
    """Refuse a single-byte reading with a word that is garble in the
    client's language (`claimflow.codepages.garbled`), or, for the cp1252
    guess, mostly accented letters.

    Greek, Cyrillic or Hebrew in its own code page reads as cp1252 with
    nearly every letter accented (Western text has a few in ten). Polish
    in cp1250 reads as cp1252 with symbols inside its words
    (``cz³onkowski``), a Hungarian DOS export (cp852) as cp1250 too
    (``Nagy ™d”n``), and Turkish in cp1254 as cp1252 with Icelandic
    letters (``ÝSMAÝL``). The refusal names the word, its row and column,
    and the code page that reads it as the client's language writes.
    """
    from claimflow.codepages import garbled

    read = f"not UTF-8, and read as {encoding}"
    letters = [c for c in text if c.isalpha()]
    accented = sum(1 for c in letters if not c.isascii())
    if declared_by is None and len(letters) >= 20 and accented / len(letters) > _ACCENTED:
        raise UnreadableInput(
            file,
            f"{read} {accented} of {len(letters)} letters would be accented: "
            f"another code page?{_instead(head, locale, encoding)}",
        )
    found = garbled(text, locale, limit=1, encoding=encoding)
    if found:
        hit = found[0]
        what = {
            "symbol": f"a symbol ({hit.sign}) in it",
            "letter": f"{hit.sign}, a letter {locale or 'the client'} does not write",
            "capital": f"the capital {hit.sign} after a small letter",
            "script": f"{hit.sign}, a letter of another script than the rest",
            "control": f"a control character ({hit.sign!r})",
            "space": "a no-break space inside it",
        }[hit.why]
        read = f"read as {encoding}" + (
            f" (as {declared_by} declares)" if declared_by else " (not UTF-8)"
        )
        span = head[hit.start : hit.start + len(hit.word)]  # one byte a letter
        raise UnreadableInput(
            file,
            f"{read}, the word {hit.word!r} holds {what}: another code page?"
            f"{_instead(head, locale, encoding, span)}; --encoding {encoding} "
            f"if {hit.word!r} is right",
            _place(text, hit.start),
        )


def _instead(head: bytes, locale: str | None, encoding: str, word: bytes = b"") -> str:
    """`` in cp852 it reads 'Ödön'; give --encoding cp852 (or cp850) or set
    the client's encoding (encoding: cp852)``: the code pages that read the
    file plausibly for the client (`claimflow.codepages.candidates`), else
    charset-normalizer's guess (a multi-byte one: cp932)."""
    from claimflow.codepages import CODE_PAGES, candidates, foreign, language

    found = candidates(head, locale, besides=encoding)
    if found:
        best, text = found[0]
        own = CODE_PAGES.get(language(locale) or "", ())
        also = [
            e for e, t in found[1:2]
            if e in own and foreign(t, locale) == foreign(text, locale)
        ]  # fmt: skip
        reads = f" in {best} it reads {word.decode(best)!r}:" if word else ""
        other = f" (or {also[0]})" if also else ""
        return (
            f"{reads} give --encoding {best}{other}, or set the client's encoding "
            f"(encoding: {best})"
        )
    from charset_normalizer import from_bytes

    guess = from_bytes(head).best()
    if guess is not None and guess.encoding not in ("cp1252", "latin_1", encoding):
        languages = ", ".join(guess.languages[:2])
        return (
            f" it looks like {guess.encoding}{f' ({languages})' if languages else ''}; "
            f"give --encoding {guess.encoding} or set the client's encoding "
            f"(encoding: {guess.encoding})"  # trial 19: cp932 was told cp1250
        )
    return " give --encoding with the code page it was written in"


def _place(text: str, start: int) -> str:
    """``row 2:rep name``: where the character at `start` sits, the column
    named by the widest of the first rows (the header; ``column 3`` on it)."""
    dialect = sniff_dialect(text)
    lines = text.split("\n")

    def cells(line: str) -> list[str]:
        try:
            return next(csv.reader([line.rstrip("\r")], dialect), [])
        except csv.Error:  # a carriage return inside the line
            return line.split(dialect.delimiter)

    row = text.count("\n", 0, start)
    column = max(0, len(cells(text[text.rfind("\n", 0, start) + 1 : start])) - 1)
    widths = [len(cells(line)) for line in lines[:HEADER_ROWS]]
    header = widths.index(max(widths))
    named = cells(lines[header])
    if header == row or column >= len(named) or not named[column].strip():
        return f"row {row + 1}:column {column + 1}"
    return f"row {row + 1}:{named[column].strip()}"


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
    path: Path,
    name: str,
    declared: str | None = None,
    declared_by: str = "the client",
    locale: str | None = None,
) -> tuple[str, type[csv.Dialect]]:
    """A CSV file's encoding (`detect_encoding`) and dialect (`sniff_dialect`),
    from its first `SNIFF_BYTES`.

    Raises:
        OSError: the file cannot be opened.
        UnreadableInput: binary or undecodable.

    Example: ``csv_format(Path("teilnehmer.csv"), "teilnehmer.csv")[1].delimiter``
    """
    with path.open("rb") as raw:
        head = raw.read(SNIFF_BYTES)
        encoding = detect_encoding(head, name, declared, declared_by, locale)
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
