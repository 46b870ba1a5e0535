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
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from pydantic import TypeAdapter, ValidationError

from claimflow.config import ResolvedClient
from claimflow.errors import ClaimflowError, UnreadableInput
from claimflow.models import Provenance, RawRecord
from claimflow.numbers import _quoted
from claimflow.parse import read_file
from claimflow.parse.checks import EntryCheck
from claimflow.shown import plural
from claimflow.store import Store, raw_from_json
from claimflow.store.entry import add_entry_errors, keyed_records
from claimflow.validate import context_for
from claimflow.values import DateOrder, ValueContext, parse_date
from claimflow.verify.final import (
    RECORD,
    FinalRecord,
    Place,
    Wrong,
    by_key,
    cells,
    final_records,
    record_key,
    rows_of,
    stakes,
    write_final,
)

_LOOKALIKES = str.maketrans("OIL", "011")
_SERIALS = re.compile(r"[\s,;]+")
#: An amount as keyed: digits, group marks (spaces, no-break spaces,
#: apostrophes) and decimal marks, with at least one point or comma.
_AMOUNT = re.compile(r"-?(?=.*[.,])[\d\s\u00a0\u202f'.,]*\d")
DECISIONS = ("first", "second", "other", "source")
HEADER = [
    "document",
    "key",
    "line",
    "field",
    "first",
    "second",
    "slip",
    "decision",
    "value",
    "note",
]


@dataclass(frozen=True)
class Difference:
    """One field the two keyings disagree on."""

    document: str
    key: str
    line: int | None
    field: str
    first: str
    second: str
    slip: str

    def shown(self) -> str:
        """As `entry compare` lists it, the values quoted but a no-break
        space that groups digits shown as the space it looks like.

        Example: ``"EP-5017 line 1: line_total: '1 234.56' vs '1 234,56' (decimal mark)"``
        """
        where = self.key + (f" line {self.line}" if self.line else "")
        return (
            f"{where}: {self.field}: {_quoted(self.first)} vs "
            f"{_quoted(self.second)} ({self.slip})"
        )


@lru_cache(maxsize=256)
def _adapter(kind: str, line: bool, field: str) -> TypeAdapter[Any] | None:
    from claimflow.models import ClaimLine, SalesClaim, StayClaim

    model = ClaimLine if line else SalesClaim if kind == "sales" else StayClaim
    info = model.model_fields.get(field)
    if info is None:
        return None
    return TypeAdapter(Annotated[info.annotation, *info.metadata])  # type: ignore[arg-type]


def _typed(
    field: str, value: Any, client: ResolvedClient, context: ValueContext
) -> Any:
    """A keyed value typed as validation would type it (text if it cannot be)."""
    if value in (None, ""):
        return None
    adapter = _adapter(client.config.kind, field in client.fields.line, field)
    if adapter is None:
        return str(value).strip()
    try:
        return adapter.validate_python(value, context=context)
    except (ValidationError, ValueError, TypeError):
        return str(value).strip()


def _ocr(value: str) -> str:
    """Upper case with OCR look-alikes folded, zeros kept (they are the slip)."""
    return value.upper().translate(_LOOKALIKES)


def _missing_serial(a: str, b: str) -> bool:
    """One keying has every serial of the other, and more."""
    one, two = set(_SERIALS.split(a)) - {""}, set(_SERIALS.split(b)) - {""}
    return one < two or two < one


def _decimal_mark(a: str, b: str) -> bool:
    """The same digits of an amount, read with another decimal mark
    (``1 234.56`` for ``1 234,56``, ``10.00`` for ``10,00``), the same
    currency sign or code around both (``1 234,56 $`` as Babel writes fr_CA:
    trial 33 found it named ``other``)."""
    (head_a, a, tail_a), (head_b, b, tail_b) = _affixed(a), _affixed(b)
    if (head_a, tail_a) != (head_b, tail_b):
        return False
    if not (_AMOUNT.fullmatch(a) and _AMOUNT.fullmatch(b)):
        return False
    digits = [re.sub(r"\D", "", v) for v in (a, b)]
    marks = [re.sub(r"[^.,]", "", v)[-1:] for v in (a, b)]
    return digits[0] == digits[1] and marks[0] != marks[1]


def _affixed(value: str) -> tuple[str, str, str]:
    """(what stands before the number, the number, what stands after), each
    stripped: ``('', '1 234,56', '$')`` for ``1 234,56 $``."""
    found = re.fullmatch(r"(\D*?)(-?\d.*\d|-?\d)(\D*)", value.strip())
    if found is None:
        return "", value, ""
    return found[1].strip(), found[2], found[3].strip()


def _missing_or_mark(a: str, b: str, field: str) -> str | None:
    """The slips that leave something out, or read an amount's mark wrong."""
    if bool(a) != bool(b):
        return "missing value"
    if field == "serial_numbers" and _missing_serial(a, b):
        return "missing serial"
    if _decimal_mark(a, b):
        return "decimal mark"
    return None


