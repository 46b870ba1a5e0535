"""What a form field's widgets say beyond its ``/V``: how it is shown.

Contract: helpers for `claimflow.parse.pdf_form`, over pdfminer objects
(resolved dictionaries and streams) of one field and its widgets:

- `drawn`: whether a widget's appearance draws text, for a field that
  holds no value (`DrawnOnly`): a person sees a value the form does not
  store, so the field is refused, never read as empty;
- `formatted`: a value under Acrobat's ``AFNumber_Format`` is the
  JavaScript number it stores (``1234.5``, shown ``1.234,50``); under
  ``AFPercent_Format`` the percentage shown (``0.5`` is ``50%``);
- `check_box`: a lone check box ticked on any on-state (``/1``,
  ``/Choice1``), which a yes/no field reads as yes.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any


def is_widget(node: Any) -> bool:
    """A kid that is its field's widget (no name of its own), not a field."""
    return isinstance(node, dict) and "T" not in node


class DrawnOnly(str):
    """A text or choice field that holds no value (no ``/V``, or an empty
    one) while its appearance draws text on the page: a person sees a value
    the form does not store (a program that only painted it). Its text is
    the drawing, not the value, so the reader refuses the field, never
    reads it as empty (`form_record`)."""

    __slots__ = ()


def shown_on(widgets: list[Any]) -> bool:
    """True when a button's widget is drawn in an on-state (its ``/AS`` is
    a name other than ``/Off``): a person sees the box ticked."""
    from pdfminer.psparser import PSLiteral
    from pdfplumber.utils.pdfinternals import resolve

    for widget in widgets:
        state = resolve(widget.get("AS"))
        if isinstance(state, PSLiteral) and state.name not in ("Off", b"Off"):
            return True
    return False


#: Text-showing operators of a content stream (PDF 32000 9.4.3).
_SHOW_TEXT = {b"Tj", b"TJ", b"'", b'"'}


def drawn(widgets: list[Any]) -> bool:
    """True when a widget's normal appearance shows a non-blank string."""
    from pdfminer.pdftypes import PDFStream
    from pdfplumber.utils.pdfinternals import resolve

    for widget in widgets:
        appearance = resolve(resolve(widget.get("AP")) or {})
        normal = resolve(appearance.get("N")) if isinstance(appearance, dict) else None
        if isinstance(normal, PDFStream) and _shows_text(normal):
            return True
    return False


def _shows_text(stream: Any) -> bool:
    from pdfminer.pdfinterp import PDFContentParser
    from pdfminer.psparser import PSEOF, PSKeyword

    parser = PDFContentParser([stream])
    operands: list[Any] = []
    while True:
        try:
            _, token = parser.nextobject()
        except PSEOF:
            return False
        if not isinstance(token, PSKeyword):
            operands.append(token)
            continue
        if token.name in _SHOW_TEXT and _nonblank(operands):
            return True
        operands = []


def _nonblank(operands: list[Any]) -> bool:
    for operand in operands:
        if isinstance(operand, list) and _nonblank(operand):
            return True
        if isinstance(operand, bytes) and operand.strip(b" \x00"):
            return True
    return False


#: Acrobat's format scripts (``/AA /F``): the value stored is a JavaScript
#: number (``1234.5``) that the page shows formatted (``1.234,50``).
_NUMBER_SCRIPT = re.compile(r"\bAF(Number|Percent)_Format\s*\(")
_MACHINE_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")


def formatted(value: Any, widgets: list[Any]) -> Any:
    """A value as its field's format script says it is stored.

    Under ``AFNumber_Format`` (a number field formatted by Acrobat) the
    value is a JavaScript number whatever the page shows: ``1234.5``
    displayed ``1.234,50``; it is read as that number, never again in the
    client's locale (where ``1234.5`` is refused, or ``1.234`` misread).
    Under ``AFPercent_Format`` ``0.19`` is shown ``19.00%``: the value is
    the percentage as shown (``19%``), which no amount or quantity reads.
    A value that is no JavaScript number is left as written.
    """
    if not isinstance(value, str) or not _MACHINE_NUMBER.match(value.strip()):
        return value
    script = _format_script(widgets)
    if script is None:
        return value
    number = Decimal(value.strip())
    if script == "Percent":
        return f"{(number * 100).normalize():f}%"
    return number


def _format_script(widgets: list[Any]) -> str | None:
    """``Number`` or ``Percent``: the AF format script of the field, if any."""
    from pdfminer.pdftypes import PDFStream
    from pdfplumber.utils.pdfinternals import decode_text, resolve

    for widget in widgets:
        actions = resolve(widget.get("AA"))
        action = resolve(actions.get("F")) if isinstance(actions, dict) else None
        script = resolve(action.get("JS")) if isinstance(action, dict) else None
        if isinstance(script, PDFStream):
            script = script.get_data()
        if isinstance(script, bytes | str):
            found = _NUMBER_SCRIPT.search(decode_text(script))
            if found:
                return found[1]
    return None


#: Button field flags (PDF 32000 Table 226): a radio group, a push button.
RADIO, PUSHBUTTON = 1 << 15, 1 << 16


def check_box(value: Any, opt: Any, flags: Any, widgets: int) -> bool:
    """True for a lone check box (not a radio group, a push button or a
    group of boxes answering one of several options) that is ticked, on
    whatever its on-state is called (``/Yes``, ``/On``, ``/1``, Acrobat's
    ``/Choice1``): a yes/no field reads it as yes (`form_record`)."""
    bits = flags if isinstance(flags, int) else 0
    return (
        isinstance(value, str)
        and value not in ("Off", "")
        and not bits & (RADIO | PUSHBUTTON)
        and not isinstance(opt, list)
        and widgets <= 1
    )
