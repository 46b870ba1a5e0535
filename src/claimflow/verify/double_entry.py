"""Double entry: two operators key the same forms; differences are adjudicated.

`compare` matches the two keyings record by record (claim reference, else
invoice or confirmation and member, else position) and compares every field
*after typing it the way validation does*, so ``15000`` and ``15000.00``, or
``2026-03-04`` and ``03/04/2026`` for a month-first client, are the same.
Each real difference names the slip where it can: missing value, missing
serial, decimal mark, transposition, O/0 or I/1 swap, dropped character,
day/month swap, value in the wrong field (else ``other``).

`adjudicate` applies a reviewer's decisions (first, second, another value,
or the source document itself is at fault), writes the final values, and
records every correction as an audit event and every operator error as an
entry check, so QA error rates have the applicable fields as denominator.
`sample` says how many fields to audit for an error-rate limit and picks them.

Comparing the keyings lives in `claimflow.verify.keyings`, sampling in
`claimflow.verify.field_sample`; their public names are importable from here.
"""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from claimflow.config import ResolvedClient
from claimflow.errors import ClaimflowError, UnreadableInput
from claimflow.models import RawRecord
from claimflow.parse import read_file
from claimflow.parse.checks import EntryCheck
from claimflow.shown import plural
from claimflow.store import Store
from claimflow.store.entry import add_entry_errors
from claimflow.verify.field_sample import SampledField, sample
from claimflow.verify.final import (
    RECORD,
    FinalRecord,
    Place,
    Wrong,
    by_key,
    cells,
    final_records,
    rows_of,
    stakes,
    write_final,
)
from claimflow.verify.keyings import (
    HEADER,
    Difference,
    classify,
    compare,
    write_decisions,
)

DECISIONS = ("first", "second", "other", "source")


def _read_decisions(path: Path) -> list[dict[str, str]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True).worksheets[0]
        rows = [
            [("" if c is None else str(c)) for c in r]
            for r in sheet.iter_rows(values_only=True)
        ]
        return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass
class Adjudication:
    """What adjudication did: corrections, document faults, operator errors."""

    corrections: int
    document_faults: list[str]
    errors: dict[str, int]
    checked: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """As plain data."""
        return asdict(self)


#: The kind under which an adjudication run is recorded (`Store.add_import`).
ADJUDICATION = "entry adjudication"


def _run_digest(decisions: Path, first: Path, second: Path, operators: tuple[str, str]) -> str:
    """One adjudication run's identity: its three files' bytes and who keyed."""
    from claimflow.parse.common import content_hash

    parts = [content_hash(p) for p in (decisions, first, second)] + list(operators)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _unquote(value: str) -> str:
    """Undo the spreadsheet-safety quote that `write_table` adds."""
    return value[1:] if value.startswith("'") and value[1:2] in "=+-@" else value


