"""What every benchmark shares: run a measurement in a fresh process, read its figures."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def peak_mib() -> float:
    """This process's peak resident memory so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workers_peak_mib() -> float:
    """The largest peak resident memory of this process's finished children, in MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def report(figures: dict[str, Any]) -> None:
    """Print a child's figures (with its peak memory, and its own workers' if
    it forked any) as the last line of output."""
    print(
        json.dumps(
            {**figures, "peak_mib": peak_mib(), "workers_peak_mib": workers_peak_mib()},
            default=str,
        )
    )


def in_fresh_process(
    script: str, *args: object, src: Path | None = None
) -> dict[str, Any]:
    """Run ``python script *args`` and return the figures its last line printed.

    `src`: import claimflow from this source folder (another release's
    ``src/``) instead of the installed one.
    """
    env = None
    if src is not None:
        env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, script, *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures


def batch_refs(store: Any, batch_id: int) -> tuple[dict[str, str], set[str]]:
    """A batch's claim id -> reference, and the references ingest already ended as
    duplicates (repeats inside the batch, caught by the batch rules)."""
    rows = store.db.execute(
        "SELECT id, json_extract(data, '$.claim_ref'), outcome FROM claims "
        "WHERE batch_id = ?",
        [batch_id],
    ).fetchall()
    return {cid: ref for cid, ref, _ in rows}, {
        r for _, r, o in rows if o == "duplicate"
    }


def flag_scores(
    flagged: set[str], truth: dict[str, str], kinds: Iterable[str]
) -> dict[str, Any]:
    """Precision, recall and F1 of the flagged references against the planted
    ones (reference -> kind), with the recall of each kind."""
    hits = len(flagged & set(truth))
    precision = hits / len(flagged) if flagged else 0.0
    recall = hits / len(truth) if truth else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "flagged": len(flagged),
        "f1": 2 * precision * recall / (precision + recall)
        if precision + recall
        else 0.0,
        "recall_by_kind": {
            kind: sum(1 for r, k in truth.items() if k == kind and r in flagged)
            / max(1, sum(1 for k in truth.values() if k == kind))
            for kind in kinds
        },
    }


def history_args(
    description: str, history: int, batch: int, seeds: list[int]
) -> argparse.Namespace:
    """The command line of the benchmarks that check a batch against a stored
    history (sizes, seeds, and the hidden child and ingest entries)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--history", type=int, default=history)
    parser.add_argument("--batch", type=int, default=batch)
    parser.add_argument("--seeds", type=int, nargs="+", default=seeds)
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--ingest", nargs=2, type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()
