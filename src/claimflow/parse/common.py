"""What every tabular reader shares: header mapping, row grouping, hashing."""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label
from claimflow.models import Provenance, RawRecord
from claimflow.sniff import fields_named, find_header


def content_hash(path: Path) -> str:
    """Return the sha256 of a file's bytes (the document's identity in the store).

    Args:
        path: the file.

    Returns:
        64 hex digits.

    Example: ``len(content_hash(Path("samples/x.csv"))) == 64``
    """
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def map_headers(
    headers: Sequence[object], client: ResolvedClient, file: str
) -> dict[int, str]:
    """Map column positions to canonical fields through the client's aliases.

    Matching folds case, accents, spacing and punctuation. Columns that map
    to nothing are ignored (a form may carry office-use columns).

    Args:
        headers: the header cells as read.
        client: the resolved client.
        file: the file name, for messages.

    Returns:
        Column index -> canonical field.

    Raises:
        UnreadableInput: two columns map to the same field, or no column
            maps to any field (probably not a claims file for this client).

    Example: ``map_headers(["Inv. No"], client, "a.csv") == {0: "invoice_number"}``
    """
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, header in enumerate(headers):
        if header is None:
            continue
        text = str(header)
        canonical = client.header_index.get(normalize_label(text))
        if canonical is None:
            continue
        if canonical in seen:
            raise UnreadableInput(
                file,
                f"columns {seen[canonical]!r} and {text!r} both map to "
                f"{canonical}; rename one or fix the client's column aliases",
                "row 1",
            )
        seen[canonical] = text
        mapping[index] = canonical
    if not mapping:
        shown = ", ".join(repr(str(h)) for h in list(headers)[:6])
        raise UnreadableInput(
            file,
            f"no column matches a {client.config.kind} claim field "
            f"(found {shown}){_suggest(headers, client.header_index)}"
            f"{_misread(headers, client.config.locale) or _own_page(headers, client)}"
            "; is this the right client?",
            "row 1",
        )
    absent = [f for f in (*client.required_header, *client.required_line)
              if f not in mapping.values()]  # fmt: skip
    if absent:
        raise UnreadableInput(file, _no_column(absent, headers, client), "row 1")
    return mapping


def _no_column(absent: Sequence[str], headers: Sequence[object], client: ResolvedClient) -> str:
    """Why a file without a required field's column is refused: every claim
    in it would be pended, and every participant asked for a value that the
    file (or the client's column names), not the form, lacks (trials 30, 31).
    A header near one of those fields' names (and mapping to nothing) is
    named as a near miss."""
    labels = {
        normalize_label(name): field
        for field in absent
        for name in (*_aliases(field, client), field)
    }
    unmapped = [h for h in headers if normalize_label(str(h)) not in client.header_index]
    named = "; ".join(
        f"{field} (headed {' or '.join(repr(n) for n in (*_aliases(field, client)[:2], field))})"
        for field in absent
    )
    return (
        f"no column for the required {named}{_suggest(unmapped, labels, 0.8)}"
        f"{_misread(unmapped, client.config.locale)}: is this the right client, or is "
        "the column named differently? (the client's columns section names it)"
    )


def _misread(headers: Sequence[object], locale: str) -> str:
    """``; 'Giriþ' reads 'Giriş' in cp1254: is the file cp1254? (--encoding
    cp1254)``: a header that names no column because it was read in
    another code page (`claimflow.codepages.garbled`), or nothing."""
    from claimflow.codepages import garbled, reread

    for header in headers:
        text = "" if header is None else str(header)
        found = garbled(text, locale, limit=1) if not text.isascii() else []
        back = reread(found[0].word, locale) if found else None
        if back is not None:
            encoding, word = back
            return (
                f"; is the file {encoding}? {found[0].word!r} reads {word!r} in it "
                f"(--encoding {encoding})"
            )
    return ""


def _own_page(headers: Sequence[object], client: ResolvedClient) -> str:
    """``; is the file cp1253? 'Ξενοδοχείο' is read in it (--encoding
    cp1253)``: headers read in another code page that, read back in one of
    the client's language's own (`claimflow.codepages.CODE_PAGES`), are
    the client's column names; or nothing. Where `_misread` finds no garble
    (a Greek file read as cp1251 is all letters, Cyrillic ones), a column
    name matched is the proof."""
    from claimflow.codepages import CODE_PAGES, TRIED_CODE_PAGES, language

    own = CODE_PAGES.get(language(client.config.locale) or "", ())
    texts = [str(h) for h in headers if h is not None and not str(h).isascii()]
    for made_by in TRIED_CODE_PAGES:
        for encoding in own:
            if encoding == made_by:
                continue
            for text in texts:
                try:
                    back = text.encode(made_by).decode(encoding)
                except (UnicodeEncodeError, UnicodeDecodeError):
                    continue
                if back != text and normalize_label(back) in client.header_index:
                    return (
                        f"; is the file {encoding}? {text!r} reads {back!r} in it, "
                        f"a column of this client (--encoding {encoding})"
                    )
    return ""