def adjudicate(
    decisions: Path,
    first: Path,
    second: Path,
    client: ResolvedClient,
    store: Store,
    *,
    operators: tuple[str, str],
    actor: str,
    final: Path,
    now: datetime,
) -> Adjudication:
    """Apply decisions, write the final keyed file, audit every correction.

    Call inside a store transaction. The final file has the first keying's
    columns with every decided value in place, and every record decided in
    (a record only the second keyed, decided ``second``, too). It is written
    whole or not at all: to a temporary file beside it, renamed last.

    Raises:
        UnreadableInput: a decision row is missing or not first/second/other/source.

    Example: ``adjudicate(Path("decisions.csv"), a, b, client, store, ...)``
    """
    digest = _run_digest(decisions, first, second, operators)
    earlier = store.imported(ADJUDICATION, client.key, digest)
    if earlier is not None:
        # run again, every error would count twice in the QA rates
        raise ClaimflowError(
            f"{decisions}: these decisions on {first.name} and {second.name}, keyed by "
            f"{' and '.join(operators)}, were adjudicated already (on {earlier[1][:10]}): "
            "nothing is recorded twice"
        )
    rows = _read_decisions(decisions)
    differences = {(d.key, d.line, d.field): d for d in compare(first, second, client)}
    chosen: dict[Place, str] = {}
    errors: Counter[tuple[str, str]] = Counter()
    wrong: list[Wrong] = []
    faults: list[str] = []
    for n, row in enumerate(rows, start=2):
        key, decision, diff = _decided(row, n, differences, decisions)
        value = {
            "first": diff.first,
            "second": diff.second,
            "other": _unquote(row.get("value") or ""),
            "source": diff.first,
        }[decision]
        chosen[key] = value
        if decision in ("second", "other"):
            errors[(operators[0], diff.field)] += 1
            wrong.append((operators[0], key, diff.first))
        if decision in ("first", "other"):
            errors[(operators[1], diff.field)] += 1
            wrong.append((operators[1], key, diff.second))
        if decision == "source":
            faults.append(f"{diff.key}:{diff.field}")
        store.audit(
            actor,
            "entry adjudicate",
            {
                "document": diff.document,
                "key": diff.key,
                "line": diff.line,
                "field": diff.field,
                "old": diff.first,
                "new": value,
                # both keyings, by whom: the value overruled is on record
                # whichever keying it was (trial 33: the second's was lost)
                "keyed": {operators[0]: diff.first, operators[1]: diff.second},
                "decision": decision,
                "why": row.get("note") or diff.slip,
            },
        )
    undecided = [d for k, d in differences.items() if k not in chosen]
    if undecided:
        # a difference left without a row kept the first keying's value,
        # and a record only the second keyed was dropped with no word
        first_left = undecided[0]
        where = f"line {first_left.line}:" if first_left.line else ""
        raise UnreadableInput(
            str(decisions),
            f"{len(undecided):,} of {len(differences):,} "
            f"{plural(len(differences), 'difference')} "
            f"{'has' if len(undecided) == 1 else 'have'} no decision row, the first "
            f"{first_left.key}:{where}{first_left.field}: "
            "expected a row for every difference `entry compare` listed",
        )
    keyings = (read_file(first, client), read_file(second, client))
    records = final_records(*keyings, client, chosen)
    handle, name = tempfile.mkstemp(
        dir=final.parent, prefix=f".{final.stem}-", suffix=final.suffix
    )
    os.close(handle)
    temporary = Path(name)
    try:
        write_final(temporary, records, *keyings)
        keyed = dict(zip(operators, map(by_key, keyings), strict=True))
        at_stake = stakes(by_key(read_file(temporary, client)), keyed, client, wrong)
        day = now.date().isoformat()
        add_entry_errors(
            store,
            [
                (client.key, op, key[2], key[0], value, chosen[key], stake, day)
                for (op, key, value), stake in zip(wrong, at_stake, strict=True)
            ],
        )
        checked = _checked(records, keyed, wrong, chosen)
        # One row per operator and field: errors over the fields checked.
        store.add_entry_checks(
            client.key,
            [
                EntryCheck(op, field, now.date(), count, errors[(op, field)], None, 0)
                for op in operators
                for field, count in sorted(checked[op].items())
            ],
            f"double entry {first.name}",
        )
        store.add_import(ADJUDICATION, client.key, digest, str(decisions), len(chosen))
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    per_operator: Counter[str] = Counter()
    for (op, _), count in errors.items():
        per_operator[op] += count
    return Adjudication(
        len(chosen),
        faults,
        dict(per_operator),
        {op: checked[op].total() for op in operators},
    )


def _decided(
    row: dict[str, str],
    n: int,
    differences: dict[Place, Difference],
    decisions: Path,
) -> tuple[Place, str, Difference]:
    """A decision row's place, decision and difference (or the row refused)."""
    decision = (row.get("decision") or "").strip().lower()
    try:
        key = (
            _unquote(row["key"]),
            int(row["line"]) if row.get("line") else None,
            row["field"],
        )
    except (KeyError, ValueError, TypeError):
        raise UnreadableInput(
            str(decisions),
            "expected the columns key, line and field as written by 'entry compare'",
            f"row {n}",
        ) from None
    if decision not in DECISIONS or key not in differences:
        raise UnreadableInput(
            str(decisions),
            f"expected a decision of {'/'.join(DECISIONS)} "
            f"for a listed difference, found {decision!r}",
            f"row {n}",
        )
    if key[2] == RECORD and decision == "other":
        raise UnreadableInput(
            str(decisions),
            "expected a decision of first/second/source for a record one "
            "keying is missing, found 'other'",
            f"row {n}",
        )
    return key, decision, differences[key]


def _checked(
    records: list[FinalRecord],
    keyed: dict[str, dict[str, RawRecord]],
    wrong: list[Wrong],
    chosen: dict[Place, str],
) -> dict[str, Counter[str]]:
    """Each operator's fields checked, by field: the fields of the final file
    (one per row, as keyed). The fields of a record an operator missed, or
    keyed but decided away, are that operator's ``(record)`` fields, where
    the one error for it is counted; a field decided blank that an operator
    keyed is checked too."""
    counted: dict[str, Counter[str]] = {}
    final: dict[str, Counter[str]] = {}
    for record in records:
        final[record.key] = final.get(record.key, Counter()) + cells(record.rows)
    for op, own in keyed.items():
        checked: Counter[str] = Counter()
        for key, fields in final.items():
            if key in own:
                checked.update(fields)
            else:
                checked[RECORD] += fields.total()
        for key, raw in own.items():
            if key not in final:
                checked[RECORD] += cells(rows_of(raw)).total()
        counted[op] = checked
    for op, place, _ in wrong:
        if place[2] != RECORD and chosen[place] in ("", None):
            counted[op][place[2]] += 1
    return counted


__all__ = [
    "ADJUDICATION",
    "DECISIONS",
    "HEADER",
    "Adjudication",
    "Difference",
    "SampledField",
    "adjudicate",
    "classify",
    "compare",
    "sample",
    "write_decisions",
]
