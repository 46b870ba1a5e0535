"""AcroForm claims: a filled form's fields, values and pages.

Contract: `form_values` reads every field of a PDF's AcroForm (full
hierarchical name -> decoded value); `form_record` maps them to one
`RawRecord` through the client's ``form_fields`` and aliases, or returns
None when no field the client maps is filled. Every value is read as
filled in; nothing is dropped silently: a filled field that maps to no
claim field is a note naming its page, and two fields filling one value
differently are refused (`UnreadableInput`).

- Field names are the full hierarchical names (``topmostSubform[0].Page1[0].
  f1_1[0]``); the client's ``form_fields`` maps them, and a field named like
  a canonical field or one of its aliases maps by itself. A line field is
  written ``sku[2]`` (line 2) in the mapping, or named ``sku_2``, ``sku 2``
  or ``sku[2]`` in the form.
- Check boxes read as True/False, radio groups and choices as their value;
  a lone check box ticked on any on-state (``/1``, ``/Choice1``) is a yes
  in a yes/no field.
- A field under Acrobat's ``AFNumber_Format`` stores a JavaScript number
  (``1234.5``, shown ``1.234,50``): it is read as that number; under
  ``AFPercent_Format`` it is the percentage shown (``19%``).
- A text or choice field that holds no value while its appearance draws
  text (`DrawnOnly`) is refused when it maps to a claim field, never read
  as empty.
- Each claim line's provenance is the page its fields are on, and each
  line's field is named by its own form field (``sku_2``, not ``sku_1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label
from claimflow.models import Provenance, RawRecord, line_source
from claimflow.parse.pdf_widgets import (
    DrawnOnly,
    check_box,
    drawn,
    formatted,
    is_widget,
    shown_on,
)

_LINE_SUFFIX = re.compile(r"^(.*?)(?:[_ ](\d{1,2})|\[(\d{1,2})\])$")
MAX_FORM_DEPTH = 32
#: How much of an unmapped field's value a note shows.
NOTE_VALUE = 40


@dataclass(frozen=True)
class FormField:
    """One filled-in AcroForm field.

    Attributes:
        value: the decoded value (text, True/False, an option's value).
        page: the 1-based page its widget is on (None if it has none).
        ticked: a lone check box ticked on an on-state other than ``/Yes``
            or ``/On`` (its value is that state's name, ``1`` or
            ``Choice1``): a yes/no field reads it as yes.
    """

    value: Any
    page: int | None
    ticked: bool = False


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


def _widget_pages(pdf: Any) -> tuple[dict[int, int], dict[int, int]]:
    """Annotation object id -> page, and page object id -> page."""
    from pdfplumber.utils.pdfinternals import resolve

    annots: dict[int, int] = {}
    pages: dict[int, int] = {}
    for number, page in enumerate(pdf.pages, start=1):
        pages[page.page_obj.pageid] = number
        for ref in resolve(page.page_obj.attrs.get("Annots")) or []:
            objid = getattr(ref, "objid", None)
            if objid is not None:
                annots.setdefault(objid, number)
    return annots, pages


def _page_of(
    field: Any, node: dict[str, Any], where: tuple[dict[int, int], ...]
) -> int | None:
    """The page of a field's widget: itself, a widget kid, or its ``/P``."""
    from pdfplumber.utils.pdfinternals import resolve

    annots, pages = where
    kids = resolve(node.get("Kids")) or []
    refs = [field, *(k for k in kids if "T" not in (resolve(k) or {}))]
    for ref in refs:
        page = annots.get(getattr(ref, "objid", -1))
        if page is not None:
            return page
    owner = getattr(node.get("P"), "objid", None)
    return pages.get(owner) if owner is not None else None


def _walk_fields(
    field: Any,
    prefix: str,
    out: dict[str, FormField],
    where: tuple[dict[int, int], ...],
    depth: int = 0,
    inherited: tuple[Any, Any, Any] = (None, None, None),
) -> None:
    from pdfplumber.utils.pdfinternals import decode_text, resolve

    node = resolve(field)
    if not isinstance(node, dict) or depth > MAX_FORM_DEPTH:
        return
    part = node.get("T")
    name = ".".join(p for p in (prefix, decode_text(part) if part else "") if p)
    # field type, options and flags are inheritable, like the value
    kind = resolve(node.get("FT", inherited[0]))
    opt = resolve(node.get("Opt", inherited[1]))
    flags = resolve(node.get("Ff", inherited[2]))
    kids = resolve(node.get("Kids")) or []
    for kid in kids:
        _walk_fields(kid, name, out, where, depth + 1, (kind, opt, flags))
    if not name:
        return
    widgets = [node] if not kids else [w for w in map(resolve, kids) if is_widget(w)]
    if any(not is_widget(resolve(k)) for k in kids) and "V" not in node:
        return  # a field's parent holding no value of its own
    read = _value_of(node, getattr(kind, "name", None), opt, flags, widgets)
    if read is not None:
        out[name] = FormField(read[0], _page_of(field, node, where), read[1])


def _value_of(
    node: dict[str, Any], kind: str | None, opt: Any, flags: Any, widgets: list[Any]
) -> tuple[Any, bool] | None:
    """A field's value and whether it is a ticked lone check box; None for
    a field that holds and shows nothing. A field that shows a value it
    does not hold (text drawn, or a box drawn ticked while its ``/V`` is
    off or absent) is `DrawnOnly`."""
    value: Any = None
    if "V" in node:
        value = _decode(node["V"])
        if kind == "Btn":
            if value is not False or not shown_on(widgets):
                return _option(value, opt), check_box(value, opt, flags, len(widgets))
        else:
            value = formatted(value, widgets)
            if value not in ("", None) or not drawn(widgets):
                return value, False
    if (kind in {"Tx", "Ch"} and drawn(widgets)) or (kind == "Btn" and shown_on(widgets)):
        return DrawnOnly(), False
    return None


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


def form_fields(pdf: Any) -> dict[str, FormField]:
    """Every AcroForm field's full name, value and page (empty if no form).

    Args:
        pdf: an open pdfplumber PDF.

    Returns:
        Full hierarchical field name -> its value and page.

    Example: ``form_fields(pdf)["foo"] == FormField("Bar", 1)``
    """
    from pdfplumber.utils.pdfinternals import resolve

    form = resolve(pdf.doc.catalog.get("AcroForm"))
    if not isinstance(form, dict):
        return {}
    out: dict[str, FormField] = {}
    where = _widget_pages(pdf)
    for field in resolve(form.get("Fields")) or []:
        _walk_fields(field, "", out, where)
    return out


def form_values(pdf: Any) -> dict[str, Any]:
    """Every AcroForm field's full name and value (empty dict if no form).

    Args:
        pdf: an open pdfplumber PDF.

    Returns:
        Full hierarchical field name -> decoded value.

    Example: ``form_values(pdfplumber.open("form.pdf")) == {"foo": "Bar"}``
    """
    return {name: field.value for name, field in form_fields(pdf).items()}


def _map_form_field(
    name: str, client: ResolvedClient, ambiguous: set[str]
) -> tuple[str, int] | None:
    """The canonical field (and line) of a form field, or None.

    A line field is named like an alias of it with the line number after
    ``_``, a space or in brackets (``Quantité_2``, ``Quantité 2``,
    ``Quantité[2]``), when the whole name is no alias itself.

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
            return client.header_index[line_folded], int(suffixed[2] or suffixed[3])
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


def _filled(value: Any) -> bool:
    return value not in ("", None, [], False)


def _as_field(
    value: Any,
    canonical: str,
    client: ResolvedClient,
    file: str,
    name: str,
    field: FormField,
) -> Any:
    """A form field's value as the claim field it fills takes it: a lone
    check box ticked on any state is a yes; a list box's one choice."""
    kind = client.fields.all.get(canonical)
    if field.ticked and kind == "bool":
        return True
    if isinstance(value, list) and kind != "list":
        return _one_choice(value, canonical, file, name, field)
    return value


def _one_choice(
    chosen: list[Any], canonical: str, file: str, name: str, field: FormField
) -> Any:
    """The one option chosen in a list box whose field takes one value; a
    list with several chosen is refused (it was read as the text
    ``['AKK-18V', 'SAE-200']`` and the claim rejected for that SKU)."""
    if len(chosen) == 1:
        return chosen[0]
    shown = ", ".join(repr(str(c)) for c in chosen)
    raise UnreadableInput(
        file,
        f"form field {name!r} has {len(chosen)} options chosen ({shown}), but "
        f"{canonical} takes one: key this claim by hand",
        f"page {field.page or 1}",
    )


def _unmapped(
    file: str,
    name: str,
    field: FormField,
    mapped: tuple[str, int] | None,
    unmapped: list[str],
) -> None:
    """A filled field that maps to nothing is noted; a field that shows a
    value it does not hold (`DrawnOnly`) is refused when it is a claim
    field's, noted when it maps to none."""
    where = f"page {field.page or 1}"
    if not isinstance(field.value, DrawnOnly):
        if _filled(field.value):
            unmapped.append(_unmapped_note(name, field))
        return
    if mapped is None:
        unmapped.append(
            f"{where}: form field {name!r} shows a value on the page but holds "
            "none (drawn only) and maps to no claim field: left out"
        )
        return
    raise UnreadableInput(
        file,
        f"form field {name!r} ({mapped[0]}) shows a value on the page but holds "
        "none (drawn only; its /V is absent, empty or off): the program that "
        "filled the form did not store it; key this value by hand or ask for the "
        "form filled again",
        where,
    )


def _unmapped_note(name: str, field: FormField) -> str:
    where = f"page {field.page}: " if field.page is not None else ""
    shown = str(field.value)
    shown = shown if len(shown) <= NOTE_VALUE else shown[: NOTE_VALUE - 1] + "…"
    return (
        f"{where}form field {name!r} ({shown!r}) maps to no claim field: left out; "
        "map it in the client's form_fields if it is one"
    )


def form_record(
    fields: dict[str, FormField],
    client: ResolvedClient,
    name: str,
    digest: str,
    notes: list[str],
) -> RawRecord | None:
    """The claim a filled form holds, or None if no mapped field is filled.

    Args:
        fields: the form's fields (`form_fields`).
        client: the resolved client (``form_fields``, aliases).
        name: the file name for provenance.
        digest: the file's content hash.
        notes: where a filled field that maps to nothing is noted.

    Returns:
        One record: claim fields, then one line per line number.

    Raises:
        UnreadableInput: two fields fill one value differently, or two
            fields' names fold to one the client maps.

    Example: ``form_record(form_fields(pdf), client, "f.pdf", h, [])``
    """
    header: dict[str, Any] = {}
    lines: dict[int, dict[str, Any]] = {}
    line_pages: dict[int, int] = {}
    header_pages: list[int] = []
    sources: dict[str, str] = {}
    taken: dict[tuple[str, int], str] = {}
    unmapped: list[str] = []
    ambiguous = _ambiguous_names(list(fields), client, name)
    for field_name, field in fields.items():
        value = field.value
        mapped = _map_form_field(field_name, client, ambiguous)
        if mapped is None or isinstance(value, DrawnOnly):
            _unmapped(name, field_name, field, mapped, unmapped)
            continue
        if value in ("", None, []):
            continue
        canonical, line_no = mapped
        value = _as_field(value, canonical, client, name, field_name, field)
        is_line = canonical in client.fields.line
        target = lines.setdefault(line_no, {}) if is_line else header
        other = taken.get(mapped)
        if other is not None and target[canonical] != value:
            where = canonical if line_no == 1 else f"{canonical} of line {line_no}"
            raise UnreadableInput(
                name,
                f"form fields {other!r} and {field_name!r} both fill {where} "
                f"({target[canonical]!r} and {value!r}); map one of them in the "
                "client's form_fields",
                f"page {field.page or 1}",
            )
        taken[mapped] = field_name
        sources.setdefault(canonical, field_name)
        if is_line:
            # each line's own form field (sku_2, not line 1's sku_1): the
            # place a problem or `show` names (`line_source`)
            sources.setdefault(line_source(canonical, line_no), field_name)
            if field.page is not None:
                line_pages.setdefault(line_no, field.page)
        elif field.page is not None:
            header_pages.append(field.page)
        target[canonical] = value
    if not header and not lines:
        return None
    notes.extend(unmapped)
    source = Provenance(file=name, page=min(header_pages, default=1))
    raw_lines = tuple(
        (_line_source(source, line_pages.get(n), n), lines[n]) for n in sorted(lines)
    ) or (((source, {}),) if client.fields.line else ())
    return RawRecord(source, header, raw_lines, sources, digest)


def _line_source(claim: Provenance, page: int | None, line: int) -> Provenance:
    """A form line's place: the page its fields are on (the claim's if none)."""
    return claim.model_copy(update={"page": page or claim.page, "line": line})
