"""The final keying of a double entry: what `adjudicate` writes and counts.

Inputs: the two keyings (raw records, first and second) and the decided
values, by place ``(record key, line or None, field)``; a missed or extra
record is decided at ``(key, None, "(record)")`` as ``present`` or
``missing``. Outputs:

- `final_records`: the records of the final file, in the first keying's
  order, a record only the second keyed in its place after the record it
  followed there. A record is in it when both keyed it, or one did and the
  decision (or, undecided, the first keying) says it is present; a line
  when it keeps a line value after the decisions (the line one operator
  missed is there, the extra line decided away is not);
- `write_final`: those records as a CSV file, first keying's columns;
- `cells`: the fields keyed on a record, by name, one per row as keyed
  (a claim's fields are keyed on every line's row): QA's fields checked;
- `stakes`: the points each operator error would have mis-awarded.

Nothing here touches the store.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from claimflow.codes import Outcome, decide
from claimflow.config import ResolvedClient
from claimflow.keys import normalize_key
from claimflow.models import RawRecord

#: A decided place: record key, line (None for the claim's fields), field.
Place = tuple[str, int | None, str]
#: An operator error: who, the place, the value they keyed.
Wrong = tuple[str, Place, str]
RECORD = "(record)"


def record_key(raw: RawRecord, index: int) -> str:
    """How the two keyings' records are matched: claim reference, else
    invoice or confirmation number and member, else position.

    Example: ``record_key(raw, 0) == "EP-5001"``
    """
    values = raw.values
    if values.get("claim_ref"):
        return str(values["claim_ref"]).strip()
    for name in ("invoice_number", "confirmation_number"):
        if values.get(name):
            return (
                f"{normalize_key(str(values[name]))}/{values.get('participant_id', '')}"
            )
    return f"#{index}"


def by_key(records: Sequence[RawRecord]) -> dict[str, RawRecord]:
    """A keying's records by `record_key` (the last of a repeated key)."""
    return {record_key(r, i): r for i, r in enumerate(records)}


@dataclass(frozen=True)
class FinalRecord:
    """One record of the final file.

    Attributes:
        key: its `record_key`.
        rows: one row per line (one row without lines): field -> value.
    """

    key: str
    rows: tuple[dict[str, Any], ...]


def rows_of(raw: RawRecord) -> list[dict[str, Any]]:
    """A record's rows as keyed: the claim's fields on every line's row.

    Example: ``len(rows_of(raw)) == max(1, len(raw.lines))``
    """
    return [{**raw.values, **line} for _, line in raw.lines or ((raw.source, {}),)]