def _aliases(field: str, client: ResolvedClient) -> list[str]:
    """The headers the client reads as `field` besides its name: its own
    aliases, then the defaults."""
    names = [*client.config.columns.get(field, ()), *client.fields.aliases.get(field, ())]
    return list(dict.fromkeys(names))


def unread_note(headers: Sequence[object], mapping: dict[int, str]) -> str | None:
    """``columns 'Nights', 'Room rate' not read (no claim field)``: the named
    columns of a claims table that map to no field, said rather than dropped
    (trial 30: a stay file's nights and nightly rate vanished unsaid)."""
    unread = [
        str(h).strip() for i, h in enumerate(headers)
        if i not in mapping and h is not None and str(h).strip()
    ]  # fmt: skip
    if not unread:
        return None
    shown = ", ".join(map(repr, unread[:8])) + (", ..." if len(unread) > 8 else "")
    return (
        f"{'column' if len(unread) == 1 else 'columns'} {shown} not read (no claim "
        "field: the client's columns section can name one)"
    )


def rows_word(rows: Sequence[object]) -> str:
    """``row`` or ``rows``, for a note naming them."""
    return "row" if len(rows) == 1 else "rows"


def header_fields(cells: Sequence[object], client: ResolvedClient) -> int:
    """How many distinct claim fields a row's cells name (a header names two or more)."""
    return fields_named(cells, client.header_index)


def pick_header(rows: Sequence[Sequence[object]], client: ResolvedClient) -> int | None:
    """The index of the header among the first rows: the one naming most fields
    (two or more; the first of equals), or None (`find_header`).

    Example: ``pick_header([["Claims, October"], ["Rep #", "Qty"]], client) == 1``
    """
    return find_header(rows, client.header_index)


def _suggest(
    headers: Sequence[object], labels: Mapping[str, str], cutoff: float = 0.88
) -> str:
    """``; near misses: 'Invoice Nr' -> invoice_number?`` for headers near a
    folded label of `labels` (folded label -> field)."""
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler

    hints = []
    for header in headers:
        if header is None:
            continue
        match = process.extractOne(
            normalize_label(str(header)),
            list(labels),
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=cutoff,
        )
        if match is not None:
            hints.append(f"{str(header)!r} -> {labels[match[0]]}?")
    return f"; near misses: {', '.join(hints[:3])}" if hints else ""


def field_sources(headers: Sequence[object], mapping: dict[int, str]) -> dict[str, str]:
    """Canonical field -> the header as written in the file."""
    return {canonical: str(headers[i]) for i, canonical in mapping.items()}


def group_rows(
    rows: Iterable[tuple[Provenance, dict[str, Any]]],
    client: ResolvedClient,
    sources: dict[str, str],
    digest: str,
) -> Iterator[RawRecord]:
    """Turn flat rows into raw records, one claim per row or per claim ref.

    For kinds with lines (sales), consecutive rows that share a non-empty
    ``claim_ref`` are the lines of one claim; the header values come from the
    first of them. A row without a claim ref is a claim of its own.

    Args:
        rows: (provenance, canonical field -> value) per data row.
        client: the resolved client (decides which fields are line fields).
        sources: canonical field -> header as written.
        digest: the file's content hash.

    Yields:
        Raw records, in file order.

    Example: ``list(group_rows([(prov, {"sku": "A"})], client, {}, "ab"))``
    """
    line_fields = client.fields.line
    split = (
        (
            source,
            {k: v for k, v in values.items() if k not in line_fields},
            {k: v for k, v in values.items() if k in line_fields},
        )
        for source, values in rows
    )
    return group_split(split, bool(line_fields), sources, digest)


