"""Within one batch, an invoice line claimed again: with its quantity, or another.

The batch rule on invoice lines (`claimflow.validate.batch`) keys a claim's
line by dealer, invoice and SKU. A later claim of the same key with the
same quantity (on one of its lines of the SKU, as ``dedupe claims`` keys
them) is a duplicate, as ``dedupe claims`` finds it across batches; with
another quantity it goes to a person (``possible_duplicate``): two reps may
split a line's units between them, or the line may be claimed again, and
verification counts the units of both against the invoice. Closed as a
duplicate, it would settle at ingest what ``dedupe claims`` leaves to a
person across batches: IN-303 (2 x MOTOR-5 of a line IN-105 claimed 1 of)
ends in review whether the two claims came in one file or in two batches.

Across the chunks of a batch the first claim of each (line, quantity) is
kept in the batch's key index (kind ``invoice_line/units``), so a repeat of
a quantity keyed chunks apart is the same duplicate.

Input: the invoice-line frame and its keys, the rows the line rule found
repeating an earlier row and where that row stands; output: where the
first row of the same quantity stands for the duplicates, and the rows of
another quantity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

from claimflow.models import Claim, SalesClaim

if TYPE_CHECKING:
    from claimflow.validate.batch import SeenKeys

#: The key index kind of the first claim of a (line, quantity).
KIND = "invoice_line/units"
#: What a repeat of another quantity adds to its message: its own units.
ANOTHER = (
    ", with another quantity ({units} here): the line's units split between "
    "claims, or claimed again"
)


def units_of(claims: Sequence[Claim], rows: Sequence[int], skus: Sequence[str]) -> list[str]:
    """Each invoice-line row's quantities: those of its claim's lines of its
    SKU (upper case, as the rule keys it), distinct, in their order, joined
    by ``,``; ``?`` when one of them is unknown. Per line, as ``dedupe
    claims`` keys them (`claimflow.dedupe.claims.key_values`).

    Example: ``units_of([claim], [0], ["MOTOR-5"]) == ["2"]``
    """
    out: list[str] = []
    for claim, sku in zip((claims[i] for i in rows), skus, strict=True):
        found: list[int | None] = []
        if isinstance(claim, SalesClaim):
            found = [line.quantity for line in claim.lines if (line.sku or "").upper() == sku]
        known = [q for q in found if q is not None]
        out.append("?" if len(known) < len(found) else ",".join(map(str, dict.fromkeys(known))))
    return out


def same_quantity(
    frame: Mapping[str, list[Any]],
    keys: Sequence[str],
    flagged: dict[int, str],
    blind: AbstractSet[int],
    seen: SeenKeys | None,
    place: Callable[[int], str],
) -> tuple[dict[int, str], set[int]]:
    """The line rule's repeats, parted by quantity.

    Args:
        frame: the invoice-line frame, with its ``units`` column.
        keys: each row's line key (dealer, invoice, SKU).
        flagged: repeating row -> where the line's first row stands.
        blind: rows of claims with a value that could not be read (they
            repeat any earlier row, as before).
        seen: the batch's key index (None: one chunk).
        place: where a row stands, as the index keeps it.

    Returns:
        `flagged` with each repeat of a known quantity pointing at the first
        row of the same line with one of its quantities (a duplicate of it),
        and the rows none of whose quantities an earlier claim of the line
        had (to review).

    Example: ``same_quantity(frame, keys, {1: "a.csv:row 2..."}, set(), None, place)``
    """
    units = frame["units"]
    both = [
        [f"{key}|{n}" for n in str(units[i]).split(",")] for i, key in enumerate(keys)
    ]
    first: dict[str, int] = {}
    for i, known in enumerate(both):
        if i not in blind and units[i] != "?":
            for key in known:
                first.setdefault(key, i)
    earlier = seen.add(KIND, [(k, place(i)) for k, i in first.items()]) if seen else {}
    out = dict(flagged)
    another: set[int] = set()
    for i in flagged:
        if i in blind or units[i] == "?":
            continue
        row = min(first.get(key, i) for key in both[i])
        held = [earlier[key] for key in both[i] if key in earlier]
        if held:  # an earlier chunk's claim came first
            out[i] = held[0]
        elif row < i:
            out[i] = place(row)
        else:
            another.add(i)
    return out, another
