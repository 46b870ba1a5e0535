"""Benchmark claim deduplication against history: quality and speed.

History: N generated claims (seed 7) ingested once into a cached store. A new
batch of B fresh claims (their own invoices and serials, received after all
of history) carries repeats of history planted at known rates:

- serial: another rep's claim carrying a unit already claimed (as keyed, in
  lower case or with a dash);
- invoice: the same dealer, SKU, quantity and date with the invoice re-keyed
  (two digits swapped, O for 0, one digit wrong, or only case, dashes and
  leading zeros changed), by the same rep or another, with the serials left
  blank or repeated;
- rep: the same rep, dealer, SKU and quantity within two days, keyed again
  without invoice or serials.

The batch is ingested, then `dedupe claims` runs on it in a fresh process:
time, peak memory, and precision, recall and F1 of the flagged claims
(duplicate or review; a repeat inside the batch is flagged by the batch rules
at ingest) against the planted ones, per kind. Seed 9 is the batch
the rules were tuned on; seed 10 is held out.

Usage: python benchmarks/bench_dedupe_claims.py [--history 1000000 --batch 100000 --seeds 9 10]
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import batch_refs, flag_scores, history_args, in_fresh_process, report  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
CLIENT = HERE.parent / "samples" / "clients" / "acme-tools.yaml"
RATES = {"serial": 0.01, "invoice": 0.01, "rep": 0.01}
RECEIVED = date(2026, 10, 31)
FIRST_DAY = date(2026, 8, 5)  # inside the 90-day claim window of RECEIVED


def _history(n: int) -> Path:
    """The cached store holding n ingested claims, built in a fresh process."""
    from generate import CLAIM_HEADER, claim_rows, write_csv

    OUT.mkdir(exist_ok=True)
    csv_path = OUT / f"claims-{n}.csv"
    if not csv_path.exists():
        write_csv(csv_path, CLAIM_HEADER, claim_rows(n, seed=7))
    db = OUT / f"claims-history-{n}.db"
    if not db.exists():
        in_fresh_process(__file__, "--ingest", db, csv_path)
    return db


def _rekeyed(invoice: str, rng: random.Random) -> str:
    """The invoice as keyed again: a slip, an O for a 0, or only the format."""
    digits = [i for i, c in enumerate(invoice) if c.isdigit()]
    how = rng.choice(("swap", "o-for-0", "digit", "format"))
    chars = list(invoice)
    if how == "swap":
        i = rng.choice(digits[:-1])
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    elif how == "o-for-0" and "0" in invoice:
        chars[invoice.index("0", 4)] = "O"
    elif how == "digit":
        i = rng.choice(digits)
        chars[i] = str((int(chars[i]) + rng.randrange(1, 10)) % 10)
    else:
        return invoice.lower().replace("-", " ").replace(" ", " 0", 1)
    return "".join(chars)


def _clean(row: list[str]) -> bool:
    """A history claim without planted faults, sold inside the batch's claim window."""
    from generate import SKUS

    try:
        sold = datetime.strptime(row[5], "%m/%d/%Y").date()
    except ValueError:
        return False
    return (
        bool(row[4] and row[10])
        and row[6] in SKUS
        and sold >= FIRST_DAY
        and Decimal(row[9]) == int(row[7]) * Decimal(row[8])
    )


