"""Source records: distributor sales data and hotel stay or folio exports.

`read_source` reads a CSV or xlsx export as every reference table is read
(`claimflow.parse.tables`: a title line above the header skipped, a total
row after the last record left out only when its figures equal the
records' sums; a stay export's revenue is summed per currency, and a total
over rows in two currencies that names none is left unchecked with a note),
maps its columns through the source aliases, the client's
claim ``columns`` for the same fields, then its
``verification.source_columns``, and types each row into a `SaleRecord` or
`StayRecord` (dates in the source date order, amounts as Decimal); a bad
row is unreadable input naming the row and the column as headed.
`import_source` stores them once per file (by content hash).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from claimflow.config import ResolvedClient
from claimflow.currencies import beyond_minor_unit
from claimflow.errors import UnreadableInput
from claimflow.fields import alias_index
from claimflow.keys import normalize_key
from claimflow.models import Provenance, SaleRecord, StayRecord
from claimflow.numbers import NumberError, number_format
from claimflow.parse.common import content_hash
from claimflow.parse.tables import expected, read_table
from claimflow.sniff import encoding_origin
from claimflow.store import Store
from claimflow.store.source import (
    add_source_document,
    add_source_records,
    source_import_of,
    source_rows,
)
from claimflow.values import parse_date
from claimflow.verify.settings import SOURCE_ALIASES, SOURCE_FIELDS

SourceRecord = SaleRecord | StayRecord


def source_key(record: SourceRecord) -> str:
    """The exact-match key: the normalised invoice, or hotel and confirmation."""
    if isinstance(record, SaleRecord):
        return normalize_key(record.invoice_number)
    return f"{record.hotel_code.upper()}|{normalize_key(record.confirmation_number)}"


#: Claim fields whose ``columns`` aliases name a source field of another name.
CLAIM_TO_SOURCE = {
    "line_total": "amount",
    "check_in": "arrival",
    "check_out": "departure",
    "qualifying_revenue": "room_revenue",
    "member_name": "guest_name",
}


def _index(client: ResolvedClient) -> dict[str, str]:
    """Folded header -> source field: the defaults, the client's claim
    ``columns`` for the same fields, then its ``source_columns``."""
    fields = SOURCE_FIELDS[client.config.kind]
    defaults = {name: SOURCE_ALIASES.get(name, ()) for name in fields}
    claimed: dict[str, list[str]] = {}
    for name, aliases in client.config.columns.items():
        target = CLAIM_TO_SOURCE.get(name, name)
        if target in fields:
            claimed.setdefault(target, []).extend(aliases)
    own = client.config.verification.source_columns
    return alias_index(defaults, claimed, own)


def _typed_cell(kind: str, value: object, currency: str | None) -> object:
    """A typed xlsx cell (a date, a number) taken as it is: a count whole,
    an amount with no more decimals than its currency's minor unit, as a
    text one is read (`beyond_minor_unit`)."""
    if kind == "int" and isinstance(value, Decimal) and value != value.to_integral():
        raise ValueError(f"expected a whole number, found {value}")
    if kind == "decimal" and isinstance(value, Decimal) and currency:
        why = beyond_minor_unit(value, currency)
        if why is not None:
            raise ValueError(f"expected an amount in {currency}, found {value:f} ({why})")
    return int(value) if kind == "int" and isinstance(value, int | Decimal) else value


def _typed(
    name: str, kind: str, value: object, client: ResolvedClient, currency: str | None = None
) -> object:
    """A source value typed: text read in the source's date order and number
    locale, an amount with a currency sign or code only where it is
    `currency`'s (a dealer's ``US$ 1.234,56`` is no amount in pesos); a
    typed xlsx cell (a date, a number) taken as it is."""
    if not isinstance(value, str):
        return _typed_cell(kind, value, currency)
    text = value
    settings = client.config.verification
    if kind == "date":
        parsed = parse_date(text, settings.source_date_order, client.solar_hijri)
        if isinstance(parsed, str) and any(c.isalpha() for c in text):
            # '4 de diciembre de 2026': read as claims and member lists read it
            from claimflow.written_dates import named_month_date

            named = named_month_date(
                text, client.config.locale, settings.source_date_order
            )
            parsed = parsed if named is None else named
        if isinstance(parsed, str):
            # the exports' order is a setting of its own (trial 38: a new
            # desk's DMY export refused as YMD named no setting to change)
            raise ValueError(
                f"{parsed}; the exports' date order is "
                f"verification.source_date_order ({settings.source_date_order})"
            )
        return parsed
    if kind in ("decimal", "int"):
        # an amount is read in its record's currency (a sale's: the
        # program's): NT$51,800 and 51,800 are one reading in TWD
        try:
            number = number_format(settings.number_locale).read(
                text, kind == "int", currency=currency if kind == "decimal" else None
            )
        except NumberError as exc:
            said = str(exc)
            said = said if repr(text) in said else f"{said}, found {text!r}"
            raise ValueError(
                f"{said}; the exports' number locale is "
                f"verification.source_number_locale ({settings.number_locale})"
            ) from None
        return int(number) if kind == "int" else number
    if kind == "list":
        return tuple(s for s in text.replace(";", " ").replace(",", " ").split() if s)
    return text


def read_source(
    path: str | Path,
    client: ResolvedClient,
    notes: list[str] | None = None,
    encoding: str | None = None,
) -> Iterator[SourceRecord]:
    """Stream typed source records from a CSV or xlsx export.

    Args:
        path: the export.
        client: the resolved client (aliases, date order, number locale).
        notes: where to add what was skipped (a title line, a total row).
        encoding: the CSV's text encoding (default: the client's ``encoding``,
            else detected).

    Raises:
        UnreadableInput: unreadable file, a row with a bad value (row and
            column as headed), or a total row that differs from the sums.

    Example: ``list(read_source("samples/acme-tools/source/dealer_sales.csv", client))``
    """
    name = str(path)
    fields = SOURCE_FIELDS[client.config.kind]
    model: type[SaleRecord] | type[StayRecord] = (
        SaleRecord if client.config.kind == "sales" else StayRecord
    )
    keys = ("invoice_number", "sku", "hotel_code", "confirmation_number")
    table = read_table(
        Path(path), _index(client), keys, encoding or client.config.encoding,
        encoding_origin(encoding, client.source_path), client.config.locale,
    )  # fmt: skip
    required = [f for f in fields if model.model_fields[f].is_required()]
    table.require(required, {f: f for f in required})
    summed = [f for f, kind in fields.items() if kind in ("decimal", "int")]
    sums = dict.fromkeys(summed, Decimal(0))
    # a stay's revenue is in its folio's currency: summed per currency, so
    # a total of EUR and USD rows is never checked against their mixed sum
    in_currency = "currency" in fields
    by_currency: dict[str, dict[str, Decimal]] = {
        f: {} for f in summed if in_currency and fields[f] == "decimal"
    }
    for row_no, cells in table.rows:
        column = ""
        try:
            values = {}
            # a stay's folio names its currency; a sale is in the client's
            currency = str(cells.get("currency") or "").strip().upper()
            for column, value in cells.items():
                values[column] = _typed(
                    column, fields[column], value, client, currency or client.config.currency
                )
            column = ""
            record = model.model_validate(
                {**values, "provenance": Provenance(file=name, row=row_no)}
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            column = str(error["loc"][0]) if error["loc"] else ""
            raise UnreadableInput(
                name,
                expected(error["msg"], cells.get(column)),
                table.where(row_no, column),
            ) from None
        except ValueError as exc:
            where = table.where(row_no, column) if column else f"row {row_no}"
            raise UnreadableInput(name, str(exc), where) from None
        for name_ in summed:
            value = getattr(record, name_, None)
            if value is not None:
                sums[name_] += Decimal(value)
                if name_ in by_currency:
                    held = by_currency[name_]
                    code = currency or client.config.currency
                    held[code] = held.get(code, Decimal(0)) + Decimal(value)
        yield record
    table.check_totals(
        sums,
        number_format(client.config.verification.number_locale),
        client.config.currency if client.config.kind == "sales" else None,
        by_currency,
    )
    if notes is not None:
        notes.extend(table.notes)


def import_source(
    store: Store,
    client: ResolvedClient,
    path: str | Path,
    now: datetime,
    *,
    actor: str = "source",
    notes: list[str] | None = None,
    encoding: str | None = None,
) -> tuple[int, int | None]:
    """Store a source file's records once; call inside a store transaction.

    Returns:
        (records stored, or 0 when the file was imported before; the row count
        of the earlier import then). What reading the file skipped goes to
        `notes`.

    Example: ``import_source(store, client, "dealer_sales.csv", now)``
    """
    path = Path(path)
    digest = content_hash(path)
    earlier = source_import_of(store, digest)
    if earlier is not None:
        return 0, earlier
    rows = []
    for record in read_source(path, client, notes, encoding):
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
