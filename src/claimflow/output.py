"""Rows as JSON, CSV or newline-delimited JSON: one set of values for every format.

Contract: input is rows (mappings of column -> value, as a result's
``to_dict()`` lists them); output is text, or a file whose suffix names the
format (`row_format`). Every format writes the values ``--json`` prints:

- JSON is strict (`strict_json`): NaN and infinities become null, a
  `~decimal.Decimal` its exact text (``"12.50"``), a date or time its ISO
  form, a numpy number a number, pandas' missing values null.
- newline-delimited JSON (``nl``; ``.jsonl``, ``.ndjson``) is one such
  object per line, without indentation.
- CSV has a header of every column in the order first seen. A cell is the
  JSON value as text: a string as it is, null empty, a number as JSON
  writes it (never float formatting or a locale), ``true``/``false``, a
  list or an object as its JSON text. Values are not changed for
  spreadsheets: this is a format for programs (a file a clerk opens in
  Excel is an ``.xlsx``, where `claimflow.report.safe_cell` applies).

Nothing here imports pandas or numpy: the CLI loads it before ``--help``.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import math
import os
import sys
from collections.abc import Iterable, Mapping
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal

from claimflow.errors import ClaimflowError

RowFormat = Literal["json", "csv", "nl"]

#: A rows file's suffix -> its format.
ROW_SUFFIXES: dict[str, RowFormat] = {
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "nl",
    ".ndjson": "nl",
}


def json_ready(data: Any) -> Any:
    """`data` with every value JSON can write as ``--json`` prints it.

    Example: ``json_ready({"amount": Decimal("1.50")}) == {"amount": "1.50"}``
    """
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if data is None or isinstance(data, str | int | bool):
        return data
    if isinstance(data, Mapping):
        return {str(k): json_ready(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [json_ready(v) for v in data]
    return json_ready(_text(data))


def _text(value: Any) -> Any:
    """Values json cannot write: numpy numbers as numbers, pandas' missing
    values (NA, NaT) as null, the rest as text."""
    pandas = sys.modules.get("pandas")  # a pandas value means pandas is loaded
    if pandas is not None and (value is pandas.NA or value is pandas.NaT):
        return None
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else None
    if isinstance(value, date | time):
        return value.isoformat()
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, bytes):
        try:
            return item()
        except ValueError:  # a numpy array of several values
            return value.tolist()
    return str(value)


def strict_json(data: Any, indent: int | None = 2) -> str:
    """JSON that every strict parser reads: NaN and infinities become null.

    Python's ``json`` writes ``NaN`` by default, which JSON forbids (and
    pandas and numpy hand over NaN for a missing score); dates, decimals and
    other values become their text.

    Example: ``strict_json({"score": float("nan")}) == '{"score": null}'``
    """
    return json.dumps(json_ready(data), indent=indent, allow_nan=False)


def csv_cell(value: Any) -> str:
    """One value as a CSV cell: its JSON value as text (a string as it is).

    Example: ``csv_cell(Decimal("-2.50")) == "-2.50"`` and ``csv_cell(None) == ""``
    """
    ready = json_ready(value)
    if ready is None:
        return ""
    if isinstance(ready, str):
        return ready
    return json.dumps(ready, allow_nan=False, ensure_ascii=False)


def row_format(path: Path | str) -> RowFormat:
    """The format a rows file's suffix names; a `ClaimflowError` for another.

    Example: ``row_format("queue.ndjson") == "nl"``
    """
    found = ROW_SUFFIXES.get(Path(path).suffix.lower())
    if found is None:
        raise ClaimflowError(
            f"{path}: expected a .csv, .json, .jsonl or .ndjson file, "
            f"found {Path(path).suffix or 'no suffix'}"
        )
    return found


def write_rows(rows: Iterable[Mapping[str, Any]], out: IO[str], fmt: RowFormat) -> int:
    """Write rows to an open text stream as JSON, CSV or one JSON object a line.

    Args:
        rows: mappings of column -> value (their keys make the CSV header).
        out: where to write (``sys.stdout``, an open file: newline="" for CSV).
        fmt: ``json`` (an array of objects), ``csv`` or ``nl``.

    Returns:
        The number of rows written.

    Example: ``write_rows([{"points": 50}], sys.stdout, "csv")``
    """
    ready = [json_ready(dict(row)) for row in rows]
    if fmt == "json":
        out.write(json.dumps(ready, indent=2, allow_nan=False) + "\n")
    elif fmt == "nl":
        for row in ready:
            out.write(json.dumps(row, allow_nan=False, ensure_ascii=False) + "\n")
    else:
        header = list(dict.fromkeys(key for row in ready for key in row))
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for row in ready:
            writer.writerow([csv_cell(row.get(key)) for key in header])
    return len(ready)


def rows_text(rows: Iterable[Mapping[str, Any]], fmt: RowFormat) -> str:
    """`write_rows` into a string.

    Example: ``rows_text([{"a": 1}], "nl") == '{"a": 1}\\n'``
    """
    buffer = io.StringIO(newline="")
    write_rows(rows, buffer, fmt)
    return buffer.getvalue()


def write_rows_file(rows: Iterable[Mapping[str, Any]], path: Path) -> int:
    """Write rows to a .csv, .json, .jsonl or .ndjson file (format by suffix).

    The suffix is checked before anything is written; the file is written
    whole or not at all (a temporary file beside it, then renamed).

    Example: ``write_rows_file(queue.to_dict(), Path("queue.csv"))``
    """
    fmt = row_format(path)
    if not path.parent.is_dir():  # named as given, not as the temporary file
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("w", newline="", encoding="utf-8") as fh:
            count = write_rows(rows, fh, fmt)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return count
