"""Benchmark the report pack over a long event history, beside the SLA figures' own cost.

Uses the seeded history `bench_sla.py` caches (``benchmarks/out/sla-N.db``;
built if missing), copied to a temporary folder so the cache is only read.
Each measurement runs in its own fresh process:

- ``figures``: the SLA figures themselves (claim facts for all time, the
  monthly and per-operator summaries), as ``bench_sla.py`` counts them;
- one process per report kind (daily, weekly, monthly, sla, qa): building
  the report, then writing it as HTML (charts drawn) and as xlsx.

Per process: wall and CPU seconds (CPU includes SQLite's work) and the
process's peak resident memory (max RSS: interpreter, imports and store
included). "As of" 2027-03-17 12:00 in Chicago, inside the history (which
runs from 2026-07-01 for a year), so the daily report has open claims.

Usage: python benchmarks/bench_reports.py [--claims 1000000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import in_fresh_process, report  # noqa: E402

HERE = Path(__file__).resolve().parent
CLIENT = HERE.parent / "samples" / "clients" / "acme-tools.yaml"
NOW = datetime(2027, 3, 17, 18, 0, tzinfo=UTC)
KINDS = ("daily", "weekly", "monthly", "sla", "qa")
#: The period each windowed kind is run over (the pack's take their default).
PERIODS = {"sla": "2027-Q1", "qa": "2027-Q1"}


def _figures(db: Path) -> None:
    import claimflow
    from claimflow.sla.metrics import Window, claim_facts, summarize

    client = claimflow.load_client(CLIENT)
    with claimflow.Store.open(db) as store:
        cpu, wall = time.process_time(), time.perf_counter()
        facts = claim_facts(store, client, Window(), NOW)
        for by in ("period", "operator"):
            summarize(facts, by)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    report({"claims": len(facts), "cpu": cpu, "wall": wall})


def _kind(db: Path, kind: str, out: Path) -> None:
    import claimflow
    from claimflow.report.sla import build_report, write_report

    client = claimflow.load_client(CLIENT)
    with claimflow.Store.open(db) as store:
        cpu, wall = time.process_time(), time.perf_counter()
        built = build_report(kind, store, client, PERIODS.get(kind), NOW)  # type: ignore[arg-type]
        build_cpu, build_wall = time.process_time() - cpu, time.perf_counter() - wall
        write_report(built, out / f"{kind}.html")
        write_report(built, out / f"{kind}.xlsx")
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    report(
        {
            "build_cpu": build_cpu,
            "build_wall": build_wall,
            "cpu": cpu,
            "wall": wall,
            "verdict": built.verdict,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="claimflow report pack benchmark")
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child and args.kind:
        _kind(args.child, args.kind, args.out)
        return
    if args.child:
        _figures(args.child)
        return
    from bench_sla import _history

    cached = _history(args.claims)
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as folder:
        db = Path(folder) / cached.name
        shutil.copyfile(cached, db)
        own = in_fresh_process(__file__, "--child", db)
        print(
            f"Over {own['claims']:,} claims, as of {NOW:%Y-%m-%d %H:%M} UTC "
            "(CPU includes SQLite; peak is each process's max RSS):"
        )
        print(
            f"  {'SLA figures':>12}: {own['wall']:6.1f} s wall, {own['cpu']:6.1f} s "
            f"CPU, peak {own['peak_mib']:5.0f} MiB  (facts + 2 summaries)"
        )
        for kind in KINDS:
            got = in_fresh_process(
                __file__, "--child", db, "--kind", kind, "--out", folder
            )
            print(
                f"  {kind + ' report':>12}: {got['wall']:6.1f} s wall, "
                f"{got['cpu']:6.1f} s CPU, peak {got['peak_mib']:5.0f} MiB  (built in "
                f"{got['build_wall']:.1f} s; {got['wall'] / own['wall']:.2f}x the "
                f"figures' wall) - {got['verdict'][:70]}"
            )


if __name__ == "__main__":
    main()