def cells(rows: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """The fields keyed (not blank) in these rows, by name.

    Example: ``cells([{"sku": "A", "quantity": ""}]) == Counter({"sku": 1})``
    """
    found: Counter[str] = Counter()
    for row in rows:
        found.update(k for k, v in row.items() if v not in (None, ""))
    return found


def _decided(
    key: str,
    base: RawRecord,
    other: RawRecord | None,
    client: ResolvedClient,
    chosen: Mapping[Place, str],
) -> tuple[dict[str, Any], ...]:
    """The record's rows with the decided values in place."""
    mine = {(line, name): v for (k, line, name), v in chosen.items() if k == key}
    count = max(len(base.lines), len(other.lines) if other else 0)
    rows: list[dict[str, Any]] = []
    numbers: list[int | None] = list(range(1, count + 1)) if count else [None]
    for n in numbers:
        line = base.lines[n - 1][1] if n is not None and n <= len(base.lines) else {}
        row = {**base.values, **line}
        for (at, name), value in mine.items():
            if name != RECORD and (at is None or at == n):
                row[name] = value
        kept = any(row.get(f) not in (None, "") for f in client.fields.line)
        if n is None or kept:
            rows.append(row)
    if not rows:  # every line decided away: the claim itself stays
        rows.append({**base.values, **{k: v for (at, k), v in mine.items() if at is None}})
    return tuple(rows)


def final_records(
    first: Sequence[RawRecord],
    second: Sequence[RawRecord],
    client: ResolvedClient,
    chosen: Mapping[Place, str],
) -> list[FinalRecord]:
    """The records of the final file (see the module docstring).

    Example: ``[r.key for r in final_records(ana, ben, client, chosen)]``
    """
    ones = [(record_key(r, i), r) for i, r in enumerate(first)]
    twos = by_key(second)
    known = {k for k, _ in ones}
    # A record only the second keyed goes after the record it followed there.
    after: dict[str | None, list[tuple[str, RawRecord]]] = {}
    previous: str | None = None
    for key, raw in twos.items():
        if key in known:
            previous = key
        else:
            after.setdefault(previous, []).append((key, raw))
    ordered = after.pop(None, [])
    for key, raw in ones:
        ordered.append((key, raw))
        ordered += after.pop(key, [])
    out: list[FinalRecord] = []
    for key, raw in ordered:
        other = twos.get(key) if key in known else None
        default = "present" if key in known else "missing"
        if chosen.get((key, None, RECORD), default) != "present":
            continue
        out.append(FinalRecord(key, _decided(key, raw, other, client, chosen)))
    return out


def write_final(
    path: Path,
    records: Sequence[FinalRecord],
    first: Sequence[RawRecord],
    second: Sequence[RawRecord],
) -> None:
    """Write the final records as CSV, the first keying's columns first.

    A field only the second keying has a column for gets that column.

    Example: ``write_final(Path("final.csv"), final_records(...), ana, ben)``
    """
    columns: dict[str, str] = {}
    for keying in (first, second):
        for name, column in (keying[0].field_sources if keying else {}).items():
            columns.setdefault(name, column)
    header = list(dict.fromkeys(columns.values()))
    canonical = {column: name for name, column in reversed(columns.items())}
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for record in records:
            for row in record.rows:
                writer.writerow([row.get(canonical[c], "") for c in header])


def stakes(
    final: Mapping[str, RawRecord],
    keyings: Mapping[str, Mapping[str, RawRecord]],
    client: ResolvedClient,
    wrong: Sequence[Wrong],
) -> list[int | None]:
    """Points each keying error would have mis-awarded: award with the keyed value
    against award with the decided one, a claim the keyed value leaves not
    accepted (an unreadable amount pends it) earning 0, and a keyed
    participant other than the decided one staking the whole award (it goes
    to another member). A missed record stakes the whole award of the
    record as decided, an extra one the award of the record as keyed. None
    when the client awards nothing, a claim cannot be awarded, or the error
    is on a line decided away.

    Example: ``stakes(by_key(read_file(final, client)), keyings, client, wrong)``
    """
    from claimflow.award.caps import CapState
    from claimflow.award.engine import compute_award
    from claimflow.validate import context_for
    from claimflow.validate.record import build_claim

    settings = client.config.award
    if settings is None or not wrong:
        return [None] * len(wrong)
    context = context_for(client, datetime.now(client.zone))

    def awarded(raw: RawRecord) -> tuple[str | None, int | None]:
        """(the participant, the points) of the record as keyed: 0 points
        when its problems would leave it not accepted (trial 33: an amount
        the locale cannot read, a line total that does not add up)."""
        claim, problems = build_claim(raw, client, context)
        if decide([p.code for p in problems]) is not Outcome.ACCEPTED:
            return claim.participant_id, 0
        award, _ = compute_award(claim, settings, None, CapState())
        return claim.participant_id, award.points if award else None

    def points(raw: RawRecord | None) -> int | None:
        return None if raw is None else awarded(raw)[1]

    found: list[int | None] = []
    for operator, (key, line, field), keyed in wrong:
        raw = final.get(key)
        if field == RECORD:
            missed = keyed == "missing"
            found.append(points(raw if missed else keyings[operator].get(key)))
            continue
        if raw is None or (line is not None and line > len(raw.lines)):
            found.append(None)
            continue
        if line is None:
            changed = RawRecord(
                raw.source, {**raw.values, field: keyed}, raw.lines,
                raw.field_sources, raw.content_hash,
            )  # fmt: skip
        else:
            lines = list(raw.lines)
            src, values = lines[line - 1]
            lines[line - 1] = (src, {**values, field: keyed})
            changed = RawRecord(
                raw.source, raw.values, tuple(lines), raw.field_sources,
                raw.content_hash,
            )  # fmt: skip
        found.append(_stake(awarded(raw), awarded(changed)))
    return found


def _stake(
    right: tuple[str | None, int | None], keyed: tuple[str | None, int | None]
) -> int | None:
    """Points one error puts at stake: the difference in points, or all of
    them when the keyed participant is another member (the award goes to
    them); None when either cannot be awarded."""
    (member, decided), (other, mistaken) = right, keyed
    if decided is None or mistaken is None:
        return None
    return max(decided, mistaken) if member != other else abs(decided - mistaken)