def classify(
    first: str,
    second: str,
    other_fields: dict[str, str],
    order: DateOrder,
    field: str = "",
) -> str:
    """Name the keying slip that turns one value into the other.

    A blank against a value is a ``missing value``; a serial one keying
    lacks, a ``missing serial``; the same amount with a point for a comma
    (or the reverse), a ``decimal mark``.

    Example: ``classify("INV-20417", "INV-20471", {}, "MDY") == "transposition"``
    """
    a, b = first.strip(), second.strip()
    missing = _missing_or_mark(a, b, field)
    if missing:
        return missing
    if a.upper() != b.upper() and _ocr(a) == _ocr(b):
        return "O/0 or I/1 swap"
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        ):
            return "transposition"
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    if len(longer) == len(shorter) + 1 and any(
        longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer))
    ):
        return "dropped character"
    date_a, date_b = parse_date(a, order), parse_date(b, order)
    if (
        isinstance(date_a, date)
        and isinstance(date_b, date)
        and date_a != date_b
        and (date_a.day, date_a.month) == (date_b.month, date_b.day)
    ):
        return "day/month swap"
    for name, value in other_fields.items():
        if value and value.strip() == b:
            return f"value of {name} in the wrong field"
    return "other"


def _fields(raw: RawRecord) -> dict[tuple[int | None, str], Any]:
    out: dict[tuple[int | None, str], Any] = {
        (None, k): v for k, v in raw.values.items()
    }
    for n, (_, line) in enumerate(raw.lines, start=1):
        out.update({(n, k): v for k, v in line.items()})
    return out


def compare(first: Path, second: Path, client: ResolvedClient) -> list[Difference]:
    """Every field the two keyings of the same documents disagree on.

    Example: ``compare(Path("ana.csv"), Path("ben.csv"), client)``
    """
    context = context_for(client)
    ones = {record_key(r, i): r for i, r in enumerate(read_file(first, client))}
    twos = {record_key(r, i): r for i, r in enumerate(read_file(second, client))}
    found: list[Difference] = []
    for key in sorted(set(ones) | set(twos)):
        if key not in ones or key not in twos:
            found.append(
                Difference(
                    str(first.name),
                    key,
                    None,
                    "(record)",
                    "present" if key in ones else "missing",
                    "present" if key in twos else "missing",
                    "missing record",
                )
            )
            continue
        a, b = _fields(ones[key]), _fields(twos[key])
        texts_b = {name: str(v) for (_, name), v in b.items() if v is not None}
        for line, name in sorted(set(a) | set(b), key=lambda k: (k[0] or 0, k[1])):
            left, right = a.get((line, name)), b.get((line, name))
            if _typed(name, left, client, context) == _typed(
                name, right, client, context
            ):
                continue
            others = {n: v for n, v in texts_b.items() if n != name}
            slip = classify(
                str(left or ""), str(right or ""), others,
                client.config.date_order, name,
            )  # fmt: skip
            found.append(
                Difference(
                    ones[key].source.file,
                    key,
                    line,
                    name,
                    str(left or ""),
                    str(right or ""),
                    slip,
                )
            )
    return found


def write_decisions(differences: Sequence[Difference], out: Path) -> int:
    """The differences as a decisions file (CSV or Excel) for the adjudicator."""
    from claimflow.report import write_table

    return write_table(
        (
            [
                d.document,
                d.key,
                d.line or "",
                d.field,
                d.first,
                d.second,
                d.slip,
                "",
                "",
                "",
            ]
            for d in differences
        ),
        HEADER,
        out,
    )


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


class SampledField(NamedTuple):
    """One keyed field to audit.

    Attributes:
        claim_id: the stored claim.
        field: the field (``line 2:sku`` for a line's).
        claim: where the paper form is: its reference and the place it was
            keyed (``EP-5010 (keying_alice.csv:row 11)``).
    """

    claim_id: str
    field: str
    claim: str


def _label(record: RawRecord, claim_id: str, source: Provenance) -> str:
    values = record.values
    reference = next(
        (
            str(values[name]).strip()
            for name in ("claim_ref", "invoice_number", "confirmation_number")
            if values.get(name)
        ),
        claim_id,
    )
    place = Provenance(file=source.file, sheet=source.sheet, page=source.page,
                       row=source.row)  # fmt: skip
    return f"{reference} ({place.where()})"


def sample(
    store: Store, batch_id: int, max_error_rate: float, confidence: float, seed: int = 0
) -> tuple[int, list[SampledField]]:
    """How many keyed fields to audit, and which (reproducibly, by seed), each
    named by its claim's reference and the place it was keyed, in store order.

    Example: ``sample(store, 1, 0.005, 0.95)[0] == 598`` (or all fields, if fewer)
    """
    from claimflow.sla.quality import fields_needed

    needed = fields_needed(0, max_error_rate, confidence)
    population: list[SampledField] = []
    headers = store.raw_headers()
    for claim_id, raw, digest in keyed_records(store, batch_id):
        record = raw_from_json(raw, headers, digest)
        label = _label(record, claim_id, record.source)
        population += [
            SampledField(claim_id, k, label) for k, v in record.values.items() if v
        ]
        for n, (where, line) in enumerate(record.lines, start=1):
            label = _label(record, claim_id, where)
            population += [
                SampledField(claim_id, f"line {n}:{k}", label)
                for k, v in line.items()
                if v
            ]
    order = {id(f): i for i, f in enumerate(population)}
    picked = random.Random(seed).sample(population, min(needed, len(population)))
    return needed, sorted(picked, key=lambda f: order[id(f)])
