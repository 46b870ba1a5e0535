"""Replay results for people: a terminal summary and a spreadsheet of changes."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from claimflow.replay import Change, ReplayResult
from claimflow.report import write_table
from claimflow.shown import PLAIN_DESK, Desk, points_word

CHANGE_HEADER = [
    "claim_id",
    "claim",
    "outcome_from",
    "outcome_to",
    "reasons_from",
    "reasons_to",
    "points_from",
    "points_to",
    "delta",
    "lines",
    "sla_from",
    "sla_to",
]


def write_replay_changes(result: ReplayResult, out: Path) -> int:
    """Every changed claim, one row each, to ``.csv``, ``.xlsx``, ``.json``,
    ``.jsonl`` or ``.ndjson``."""
    return write_table(
        (
            [
                c.claim_id,
                # as people know it (trial 24: the file gave the id alone)
                result.names.get(c.claim_id, c.claim_id),
                c.outcome_from,
                c.outcome_to,
                " ".join(c.reasons_from),
                " ".join(c.reasons_to),
                c.points_from,
                c.points_to,
                c.delta,
                "; ".join(c.lines),
                c.sla_from,
                c.sla_to,
            ]
            for c in result.changes
        ),
        CHANGE_HEADER,
        out,
        json_ok=True,
    )


#: A changed line as `claimflow.replay` writes it: ``rule: 1543 -> 2315``,
#: its figures plain (the change file's ``lines`` column keeps them so).
_LINE = re.compile(r"^(?P<rule>.+): (?P<old>-?\d+(?:\.\d+)?) -> (?P<new>-?\d+(?:\.\d+)?)$")


def _points(value: int | None, desk: Desk) -> str:
    """Points as the desk writes them (``1.543`` in tr_TR), ``none`` for none."""
    return "none" if value is None else desk.points(value)


def _line(text: str, desk: Desk) -> str:
    """A changed line's figures as the desk writes them (``taban: 1.543 ->
    2.315``); a line in another form as it is."""
    found = _LINE.match(text)
    if found is None:
        return text
    old, new = Decimal(found["old"]), Decimal(found["new"])
    return f"{found['rule']}: {desk.points(old)} -> {desk.points(new)}"


def _describe(change: Change, names: dict[str, str], desk: Desk) -> str:
    parts = []
    if change.outcome_from != change.outcome_to:
        parts.append(f"{change.outcome_from} -> {change.outcome_to}")
    if change.delta:
        lines = [_line(line, desk) for line in change.lines]
        rules = f" ({'; '.join(lines)})" if lines else ""
        parts.append(
            f"{_points(change.points_from, desk)} -> "
            f"{_points(change.points_to, desk)} {points_word(change.points_to or 0)}{rules}"
        )
    if change.reasons_from != change.reasons_to:
        parts.append(f"reasons {change.reasons_from} -> {change.reasons_to}")
    if change.sla_from != change.sla_to:
        parts.append(f"SLA {change.sla_from} -> {change.sla_to}")
    name = names.get(change.claim_id, change.claim_id)
    return f"  {name}: " + "; ".join(parts)


def render_replay(result: ReplayResult, shown: int = 20, desk: Desk = PLAIN_DESK) -> str:
    """The replay as a few lines: totals, then the first changed claims, its
    figures as `desk` writes them (the client's locale: ``1.543 -> 2.315
    points`` in tr_TR, as ``ledger balance`` and ``award explain`` write
    points); ``--json`` and the change file keep plain numbers.

    Example: ``render_replay(result, desk=client.desk)``
    """
    data = result.to_dict()
    delta = data["points_delta"]
    lines = [
        f"{result.client}: {desk.points(data['claims'])} claims replayed, "
        f"{desk.points(data['changed'])} changed, {desk.signed(delta)} "
        f"{points_word(delta)}"
    ]
    if data["by_transition"]:
        lines.append(
            "  changes: "
            + ", ".join(f"{k}: {desk.points(v)}" for k, v in data["by_transition"].items())
        )
    if data["points_by_rule"]:
        lines.append(
            "  points by rule: "
            + ", ".join(f"{k} {desk.signed(v)}" for k, v in data["points_by_rule"].items())
        )
    if data["by_reason"]:
        lines.append(
            "  reasons: "
            + ", ".join(f"{k} {desk.signed(v)}" for k, v in data["by_reason"].items())
        )
    lines.extend(_describe(c, result.names, desk) for c in result.changes[:shown])
    if len(result.changes) > shown:
        more = desk.points(len(result.changes) - shown)
        lines.append(f"  ... and {more} more (see --out)")
    return "\n".join(lines)
