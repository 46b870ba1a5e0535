"""PDF reader: fillable AcroForms and printed (or flattened) layouts.

- A PDF whose AcroForm holds values for fields the client maps is one claim
  (`claimflow.parse.pdf_form`); a filled field that maps to nothing is a
  note on the file. Claim details printed on its pages (a form flattened
  on one page, fillable on another) are the claim's too
  (`claimflow.parse.pdf_printed.with_printed`).
- Otherwise each page with ``Label: value`` text is one claim, with its claim
  lines taken from the page's tables (header row matched like CSV headers):
  ruled ones from their grid, then unruled ones from word positions. A line
  is split at every known label, and words are split at gaps relative to
  the font size (`claimflow.parse.pdf_layout` reads the printed layout).
  A page with claim lines and no labels continues the claim of the page
  before it (a line table running over, its header row repeated or not);
  with no claim before it, it is refused. A page printed sideways or upside
  down is read turned upright (`claimflow.parse.pdf_pages`), with a note.
  `claimflow.parse.pdf_printed` reads printed pages.
- A line table's total row (``Summe | 3 | | 25,00``, a carried-forward
  ``Übertrag``) is no claim line: its figures are checked against the
  claim's lines read above it (`claimflow.parse.pdf_totals`), and a figure
  that differs refuses the file.
- Damaged, huge or bomb-like PDFs are refused in one line
  (`claimflow.parse.pdf_guard`).
- A page with images but no text is a scan: reported, never skipped (no OCR).
- A page with text in a font without a Unicode map (pdfminer reads
  ``(cid:80)``) is refused naming the page, never skipped or stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.models import RawRecord
from claimflow.parse.pdf_form import form_fields, form_record
from claimflow.parse.pdf_guard import (
    MAX_PAGES,
    PdfTooSlow,
    declared_pages,
    guarded,
    too_large,
)
from claimflow.parse.pdf_printed import printed_records, with_printed
from claimflow.values import ValueContext


def read_pdf(
    path: Path,
    client: ResolvedClient,
    digest: str,
    name: str,
    notes: list[str] | None = None,
    values: ValueContext | None = None,
) -> Iterator[RawRecord]:
    """Read claims from a PDF: one per filled form, or one per printed page.

    Args:
        path: the PDF.
        client: the resolved client (form field mapping, label aliases).
        digest: the file's content hash.
        name: the file name for provenance.
        notes: where to add what was read specially or left out (a page
            read turned upright).
        values: how the batch reads values (its number locale), for the
            figures of a line table's total rows; None: the client's.

    Yields:
        Raw records.

    Raises:
        UnreadableInput: not a PDF, encrypted, damaged, a scanned page, or
            a line table's total row its lines do not add up to.

    Example: ``list(read_pdf(Path("form.pdf"), client, h, "form.pdf"))``
    """
    with path.open("rb") as fh:
        if b"%PDF" not in fh.read(1024):
            raise UnreadableInput(name, "not a PDF (no %PDF header)")
    # Read whole, inside one guard: pdfminer and pdfplumber raise many kinds
    # of exception on damaged files, some only when the file is closed.
    with guarded():
        records = _records(
            path, client, digest, name, [] if notes is None else notes, values
        )
    if not records:
        raise UnreadableInput(
            name, "no claim found: no mapped form field and no 'Label: value' text"
        )
    yield from records


def _records(
    path: Path,
    client: ResolvedClient,
    digest: str,
    name: str,
    notes: list[str],
    values: ValueContext | None,
) -> list[RawRecord]:
    import pdfplumber

    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many types on hostile input
        raise UnreadableInput(name, _pdf_open_error(exc)) from None
    try:
        if declared_pages(pdf) > MAX_PAGES:
            raise UnreadableInput(
                name,
                f"{declared_pages(pdf):,} pages declared: more than a claims PDF "
                f"has ({MAX_PAGES:,}); split it",
            )
        form = form_record(form_fields(pdf), client, name, digest, notes)
        if form is not None:
            return [with_printed(form, pdf, client, name, notes, values)]
        return printed_records(pdf, client, name, digest, notes, values)
    except UnreadableInput:
        raise
    except Exception as exc:  # a damaged object deep inside a page
        refused = too_large(exc)
        if isinstance(refused, PdfTooSlow):
            raise UnreadableInput(name, f"{refused}: a runaway parse?") from None
        if refused is not None:
            raise UnreadableInput(name, f"{refused}: a decompression bomb?") from None
        raise UnreadableInput(name, f"damaged PDF ({type(exc).__name__})") from None
    finally:
        _close(pdf)


def _close(pdf: Any) -> None:
    try:
        pdf.close()
    except Exception:  # closing walks the pages again: a damaged one raises
        stream = getattr(pdf, "stream", None)
        if stream is not None:
            stream.close()


def _pdf_open_error(exc: Exception) -> str:
    text = f"{type(exc).__name__} {exc} {exc.args!r} {exc.__cause__!r}".lower()
    if "password" in text or "encrypt" in text:
        return "encrypted PDF: ask the sender for an unprotected copy"
    return "not a readable PDF (damaged or not a PDF)"
