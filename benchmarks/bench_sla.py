"""Benchmark SLA metrics over a long event history.

Writes (once, cached under benchmarks/out/) a seeded history of N claims for
the acme-tools sample client (received, first response, decided events, and
daily entry checks), then in a fresh process derives the per-claim facts,
the monthly and per-operator summaries and the QA report: time and peak
memory (max RSS).

Usage: python benchmarks/bench_sla.py [--claims 1000000]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import in_fresh_process, report  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
CLIENT = HERE.parent / "samples" / "clients" / "acme-tools.yaml"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _history(n: int) -> Path:
    import claimflow

    sys.path.insert(0, str(HERE.parent))
    from benchmarks.generate import write_history

    OUT.mkdir(exist_ok=True)
    db = OUT / f"sla-{n}.db"
    if not db.exists():
        with claimflow.Store.open(db) as store, store.transaction():
            write_history(store, claimflow.load_client(CLIENT), n, days=365)
    return db


def _child(db: Path) -> None:
    import claimflow
    from claimflow.report.sla import build_report
    from claimflow.sla.metrics import Window, claim_facts, summarize

    client = claimflow.load_client(CLIENT)
    timings = {}
    with claimflow.Store.open(db) as store:
        started = time.perf_counter()
        facts = claim_facts(store, client, Window(), NOW)
        timings["claim facts"] = time.perf_counter() - started
        started = time.perf_counter()
        summarize(facts, "period")
        summarize(facts, "operator")
        timings["summaries"] = time.perf_counter() - started
        started = time.perf_counter()
        build_report("qa", store, client, None, NOW)
        timings["qa report"] = time.perf_counter() - started
    report({"claims": len(facts), "timings": timings})


def main() -> None:
    """Build the history, measure in a child process, print the figures."""
    parser = argparse.ArgumentParser(description="claimflow SLA benchmark")
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    db = _history(args.claims)
    result = in_fresh_process(__file__, "--child", str(db))
    total = sum(result["timings"].values())
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in result["timings"].items())
    print(
        f"SLA metrics over {result['claims']:,} claims: {total:.1f} s ({parts}); "
        f"peak {result['peak_mib']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
