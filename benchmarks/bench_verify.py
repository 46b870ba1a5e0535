"""Benchmark verifying claims against a large distributor sales export.

Builds (once, cached under benchmarks/out/) N generated claims for the
acme-tools sample client and a source export of M sales lines: one for each
claim (2% with a different amount) plus unrelated lines. Then, in a fresh
process, ingests the claims and imports the export into a base store, and
on each round's copy of it measures, one after the other:

- the reference: one set-based SQL statement (`REFERENCE`) that matches the
  same claims' lines to the same source lines on (invoice, SKU), compares
  date, dealer, quantity, amount and serials and looks for serials claimed
  in an earlier batch, into a temporary table (``INSERT ... SELECT``);
- claimflow: `verify_claims`, which also records every result (checks and
  problems), match and outcome;

then checks that both give every claim the same result. Prints both
figures, their ratio, and peak memory (max RSS). With ``--per-claim``, also
times `verify_claims_per_claim` (claim by claim, as verification ran
before) on another copy and compares what both wrote, row by row.

Usage: python benchmarks/bench_verify.py [--claims 100000 --source 1000000]
    [--rounds 2] [--per-claim]
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import in_fresh_process, report  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
CLIENT = HERE.parent / "samples" / "clients" / "acme-tools.yaml"

# The reference: what verification computes for these claims, as one SQL
# statement. It holds for this benchmark's data (invoice numbers whose
# normal form drops the dash; serials of two letters and digits, amounts to
# the cent): claimflow's normal forms, tolerances and the cases this data
# never has (ambiguous invoices, keying slips) are left out.
REFERENCE = """
CREATE TEMP TABLE reference_results AS
WITH lines AS (
  SELECT c.id AS claim_id, c.batch_id, c.data ->> 'dealer_id' AS dealer,
         upper(replace(c.data ->> 'invoice_number', '-', '')) AS key,
         c.data ->> 'invoice_date' AS day,
         l.value ->> 'sku' AS sku, l.value ->> 'quantity' AS quantity,
         l.value ->> 'line_total' AS total, l.value -> 'serial_numbers' AS serials
  FROM claims c, json_each(c.data, '$.lines') l
  WHERE c.client = 'acme-tools' AND c.outcome = 'accepted'
    AND NOT EXISTS (SELECT 1 FROM verifications v WHERE v.claim_id = c.id)
), matched AS (
  SELECT ln.claim_id,
    CASE WHEN s.id IS NULL THEN 0
         WHEN ln.day = s.data ->> 'invoice_date'
          AND upper(ln.dealer) = upper(s.data ->> 'dealer_id')
          AND ln.quantity <= s.data ->> 'quantity'
          AND (ln.quantity < s.data ->> 'quantity' OR ln.total IS NULL
               OR abs(ln.total - (s.data ->> 'amount')) <= 0.01 + 1e-9)
          AND NOT EXISTS (
              SELECT 1 FROM json_each(ln.serials) x
              WHERE NOT EXISTS (
                  SELECT 1 FROM json_each(s.data, '$.serial_numbers') y
                  WHERE y.value = x.value))
          AND NOT EXISTS (
              SELECT 1 FROM json_each(ln.serials) x
              CROSS JOIN claim_serials cs ON cs.client = 'acme-tools'
               AND cs.serial = substr(x.value, 1, 2) || ltrim(substr(x.value, 3), '0')
              CROSS JOIN claims o ON o.id = cs.claim_id
              WHERE o.batch_id < ln.batch_id AND cs.claim_id != ln.claim_id)
         THEN 1 ELSE 2 END AS state
  FROM lines ln LEFT JOIN source_records s
    ON s.client = 'acme-tools' AND s.key = ln.key AND s.data ->> 'sku' = ln.sku
)
SELECT claim_id, CASE max(state) WHEN 0 THEN 'not_found' WHEN 1 THEN 'verified'
                 ELSE 'discrepancy' END AS result
