"""Entry-check files: QA's counts of keyed fields checked and errors found.

One row per operator, field and day (``operator, field, day, checked,
errors``, optionally ``batch_id``), read like every reference CSV
(encoding and dialect sniffed, header aliases folded); counts are whole
numbers in the client's number locale, days in its date order.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import NamedTuple

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.numbers import NumberError
from claimflow.parse.csvfile import mapped_table
from claimflow.values import parse_date

COLUMNS = {
    "operator": "operator",
    "keyedby": "operator",
    "field": "field",
    "day": "day",
    "date": "day",
    "checked": "checked",
    "fieldschecked": "checked",
    "errors": "errors",
    "batchid": "batch_id",
    "batch": "batch_id",
}
_REQUIRED = ("operator", "day", "checked", "errors")


class EntryCheck(NamedTuple):
    """One operator's checked fields and errors on one day.

    Attributes:
        operator: who keyed.
        field: the field checked (``all`` when the row does not say).
        day: the day of the check.
        checked: fields checked.
        errors: errors found among them.
        batch_id: the batch, when the row names one.
        row: the row of the file.
    """

    operator: str
    field: str
    day: date
    checked: int
    errors: int
    batch_id: int | None
    row: int


def _check_row(text: dict[str, str], counts: dict[str, int]) -> None:
    """Refuse a row naming no operator, or counts that cannot be."""
    if not text.get("operator"):
        raise ValueError("operator: missing (whose keying was checked?)")
    if counts["checked"] < 0:
        raise ValueError(f"checked: expected 0 or more fields, found {counts['checked']}")
    if not 0 <= counts["errors"] <= counts["checked"]:
        raise ValueError(
            f"errors: expected 0 to {counts['checked']} (the fields "
            f"checked), found {counts['errors']}"
        )


def read_entry_checks(path: Path, client: ResolvedClient) -> Iterator[EntryCheck]:
    """Stream entry checks from a CSV, each value read or refused with its place.

    Raises:
        UnreadableInput: a missing column, a bad value (row and column named),
            or a row with more or fewer fields than the header (row named).

    Example: ``list(read_entry_checks(Path("checks.csv"), client))[0].errors``
    """
    name = str(path)
    fields, rows = mapped_table(path, COLUMNS)
    missing = [c for c in _REQUIRED if c not in fields]
    if missing:
        raise UnreadableInput(name, f"expected columns {', '.join(missing)}", "row 1")
    numbers = client.numbers
    for row_no, text in rows:
        try:
            day = parse_date(text.get("day", ""), client.config.date_order)
            if isinstance(day, str):
                raise ValueError(f"day: {day}")
            counts = {}
            for column in ("checked", "errors", "batch_id"):
                value = text.get(column, "")
                if value or column != "batch_id":
                    try:
                        counts[column] = int(numbers.read(value, whole=True))
                    except NumberError as exc:
                        raise ValueError(f"{column}: {exc}") from None
            _check_row(text, counts)
            yield EntryCheck(
                text["operator"],
                text.get("field") or "all",
                day,
                counts["checked"],
                counts["errors"],
                counts.get("batch_id"),
                row_no,
            )
        except ValueError as exc:
            raise UnreadableInput(
                name, f"bad entry check: {exc}", f"row {row_no}"
            ) from None
