"""Printed pages as they are read: turned upright first.

Contract: `upright` takes one pdfplumber page and returns the same page
turned by a multiple of 90° so that its text reads left to right, with the
turn it made (0 for a page already upright). Turning is exact: pdfminer
lays the page out again with another ``/Rotate`` (the rotation a viewer
applies), so every letter keeps its text and its place relative to the
others; nothing is guessed. A page printed sideways (a landscape claim
drawn rotated, or a page with a ``/Rotate`` attribute turning its text
sideways) is read like any other, where it was dropped (its sideways text
was taken for a margin note) or refused as claim lines without details.

A page with text in more than one direction is read in the direction most
of its letters run; the other text is left out as a margin note, unless it
holds a label of the client's (``Invoice No:``): then two directions hold
claim details and the page is refused (`UnreadableInput`).
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.parse.pdf_layout import labelled, page_words, text_lines


def direction(char: dict[str, Any]) -> int:
    """Degrees counter-clockwise a letter's baseline runs from left-to-right.

    Example: ``direction({"matrix": (0, 1, -1, 0, 0, 0)}) == 90``
    """
    a, b = float(char["matrix"][0]), float(char["matrix"][1])
    if abs(a) >= abs(b):
        return 0 if a > 0 else 180
    return 90 if b > 0 else 270


def turned(page: Any, degrees: int) -> Any:
    """The page laid out again as a viewer turning it `degrees` clockwise
    more would show it (its own ``/Rotate`` plus `degrees`)."""
    from pdfplumber.page import Page

    if degrees % 360 == 0:
        return page
    obj = copy.copy(page.page_obj)  # the document's own page stays as it is
    rotate = (int(page.rotation) + degrees) % 360
    obj.attrs = {**obj.attrs, "Rotate": rotate}
    obj.rotate = rotate
    return Page(
        page.pdf, obj, page_number=page.page_number, initial_doctop=page.initial_doctop
    )


def upright(
    page: Any, client: ResolvedClient, name: str, number: int
) -> tuple[Any, int]:
    """The page turned so most of its text reads left to right.

    Args:
        page: a pdfplumber page.
        client: the resolved client (its labels, to tell a margin note
            from claim details printed in another direction).
        name: the file name, for an error.
        number: the 1-based page number, for an error.

    Returns:
        The page (turned, or itself) and the turn in degrees clockwise.

    Raises:
        UnreadableInput: text in a second direction holds a client's label.

    Example: ``upright(page, client, "c.pdf", 1)[1] == 90`` for text drawn
    running upwards.
    """
    counts = Counter(direction(c) for c in page.chars)
    if not counts or set(counts) == {0}:
        return page, 0
    ranked = [d for d, _ in counts.most_common()]
    turn = ranked[0]
    for other in ranked[1:]:
        aside = turned(page, other)
        if any(
            labelled(line.text, client.header_index)
            for line in text_lines(page_words(aside))
        ):
            raise UnreadableInput(
                name,
                f"text printed in two directions ({_turn_text(turn)} and "
                f"{_turn_text(other)}), both with claim labels; key this page "
                "by hand",
                f"page {number}",
            )
    return turned(page, turn), turn


_RUNS = {
    0: "left to right",
    90: "bottom to top",
    180: "upside down",
    270: "top to bottom",
}


def _turn_text(degrees: int) -> str:
    return _RUNS[degrees % 360]


def turn_note(number: int, degrees: int) -> str:
    """The note for a page read turned upright.

    Example: ``turn_note(1, 90) == "page 1: text printed running bottom to
    top; read turned upright"``
    """
    runs = _turn_text(degrees)
    shown = runs if degrees == 180 else f"running {runs}"
    return f"page {number}: text printed {shown}; read turned upright"
