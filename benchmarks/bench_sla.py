"""Benchmark SLA figures over a long event history: new code vs previous code.

Writes (once, cached under benchmarks/out/) a seeded history of N claims for
the acme-tools sample client (received, first response, decided events, and
daily entry checks). Then, each in its own fresh process, the SLA figures
are derived twice: by the current code (`claim_facts`, `summarize`) and by
the previous code (`claim_facts_reference`, `summarize_reference`).

What is counted, per process: CPU seconds (``time.process_time``: user and
system time of that process, so SQLite's work is included) of the claim
facts for all time, plus the monthly and the per-operator summaries of
them; wall seconds of the same; and the process's peak resident memory
(max RSS, which includes the interpreter, the imports and the open store).
Opening the store and loading the client are not timed. A third process
times the QA report (wall) on the current code, and a fourth checks both
facts frames and summaries equal, unless ``--no-check``.

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
IMPLS = {
    "new": ("claim_facts", "summarize"),
    "previous": ("claim_facts_reference", "summarize_reference"),
}


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


def _figures(db: Path, impl: str) -> None:
    """The SLA figures by `impl` (``new`` or ``previous``): CPU, wall and peak."""
    import claimflow
    from claimflow.sla import metrics

    client = claimflow.load_client(CLIENT)
    facts_of, summary_of = (getattr(metrics, name) for name in IMPLS[impl])
    with claimflow.Store.open(db) as store:
        cpu, started = time.process_time(), time.perf_counter()
        facts = facts_of(store, client, metrics.Window(), NOW)
        facts_cpu = time.process_time() - cpu
        for by in ("period", "operator"):
            summary_of(facts, by)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - started
    report(
        {
            "claims": len(facts),
            "cpu": cpu,
            "facts_cpu": facts_cpu,
            "summaries_cpu": cpu - facts_cpu,
            "wall": wall,
        }
    )


def _check(db: Path) -> None:
    """Both implementations' frames, compared exactly."""
    import pandas as pd

    import claimflow
    from claimflow.sla.metrics import (
        Window,
        claim_facts,
        claim_facts_reference,
        summarize,
        summarize_reference,
    )

    client = claimflow.load_client(CLIENT)
    with claimflow.Store.open(db) as store:
        found = claim_facts(store, client, Window(), NOW)
        expected = claim_facts_reference(store, client, Window(), NOW)
    pd.testing.assert_frame_equal(found, expected, check_exact=True)
    for by in ("period", "operator"):
        pd.testing.assert_frame_equal(
            summarize(found, by), summarize_reference(expected, by), check_exact=True
        )
    report({"equal": True})


def _child(db: Path) -> None:
    """The QA report on the current code (wall time)."""
    import claimflow
    from claimflow.report.sla import build_report

    client = claimflow.load_client(CLIENT)
    with claimflow.Store.open(db) as store:
        started = time.perf_counter()
        build_report("qa", store, client, None, NOW)
        wall = time.perf_counter() - started
    report({"wall": wall})


def main() -> None:
    """Build the history, measure in a child process, print the figures."""
    parser = argparse.ArgumentParser(description="claimflow SLA benchmark")
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--no-check", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--impl", choices=sorted(IMPLS), help=argparse.SUPPRESS)
    parser.add_argument("--check", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check:
        _check(args.check)
        return
    if args.child and args.impl:
        _figures(args.child, args.impl)
        return
    if args.child:
        _child(args.child)
        return
    db = _history(args.claims)
    side = {
        impl: in_fresh_process(__file__, "--child", str(db), "--impl", impl)
        for impl in IMPLS
    }
    print(
        f"SLA figures over {side['new']['claims']:,} claims (claim facts + "
        "monthly and per-operator summaries; CPU includes SQLite; peak is the "
        "process's max RSS):"
    )
    for impl, label in (("new", "new code"), ("previous", "previous code")):
        figures = side[impl]
        print(
            f"  {label:>13}: {figures['cpu']:.1f} s CPU (facts "
            f"{figures['facts_cpu']:.1f} s, summaries {figures['summaries_cpu']:.1f} s; "
            f"{figures['wall']:.1f} s wall), peak {figures['peak_mib']:.0f} MiB"
        )
    ratio = side["new"]["cpu"] / side["previous"]["cpu"]
    memory = side["new"]["peak_mib"] / side["previous"]["peak_mib"]
    print(f"  new / previous: CPU {ratio:.2f}, peak memory {memory:.2f}")
    qa = in_fresh_process(__file__, "--child", str(db))
    print(f"QA report (new code): {qa['wall']:.1f} s wall")
    if not args.no_check:
        in_fresh_process(__file__, "--check", str(db))
        print("claim facts and summaries: new and previous equal, claim for claim")


if __name__ == "__main__":
    main()
