"""What every tabular reader shares: header mapping, row grouping, hashing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label
from claimflow.models import Provenance, RawRecord


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
            f"(found {shown}){_suggest(headers, client)}; is this the right client?",
            "row 1",
        )
    return mapping


#: Rows searched for the header: a title, a date or a logo's row may sit above it.
HEADER_ROWS = 20


def rows_word(rows: Sequence[object]) -> str:
    """``row`` or ``rows``, for a note naming them."""
    return "row" if len(rows) == 1 else "rows"


def header_fields(cells: Sequence[object], client: ResolvedClient) -> int:
    """How many distinct claim fields a row's cells name (a header names two or more)."""
    index = client.header_index
    return len(
        {index.get(normalize_label(str(c))) for c in cells if c is not None} - {None}
    )


def pick_header(rows: Sequence[Sequence[object]], client: ResolvedClient) -> int | None:
    """The index of the header among the first rows: the one naming most fields
    (two or more; the first of equals), or None.

    Example: ``pick_header([["Claims, October"], ["Rep #", "Qty"]], client) == 1``
    """
    best, best_index = 1, None
    for index, cells in enumerate(rows):
        found = header_fields(cells, client)
        if found > best:
            best, best_index = found, index
    return best_index


def _suggest(headers: Sequence[object], client: ResolvedClient) -> str:
    """``; did you mean 'Invoice No' -> invoice_number?`` for near-miss headers."""
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler

    hints = []
    for header in headers:
        if header is None:
            continue
        match = process.extractOne(
            normalize_label(str(header)),
            list(client.header_index),
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=0.88,
        )
        if match is not None:
            hints.append(f"{str(header)!r} -> {client.header_index[match[0]]}?")
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
                current.values,
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


def is_blank(values: Iterable[object]) -> bool:
    """True when every cell of a row is empty (a spacer row, not a record)."""
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)
