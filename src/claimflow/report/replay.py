"""Replay results for people: a terminal summary and a spreadsheet of changes."""

from __future__ import annotations

from pathlib import Path

from claimflow.replay import Change, ReplayResult
from claimflow.report import write_table

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


def _points(value: int | None) -> str:
    """Points as the summary line writes them (``6,566``), ``none`` for none."""
    return "none" if value is None else f"{value:,}"


def _describe(change: Change, names: dict[str, str]) -> str:
    parts = []
    if change.outcome_from != change.outcome_to:
        parts.append(f"{change.outcome_from} -> {change.outcome_to}")
    if change.delta:
        rules = f" ({'; '.join(change.lines)})" if change.lines else ""
        parts.append(
            f"{_points(change.points_from)} -> {_points(change.points_to)} points{rules}"
        )
    if change.reasons_from != change.reasons_to:
        parts.append(f"reasons {change.reasons_from} -> {change.reasons_to}")
    if change.sla_from != change.sla_to:
        parts.append(f"SLA {change.sla_from} -> {change.sla_to}")
    name = names.get(change.claim_id, change.claim_id)
    return f"  {name}: " + "; ".join(parts)


def render_replay(result: ReplayResult, shown: int = 20) -> str:
    """The replay as a few lines: totals, then the first changed claims."""
    data = result.to_dict()
    lines = [
        f"{result.client}: {data['claims']:,} claims replayed, {data['changed']:,} "
        f"changed, {data['points_delta']:+,} points"
    ]
    if data["by_transition"]:
        lines.append(
            "  changes: "
            + ", ".join(f"{k}: {v:,}" for k, v in data["by_transition"].items())
        )
    if data["points_by_rule"]:
        lines.append(
            "  points by rule: "
            + ", ".join(f"{k} {v:+,}" for k, v in data["points_by_rule"].items())
        )
    if data["by_reason"]:
        lines.append(
            "  reasons: "
            + ", ".join(f"{k} {v:+,}" for k, v in data["by_reason"].items())
        )
    lines.extend(_describe(c, result.names) for c in result.changes[:shown])
    if len(result.changes) > shown:
        lines.append(f"  ... and {len(result.changes) - shown:,} more (see --out)")
    return "\n".join(lines)
