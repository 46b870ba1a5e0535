"""Benchmark SLA metrics over a long event history.

Writes (once, cached under benchmarks/out/) a seeded history of N claims for
the acme-tools sample client (received, first response, decided events, and
daily entry checks), then in a fresh process derives the per-claim facts,
the monthly and per-operator summaries and the QA report: time and peak
memory (max RSS). The claim facts are measured twice, each in its own fresh
process: from the SQL pivot (`claim_facts`) and with the previous code
(`claim_facts_reference`), CPU seconds and peak memory side by side; the two
frames are checked equal in a third process unless ``--no-check``.

Usage: python benchmarks/bench_sla.py [--claims 1000000] [--no-check]
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
IMPLS = {"pivot": "claim_facts", "reference": "claim_facts_reference"}


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


def _facts_only(db: Path, impl: str) -> None:
    """Claim facts alone, by `impl` (``pivot`` or ``reference``): CPU and peak."""
    import claimflow
    from claimflow.sla import metrics

    client = claimflow.load_client(CLIENT)
    build = getattr(metrics, IMPLS[impl])
    with claimflow.Store.open(db) as store:
        cpu, started = time.process_time(), time.perf_counter()
        facts = build(store, client, metrics.Window(), NOW)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - started
    report({"claims": len(facts), "cpu": cpu, "wall": wall})


def _check(db: Path) -> None:
    """Both implementations' frames, compared exactly."""
    import pandas as pd

    import claimflow
    from claimflow.sla.metrics import Window, claim_facts, claim_facts_reference

    client = claimflow.load_client(CLIENT)
    with claimflow.Store.open(db) as store:
        found = claim_facts(store, client, Window(), NOW)
        expected = claim_facts_reference(store, client, Window(), NOW)
    pd.testing.assert_frame_equal(found, expected, check_exact=True)
    report({"equal": True})


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
    parser.add_argument("--no-check", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--facts", choices=sorted(IMPLS), help=argparse.SUPPRESS)
    parser.add_argument("--check", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check:
        _check(args.check)
        return
    if args.child and args.facts:
        _facts_only(args.child, args.facts)
        return
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
    side = {
        impl: in_fresh_process(__file__, "--child", str(db), "--facts", impl)
        for impl in ("pivot", "reference")
    }
    for impl, label in (("pivot", "SQL pivot"), ("reference", "previous code")):
        figures = side[impl]
        print(
            f"claim facts, {label:>13}: {figures['cpu']:.1f} s CPU "
            f"({figures['wall']:.1f} s wall), peak {figures['peak_mib']:.0f} MiB"
        )
    ratio = side["pivot"]["cpu"] / side["reference"]["cpu"]
    print(f"claim facts: SQL pivot / previous code CPU = {ratio:.2f}")
    if not args.no_check:
        in_fresh_process(__file__, "--check", str(db))
        print("claim facts: both frames equal, claim for claim")


if __name__ == "__main__":
    main()
