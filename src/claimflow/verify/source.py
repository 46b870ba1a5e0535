"""Source records: distributor sales data and hotel stay or folio exports.

`read_source` maps a CSV's columns through the client's source aliases and
types each row into a `SaleRecord` or `StayRecord` (dates in the client's
order, amounts as Decimal); a bad row is unreadable input naming the row and
column. `import_source` stores them once per file (by content hash).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label
from claimflow.models import Provenance, SaleRecord, StayRecord
from claimflow.numbers import NumberError, read_number
from claimflow.parse.common import content_hash
from claimflow.parse.csvfile import mapped_table
from claimflow.store import Store
from claimflow.store.source import (
    add_source_document,
    add_source_records,
    source_import_of,
    source_rows,
)
from claimflow.validate.batch import normalize_key
from claimflow.values import parse_date
from claimflow.verify.settings import SOURCE_ALIASES, SOURCE_FIELDS

SourceRecord = SaleRecord | StayRecord


def source_key(record: SourceRecord) -> str:
    """The exact-match key: the normalised invoice, or hotel and confirmation."""
    if isinstance(record, SaleRecord):
        return normalize_key(record.invoice_number)
    return f"{record.hotel_code.upper()}|{normalize_key(record.confirmation_number)}"


def _index(client: ResolvedClient) -> dict[str, str]:
    fields = SOURCE_FIELDS[client.config.kind]
    extra = client.config.verification.source_columns
    index: dict[str, str] = {}
    for name in fields:
        for alias in (name, *SOURCE_ALIASES.get(name, ()), *extra.get(name, ())):
            index[normalize_label(alias)] = name
    return index


def _typed(name: str, kind: str, text: str, client: ResolvedClient) -> object:
    settings = client.config.verification
    if kind == "date":
        parsed = parse_date(text, settings.source_date_order)
        if isinstance(parsed, str):
            raise ValueError(f"{name}: {parsed}")
        return parsed
    if kind in ("decimal", "int"):
        try:
            number = read_number(text, settings.number_locale, kind == "int")
        except NumberError as exc:
            raise ValueError(f"{name}: {exc}") from None
        return int(number) if kind == "int" else number
    if kind == "list":
        return tuple(s for s in text.replace(";", " ").replace(",", " ").split() if s)
    return text


def read_source(path: str | Path, client: ResolvedClient) -> Iterator[SourceRecord]:
    """Stream typed source records from a CSV export.

    Raises:
        UnreadableInput: unreadable file, or a row with a bad value (row, column).

    Example: ``list(read_source("samples/acme-tools/source/dealer_sales.csv", client))``
    """
    name = str(path)
    fields = SOURCE_FIELDS[client.config.kind]
    model: type[SaleRecord] | type[StayRecord] = (
        SaleRecord if client.config.kind == "sales" else StayRecord
    )
    _, rows = mapped_table(Path(path), _index(client))
    for row_no, text in rows:
        try:
            values = {f: _typed(f, fields[f], v, client) for f, v in text.items() if v}
            yield model.model_validate(
                {**values, "provenance": Provenance(file=name, row=row_no)}
            )
        except (ValueError, ValidationError) as exc:
            detail = (
                str(exc).splitlines()[0]
                if not isinstance(exc, ValidationError)
                else "; ".join(
                    f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
                )
            )
            raise UnreadableInput(
                name, f"bad source record: {detail}", f"row {row_no}"
            ) from None


def import_source(
    store: Store,
    client: ResolvedClient,
    path: str | Path,
    now: datetime,
    *,
    actor: str = "source",
) -> tuple[int, int | None]:
    """Store a source file's records once; call inside a store transaction.

    Returns:
        (records stored, or 0 when the file was imported before; the row count
        of the earlier import then).

    Example: ``import_source(store, client, "dealer_sales.csv", now)``
    """
    path = Path(path)
    digest = content_hash(path)
    earlier = source_import_of(store, digest)
    if earlier is not None:
        return 0, earlier
    rows = []
    for record in read_source(path, client):
        day: date = (
            record.invoice_date if isinstance(record, SaleRecord) else record.arrival
        )
        rows.append(
            (
                client.key,
                client.config.kind,
                source_key(record),
                day.isoformat(),
                digest,
                record.provenance.row or 0,
                record.model_dump_json(),
            )
        )
    add_source_records(store, rows)
    add_source_document(
        store, digest, client.key, str(path), len(rows), now.isoformat()
    )
    store.audit(actor, "source import", {"file": str(path), "records": len(rows)})
    return len(rows), None


def load_records(store: Store, ids: list[int]) -> dict[int, SourceRecord]:
    """Source records by id."""
    found: dict[int, SourceRecord] = {}
    for rid, kind, data in source_rows(store, ids):
        model = SaleRecord if kind == "sales" else StayRecord
        found[rid] = model.model_validate(json.loads(data))
    return found
