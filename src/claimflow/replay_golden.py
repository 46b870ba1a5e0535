"""Golden cases: recorded inputs and reviewed expected outputs in a folder.

Contract: `golden(folder, update)` runs each case (``case.yaml``: client,
inputs, participants, received_at) through validation and the award
engine, and returns the differences from its ``expected.json`` per case;
`update` rewrites the expected outputs instead. Reads files only.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from claimflow.award.caps import CapState
from claimflow.award.engine import compute_awards
from claimflow.codes import Outcome
from claimflow.config import load_client
from claimflow.errors import ClaimflowError
from claimflow.models import Award, Claim, Decision
from claimflow.parse import read_file
from claimflow.parse.participants import read_participants
from claimflow.validate import context_for, validate_chunk


def _awards(
    decided: list[tuple[Claim, Decision]],
    settings: Any,
    participants: dict[str, Any],
    caps: CapState,
) -> tuple[dict[str, Award], CapState]:
    """The chunk's awards against the caps used so far."""
    if settings is None:
        return {}, caps
    accepted = [c for c, d in decided if d.outcome is Outcome.ACCEPTED]
    awards, _, caps = compute_awards(accepted, settings, participants, caps)
    return {a.claim_id: a for a in awards}, caps


def _golden_output(case: Path) -> dict[str, Any]:
    spec = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    client = load_client(case / spec["client"])
    received = datetime.fromisoformat(spec["received_at"])
    raws = [r for name in spec["inputs"] for r in read_file(case / name, client)]
    decided = validate_chunk(raws, client, context_for(client, received))
    people = (
        {
            p.id: p
            for p in read_participants(
                case / spec["participants"], client.key, client.config.date_order,
                id_format=client.formats.get("participant_id"),
            )  # fmt: skip
        }
        if spec.get("participants")
        else {}
    )
    awards, _ = _awards(decided, client.config.award, people, CapState())
    out = {}
    for claim, decision in decided:
        award = awards.get(claim.id)
        out[f"{Path(claim.provenance.file).name}:{claim.id.split('-', 1)[1]}"] = {
            "outcome": decision.outcome.value,
            "reasons": [c.value for c in decision.codes],
            "points": award.points if award else None,
            "version": award.version if award else None,
            "lines": {ln.rule_id: ln.points for ln in award.lines} if award else {},
        }
    return out


def golden(folder: Path, update: bool = False) -> dict[str, list[str]]:
    """Run every golden case under `folder`; return the differences per case.

    Each case is a sub-folder with ``case.yaml`` (client, inputs, participants,
    received_at) and ``expected.json``; `update` rewrites the expected output.

    Example: ``golden(Path("samples/golden"))`` is ``{}`` when nothing changed.
    """
    differences: dict[str, list[str]] = {}
    cases = sorted(p for p in folder.iterdir() if (p / "case.yaml").is_file())
    if not cases:
        raise ClaimflowError(
            f"{folder}: no golden case (a folder with case.yaml) found"
        )
    for case in cases:
        actual = _golden_output(case)
        expected_path = case / "expected.json"
        if update or not expected_path.exists():
            expected_path.write_text(
                json.dumps(actual, indent=2, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
            continue
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        diffs = [
            f"{key}: expected {expected.get(key)}, found {actual.get(key)}"
            for key in sorted(set(expected) | set(actual))
            if expected.get(key) != actual.get(key)
        ]
        if diffs:
            differences[case.name] = diffs
    return differences
