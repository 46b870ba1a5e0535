"""JSON and JSON Lines reader.

Accepted shapes: a list of claim objects; an object with a ``claims`` list;
or JSON Lines (``.jsonl``/``.ndjson``), one claim object per line. Keys are
matched like CSV headers; a key given twice in one object, or two keys
naming one field, is refused (as two CSV columns for one field are), and so
is a claim field's key holding an object or a list (but serial numbers);
keys naming no field, and a wrapper's keys beside ``claims``, are named in
the file's notes, as a CSV file's unread columns are. A
claim may carry its lines as a ``lines`` list of objects; otherwise its
own line fields make one line. Numbers are read as
Decimal, never float.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label
from claimflow.models import Provenance, RawRecord

JSON_LINES = {".jsonl", ".ndjson"}


class _Twice(dict[str, Any]):
    """An object that gave a key more than once (Python's json keeps the
    last silently): the key and its values, first and later."""

    twice: list[tuple[str, Any, Any]]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook``: the object, marked when a key came twice."""
    obj: dict[str, Any] = {}
    twice = []
    for key, value in pairs:
        if key in obj:
            twice.append((key, obj[key], value))
        else:
            obj[key] = value
    if not twice:
        return obj
    marked = _Twice(obj)
    marked.twice = twice
    return marked


def _loads(text: str) -> Any:
    return json.loads(text, parse_float=Decimal, object_pairs_hook=_pairs)


def _refuse_twice(obj: dict[str, Any], name: str, where: str) -> None:
    """A key given twice in one object is two values for one field: which
    one the sender meant is not ours to guess (``"Qty": 1, "Qty": 2`` was
    read as 2 and accepted)."""
    if isinstance(obj, _Twice):
        key, first, later = obj.twice[0]
        raise UnreadableInput(
            name,
            f"{key!r} given twice in one object ({_shown(first)}, then "
            f"{_shown(later)}): expected one value",
            where,
        )


