"""Benchmark claim deduplication against history: quality and speed.

History: the 1,000,000 generated claims of `bench_awards.py`'s store (built
there if missing). New batch: 100,000 fresh claims (their own invoices and
serials) into which repeats of history are planted at known rates: a serial
claimed again, the same dealer/SKU/invoice with two digits swapped, the same
rep/SKU/date/quantity. The batch is ingested, then `dedupe claims` runs on it:
time, peak memory, and precision/recall of the flagged claims.

Usage: python benchmarks/bench_dedupe_claims.py [--history 1000000 --batch 100000]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
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
KINDS = {"serial": 0.01, "invoice": 0.01, "rep": 0.01}


def _batch(history_csv: Path, n: int) -> tuple[Path, Path]:
    from generate import CLAIM_HEADER, claim_rows

    rng = random.Random(9)
    with history_csv.open(encoding="utf-8") as fh:
        history = [r for r in csv.reader(fh)][1:]
    rows, truth = [], {}
    for row in claim_rows(n, seed=9, fault_rate=0.0, offset=5_000_000):
        pick = rng.random()
        old = rng.choice(history)
        if pick < KINDS["serial"] and old[10]:
            row[10] = " ".join([old[10].split()[0]] + row[10].split()[1:])
            row[7] = str(len(row[10].split()))
            truth[row[0]] = "serial"
        elif pick < KINDS["serial"] + KINDS["invoice"] and old[4]:
            invoice = old[4][:-2] + old[4][-1] + old[4][-2]
            if invoice != old[4]:
                row[3], row[4], row[5], row[6] = old[3], invoice, old[5], old[6]
                truth[row[0]] = "invoice"
        elif pick < sum(KINDS.values()):
            row[1], row[2], row[5], row[6], row[7] = (
                old[1],
                old[2],
                old[5],
                old[6],
                old[7],
            )
            truth[row[0]] = "rep"
        rows.append(row)
    batch_csv = OUT / f"claims-batch-{n}.csv"
    with batch_csv.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CLAIM_HEADER)
        writer.writerows(rows)
    truth_file = OUT / f"claims-batch-{n}.truth.json"
    truth_file.write_text(json.dumps(truth), encoding="utf-8")
    return batch_csv, truth_file


def _child(db: Path, batch_csv: Path, truth_file: Path) -> None:
    import claimflow
    from claimflow.dedupe.claims import dedupe_claims

    client = claimflow.load_client(CLIENT)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    with claimflow.Store.open(db) as store:
        started = time.perf_counter()
        batch = claimflow.ingest([batch_csv], client, store, received_at=now)
        ingest_s = time.perf_counter() - started
        started = time.perf_counter()
        result = dedupe_claims(store, client, batch_id=batch.batch_id, now=now)
        dedupe_s = time.perf_counter() - started
        refs = dict(
            store.db.execute(
                "SELECT id, json_extract(data, '$.claim_ref') FROM claims WHERE batch_id = ?",
                [batch.batch_id],
            )
        )
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    scores = {}
    for name, keep in (
        ("duplicate", {"duplicate"}),
        ("any flag", {"duplicate", "review"}),
    ):
        flagged = {refs[m.claim_id] for m in result.matches if m.decision in keep}
        hits = len(flagged & set(truth))
        precision = hits / len(flagged) if flagged else 0.0
        recall = hits / len(truth) if truth else 0.0
        scores[name] = {
            "precision": precision,
            "recall": recall,
            "flagged": len(flagged),
            "f1": 2 * precision * recall / (precision + recall)
            if precision + recall
            else 0.0,
        }
    report(
        {
            "ingest_s": ingest_s,
            "dedupe_s": dedupe_s,
            "checked": result.checked,
            "planted": len(truth),
            "scores": scores,
        }
    )


def main() -> None:
    """Prepare history and batch, measure in a fresh process, print the figures."""
    parser = argparse.ArgumentParser(description="claimflow claim dedupe benchmark")
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    base = OUT / f"awards-base-{args.history}.db"
    if not base.exists():
        in_fresh_process(str(HERE / "bench_awards.py"), "--claims", args.history)
    work = OUT / "dedupe-claims.db"
    shutil.copyfile(base, work)
    started = time.perf_counter()
    import claimflow

    claimflow.Store.open(
        work
    ).close()  # migrate (and backfill claim keys) once, untimed
    print(f"history migrated in {time.perf_counter() - started:.1f} s", flush=True)
    batch_csv, truth_file = _batch(OUT / f"claims-{args.history}.csv", args.batch)
    r = in_fresh_process(__file__, "--child", work, batch_csv, truth_file)
    print(
        f"batch of {r['checked']:,} open claims against {args.history:,} stored: dedupe "
        f"{r['dedupe_s']:.1f} s (ingest {r['ingest_s']:.1f} s), peak {r['peak_mib']:.0f} MiB; "
        f"{r['planted']:,} repeats planted"
    )
    for name, s in r["scores"].items():
        print(
            f"  {name}: P {s['precision']:.4f} R {s['recall']:.4f} F1 {s['f1']:.4f} "
            f"({s['flagged']:,} flagged)"
        )


if __name__ == "__main__":
    main()
