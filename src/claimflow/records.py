"""The base of every domain record, where a value came from, and what is wrong with it.

`Record` (frozen pydantic, no unknown fields) is the base of every model in
`claimflow.models`; `Provenance` names the file, sheet, page, row, line and
field a value came from (`line_source` and `source_name` name a line's own
field); `Problem` (alias `Deficiency`) is one thing wrong with a record, as
a value with a stable reason code. Re-exported by `claimflow.models`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from claimflow.codes import ReasonCode

Scalar = str | int | Decimal | date | datetime | bool | None


class Record(BaseModel):
    """Base for every domain record: frozen, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def line_source(field: str, line: int) -> str:
    """The key of a line's own source name in a record's ``field_sources``
    (``sku@2``), where a form names each line's field apart (``sku_2``);
    ``field_sources[field]`` is the first line's (and a table's column's).

    Example: ``line_source("sku", 2) == "sku@2"``
    """
    return f"{field}@{line}"


def source_name(sources: Mapping[str, str], field: str, line: int | None) -> str:
    """How the source names `field` (of claim line `line`): the line's own
    name when it has one (`line_source`), else the field's, else the field.

    Example: ``source_name({"sku": "sku_1", "sku@2": "sku_2"}, "sku", 2) == "sku_2"``
    """
    if line is not None:
        own = sources.get(line_source(field, line))
        if own is not None:
            return own
    return sources.get(field, field)


class Provenance(Record):
    """Where a value or record came from.

    Attributes:
        file: the input file's name as given to claimflow.
        sheet: the Excel sheet, if any.
        page: 1-based PDF page, if any.
        row: the row as a spreadsheet shows it (the header is row 1), or
            the 1-based index of an object in a JSON file.
        field: the field name *as written in the source* (column header or
            form field name), if the provenance is of one value.
        line: 1-based claim line within the record, if of a line's value.
    """

    file: str
    sheet: str | None = None
    page: int | None = None
    row: int | None = None
    field: str | None = None
    line: int | None = None

    def where(self) -> str:
        """Render as ``file:row 14:line 2:invoice_date`` (STYLE rule 8)."""
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet}")
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field is not None:
            parts.append(self.field)
        return ":".join(parts)

    @classmethod
    def of_row(cls, file: str, row: int) -> Provenance:
        """A file's row, built without validation (readers make one per row).

        Example: ``Provenance.of_row("claims.csv", 14).where() == "claims.csv:row 14"``
        """
        source = cls.__new__(cls)
        _set = object.__setattr__
        _set(
            source,
            "__dict__",
            {
                "file": file,
                "sheet": None,
                "page": None,
                "row": row,
                "field": None,
                "line": None,
            },
        )
        _set(source, "__pydantic_fields_set__", {"file", "row"})
        _set(source, "__pydantic_extra__", None)
        _set(source, "__pydantic_private__", None)
        return source

    def at(self, field: str | None, line: int | None = None) -> Provenance:
        """Return this provenance narrowed to one field (and claim line)."""
        return self.model_copy(update={"field": field, "line": line})


class Problem(Record):
    """One thing wrong with a record, as a value (never an exception).

    Attributes:
        source: where the offending value is.
        code: the stable reason code.
        message: ``expected ..., found ...`` for a person.
        record_id: the claim (or other record) the problem belongs to.
        field: the canonical field name (``invoice_date``), for notices.
    """

    source: Provenance
    code: ReasonCode
    message: str
    record_id: str
    field: str | None = None

    def render(self) -> str:
        """``claims.csv:row 14:Invoice Date: expected ..., found ...``."""
        return f"{self.source.where()}: {self.message}"


#: A problem the participant can cure by sending something back.
Deficiency = Problem