def group_split(
    rows: Iterable[tuple[Provenance, dict[str, Any], dict[str, Any]]],
    with_lines: bool,
    sources: dict[str, str],
    digest: str,
) -> Iterator[RawRecord]:
    """`group_rows` for rows already split into (source, header, line values)."""
    current: RawRecord | None = None
    for source, header, line in rows:
        ref = header.get("claim_ref")
        if current is not None and ref and current.values.get("claim_ref") == ref:
            current = RawRecord(
                current.source,
                _same_claim(current, header, source, sources),
                (*current.lines, (source, line)),
                sources,
                digest,
            )
            continue
        if current is not None:
            yield current
        lines = ((source, line),) if with_lines else ()
        current = RawRecord(source, header, lines, sources, digest)
    if current is not None:
        yield current


def _same_claim(
    claim: RawRecord,
    header: dict[str, Any],
    source: Provenance,
    sources: dict[str, str],
) -> dict[str, Any]:
    """A claim's details with those a later row of it fills: a value the
    rows above left blank is taken; one that differs from theirs refuses
    the file. The later row's ``RE-1002`` under a claim read as ``RE-1001``
    was dropped unsaid, the claim paid on the first invoice (trial 40).

    Raises:
        UnreadableInput: naming the row, its column and both values.
    """
    values = claim.values
    for name, value in header.items():
        if not _filled(value):
            continue
        held = values.get(name)
        if not _filled(held):
            values = {**values, name: value}
        elif held != value and str(held).strip() != str(value).strip():
            column = sources.get(name, name)
            sheet = f"sheet {source.sheet}:" if source.sheet is not None else ""
            raise UnreadableInput(
                source.file,
                f"claim {values.get('claim_ref')!r}: expected {held!r} as on row "
                f"{claim.source.row}, found {value!r}: the rows of one claim share "
                "its details; give this line its own claim reference or correct it",
                f"{sheet}row {source.row}:{column}",
            )
    return values


def is_blank(values: Iterable[object]) -> bool:
    """True when every cell of a row is empty (a spacer row, not a record)."""
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def check_width(file: str, row: int, cells: Sequence[object], width: int) -> None:
    """Refuse a CSV data row with more or fewer fields than its header.

    A file cut short (a copy or a download stopped mid-row) or a stray
    delimiter leaves such a row; its values under the header's columns
    would be wrong or missing, so the file is refused, never half read.
    Blank rows are the caller's to skip first.

    Raises:
        UnreadableInput: naming the row, the header's width and the row's.

    Example: ``check_width("stays.csv", 3, ["SP-CNX", "CN2"], 10)`` raises
    """
    if len(cells) != width:
        raise UnreadableInput(
            file,
            f"expected {width} fields as in the header, found {len(cells)} "
            "(truncated or misaligned row)",
            f"row {row}",
        )


#: A first cell like these on a row with no claim identifiers: a total, not a claim.
TOTAL = re.compile(
    r"^\s*(grand\s*total|sub\s*total|total|totals|totalt|sum|summa|summe|zwischensumme|"
    # a total carried from one page to the next (trial 40: a German invoice's
    # 'Übertrag' row over a line table's second page read as a claim line)
    r"übertrag|uebertrag|carried\s*forward|brought\s*forward|"
    r"gesamt\w*|totale|totaal|suma|soma|jumlah|montant total|somme|razem|toplam|"
    r"итого|всего|合計|小計|総計|總計|合计|小计|总计|합계|소계|총계|"
    # Greek, Czech and Slovak, Hungarian, Finnish, Danish and Norwegian,
    # Ukrainian, Arabic, Hebrew, Thai, Vietnamese (trial 32: a Greek hotel
    # export's Σύνολο row was read as a stay missing its confirmation)
    r"σύνολο|συνολο|celkem|celkom|összesen|yhteensä|i alt|разом|усього|всього|"
    # (trial 37: Traditional Chinese 總計; Hebrew with a gershayim, סה״כ, and
    # spelt out, סך הכל)
    r"المجموع|الإجمالي|סה[\"״]כ|סך הכל|ยอดรวม|รวมทั้งสิ้น|รวม|tổng cộng|tổng|"
    # Persian (trial 42: a member list's جمع row was imported as a member
    # numbered 'جمع'), and Afrikaans
    r"جمع کل|جمع\u200cکل|جمع|مجموع|groottotaal|"
    # Hindi and Marathi (trial 43: a Hindi branch's कुल row was stored as a
    # claim numbered 'कुल', and imported as a member); a vowel sign after
    # the word makes it a name (योगेश, Yogesh), which \b does not see
    r"(?:कुल\s*योग|कुल\s*राशि|कुल|योग|एकूण|एकुण)(?![\u0900-\u097f]))\b",
    re.IGNORECASE,
)
#: Fields that make a row a claim (a total row has none but its label).
_IDENTIFIERS = (
    "claim_ref",
    "participant_id",
    "invoice_number",
    "sku",
    "hotel_code",
    "confirmation_number",
)
#: Fields that make a row a claim however sparse it is: who claims, and for
#: what. A claim ref is not among them: a footer's text often sits in the
#: first column, which is the claim ref's.
IDENTIFYING = (
    "participant_id",
    "participant_name",
    "member_name",
    "invoice_number",
    "confirmation_number",
    "folio_number",
    "sku",
    "hotel_code",
)
#: Cells a footer row fills at most (``Prepared by:`` and a name or a date).
FOOTER_CELLS = 2
#: Rows a footer has at most: a longer run of sparse rows is data, not a footer.
FOOTER_ROWS = 20


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def is_total(values: dict[str, Any], cells: Sequence[object]) -> bool:
    """True for a row that only sums the claims above it.

    A cell of the row names a total (``Total``, ``Summe``, ``Subtotal``) and
    no claim identifier is filled, but with that label.

    Example: ``is_total({"claim_ref": "Total"}, ["Total", None, 19]) is True``
    """
    if any(
        _filled(values.get(f)) and not TOTAL.match(str(values[f])) for f in _IDENTIFIERS
    ):
        return False
    return any(isinstance(c, str) and TOTAL.match(c) for c in cells)


