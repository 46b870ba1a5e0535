"""Benchmark verifying claims against a large distributor sales export.

Builds (once, cached under benchmarks/out/) N generated claims for the
acme-tools sample client and a source export of M sales lines: one for each
claim (2% with a different amount) plus unrelated lines. Then, in a fresh
process, ingests the claims, imports the export and verifies every claim:
time and peak memory (max RSS).

Usage: python benchmarks/bench_verify.py [--claims 100000 --source 1000000]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import in_fresh_process, report  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
CLIENT = HERE.parent / "samples" / "clients" / "acme-tools.yaml"


def _source_row(row: dict[str, str], rng: random.Random) -> list[str] | None:
    month, day, year = (row["Invoice Date"].split("/") + ["", "", ""])[:3]
    try:
        sold = date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None
    amount = row["Line Amount"] if rng.random() > 0.02 else "1.00"
    return [
        row["Invoice No"],
        sold,
        row["Dealer Code"],
        row["Product Code"],
        row["Qty"],
        amount,
        row["Serial Numbers"],
    ]


def _inputs(claims: int, source: int) -> tuple[Path, Path]:
    sys.path.insert(0, str(HERE))
    from generate import CLAIM_HEADER, claim_rows, write_csv

    OUT.mkdir(exist_ok=True)
    claims_csv = OUT / f"claims-{claims}.csv"
    if not claims_csv.exists():
        write_csv(claims_csv, CLAIM_HEADER, claim_rows(claims, seed=7))
    source_csv = OUT / f"source-{claims}-{source}.csv"
    if source_csv.exists():
        return claims_csv, source_csv
    rng = random.Random(5)
    with (
        claims_csv.open(encoding="utf-8") as fh,
        source_csv.open("w", newline="", encoding="utf-8") as out,
    ):
        writer = csv.writer(out)
        writer.writerow(
            [
                "invoice_number",
                "invoice_date",
                "dealer_id",
                "sku",
                "quantity",
                "amount",
                "serial_numbers",
            ]
        )
        written = 0
        for row in csv.DictReader(fh):
            line = _source_row(row, rng) if row["Invoice No"] else None
            if line is not None:
                writer.writerow(line)
                written += 1
        start = date(2026, 1, 1)
        for i in range(source - written):
            writer.writerow(
                [
                    f"INV-{900000 + i}",
                    (start + timedelta(days=i % 300)).isoformat(),
                    "D-OTH-99",
                    "DRL-200",
                    "1",
                    "149.00",
                    f"XX{i:08d}",
                ]
            )
    return claims_csv, source_csv


def _child(claims_csv: Path, source_csv: Path) -> None:
    import claimflow
    from claimflow.verify.run import verify_claims
    from claimflow.verify.source import import_source

    client = claimflow.load_client(CLIENT)
    db = OUT / "verify.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    timings = {}
    with claimflow.Store.open(db) as store:
        started = time.perf_counter()
        claimflow.ingest([claims_csv], client, store, received_at=now)
        timings["ingest claims"] = time.perf_counter() - started
        started = time.perf_counter()
        with store.transaction():
            imported, _ = import_source(store, client, source_csv, now)
        timings["import source"] = time.perf_counter() - started
        started = time.perf_counter()
        result = verify_claims(store, client, now=now)
        timings["verify"] = time.perf_counter() - started
    report(
        {
            "timings": timings,
            "verified": result.verified,
            "source": imported,
            "results": dict(result.results),
        }
    )


def main() -> None:
    """Build the inputs, measure in a child process, print the figures."""
    parser = argparse.ArgumentParser(description="claimflow verification benchmark")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--source", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    claims_csv, source_csv = _inputs(args.claims, args.source)
    result = in_fresh_process(__file__, "--child", str(claims_csv), str(source_csv))
    t = result["timings"]
    print(
        f"verify {result['verified']:,} claims against {result['source']:,} source lines: "
        f"{t['verify']:.1f} s = {result['verified'] / t['verify']:,.0f} claims/s "
        f"(import source {t['import source']:.1f} s, ingest claims {t['ingest claims']:.1f} s);"
        f" results {result['results']}; peak {result['peak_mib']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
