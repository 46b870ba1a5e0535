"""Store rows: what one chunk of decided claims adds, made without I/O.

Contract: `claim_rows(batch_id, digest, decided, stage, raws)` turns decided
claims into plain row tuples (`ClaimRows`), which `ClaimRows.pack` turns into
one serialized in-memory SQLite database (`PackedRows`) for a validation
worker to send; `Store.insert_claim_rows` takes either. `raw_json` and
`raw_from_json` encode and decode a raw record as the store keeps it (for
replay).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pydantic_core import to_json

from claimflow.dedupe.claims import key_values
from claimflow.errors import StoreError
from claimflow.keys import normalize_key
from claimflow.models import (
    Claim,
    Decision,
    Provenance,
    RawRecord,
    SalesClaim,
    ShownNumber,
)

# Each `ClaimRows` list (its attribute, and its table in a packed chunk): how
# its rows are inserted, and their width.
PACKED = {
    "claims": ("INSERT INTO claims", 14),
    "problems": (
        "INSERT INTO problems (claim_id, batch_id, code, field, source, message)",
        6,
    ),
    "headers": ("INSERT OR IGNORE INTO raw_headers", 2),
}

#: The claim fields its row's own columns hold, left out of its typed JSON
#: (``claims.data``); `CLAIM_JSON` puts them back.
IN_COLUMNS: set[str] = {"id", "client", "kind", "participant_id", "received_at"}

#: A stored claim (table alias ``c``) as JSON its model reads: ``claims.data``
#: with the fields kept in columns put back (rows stored before this release
#: hold them too; the columns have the same values).
CLAIM_JSON = (
    "json_set(c.data, '$.id', c.id, '$.client', c.client, '$.kind', c.kind, "
    "'$.participant_id', c.participant_id, '$.received_at', c.received_at)"
)

Row = tuple[object, ...]


@dataclass
class ClaimRows:
    """The rows one chunk of decided claims adds, ready for ``executemany``.

    Plain tuples of text and numbers: cheap to send between processes.
    """

    stage: str = "validate"
    #: When the claims were decided (their first outcome row).
    decided_at: str = ""
    claims: list[Row] = field(default_factory=list)
    problems: list[Row] = field(default_factory=list)
    #: (digest, JSON) of the header names the chunk's raw records refer to.
    headers: list[Row] = field(default_factory=list)
    #: Each claim's dedupe keys and serials as its ``keys`` and ``serials``
    #: columns hold them (as JSON): ``(keys, serials)``, in the claims' order.
    index: list[tuple[list[tuple[str, str, str]], list[str]]] = field(
        default_factory=list
    )

    def pack(self) -> PackedRows:
        """These rows as one serialized SQLite database (see `PackedRows`)."""
        conn = sqlite3.connect(":memory:")
        try:
            # Every table before any row: their root pages are then the same
            # in every chunk (2, 3, ...), as the store's cached schema of
            # the attached chunk expects (see `Store._attach_packed`).
            for table, (_, width) in PACKED.items():
                columns = ", ".join(f"c{i}" for i in range(width))
                conn.execute(f"CREATE TABLE {table} ({columns})")
            for table, (_, width) in PACKED.items():
                conn.executemany(
                    f"INSERT INTO {table} VALUES ({','.join('?' * width)})",
                    getattr(self, table),
                )
            conn.commit()
            return PackedRows(self.stage, self.decided_at, conn.serialize())
        finally:
            conn.close()


@dataclass
class PackedRows:
    """A chunk's `ClaimRows` as one serialized in-memory SQLite database.

    What a validation worker sends back: one bytes object instead of tens of
    thousands of tuples to pickle and unpickle, and the store copies its
    tables with ``INSERT ... SELECT`` instead of binding every value from
    Python: about half the main process's time per chunk (10,000 claims,
    measured against pickled tuples and ``executemany``).
    """

    stage: str
    decided_at: str
    data: bytes

    def unpack(self) -> ClaimRows:
        """The rows again (for a connection without ``deserialize``)."""
        conn = sqlite3.connect(":memory:")
        try:
            conn.deserialize(self.data)
            tables = {
                table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                for table in PACKED
            }
        finally:
            conn.close()
        return ClaimRows(self.stage, self.decided_at, **tables)


def claim_rows(
    batch_id: int,
    digest: str,
    decided: Sequence[tuple[Claim, Decision]],
    stage: str,
    raws: Sequence[RawRecord] | None = None,
) -> ClaimRows:
    """The store rows of decided claims (see `Store.add_claims`); no I/O."""
    rows = ClaimRows(stage, datetime.now(UTC).isoformat())
    if raws is not None:
        shared: dict[Any, RawHeader] = {}  # what a file's records share, encoded once
        raw_texts = [raw_json(r, shared) for r in raws]
        rows.headers = [(h.digest, h.text) for h in shared.values()]
    claims, problems = rows.claims, rows.problems
    # The typist types each distinct value once, so claims share their date
    # objects: each is rendered once (by identity: every one is alive here).
    rendered: dict[int, str] = {}

    def iso(value: date | None) -> str | None:
        if value is None:
            return None
        text = rendered.get(id(value))
        if text is None:
            text = rendered[id(value)] = value.isoformat()
        return text

    for index, (claim, decision) in enumerate(decided):
        keys, serials = key_values(claim), _serials(claim)
        rows.index.append((keys, serials))
        claims.append(
            (
                claim.id,
                claim.client,
                batch_id,
                digest,
                claim.kind,
                claim.participant_id,
                iso(claim.received_at),
                iso(claim.activity_date),
                decision.outcome.value,
                claim.provenance.where(),
                # the model's serializer called directly: model_dump_json's
                # own checks cost a sixth of the call, per claim
                claim.__pydantic_serializer__.to_json(
                    claim, exclude_none=True, exclude=IN_COLUMNS
                ).decode(),
                raw_texts[index] if raws is not None else None,
                # the claim's own dedupe keys: the claim_keys rows are made
                # from them, and dedupe reads them for the claims it checks
                to_json(keys).decode(),
                # its serial numbers as compared: the claim_serials rows
                to_json(serials).decode(),
            )
        )
        problems.extend(
            (claim.id, batch_id, p.code.value, p.field, p.source.where(), p.message)
            for p in decision.problems
        )
    return rows


def _serials(claim: Claim) -> list[str]:
    """A claim's serial numbers as compared (normalized), each once, sorted."""
    if not isinstance(claim, SalesClaim):
        return []
    return sorted({normalize_key(s) for ln in claim.lines for s in ln.serial_numbers})


