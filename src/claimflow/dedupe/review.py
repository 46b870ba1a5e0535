"""A person's review of doubtful duplicates: the review file out, the marks back in.

`review_rows` lists the claim pairs history dedupe left to a person (outcome
``review``, not yet decided), and on request the pairs that closed named
claims as certain duplicates (a person may find one wrongly closed);
`claimflow.report.write_table` writes them to CSV or Excel with what each
match ``found`` and an empty ``decision`` column;
`read_review` reads a marked file back (every row must say ``same`` or
``different``) and `apply_review` stores the marks in one transaction:

- a pair marked *different* is never flagged again; a claim whose every
  doubtful match is marked different gets back the outcome it had before
  dedupe; so does a claim closed as a certain duplicate whose every
  duplicate match is marked different (a row of a certain pair left
  unmarked: the finding stands);
- a claim marked *same* as its earlier claim becomes a ``duplicate``; a
  participant pair marked same is a duplicate on every later run, possible
  twins too (`claimflow.dedupe.decide`);
- every decision is appended to ``dedupe_decisions`` with who and when, and
  the run to the audit log.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from claimflow.codes import decide
from claimflow.dedupe.decisions import latest_decisions
from claimflow.errors import UnreadableInput
from claimflow.store import Store
from claimflow.store.dedupe_decisions import (
    add_dedupe_decisions,
    claim_ids,
    claim_outcome,
    other_codes,
    outcome_stages,
    review_originals,
    review_pairs,
    set_outcomes,
)

CLAIM_REVIEW_HEADER = (
    "kind",
    "a",
    "b",
    "a_ref",
    "b_ref",
    "rule",
    "compared",
    "score",
    "a_source",
    "b_source",
    "found",
    "decision",
)
KINDS = ("claim", "participant")


def review_rows(
    store: Store, client: str, closed: Sequence[str] = ()
) -> list[tuple[object, ...]]:
    """Claim pairs waiting for a person: later claim, earlier claim, and why;
    with `closed` (claim ids), also the pairs that closed them as duplicates.

    Example: ``write_table(review_rows(store, "acme-tools"), CLAIM_REVIEW_HEADER, out)``
    """
    return review_pairs(store, client, closed)


@dataclass(frozen=True)
class Mark:
    """One reviewed pair: kind (claim or participant), the two ids, same or different."""

    kind: str
    a: str
    b: str
    decision: str


def _records(path: Path) -> list[dict[str, str]]:
    try:
        if path.suffix.lower() == ".xlsx":
            from claimflow.parse.excel import open_workbook

            book = open_workbook(path, str(path))
            values = [
                ["" if v is None else str(v) for v in row]
                for row in book.worksheets[0].iter_rows(values_only=True)
            ]
            book.close()
            if not values:
                return []
            return [dict(zip(values[0], row, strict=False)) for row in values[1:]]
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    except (OSError, ValueError, KeyError, UnicodeDecodeError) as exc:
        raise UnreadableInput(
            str(path), f"not a readable review file ({exc})"
        ) from None


def read_review(path: Path) -> list[Mark]:
    """The marks of a reviewed file; every row must say same or different.

    A file without a ``kind`` column is a participant review (as written by
    ``dedupe participants --review-out``); there a duplicate pair (``found``
    says ``duplicate``) may be left unmarked: the finding stands, and no
    mark is read for it.
    """
    marks = []
    for n, row in enumerate(_records(path), start=2):
        kind = (row.get("kind") or "participant").strip().lower()
        decision = (row.get("decision") or "").strip().lower()
        a, b = (row.get("a") or "").strip(), (row.get("b") or "").strip()
        if kind not in KINDS:
            raise UnreadableInput(
                str(path),
                f"kind: expected claim or participant, found {kind!r}",
                f"row {n}",
            )
        if not a or not b:
            raise UnreadableInput(
                str(path), "expected the pair's ids in columns a and b", f"row {n}"
            )
        found = (row.get("found") or "").strip().lower()
        if not decision and found == "duplicate":
            continue  # a duplicate pair left unmarked: the finding stands
        if decision not in ("same", "different"):
            raise UnreadableInput(
                str(path),
                f"decision: expected same or different, found {decision!r}",
                f"row {n}",
            )
        marks.append(Mark(kind, a, b, decision))
    return marks


@dataclass
class ReviewApplied:
    """What applying a review changed."""

    decisions: int = 0
    duplicates: int = 0
    restored: int = 0

    def to_dict(self) -> dict[str, int]:
        """As plain data."""
        return dict(self.__dict__)


def apply_review(
    store: Store, marks: Sequence[Mark], operator: str, now: datetime, file: str = ""
) -> ReviewApplied:
    """Store the marks and settle the outcome of each reviewed claim; one transaction.

    Example: ``apply_review(store, read_review(Path("review.csv")), "ann", datetime.now(UTC))``
    """
    result = ReviewApplied()
    at = now.isoformat()
    with store.transaction():
        known = claim_ids(store) if any(m.kind == "claim" for m in marks) else set()
        for n, mark in enumerate(marks, start=2):
            if mark.kind == "claim" and not {mark.a, mark.b} <= known:
                raise UnreadableInput(
                    file,
                    f"claim {mark.a if mark.a not in known else mark.b} is not in the store",
                    f"row {n}",
                )
        add_dedupe_decisions(
            store,
            [(m.kind, min(m.a, m.b), max(m.a, m.b), m.decision) for m in marks],
            operator,
            at,
        )
        result.decisions = len(marks)
        rows = {m.a: n for n, m in reversed(list(enumerate(marks, start=2)))}
        for claim in dict.fromkeys(m.a for m in marks if m.kind == "claim"):
            outcome = _settled(store, claim)
            if outcome is None:
                continue
            if outcome == "accepted":
                _payable_or_refuse(store, claim, file, rows[claim])
            set_outcomes(store, "dedupe review", at, [(claim, outcome)])
            if outcome == "duplicate":
                result.duplicates += 1
            else:
                result.restored += 1
        store.audit(operator, "dedupe apply", {"file": file, **result.to_dict()})
    return result


def _payable_or_refuse(store: Store, claim: str, file: str, row: int) -> None:
    """Refuse the file when a claim marked different, accepted again, would
    pay more units of an invoice line than invoiced, counting the claims
    accepted on it now that its verification did not count
    (`claimflow.verify.units.units_refusal`). A reviewer marking a pair of
    one invoice line different is not shown its units: IN-501, closed as
    the duplicate of IN-502 (2 x MOTOR-5 of a line of 2, paid), marked
    different, was paid its 2 units as well (4 against 2). Nor when a stay
    would pay nights another claim of the member accepted now (or paid)
    holds (`claimflow.verify.nights.nights_refusal`): CA-301 (10-14 Nov),
    in review by dedupe beside CA-304 (12-15 Nov, accepted by a person and
    paid 750), marked different, was paid 1,025 more, the nights of 12 and
    13 Nov twice."""
    from claimflow.verify.payable import payable_refusal

    refused = payable_refusal(store, claim)
    if refused is None:
        return
    why_not, undo = refused
    name = store.claim_names([claim]).get(claim, claim)
    raise UnreadableInput(
        file,
        f"claim {name}: marked different, it would be accepted again: {why_not}; "
        "mark it same" + (f", or {undo}" if undo else ""),
        f"row {row}",
    )


def _settled(store: Store, claim: str) -> str | None:
    """The outcome a reviewed claim moves to, or None when it stays as it is.

    Marked *same* as any earlier claim: a duplicate. A match left to review
    and not marked: undecided. A certain duplicate's match not marked: the
    finding stands. Every match marked *different*: the outcome the claim
    had before dedupe (its first outcome not set by dedupe or a review).
    """
    current = claim_outcome(store, claim)
    if current not in ("review", "duplicate"):
        return None
    stages = outcome_stages(store, claim)
    # Ingest's batch rules closed it or held it (a repeat within its batch,
    # its pair recorded for review): no outcome before dedupe to go back to.
    at_ingest = [s for s, _ in stages] == ["validate"]
    if not stages or (stages[0][0] not in _BY_DEDUPE and not at_ingest):
        return None  # another stage (verification, ingest) put it there since
    latest = latest_decisions(store.db.conn, "claim", about=claim)
    pending = False
    for original, found in review_originals(store, claim):
        first, second = sorted((claim, original))
        decision = latest.get((first, second))
        if decision == "same":
            return None if current == "duplicate" else "duplicate"
        if decision is None:
            if found == "duplicate":
                return None  # a certain duplicate not marked: the finding stands
            pending = True
    if pending:
        return None
    if at_ingest:
        before: str | None = str(decide(other_codes(store, claim)))
    else:
        before = next((str(o) for s, o in stages if s not in _BY_DEDUPE), None)
    return before if before != current else None


#: The stages that move a claim's outcome for a duplicate: a run, a review,
#: and a merge holding a stay of the merged account beside the survivor's
#: (`claimflow.accounts.merged_nights`).
_BY_DEDUPE = ("dedupe", "dedupe review", "merge")
