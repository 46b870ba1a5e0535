"""Double entry: two operators key the same forms; differences are adjudicated.

`compare` matches the two keyings record by record (claim reference, else
invoice or confirmation and member, else position) and compares every field
*after typing it the way validation does*, so ``15000`` and ``15000.00``, or
``2026-03-04`` and ``03/04/2026`` for a month-first client, are the same.
Each real difference names the slip where it can: transposition, O/0 or
I/1 swap, dropped digit, day/month swap, value in the wrong field.

`adjudicate` applies a reviewer's decisions (first, second, another value,
or the source document itself is at fault), writes the final values, and
records every correction as an audit event and every operator error as an
entry check, so QA error rates have the applicable fields as denominator.
`sample` says how many fields to audit for an error-rate limit and picks them.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.keys import normalize_key
from claimflow.models import RawRecord
from claimflow.parse import read_file
from claimflow.parse.checks import EntryCheck
from claimflow.store import Store, raw_from_json
from claimflow.store.entry import add_entry_errors, keyed_records
from claimflow.validate import context_for
from claimflow.values import DateOrder, ValueContext, parse_date

_LOOKALIKES = str.maketrans("OIL", "011")
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


def _key(raw: RawRecord, index: int) -> str:
    values = raw.values
    for name in ("claim_ref",):
        if values.get(name):
            return str(values[name]).strip()
    for name in ("invoice_number", "confirmation_number"):
        if values.get(name):
            return (
                f"{normalize_key(str(values[name]))}/{values.get('participant_id', '')}"
            )
    return f"#{index}"


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


def classify(
    first: str, second: str, other_fields: dict[str, str], order: DateOrder
) -> str:
    """Name the keying slip that turns one value into the other.

    Example: ``classify("INV-20417", "INV-20471", {}, "MDY") == "transposition"``
    """
    a, b = first.strip(), second.strip()
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
    ones = {_key(r, i): r for i, r in enumerate(read_file(first, client))}
    twos = {_key(r, i): r for i, r in enumerate(read_file(second, client))}
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
                str(left or ""), str(right or ""), others, client.config.date_order
            )
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
    columns with every decided value in place.

    Raises:
        UnreadableInput: a decision row is missing or not first/second/other/source.

    Example: ``adjudicate(Path("decisions.csv"), a, b, client, store, ...)``
    """
    rows = _read_decisions(decisions)
    differences = {(d.key, d.line, d.field): d for d in compare(first, second, client)}
    chosen: dict[tuple[str, int | None, str], str] = {}
    errors: Counter[tuple[str, str]] = Counter()
    wrong: list[tuple[str, tuple[str, int | None, str], str]] = []
    faults: list[str] = []
    for n, row in enumerate(rows, start=2):
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
                "expected the columns key, line and field "
                "as written by 'entry compare'",
                f"row {n}",
            ) from None
        if decision not in DECISIONS or key not in differences:
            raise UnreadableInput(
                str(decisions),
                f"expected a decision of {'/'.join(DECISIONS)} "
                f"for a listed difference, found {decision!r}",
                f"row {n}",
            )
        diff = differences[key]
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
                "decision": decision,
                "why": row.get("note") or diff.slip,
            },
        )
    applicable = _write_final(first, client, chosen, final)
    day = now.date().isoformat()
    add_entry_errors(
        store,
        [
            (client.key, op, key[2], key[0], keyed, chosen[key], stake, day)
            for (op, key, keyed), stake in zip(
                wrong, _stakes(final, client, chosen, wrong), strict=True
            )
        ],
    )
    # One row per operator and field: errors over the fields that were keyed.
    store.add_entry_checks(
        client.key,
        [
            EntryCheck(op, name, now.date(), count, errors[(op, name)], None, 0)
            for op in operators
            for name, count in sorted(applicable.items())
        ],
        f"double entry {first.name}",
    )
    per_operator: Counter[str] = Counter()
    for (op, _), count in errors.items():
        per_operator[op] += count
    total = sum(applicable.values())
    return Adjudication(
        len(chosen), faults, dict(per_operator), dict.fromkeys(operators, total)
    )