@dataclass(frozen=True)
class RawHeader:
    """What the raw records of one file share, encoded once for ``raw_headers``.

    Attributes:
        digest: 16 hex digits of the text's sha256: what records name it by.
        text: the JSON stored: header names (``sources``), the file their
            provenance names, and the keys of their values and line values
            in the order the records list them.
        file: the file (left out of each record's provenance).
        values: the record values' keys, in order.
        lines: each line's keys, in order.
    """

    digest: str
    text: str
    file: str = ""
    values: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()


def raw_header(raw: RawRecord) -> RawHeader:
    """Encode what `raw` shares with the other records of its file, once.

    Example: ``raw_header(raw).digest`` (16 hex digits)
    """
    values = tuple(raw.values)
    lines = tuple(raw.lines[0][1]) if raw.lines else ()
    file = raw.source.file
    text = to_json(
        {"sources": raw.field_sources, "file": file, "values": values, "lines": lines}
    ).decode()
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return RawHeader(digest, text, file, values, lines)


def raw_json(raw: RawRecord, shared: dict[Any, RawHeader] | None = None) -> str:
    """A raw record as JSON (typed cells such as Excel dates become ISO text).

    Encoded by pydantic-core (a third of ``json.dumps``' time): the text is
    compact, and dates, times and decimals become ISO strings, which the
    claim models read back as keyed values. What every record of a file
    repeats is left out: the header names, the file name and the keys of
    the values, kept once in a `RawHeader` that the text names by digest
    (``"h"``); `shared` collects them (keyed by the header mapping's
    identity and the file, so each file's are encoded once) for
    ``raw_headers``. A record whose keys differ from its file's first keeps
    them (its values as an object, not a list); a line read from the
    record's own row refers to it (null). The content hash is the claim's
    document hash, stored beside it. Two fifths of the text the records
    took in full (500 -> 200 characters a claim in the ingest benchmark).
    """
    source = raw.source
    key = (id(raw.field_sources), source.file)
    header = None if shared is None else shared.get(key)
    if header is None:
        header = raw_header(raw)
        if shared is not None:
            shared[key] = header
    file, names, line_names = header.file, header.values, header.lines
    values = _tag_numbers(raw.values)
    lines = [
        (
            None if place is source else _place(place, file),
            list(line.values()) if tuple(line) == line_names else line,
        )
        for place, line in ((p, _tag_numbers(v)) for p, v in raw.lines)
    ]
    return to_json(
        {
            "s": _place(source, file),
            "v": list(values.values()) if tuple(values) == names else values,
            "l": lines,
            "h": header.digest,
        },
        fallback=str,
    ).decode()