def _preview(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _shown(value: Any) -> str:
    return repr(str(value) if isinstance(value, Decimal) else value)


class _Unread:
    """The keys of a file's claim objects that name no claim field, each
    with the first row giving it: said in a note, never dropped unsaid (a
    portal's ``"nights": 3`` vanished as a CSV file's unread column once
    did, trial 45)."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}

    def add(self, key: str, where: str) -> None:
        self.keys.setdefault(key, where)

    def note(self) -> str | None:
        if not self.keys:
            return None
        shown = [f"{k!r} ({where})" for k, where in self.keys.items()]
        listed = ", ".join(shown[:8]) + (", ..." if len(shown) > 8 else "")
        return (
            f"{'key' if len(shown) == 1 else 'keys'} {listed} not read (no claim "
            "field: the client's columns section can name one)"
        )


def _nested(value: object) -> str:
    return "an object" if isinstance(value, dict) else "a list"


def _canonical(
    obj: dict[str, Any],
    client: ResolvedClient,
    sources: dict[str, str],
    name: str,
    where: str,
    unread: _Unread,
) -> dict[str, Any]:
    _refuse_twice(obj, name, where)
    values: dict[str, Any] = {}
    named: dict[str, str] = {}  # canonical field -> the key that gave it here
    for key, value in obj.items():
        canonical = client.header_index.get(normalize_label(key))
        if canonical is None:
            if key != "lines":  # a claim's lines are read by `_record`
                unread.add(key, where)
            continue
        if isinstance(value, dict | list) and not (
            canonical == "serial_numbers" and isinstance(value, list)
        ):
            # ``"room_revenue": {"amount": "500.00"}`` was skipped, and the
            # claim accepted without its revenue (0 points); a value of a
            # field is one value, and which part of it is meant is no guess
            # of ours
            raise UnreadableInput(
                name,
                f"expected one value for {canonical}, found {_nested(value)} "
                f"({_preview(value)})",
                f"{where}:{key}",
            )
        if canonical in named:
            # two names of one field, as two CSV columns for one field are
            raise UnreadableInput(
                name,
                f"{named[canonical]!r} and {key!r} both name {canonical}: "
                "expected one of them",
                where,
            )
        named[canonical] = key
        values[canonical] = (
            [str(v) for v in value] if isinstance(value, list) else value
        )
        sources.setdefault(canonical, key)
    return values


def _record(
    obj: object,
    index: int,
    client: ResolvedClient,
    name: str,
    digest: str,
    unread: _Unread,
) -> RawRecord:
    source = Provenance(file=name, row=index)
    if not isinstance(obj, dict):
        raise UnreadableInput(
            name, f"expected a claim object, found {type(obj).__name__}", f"row {index}"
        )
    sources: dict[str, str] = {}
    values = _canonical(obj, client, sources, name, f"row {index}", unread)
    line_fields = client.fields.line
    header = {k: v for k, v in values.items() if k not in line_fields}
    lines: list[tuple[Provenance, dict[str, Any]]] = []
    raw_lines = obj.get("lines")
    if "lines" in obj and not (isinstance(raw_lines, list) and line_fields):
        unread.add("lines", f"row {index}")  # a stay claim has no lines
    if isinstance(raw_lines, list) and line_fields:
        for number, item in enumerate(raw_lines, start=1):
            if not isinstance(item, dict):
                raise UnreadableInput(
                    name, "expected each of 'lines' to be an object", f"row {index}"
                )
            found = _canonical(
                item, client, sources, name, f"row {index}:line {number}", unread
            )
            lines.append((source.at(None, number), found))
    elif line_fields:
        lines.append((source, {k: v for k, v in values.items() if k in line_fields}))
    return RawRecord(source, header, tuple(lines), sources, digest)


def _unusual(exc: Exception) -> str:
    """Why Python's json gave up on text that is JSON (nesting, huge numbers)."""
    if isinstance(exc, RecursionError):
        return "JSON nested too deep to be a claim"
    return f"not usable JSON: {exc}"


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _refuse_nul(data: object, text: str, name: str, where: str | None) -> None:
    """A NUL character (``\\u0000``) is no part of any value a claim holds
    (and no text a PostgreSQL store can keep): the file is refused, as a
    CSV file with NUL bytes is."""
    if "\\u0000" in text.lower() and _has_nul(data):
        raise UnreadableInput(
            name, "a NUL character (\\u0000) in a value: not text a claim can hold", where
        )


def read_json(
    path: Path,
    client: ResolvedClient,
    digest: str,
    name: str,
    notes: list[str] | None = None,
) -> Iterator[RawRecord]:
    """Read claims from a JSON or JSON Lines file.

    Args:
        path: the file.
        client: the resolved client.
        digest: the file's content hash.
        name: the file name for provenance.
        notes: gets a note naming the keys no claim field reads (each with
            the first row giving it) and a wrapper's keys beside
            ``claims``, once the file is read.

    Yields:
        One raw record per claim object.

    Raises:
        UnreadableInput: not JSON, or not one of the accepted shapes.

    Example: ``list(read_json(Path("claims.json"), client, h, "claims.json"))``
    """
    unread = _Unread()
    try:
        if path.suffix.lower() in JSON_LINES:
            yield from _read_lines(path, client, digest, name, unread)
            _note(unread, notes)
            return
        with path.open(encoding="utf-8-sig") as fh:
            text = fh.read()
        data = _loads(text)
        _refuse_nul(data, text, name, None)
    except UnicodeDecodeError:
        raise UnreadableInput(name, "not UTF-8 text (JSON must be UTF-8)") from None
    except json.JSONDecodeError as exc:
        raise UnreadableInput(
            name, f"not valid JSON: {exc.msg}", f"line {exc.lineno} column {exc.colno}"
        ) from None
    except (RecursionError, ValueError) as exc:
        raise UnreadableInput(name, _unusual(exc)) from None
    if isinstance(data, dict) and isinstance(data.get("claims"), list):
        if isinstance(data, _Twice) and any(k == "claims" for k, _, _ in data.twice):
            raise UnreadableInput(name, "'claims' given twice: expected one list")
        beside = [k for k in data if k != "claims"]
        if beside and notes is not None:
            listed = ", ".join(map(repr, beside[:8])) + (", ..." if len(beside) > 8 else "")
            notes.append(
                f"{'key' if len(beside) == 1 else 'keys'} {listed} beside the "
                "'claims' list not read (they belong to no claim)"
            )
        data = data["claims"]
    if not isinstance(data, list):
        raise UnreadableInput(name, 'expected a list of claims or {"claims": [...]}')
    for index, obj in enumerate(data, start=1):
        yield _record(obj, index, client, name, digest, unread)
    _note(unread, notes)


def _note(unread: _Unread, notes: list[str] | None) -> None:
    note = unread.note()
    if note is not None and notes is not None:
        notes.append(note)


def _read_lines(
    path: Path, client: ResolvedClient, digest: str, name: str, unread: _Unread
) -> Iterator[RawRecord]:
    with path.open(encoding="utf-8-sig") as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                obj = _loads(text)
            except json.JSONDecodeError as exc:
                raise UnreadableInput(
                    name, f"not valid JSON: {exc.msg}", f"line {number}"
                ) from None
            except (RecursionError, ValueError) as exc:
                raise UnreadableInput(name, _unusual(exc), f"line {number}") from None
            _refuse_nul(obj, text, name, f"line {number}")
            yield _record(obj, number, client, name, digest, unread)