def _stakes(
    final: Path,
    client: ResolvedClient,
    chosen: dict[tuple[str, int | None, str], str],
    wrong: list[tuple[str, tuple[str, int | None, str], str]],
) -> list[int | None]:
    """Points each keying error would have mis-awarded: award with the keyed value
    against award with the corrected one (None when the client awards nothing
    or either claim cannot be awarded)."""
    from claimflow.award.caps import CapState
    from claimflow.award.engine import compute_award
    from claimflow.validate.record import build_claim

    settings = client.config.award
    if settings is None or not wrong:
        return [None] * len(wrong)
    context = context_for(client, datetime.now(client.zone))
    records = {_key(r, i): r for i, r in enumerate(read_file(final, client))}

    def points(raw: RawRecord) -> int | None:
        claim, _ = build_claim(raw, client, context)
        award, _ = compute_award(claim, settings, None, CapState())
        return award.points if award else None

    stakes: list[int | None] = []
    for _, (key, line, field), keyed in wrong:
        raw = records.get(key)
        if raw is None:
            stakes.append(None)
            continue
        if line is None:
            changed = RawRecord(
                raw.source,
                {**raw.values, field: keyed},
                raw.lines,
                raw.field_sources,
                raw.content_hash,
            )
        else:
            lines = list(raw.lines)
            src, values = lines[line - 1]
            lines[line - 1] = (src, {**values, field: keyed})
            changed = RawRecord(
                raw.source,
                raw.values,
                tuple(lines),
                raw.field_sources,
                raw.content_hash,
            )
        right, mistaken = points(raw), points(changed)
        stakes.append(
            None if right is None or mistaken is None else abs(right - mistaken)
        )
    return stakes


def _write_final(
    first: Path,
    client: ResolvedClient,
    chosen: dict[tuple[str, int | None, str], str],
    final: Path,
) -> Counter[str]:
    """Write the first keying with the decided values; return the keyed fields by name."""
    records = read_file(first, client)
    keyed = {id(r): _key(r, i) for i, r in enumerate(records)}
    header = list(
        dict.fromkeys([*records[0].field_sources.values()] if records else [])
    )
    canonical = {v: k for k, v in records[0].field_sources.items()} if records else {}
    fields: Counter[str] = Counter()
    with final.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for record in records:
            key = keyed[id(record)]
            lines = record.lines or ((record.source, {}),)
            for n, (_, line) in enumerate(lines, start=1):
                values = {**record.values, **line}
                fields.update(k for k, v in values.items() if v not in (None, ""))
                row = []
                for column in header:
                    name = canonical[column]
                    at = n if name in client.fields.line and record.lines else None
                    row.append(chosen.get((key, at, name), values.get(name, "")))
                writer.writerow(row)
    return fields


def sample(
    store: Store, batch_id: int, max_error_rate: float, confidence: float, seed: int = 0
) -> tuple[int, list[tuple[str, str]]]:
    """How many keyed fields to audit, and which (reproducibly, by seed).

    Example: ``sample(store, 1, 0.005, 0.95)[0] == 598`` (or all fields, if fewer)
    """
    from claimflow.sla.quality import fields_needed

    needed = fields_needed(0, max_error_rate, confidence)
    population: list[tuple[str, str]] = []
    headers = store.raw_headers()
    for claim_id, raw, digest in keyed_records(store, batch_id):
        record = raw_from_json(raw, headers, digest)
        population += [(claim_id, k) for k, v in record.values.items() if v]
        for n, (_, line) in enumerate(record.lines, start=1):
            population += [(claim_id, f"line {n}:{k}") for k, v in line.items() if v]
    picked = random.Random(seed).sample(population, min(needed, len(population)))
    return needed, sorted(picked)