FROM matched GROUP BY claim_id
"""


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


def _fresh(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def _round(db: Path, client: Any, now: datetime) -> dict[str, Any]:
    """The reference, then claimflow, on one copy of the base store."""
    import claimflow
    import claimflow.verify.sets  # noqa: F401 (imported before it is timed)
    from claimflow.verify.run import verify_claims

    with claimflow.Store.open(db) as store:
        conn = store.db.conn
        started = time.perf_counter()
        with store.transaction():
            conn.execute(REFERENCE)
        reference = time.perf_counter() - started
        (matched,) = conn.execute("SELECT count(*) FROM reference_results").fetchone()
        started = time.perf_counter()
        result = verify_claims(store, client, now=now)
        elapsed = time.perf_counter() - started
        (same,) = conn.execute(
            "SELECT count(*) FROM reference_results r JOIN verifications v "
            "ON v.claim_id = r.claim_id AND v.result = r.result"
        ).fetchone()
    return {
        "reference": reference,
        "reference_claims": matched,
        "verify": elapsed,
        "verified": result.verified,
        "results": dict(result.results),
        "same": same,
    }


# What a verification run writes, row by row, rowids included.
_WRITTEN = {
    "verifications": "SELECT * FROM {db}.verifications",
    "verification_matches": "SELECT rowid, * FROM {db}.verification_matches",
    "problems": "SELECT * FROM {db}.problems",
    "outcomes": "SELECT * FROM {db}.outcomes WHERE stage = 'verify'",
    "claims": "SELECT id, outcome FROM {db}.claims",
    "claim_events": "SELECT * FROM {db}.claim_events",
}


def _per_claim(base: Path, sets_db: Path, client: Any, now: datetime) -> dict[str, Any]:
    """The reference path on its own copy: its time, and the rows that differ."""
    import claimflow
    from claimflow.verify.run import verify_claims_per_claim

    db = OUT / "verify-one.db"
    _fresh(db)
    shutil.copyfile(base, db)
    with claimflow.Store.open(db) as store:
        started = time.perf_counter()
        result = verify_claims_per_claim(store, client, now=now)
        elapsed = time.perf_counter() - started
        conn = store.db.conn
        conn.execute("ATTACH ? AS sets", [str(sets_db)])
        differ = {}
        for table, sql in _WRITTEN.items():
            mine, theirs = sql.format(db="main"), sql.format(db="sets")
            differ[table] = sum(
                conn.execute(f"SELECT count(*) FROM ({a} EXCEPT {b})").fetchone()[0]
                for a, b in ((mine, theirs), (theirs, mine))
            )
    _fresh(db)
    return {"verify": elapsed, "verified": result.verified, "differ": differ}


def _child(claims_csv: Path, source_csv: Path, rounds: int, per_claim: bool) -> None:
    import claimflow
    from claimflow.verify.source import import_source

    client = claimflow.load_client(CLIENT)
    base = OUT / "verify-base.db"
    _fresh(base)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    timings = {}
    with claimflow.Store.open(base) as store:
        started = time.perf_counter()
        claimflow.ingest([claims_csv], client, store, received_at=now)
        timings["ingest claims"] = time.perf_counter() - started
        started = time.perf_counter()
        with store.transaction():
            imported, _ = import_source(store, client, source_csv, now)
        timings["import source"] = time.perf_counter() - started
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db = OUT / "verify.db"
    measured = []
    for _ in range(rounds):
        _fresh(db)
        shutil.copyfile(base, db)
        measured.append(_round(db, client, now))
    figures = {"timings": timings, "source": imported, "rounds": measured}
    if per_claim:
        figures["per_claim"] = _per_claim(base, db, client, now)
    _fresh(base)  # the last round's store stays, for a look
    report(figures)


def main() -> None:
    """Build the inputs, measure in a child process, print the figures."""
    parser = argparse.ArgumentParser(description="claimflow verification benchmark")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--source", type=int, default=1_000_000)
    parser.add_argument(
        "--rounds", type=int, default=2, help="reference and claimflow, alternated"
    )
    parser.add_argument(
        "--per-claim",
        action="store_true",
        help="also verify claim by claim (the reference path) and compare",
    )
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        claims_csv, source_csv = args.child
        _child(claims_csv, source_csv, args.rounds, args.per_claim)
        return
    claims_csv, source_csv = _inputs(args.claims, args.source)
    extra = ["--per-claim"] if args.per_claim else []
    result = in_fresh_process(
        __file__,
        "--child",
        str(claims_csv),
        str(source_csv),
        "--rounds",
        args.rounds,
        *extra,
    )
    t = result["timings"]
    print(
        f"{result['source']:,} source lines (import {t['import source']:.1f} s, "
        f"ingest claims {t['ingest claims']:.1f} s); peak {result['peak_mib']:.0f} MiB"
    )
    for n, r in enumerate(result["rounds"], start=1):
        mine = r["verified"] / r["verify"]
        reference = r["reference_claims"] / r["reference"]
        print(
            f"round {n}: verify {r['verified']:,} claims: {r['verify']:.2f} s = "
            f"{mine:,.0f} claims/s; reference (one SQL match): {r['reference']:.2f} s "
            f"= {reference:,.0f} claims/s; ratio {mine / reference:.2f}; "
            f"same result for {r['same']:,} of {r['verified']:,} claims; "
            f"results {r['results']}"
        )
    if "per_claim" in result:
        one = result["per_claim"]
        print(
            f"claim by claim (verify_claims_per_claim): {one['verify']:.2f} s = "
            f"{one['verified'] / one['verify']:,.0f} claims/s; rows that differ from "
            f"the last round's: {one['differ']}"
        )


if __name__ == "__main__":
    main()
