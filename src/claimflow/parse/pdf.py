"""PDF reader: fillable AcroForms and printed (or flattened) layouts.

- A PDF whose AcroForm holds values for fields the client maps is one claim.
  Field names are the full hierarchical names (``topmostSubform[0].Page1[0].
  f1_1[0]``); the client's ``form_fields`` maps them, and a field named like a
  canonical field or one of its aliases maps by itself. A line field is
  written ``sku[2]`` (line 2) in the mapping, or named ``sku_2`` in the form.
  Check boxes read as True/False, radio groups and choices as their value.
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
- Damaged, huge or bomb-like PDFs are refused in one line
  (`claimflow.parse.pdf_guard`).
- A page with images but no text is a scan: reported, never skipped (no OCR).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label
from claimflow.models import Provenance, RawRecord, line_source
from claimflow.parse.pdf_guard import (
    MAX_PAGES,
    PdfTooSlow,
    declared_pages,
    guarded,
    too_large,
)
from claimflow.parse.pdf_printed import printed_records

_LINE_SUFFIX = re.compile(r"^(.*?)(?:_|\[)(\d{1,2})\]?$")
MAX_FORM_DEPTH = 32


def _decode(value: Any) -> Any:
    from pdfminer.psparser import PSLiteral
    from pdfplumber.utils.pdfinternals import decode_text, resolve

    value = resolve(value)
    if isinstance(value, PSLiteral):
        name = decode_text(value.name)
        return name != "Off" if name in {"Off", "Yes", "On"} else name
    if isinstance(value, bytes | str):
        return decode_text(value)
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _walk_fields(
    field: Any,
    prefix: str,
    out: dict[str, Any],
    depth: int = 0,
    inherited: tuple[Any, Any] = (None, None),
) -> None:
    from pdfplumber.utils.pdfinternals import decode_text, resolve

    node = resolve(field)
    if not isinstance(node, dict) or depth > MAX_FORM_DEPTH:
        return
    part = node.get("T")
    name = ".".join(p for p in (prefix, decode_text(part) if part else "") if p)
    # field type and options are inheritable, like the value
    kind = resolve(node.get("FT", inherited[0]))
    opt = resolve(node.get("Opt", inherited[1]))
    for kid in resolve(node.get("Kids")) or []:
        _walk_fields(kid, name, out, depth + 1, (kind, opt))
    if "V" in node and name:
        value = _decode(node["V"])
        out[name] = (
            _option(value, opt) if getattr(kind, "name", None) == "Btn" else value
        )


def _option(value: Any, opt: Any) -> Any:
    """A radio button's or check box's state as its option's export value.

    With an ``/Opt`` array the on-states are indexes into it (PDF 32000
    12.7.4.2.3): a radio group of ``Bär`` and ``Löwe`` answers ``/0``, which
    means ``Bär``. Only buttons: a combo box's value is its text (``2``
    typed into a quantity list is 2, not the third option).
    """
    if not isinstance(value, str) or not value.isdigit() or not isinstance(opt, list):
        return value
    index = int(value)
    if index >= len(opt):
        return value
    chosen = _decode(opt[index])
    return chosen[0] if isinstance(chosen, list) and chosen else chosen


def form_values(pdf: Any) -> dict[str, Any]:
    """Every AcroForm field's full name and value (empty dict if no form).

    Args:
        pdf: an open pdfplumber PDF.

    Returns:
        Full hierarchical field name -> decoded value.

    Example: ``form_values(pdfplumber.open("form.pdf")) == {"foo": "Bar"}``
    """
    from pdfplumber.utils.pdfinternals import resolve

    form = resolve(pdf.doc.catalog.get("AcroForm"))
    if not isinstance(form, dict):
        return {}
    out: dict[str, Any] = {}
    for field in resolve(form.get("Fields")) or []:
        _walk_fields(field, "", out)
    return out


def _map_form_field(
    name: str, client: ResolvedClient, ambiguous: set[str]
) -> tuple[str, int] | None:
    """The canonical field (and line) of a form field, or None.

    A name the client's ``form_fields`` lists exactly maps first; a folded
    name maps only when no other field of the form folds to it
    (``MailingAddress_City[0]`` and ``Mailing_Address_City[0]`` are two
    fields, not one).
    """
    target = client.config.form_fields.get(name)
    folded = normalize_label(name)
    if target is None:
        if folded in ambiguous:
            return None
        target = client.form_index.get(folded) or client.header_index.get(folded)
    if target is None:
        suffixed = _LINE_SUFFIX.match(name)
        line_folded = normalize_label(suffixed[1]) if suffixed else ""
        if suffixed and line_folded in client.header_index:
            return client.header_index[line_folded], int(suffixed[2])
        return None
    indexed = re.fullmatch(r"(\w+)\[(\d+)\]", target)
    return (indexed[1], int(indexed[2])) if indexed else (target, 1)


def _ambiguous_names(names: list[str], client: ResolvedClient, file: str) -> set[str]:
    """Folded names that more than one field folds to, or that a field named
    exactly in ``form_fields`` already claims.

    Raises:
        UnreadableInput: two fields fold to a name the client maps, and
            ``form_fields`` names neither exactly: which one is meant?
    """
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(normalize_label(name), []).append(name)
    exact = client.config.form_fields
    for folded, group in groups.items():
        target = client.form_index.get(folded) or client.header_index.get(folded)
        if len(group) > 1 and target and not any(n in exact for n in group):
            raise UnreadableInput(
                file,
                f"form fields {group[0]!r} and {group[1]!r} both match {target}; "
                "name the right one in the client's form_fields",
                "page 1",
            )
    return {f for f, group in groups.items() if len(group) > 1} | {
        normalize_label(n) for n in names if n in exact
    }


def _form_record(
    values: dict[str, Any], client: ResolvedClient, name: str, digest: str
) -> RawRecord | None:
    header: dict[str, Any] = {}
    lines: dict[int, dict[str, Any]] = {}
    sources: dict[str, str] = {}
    taken: dict[tuple[str, int], str] = {}
    ambiguous = _ambiguous_names(list(values), client, name)
    for field_name, value in values.items():
        mapped = _map_form_field(field_name, client, ambiguous)
        if mapped is None or value in ("", None, []):
            continue
        canonical, line_no = mapped
        target = (
            lines.setdefault(line_no, {}) if canonical in client.fields.line else header
        )
        other = taken.get(mapped)
        if other is not None and target[canonical] != value:
            where = canonical if line_no == 1 else f"{canonical} of line {line_no}"
            raise UnreadableInput(
                name,
                f"form fields {other!r} and {field_name!r} both fill {where} "
                f"({target[canonical]!r} and {value!r}); map one of them in the "
                "client's form_fields",
                "page 1",
            )
        taken[mapped] = field_name
        sources.setdefault(canonical, field_name)
        if canonical in client.fields.line:
            # each line's own form field (sku_2, not line 1's sku_1): the
            # place a problem or `show` names (`line_source`)
            sources.setdefault(line_source(canonical, line_no), field_name)
        target[canonical] = value
    if not header and not lines:
        return None
    source = Provenance(file=name, page=1)
    raw_lines = tuple((source.at(None, n), lines[n]) for n in sorted(lines)) or (
        ((source, {}),) if client.fields.line else ()
    )
    return RawRecord(source, header, raw_lines, sources, digest)


def read_pdf(
    path: Path,
    client: ResolvedClient,
    digest: str,
    name: str,
    notes: list[str] | None = None,
) -> Iterator[RawRecord]:
    """Read claims from a PDF: one per filled form, or one per printed page.

    Args:
        path: the PDF.
        client: the resolved client (form field mapping, label aliases).
        digest: the file's content hash.
        name: the file name for provenance.
        notes: where to add what was read specially or left out (a page
            read turned upright).

    Yields:
        Raw records.

    Raises:
        UnreadableInput: not a PDF, encrypted, damaged, or a scanned page.

    Example: ``list(read_pdf(Path("form.pdf"), client, h, "form.pdf"))``
    """
    with path.open("rb") as fh:
        if b"%PDF" not in fh.read(1024):
            raise UnreadableInput(name, "not a PDF (no %PDF header)")
    # Read whole, inside one guard: pdfminer and pdfplumber raise many kinds
    # of exception on damaged files, some only when the file is closed.
    with guarded():
        records = _records(path, client, digest, name, [] if notes is None else notes)
    if not records:
        raise UnreadableInput(
            name, "no claim found: no mapped form field and no 'Label: value' text"
        )
    yield from records


def _records(
    path: Path, client: ResolvedClient, digest: str, name: str, notes: list[str]
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
        form = _form_record(form_values(pdf), client, name, digest)
        if form is not None:
            return [form]
        return printed_records(pdf, client, name, digest, notes)
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