def is_sparse(values: dict[str, Any], cells: Sequence[object]) -> bool:
    """True for a row that fills one or two cells and no `IDENTIFYING` field.

    After the claims, such a row signs or dates the table (``Elaborado por:
    Marcos Pereira``, ``Page 1 of 2``), in whatever language: it is told by
    its shape, not by its words.

    Example: ``is_sparse({"claim_ref": "Prepared by: Ann"}, ["Prepared by: Ann"])``
    """
    if sum(1 for c in cells if _filled(c)) > FOOTER_CELLS:
        return False
    return not any(_filled(values.get(f)) for f in IDENTIFYING)


def trailer_kind(values: dict[str, Any], cells: Sequence[object]) -> str | None:
    """``total``, ``footer`` or None: what a row is if no claim follows it.

    Example: ``trailer_kind({"claim_ref": "Total"}, ["Total", 19]) == "total"``
    """
    if is_total(values, cells):
        return "total"
    return "footer" if is_sparse(values, cells) else None


T = TypeVar("T")


def trailers(rows: Sequence[T], kind: Callable[[T], str | None]) -> list[tuple[T, str]]:
    """The totals and footers at the end of `rows`, the file's last rows.

    They are the rows `kind` names (``total``, ``footer``) after the last
    row it does not name. None are when every row is named: no claim is
    before them, or (`rows` being the last ``FOOTER_ROWS + 1`` of a file)
    they are a run of sparse claims too long to be a footer.

    Args:
        rows: the file's last non-blank data rows, in file order.
        kind: a row's kind, or None for a row of claim content.

    Returns:
        (row, kind) for each row to leave out, in file order.

    Example: ``trailers([claim, total], kind) == [(total, "total")]``
    """
    found: list[tuple[T, str]] = []
    for row in reversed(rows):
        named = kind(row)
        if named is None:
            return found[::-1]
        found.append((row, named))
    return []


def drop_trailers(
    rows: Iterable[T],
    kind: Callable[[T], str | None],
    note: Callable[[T, str], None],
) -> Iterator[T]:
    """`rows` without the totals and footers after the last claim (`trailers`).

    Each row is yielded ``FOOTER_ROWS + 1`` rows late, so that the last ones
    are known when the rows end; a sparse row amid claims is yielded as it
    is (it is pended, never dropped). Only those last rows are passed to
    `kind`, so a large file's rows cost no more than the wait.

    Args:
        rows: the data rows, in file order (blank rows already skipped).
        kind: a row's kind, or None for a row of claim content.
        note: called for each row left out, in file order.

    Yields:
        The rows to read as claims.

    Example: ``list(drop_trailers([1, 0], lambda r: None if r else "footer", f))``
    """
    window: deque[T] = deque()
    for row in rows:
        window.append(row)
        if len(window) > FOOTER_ROWS + 1:
            yield window.popleft()
    left_out = trailers(window, kind)
    kept = len(window) - len(left_out)
    yield from islice(window, kept)
    for row, named in left_out:
        note(row, named)
