"""Comparing two keyings of the same forms, and naming each slip.

`compare` matches the two keyings record by record and compares every field
*after typing it the way validation does*, so ``15000`` and ``15000.00`` are
the same; each real difference is a `Difference` whose slip `classify` names
(missing value or serial, decimal mark, transposition, O/0 or I/1 swap,
dropped character, day/month swap, value in the wrong field, else
``other``). `write_decisions` writes them as the file a reviewer decides
(`HEADER`). `claimflow.verify.double_entry` adjudicates it and re-exports
these names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from claimflow.config import ResolvedClient
from claimflow.models import RawRecord
from claimflow.numbers import _quoted
from claimflow.parse import read_file
from claimflow.validate import context_for
from claimflow.values import DateOrder, ValueContext, parse_date
from claimflow.verify.final import record_key

_LOOKALIKES = str.maketrans("OIL", "011")
_SERIALS = re.compile(r"[\s,;]+")
#: An amount as keyed: digits, group marks (spaces, no-break spaces,
#: apostrophes) and decimal marks, with at least one point or comma.
_AMOUNT = re.compile(r"-?(?=.*[.,])[\d\s\u00a0\u202f'.,]*\d")
#: Words naming a date field, whose points are no decimal marks.
_DATE_WORDS = ("date", "arrival", "departure", "check_in", "check_out", "received")
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
    """A keyed value typed as validation would type it (text if it cannot be).

    Text is compared in its composed form (NFC): a cp1258 file writes
    'Nguyễn' as 'Nguyê' and a combining tilde, UTF-8 as one letter, and the
    two are the same keying."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value)
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


def _mark_dropped(longer: str, shorter: str) -> bool:
    """An amount keyed without its decimal mark (``149,00`` as ``14900``,
    a hundred times the amount), not any dropped character."""
    if not _AMOUNT.fullmatch(longer):
        return False
    last = max(longer.rfind("."), longer.rfind(","))
    return 0 < len(longer) - last - 1 <= 3 and longer[:last] + longer[last + 1 :] == shorter


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
    (or the reverse), or keyed without its decimal mark (``149,00`` as
    ``14900``), a ``decimal mark``.

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
        dropped_mark = (
            _mark_dropped(longer, shorter)
            and not any(w in field for w in _DATE_WORDS)
            and not isinstance(parse_date(longer, order), date)
        )
        return "decimal mark" if dropped_mark else "dropped character"
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
