"""Benchmark replaying stored claims under a changed rule file.

Builds (once, cached under benchmarks/out/) a store by ingesting N generated
claims for the acme-tools sample client and posting their awards, then in a
fresh process replays every claim twice: under the stored rules (nothing
changes) and with the 2026.1 drill rate raised (its awarded drill lines change):
time, claims per second and peak memory (max RSS).

Beside them, in the same process, the reference the issue compares replay
with: validation of the same stored claims (their raw values read back
untimed, then `validate_chunk` per recorded batch, in chunks, as replay and
ingest run it) plus the award computation of the accepted ones
(`compute_awards_and_holds`, one run, as the award run computes them),
with the cyclic garbage collector paused as replay pauses it; the reference
is timed before and after the replays and the faster one is the figure.
Printed: each replay's time against it (replay / reference; issue 24 asks
for at most 2, i.e. at least half the reference's claims per second).

With ``--release SRC`` (another release's ``src/`` folder, e.g. a git
worktree of the previous tag), the store is built by that release (a newer
one migrates its copy; an older one cannot read a newer store), and the
same replays run under that release too,
alternating with this one, each on its own copy of the store: the ratio of
the two in one run is the figure (these machines are shared and noisy).

Usage: python benchmarks/bench_replay.py [--claims 100000] [--release SRC] [--rounds 2]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import in_fresh_process, report  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
CLIENT = HERE.parent / "samples" / "clients" / "acme-tools.yaml"


def _store(n: int, src: Path) -> Path:
    sys.path.insert(0, str(src))  # the older release builds it: a newer one migrates
    import claimflow
    from claimflow.award.run import award_claims

    sys.path.insert(0, str(HERE))
    from generate import CLAIM_HEADER, claim_rows, write_csv

    OUT.mkdir(exist_ok=True)
    db = OUT / f"replay-{n}.db"
    if not db.exists():
        csv_path = OUT / f"claims-{n}.csv"
        if not csv_path.exists():
            write_csv(csv_path, CLAIM_HEADER, claim_rows(n, seed=7))
        client = claimflow.load_client(CLIENT)
        with claimflow.Store.open(db) as store:
            claimflow.ingest(
                [csv_path],
                client,
                store,
                received_at=datetime(2026, 10, 28, tzinfo=UTC),
            )
            award_claims(store, client, now=datetime(2026, 12, 31, tzinfo=UTC))
    return db


def _reference(store: Any, client: Any) -> dict[str, float]:
    """Validation plus award computation of the stored claims, timed apart."""
    import gc

    from claimflow.award.engine import compute_awards_and_holds
    from claimflow.award.run import load_participants
    from claimflow.codes import Outcome
    from claimflow.store import raw_from_json
    from claimflow.validate import SeenKeys, context_for, validate_chunk

    headers = store.raw_headers()
    by_batch: dict[int, list[Any]] = {}
    for batch, raw, digest in store.db.execute(
        "SELECT batch_id, raw, document_hash FROM claims WHERE client = ? "
        "ORDER BY rowid",
        [client.key],
    ):
        by_batch.setdefault(batch, []).append(raw_from_json(raw, headers, digest))
    people = load_participants(store, client.key)
    context = context_for(client, datetime.now(UTC))
    enabled = gc.isenabled()
    gc.disable()
    try:
        started = time.perf_counter()
        accepted = []
        for raws in by_batch.values():
            seen = SeenKeys()
            try:
                for i in range(0, len(raws), 20_000):
                    decided = validate_chunk(
                        raws[i : i + 20_000], client, context, seen
                    )
                    accepted += [c for c, d in decided if d.outcome is Outcome.ACCEPTED]
                    gc.collect(1)
            finally:
                seen.close()
        validated = time.perf_counter()
        compute_awards_and_holds(accepted, client.config.award, people)
        done = time.perf_counter()
    finally:
        if enabled:
            gc.enable()
    return {
        "seconds": done - started,
        "validation": validated - started,
        "awards": done - validated,
        "claims": sum(map(len, by_batch.values())),
    }


def _child(db: Path) -> None:
    import claimflow
    from claimflow.replay import replay

    client = claimflow.load_client(CLIENT)
    changed_rules = OUT / "acme-drill-35.yaml"
    changed_rules.write_text(
        CLIENT.read_text(encoding="utf-8").replace(
            "- {id: drill, kind: per_unit, points: 25",
            "- {id: drill, kind: per_unit, points: 35",
        ),
        encoding="utf-8",
    )
    # The copy must resolve the same relative paths as the original.
    runs = {}
    with claimflow.Store.open(db) as store:
        references = [_reference(store, client)]
        for name, rules in (
            ("same rules", None),
            ("drill rate changed", claimflow.load_client(changed_rules)),
        ):
            started = time.perf_counter()
            result = replay(store, client, rules=rules)
            runs[name] = {
                "seconds": time.perf_counter() - started,
                "claims": result.claims,
                "changed": len(result.changes),
            }
        references.append(_reference(store, client))
    report({"runs": runs, "reference": min(references, key=lambda r: r["seconds"])})


def main() -> None:
    """Build the store, replay it in a child process, print the figures."""
    parser = argparse.ArgumentParser(description="claimflow replay benchmark")
    parser.add_argument("--claims", type=int, default=100_000)
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
    db = _store(args.claims, theirs or mine)
    releases: dict[str, Path | None] = {"this release": mine}
    if theirs:
        releases["--release"] = theirs
    seconds: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for label, src in releases.items():
            copy = OUT / f"replay-{args.claims}-copy.db"
            shutil.copyfile(db, copy)
            result = in_fresh_process(__file__, "--child", str(copy), src=src)
            copy.unlink()
            ref = result["reference"]
            print(
                f"{label}: reference (validation + award computation): "
                f"{ref['claims']:,} claims in {ref['seconds']:.1f} s "
                f"(validation {ref['validation']:.1f} s, awards {ref['awards']:.1f} s) "
                f"= {ref['claims'] / ref['seconds']:,.0f} claims/s"
            )
            for name, run in result["runs"].items():
                seconds.setdefault(f"{label}, {name}", []).append(run["seconds"])
                print(
                    f"{label}: replay ({name}): {run['claims']:,} claims in "
                    f"{run['seconds']:.1f} s = {run['claims'] / run['seconds']:,.0f} "
                    f"claims/s, {run['changed']:,} changed; "
                    f"replay / reference = {run['seconds'] / ref['seconds']:.2f}"
                )
            print(f"{label}: peak {result['peak_mib']:.0f} MiB")
    if args.release:
        for name in ("same rules", "drill rate changed"):
            mine = min(seconds[f"this release, {name}"])
            theirs = min(seconds[f"--release, {name}"])
            print(f"{name}: this release / --release time = {mine / theirs:.2f}")


if __name__ == "__main__":
    main()
