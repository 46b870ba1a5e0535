"""Form widgets beyond their values (`claimflow.parse.pdf_widgets`); the
files these read are in `tests/test_trial40_documents.py`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from claimflow.parse.pdf_widgets import RADIO, check_box, formatted


@pytest.mark.parametrize(
    ("value", "opt", "flags", "widgets", "ticked"),
    [
        ("Choice1", None, 0, 1, True),
        ("1", None, 0, 1, True),
        ("Off", None, 0, 1, False),
        ("Choice1", None, RADIO, 2, False),  # a radio group answers its option
        ("1", ["Ja", "Nein"], 0, 1, False),  # boxes sharing a name, with /Opt
        ("Ja", None, 0, 2, False),  # two boxes of one name: which one
        (True, None, 0, 1, False),  # /Yes is already True
    ],
)
def test_a_lone_check_box_is_ticked_on_any_state(
    value: Any, opt: Any, flags: int, widgets: int, ticked: bool
) -> None:
    assert check_box(value, opt, flags, widgets) is ticked


def _number_field(script: str) -> dict[str, Any]:
    return {"AA": {"F": {"S": "JavaScript", "JS": script.encode()}}}


@pytest.mark.parametrize(
    ("value", "script", "read"),
    [
        ("1234.5", 'AFNumber_Format(2, 2, 0, 0, "", true);', Decimal("1234.5")),
        ("-0.30", 'AFNumber_Format(2, 2, 0, 0, "€", false);', Decimal("-0.30")),
        ("1.234,50", 'AFNumber_Format(2, 2, 0, 0, "", true);', "1.234,50"),  # not JS
        ("0.5", "AFPercent_Format(2, 0);", "50%"),
        ("1234.5", "", "1234.5"),  # no format script: text, read in the locale
    ],
)
def test_a_formatted_field_is_its_stored_number(value: str, script: str, read: Any) -> None:
    assert formatted(value, [_number_field(script)]) == read