def _batch(history_csv: Path, n: int, seed: int) -> tuple[Path, Path]:
    from generate import CLAIM_HEADER, claim_rows

    rng = random.Random(seed)
    with history_csv.open(encoding="utf-8") as fh:
        history = [r for r in list(csv.reader(fh))[1:] if _clean(r)]
    rows, truth = [], {}
    for row in claim_rows(n, seed=seed, fault_rate=0.0, offset=seed * 1_000_000):
        row[5] = (FIRST_DAY + timedelta(days=rng.randrange(85))).strftime("%m/%d/%Y")
        row[11] = RECEIVED.isoformat()
        pick = rng.random()
        old = rng.choice(history)
        if pick < RATES["serial"]:
            serial = old[10].split()[0]
            serial = rng.choice((serial, serial.lower(), f"{serial[:2]}-{serial[2:]}"))
            row[6], row[7], row[8], row[9], row[10] = (
                old[6],
                "1",
                old[8],
                old[8],
                serial,
            )
            truth[row[0]] = "serial"
        elif pick < RATES["serial"] + RATES["invoice"]:
            row[3], row[5:10] = old[3], old[5:10]
            row[4] = _rekeyed(old[4], rng)
            if rng.random() < 0.5:
                row[1], row[2] = old[1], old[2]
            row[10] = rng.choice(("", old[10]))
            truth[row[0]] = "invoice"
        elif pick < sum(RATES.values()):
            moved = datetime.strptime(old[5], "%m/%d/%Y") + timedelta(
                days=rng.randrange(3)
            )
            row[1:4], row[5:10] = old[1:4], old[5:10]
            row[4], row[5], row[10] = "", moved.strftime("%m/%d/%Y"), ""
            truth[row[0]] = "rep"
        assert Decimal(row[9]) == int(row[7]) * Decimal(row[8])
        rows.append(row)
    batch_csv = OUT / f"claims-batch-{n}-{seed}.csv"
    with batch_csv.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CLAIM_HEADER)
        writer.writerows(rows)
    truth_file = OUT / f"claims-batch-{n}-{seed}.truth.json"
    truth_file.write_text(json.dumps(truth), encoding="utf-8")
    return batch_csv, truth_file


def _ingest(db: Path, csv_path: Path) -> None:
    import claimflow

    with claimflow.Store.open(db) as store:
        claimflow.ingest([csv_path], claimflow.load_client(CLIENT), store)
    report({})


def _child(db: Path, batch_csv: Path, truth_file: Path) -> None:
    import claimflow
    from claimflow.dedupe.claims import dedupe_claims

    client = claimflow.load_client(CLIENT)
    now = datetime(2026, 11, 2, tzinfo=UTC)
    with claimflow.Store.open(db) as store:
        started = time.perf_counter()
        batch = claimflow.ingest([batch_csv], client, store, received_at=now)
        ingest_s = time.perf_counter() - started
        started = time.perf_counter()
        result = dedupe_claims(store, client, batch_id=batch.batch_id, now=now)
        dedupe_s = time.perf_counter() - started
        refs, at_ingest = batch_refs(store, batch.batch_id)
    truth: dict[str, str] = json.loads(truth_file.read_text(encoding="utf-8"))
    scores = {
        name: flag_scores(
            at_ingest
            | {refs[m.claim_id] for m in result.matches if m.decision in keep},
            truth,
            RATES,
        )
        for name, keep in (
            ("flagged (duplicate or review)", {"duplicate", "review"}),
            ("duplicate only", {"duplicate"}),
        )
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
    """Prepare history and batches, measure each in a fresh process, print the figures."""
    args = history_args("claimflow claim dedupe benchmark", 1_000_000, 100_000, [9, 10])
    if args.child:
        _child(*args.child)
        return
    if args.ingest:
        _ingest(*args.ingest)
        return
    base = _history(args.history)
    import claimflow

    claimflow.Store.open(base).close()  # bring the cached store to this schema, untimed
    work = OUT / "dedupe-claims.db"
    for seed in args.seeds:
        shutil.copyfile(base, work)
        batch_csv, truth_file = _batch(
            OUT / f"claims-{args.history}.csv", args.batch, seed
        )
        r = in_fresh_process(__file__, "--child", work, batch_csv, truth_file)
        label = "tuning" if seed == 9 else "held out"
        print(
            f"seed {seed} ({label}): batch of {r['checked']:,} open claims against "
            f"{args.history:,} stored: dedupe {r['dedupe_s']:.1f} s (ingest "
            f"{r['ingest_s']:.1f} s), peak {r['peak_mib']:.0f} MiB; "
            f"{r['planted']:,} repeats planted"
        )
        for name, s in r["scores"].items():
            kinds = ", ".join(f"{k} {v:.4f}" for k, v in s["recall_by_kind"].items())
            print(
                f"  {name}: P {s['precision']:.4f} R {s['recall']:.4f} F1 {s['f1']:.4f} "
                f"({s['flagged']:,} flagged; recall by kind: {kinds})"
            )
    work.unlink()


if __name__ == "__main__":
    main()
