"""Benchmark computing and posting awards for a store of accepted claims.

Builds (once, cached under benchmarks/out/) a store by ingesting N generated
claims for the acme-tools sample client, then, in a fresh process, copies it
and runs `award_claims` over every accepted claim: time, claims per second
and peak memory (max RSS), then a second run to show re-posting is a no-op.

With ``--release SRC`` (another release's ``src/`` folder, e.g. a git
worktree of the previous tag) the base store is built by that release (a
newer one migrates its copy; an older one could not read a newer store) and
the award run is timed under both, alternating, each on its own copy: the
ratio of the two in one run is the figure.

Usage: python benchmarks/bench_awards.py [--claims 1000000] [--release SRC] [--rounds 1]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import in_fresh_process, report  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
CLIENT = HERE.parent / "samples" / "clients" / "acme-tools.yaml"
NOW = datetime(2026, 12, 31, tzinfo=UTC)


def _store(n: int, src: Path) -> Path:
    sys.path.insert(0, str(src))
    import claimflow

    sys.path.insert(0, str(HERE))
    from generate import CLAIM_HEADER, claim_rows, write_csv

    OUT.mkdir(exist_ok=True)
    db = OUT / f"awards-base-{n}.db"
    if not db.exists():
        csv_path = OUT / f"claims-{n}.csv"
        if not csv_path.exists():
            write_csv(csv_path, CLAIM_HEADER, claim_rows(n, seed=7))
        with claimflow.Store.open(db) as store:
            claimflow.ingest(
                [csv_path],
                claimflow.load_client(CLIENT),
                store,
                received_at=datetime(2026, 10, 28, tzinfo=UTC),
            )
    return db


def _child(db: Path) -> None:
    import claimflow
    from claimflow.award.run import award_claims

    client = claimflow.load_client(CLIENT)
    runs = []
    with claimflow.Store.open(db) as store:
        for _ in range(2):
            started = time.perf_counter()
            result = award_claims(store, client, actor="bench", now=NOW)
            runs.append(
                {
                    "seconds": time.perf_counter() - started,
                    "computed": result.computed,
                    "posted": result.posted,
                    "points": result.points,
                }
            )
    report({"runs": runs})


def main() -> None:
    """Build the store, award it in a child process, print the figures."""
    parser = argparse.ArgumentParser(description="claimflow award benchmark")
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument(
        "--release", type=Path, help="Another release's src/ folder to compare with."
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    mine = HERE.parent / "src"
    theirs = args.release.resolve() if args.release else None
    base = _store(args.claims, theirs or mine)
    releases = {"this release": mine, **({"--release": theirs} if theirs else {})}
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for label, src in releases.items():
            work = OUT / "awards-run.db"
            shutil.copyfile(base, work)
            result = in_fresh_process(__file__, "--child", str(work), src=src)
            work.unlink()
            first, second = result["runs"]
            rate = first["computed"] / first["seconds"]
            best[label] = min(best.get(label, first["seconds"]), first["seconds"])
            print(
                f"{label}: awards computed and posted: {first['computed']:,} in "
                f"{first['seconds']:.1f} s = {rate:,.0f} claims/s, "
                f"{first['points']:,} points; peak {result['peak_mib']:.0f} MiB"
            )
            print(
                f"{label}: second run (idempotent): {second['computed']:,} computed, "
                f"{second['posted']:,} posted in {second['seconds']:.1f} s"
            )
    if theirs:
        ratio = best["this release"] / best["--release"]
        print(f"this release / --release time = {ratio:.2f}")


if __name__ == "__main__":
    main()
