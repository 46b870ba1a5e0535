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

Each round first runs a set-based reference on its own copy: the same
points for every claim (acme-tools' rates, promotion and quarterly cap,
written out in numpy) read, computed and inserted with ``INSERT ... SELECT``,
but without explanations; the figure is the reference's time over
claimflow's (issue 24 asks for at least 0.8), and the claims whose points
differ from the reference are counted (0 expected).

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


_LINES_SQL = """
    SELECT c.id, c.participant_id, c.data ->> 'invoice_date', j.value ->> 'sku',
           j.value ->> 'quantity'
    FROM claims c, json_each(c.data, '$.lines') j
    WHERE c.client = 'acme-tools' AND c.outcome = 'accepted'
      AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.claim_id = c.id)
    ORDER BY c.data ->> 'invoice_date', c.received_at, c.id, j.key
"""
_RATES = {  # acme-tools' per-unit points by rule set; the promotion doubles cordless
    "2026.1": {
        "DRL-200": 25,
        "IMP-450": 20,
        "SAW-310": 20,
        "GRN-115": 20,
        "BAT-20V": 5,
    },
    "2026.2": {
        "DRL-200": 30,
        "IMP-450": 20,
        "SAW-310": 20,
        "GRN-115": 20,
        "BAT-20V": 5,
    },
}
_CORDLESS = {"DRL-200", "IMP-450", "BAT-20V"}


def _reference(db: Path) -> None:
    """The same points, set-based: one read of the claims' lines, numpy for
    the rates, the promotion and the quarterly cap (a running sum per
    participant and quarter in award order: min(sum, cap) less the previous
    min), then ``INSERT ... SELECT`` of the awards, postings and events.
    What it does not do: explain (each award's JSON holds only its points),
    check the rule sets' coverage, count earlier awards. Prints each claim's
    points for the benchmark to compare with claimflow's."""
    import sqlite3

    import numpy as np

    started = time.perf_counter()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN")
    rows = conn.execute(_LINES_SQL).fetchall()
    ids = np.array([r[0] for r in rows])
    who = np.array([r[1] for r in rows])
    day = np.array([r[2] for r in rows], dtype="datetime64[D]")
    sku = np.array([r[3] for r in rows])
    qty = np.array([int(r[4]) for r in rows], dtype=np.int64)
    second = day >= np.datetime64("2026-10-01")
    rate = np.zeros(len(rows), dtype=np.int64)
    for version, table in _RATES.items():
        pick = second if version == "2026.2" else ~second
        for code, points in table.items():
            rate[pick & (sku == code)] = points
    promo = (
        second
        & (day >= np.datetime64("2026-10-15"))
        & (day <= np.datetime64("2026-12-31"))
        & np.isin(sku, list(_CORDLESS))
    )
    line_points = rate * qty * np.where(promo, 2, 1)
    first = np.r_[True, ids[1:] != ids[:-1]]  # lines of a claim are adjacent
    starts = np.flatnonzero(first)
    desired = np.add.reduceat(line_points, starts)
    claim_ids, claim_who, claim_day = ids[starts], who[starts], day[starts]
    months = claim_day.astype("datetime64[M]").astype(np.int64)
    quarter = np.char.add(claim_who, (months // 3).astype(str))
    order = np.argsort(quarter, kind="stable")  # award order inside each group
    grouped = desired[order]
    cum = np.cumsum(grouped)
    group_start = np.r_[True, quarter[order][1:] != quarter[order][:-1]]
    offsets = np.maximum.accumulate(np.where(group_start, cum - grouped, 0))
    within = cum - offsets
    capped = np.minimum(within, 5000) - np.minimum(within - grouped, 5000)
    points = np.empty_like(capped)
    points[order] = capped
    version = np.where(claim_day >= np.datetime64("2026-10-01"), "2026.2", "2026.1")
    conn.execute(
        "CREATE TEMP TABLE computed (claim_id TEXT, participant_id TEXT, "
        "version TEXT, points INTEGER, desired INTEGER)"
    )
    conn.executemany(
        "INSERT INTO computed VALUES (?,?,?,?,?)",
        zip(
            claim_ids.tolist(),
            claim_who.tolist(),
            version.tolist(),
            points.tolist(),
            desired.tolist(),
            strict=True,
        ),
    )
    at = NOW.isoformat()
    conn.execute(
        "INSERT INTO awards SELECT 'acme-tools:' || claim_id || ':' || version || ':0', "
        "'acme-tools', claim_id, participant_id, version, points, desired, "
        "json_object('claim_id', claim_id, 'points', points), ? FROM computed",
        [at],
    )
    conn.execute(
        "INSERT INTO ledger (client, participant_id, claim_id, entry_type, points, "
        "version, idempotency_key, posted_at, available_at, expires_at, actor) "
        "SELECT 'acme-tools', participant_id, claim_id, 'award', points, version, "
        "'acme-tools:' || claim_id || ':' || version || ':0', ?, ?, NULL, 'bench' "
        "FROM computed",
        [at, at],
    )
    conn.execute(
        "INSERT INTO claim_events (client, claim_id, batch_id, event, at, operator) "
        "SELECT 'acme-tools', claim_id, NULL, 'decided', ?, 'bench' FROM computed",
        [at],
    )
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    report(
        {
            "seconds": seconds,
            "computed": len(claim_ids),
            "points": int(points.sum()),
            "by_claim": dict(zip(claim_ids.tolist(), points.tolist(), strict=True)),
        }
    )


def _claimflow_points(db: Path) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT claim_id, points FROM awards"))


def main() -> None:
    """Build the store, award it in a child process, print the figures."""
    parser = argparse.ArgumentParser(description="claimflow award benchmark")
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument(
        "--release", type=Path, help="Another release's src/ folder to compare with."
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--reference", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    if args.reference:
        _reference(args.reference)
        return
    mine = HERE.parent / "src"
    theirs = args.release.resolve() if args.release else None
    base = _store(args.claims, theirs or mine)
    releases = {"this release": mine, **({"--release": theirs} if theirs else {})}
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        work = OUT / "awards-run.db"
        shutil.copyfile(base, work)
        ref = in_fresh_process(__file__, "--reference", str(work))
        work.unlink()
        best["reference"] = min(best.get("reference", ref["seconds"]), ref["seconds"])
        print(
            f"reference (numpy + INSERT ... SELECT, unexplained): {ref['computed']:,} "
            f"in {ref['seconds']:.1f} s = {ref['computed'] / ref['seconds']:,.0f} "
            f"claims/s, {ref['points']:,} points; peak {ref['peak_mib']:.0f} MiB"
        )
        for label, src in releases.items():
            shutil.copyfile(base, work)
            result = in_fresh_process(__file__, "--child", str(work), src=src)
            if label == "this release":
                mine_points = _claimflow_points(work)
                differ = sum(
                    mine_points.get(k) != v for k, v in ref["by_claim"].items()
                ) + len(set(mine_points) - set(ref["by_claim"]))
                print(f"claims whose points differ from the reference: {differ:,}")
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
    print(
        "reference time / this release's time (target >= 0.8) = "
        f"{best['reference'] / best['this release']:.2f}"
    )
    if theirs:
        ratio = best["this release"] / best["--release"]
        print(f"this release / --release time = {ratio:.2f}")


if __name__ == "__main__":
    main()