#: The typed cells a raw record keeps, each as a one-key object naming its
#: type (``{"d": "906.25"}``): pydantic-core writes them as plain strings,
#: which would come back as text and be read again as keyed text.
#: A spreadsheet number with what its cell shows (`ShownNumber`) is stored
#: as the number it is: what it shows only words a refusal's message.
_TAGS: dict[type, str] = {
    Decimal: "d", ShownNumber: "d", datetime: "dt", date: "da", time: "t"
}  # fmt: skip
_UNTAG: dict[str, Callable[[str], Any]] = {
    "d": Decimal,
    "dt": datetime.fromisoformat,
    "da": date.fromisoformat,
    "t": time.fromisoformat,
}


def _tag_numbers(values: dict[str, Any]) -> dict[str, Any]:
    """Typed numbers, dates and times (JSON numbers, Excel cells) as
    ``{"d": "906.25"}``, ``{"da": "2026-11-16"}``, ``{"dt": "2026-11-16T14:00:00"}``
    or ``{"t": "14:00:00"}``.

    pydantic-core writes a Decimal as a JSON string, which would come back
    as text and be read again in the file's number locale (``906.25`` under
    a decimal comma is refused, or worse): tagged, it comes back a Decimal.
    A date or time cell alike: as text, an Excel check-in of 16/11/2026
    14:00 came back ``2026-11-16T14:00:00`` and was refused as a keyed date
    (trial 30); tagged, replay reads the datetime ingest read. Records
    stored before these tags keep their dates as text, read as before.
    """
    tags = _TAGS
    for value in values.values():
        if value.__class__ in tags:
            return {
                k: _tagged(v, tags[v.__class__]) if v.__class__ in tags else v
                for k, v in values.items()
            }
    return values


def _tagged(value: Any, tag: str) -> dict[str, str]:
    return {tag: str(value) if tag == "d" else value.isoformat()}


#: A stored raw text holding a tagged value (only those are parsed with a hook).
_TAGGED = re.compile(r'\{"(?:d|dt|da|t)":')


def _untag(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        ((tag, text),) = obj.items()
        read = _UNTAG.get(tag)
        if read is not None and isinstance(text, str):
            return read(text)
    return obj


def _place(source: Provenance, file: str) -> dict[str, Any]:
    """A provenance's parts that are set, its file left out when it is `file`."""
    place = {k: v for k, v in source.__dict__.items() if v is not None}
    if place.get("file") == file:
        del place["file"]
    return place


def raw_from_json(
    text: str, headers: Mapping[str, str] | None = None, content_hash: str = ""
) -> RawRecord:
    """The inverse of `raw_json`.

    Args:
        text: the stored raw JSON.
        headers: digest -> what the file's records share, as JSON
            (``Store.raw_headers``); rows stored before schema 14 carry their
            header names inline.
        content_hash: the claim's document hash (older rows carry their own).

    Returns:
        The record as it was read.

    Example: ``raw_from_json(row["raw"], store.raw_headers(), row["document_hash"])``
    """
    hook = _untag if _TAGGED.search(text) else None
    return raw_from_data(json.loads(text, object_hook=hook), headers, content_hash)


def raw_from_data(
    data: Mapping[str, Any], headers: Mapping[str, str] | None, content_hash: str
) -> RawRecord:
    """`raw_from_json` of text already parsed."""
    if "h" in data:
        return _compact_raw(data, _header(headers, data["h"]), content_hash)
    digest = data.get("fs")
    if digest is not None:  # stored before the compact form (schemas 14-20): names only
        sources = json.loads(_header(headers, digest))
    else:  # before schema 14: everything inline
        sources = data["field_sources"]
    return RawRecord(
        Provenance(**data["source"]),
        data["values"],
        tuple((Provenance(**src), line) for src, line in data["lines"]),
        sources,
        data.get("content_hash", content_hash),
    )


def _header(headers: Mapping[str, str] | None, digest: str) -> str:
    if headers is None or digest not in headers:
        raise StoreError(f"raw record refers to unknown header names {digest}")
    return headers[digest]


def _compact_raw(data: Mapping[str, Any], text: str, content_hash: str) -> RawRecord:
    header = _frame(text)
    file = header["file"]
    names, line_names = header["values"], header["lines"]
    source = Provenance(**{"file": file, **data["s"]})
    values = data["v"]
    try:
        return RawRecord(
            source,
            dict(zip(names, values, strict=True))
            if isinstance(values, list)
            else values,
            tuple(
                (
                    source if place is None else Provenance(**{"file": file, **place}),
                    dict(zip(line_names, line, strict=True))
                    if isinstance(line, list)
                    else line,
                )
                for place, line in data["l"]
            ),
            header["sources"],
            content_hash,
        )
    except ValueError as exc:  # a list of values longer or shorter than its keys
        raise StoreError(f"raw record does not match its header {data['h']}") from exc


@lru_cache(maxsize=64)
def _frame(text: str) -> dict[str, Any]:
    # parsed once per file's header, not once per record
    frame: dict[str, Any] = json.loads(text)
    return frame
