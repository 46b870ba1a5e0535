"""Benchmark `check` and `ingest` against the raw limits measured in the same run.

For each size it generates (once, cached under benchmarks/out/) a CSV of
realistic claims, then runs each measurement in a fresh process so that peak
memory (max RSS) is its own:

- raw pydantic: read the rows with `csv` and validate each with the same
  pydantic model and context claimflow uses, nothing else;
- raw sqlite: insert the same rows with plain `sqlite3` `executemany`;
- check: `claimflow.check` (parse, record rules, batch rules, notices), in
  one process and on every core;
- ingest: `claimflow.ingest` into a fresh SQLite file, likewise;
- check/ingest files of 5,000: the same claims cut into files of 5,000
  claims each (a clerk's batch of many small files), as one batch.

With ``--backend postgresql`` (a throwaway cluster of the tests' kind, or
``--pg-url``) it measures, beside raw pydantic and the SQLite ingest:

- raw copy: the same rows as text through one plain ``COPY ... FROM STDIN``
  into a fresh table (psycopg, nothing else);
- ingest pg: `claimflow.ingest` into a fresh PostgreSQL store (its claims
  through ``COPY``);

and prints ingest pg's throughput as a share of raw copy plus validation
(raw pydantic), whose time they add up to: the target is at least 0.5.

Peak memory is the measuring process's; "worker MiB" is the largest of the
worker processes it forked (0 when it forked none).

Usage: python benchmarks/bench_ingest.py [--sizes 100000 1000000] [--measures ...]
       python benchmarks/bench_ingest.py --backend postgresql [--pg-url URL]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import in_fresh_process, report  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
CLIENT = ROOT / "samples" / "clients" / "acme-tools.yaml"
NOW = datetime(2026, 10, 28, tzinfo=UTC)
INGEST_DB = OUT / "ingest.db"


def _dataset(n: int) -> Path:
    sys.path.insert(0, str(HERE))
    from generate import CLAIM_HEADER, claim_rows, write_csv

    OUT.mkdir(exist_ok=True)
    path = OUT / f"claims-{n}.csv"
    if not path.exists():
        write_csv(path, CLAIM_HEADER, claim_rows(n, seed=7))
    return path


#: Claims per file of the many-files measurements.
PART = 5_000


def _parts(path: Path) -> list[Path]:
    """`path` cut into files of `PART` claims (cached beside it); a claim's
    rows (sharing its claim ref) stay in one file."""
    folder = path.with_name(f"{path.stem}-parts")
    done = folder / "done"
    if not done.exists():
        folder.mkdir(exist_ok=True)
        with path.open(encoding="utf-8") as fh:
            header = fh.readline()
            out, claims, ref, part = None, 0, None, 0
            for line in fh:
                this = line.split(",", 1)[0]
                if this != ref:
                    ref = this
                    if out is None or claims == PART:
                        if out is not None:
                            out.close()
                        part += 1
                        out = (folder / f"part-{part:04d}.csv").open(
                            "w", encoding="utf-8"
                        )
                        out.write(header)
                        claims = 0
                    claims += 1
                assert out is not None
                out.write(line)
            if out is not None:
                out.close()
        done.touch()
    return sorted(folder.glob("part-*.csv"))


def raw_pydantic(path: Path) -> int:
    """Validate every row with the claim model alone."""
    from pydantic import ValidationError

    from claimflow import load_client
    from claimflow.models import Provenance, SalesClaim
    from claimflow.parse import map_headers
    from claimflow.validate import context_for

    client = load_client(CLIENT)
    context = context_for(client, NOW)
    line_fields = client.fields.line
    count = 0
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        mapping = map_headers(next(reader), client, path.name)
        for row_no, cells in enumerate(reader, start=2):
            source = Provenance(file=path.name, row=row_no)
            values = {c: cells[i] for i, c in mapping.items()}
            header = {k: v for k, v in values.items() if k not in line_fields}
            line = {k: v for k, v in values.items() if k in line_fields}
            line["provenance"] = source
            try:
                SalesClaim.model_validate(
                    {
                        **header,
                        "id": str(row_no),
                        "client": client.key,
                        "provenance": source,
                        "lines": [line],
                    },
                    context=context,
                )
            except ValidationError:
                pass
            count += 1
    return count


def raw_sqlite(path: Path) -> int:
    """Insert every row as text with plain sqlite3 executemany."""
    db = OUT / "raw.db"
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    count = 0
    with path.open(newline="", encoding="utf-8") as fh, conn:
        reader = csv.reader(fh)
        header = next(reader)
        conn.execute(
            f"CREATE TABLE claims ({', '.join(f'c{i}' for i in range(len(header)))})"
        )
        marks = ",".join("?" * len(header))
        while True:
            rows = [row for _, row in zip(range(20_000), reader, strict=False)]
            if not rows:
                break
            conn.executemany(f"INSERT INTO claims VALUES ({marks})", rows)
            count += len(rows)
    conn.close()
    return count


def run_check(path: Path | list[Path], workers: int | None = None) -> int:
    """claimflow.check over the file(s) (workers: None = every core)."""
    import claimflow

    paths = path if isinstance(path, list) else [path]
    return claimflow.check(
        paths, claimflow.load_client(CLIENT), received_at=NOW, workers=workers
    ).records


def run_ingest(path: Path | list[Path], workers: int | None = None) -> int:
    """claimflow.ingest of the file(s) into a fresh store (workers: None = every core)."""
    import claimflow

    paths = path if isinstance(path, list) else [path]
    with claimflow.Store.open(INGEST_DB) as store:
        return claimflow.ingest(
            paths,
            claimflow.load_client(CLIENT),
            store,
            received_at=NOW,
            workers=workers,
        ).records


#: Where the PostgreSQL measurements write (set by `main` for its children).
PG_ENV = "CLAIMFLOW_BENCH_PG"
_FRESH = itertools.count()


def _fresh_schema() -> str:
    """A URL naming a new, empty schema in the benchmark's database."""
    import psycopg

    base = os.environ[PG_ENV]
    schema = f"bench_{os.getpid()}_{next(_FRESH)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def raw_copy(path: Path) -> int:
    """COPY every row as text into a fresh table with plain psycopg."""
    import psycopg

    url = _fresh_schema()
    count = 0
    with path.open(newline="", encoding="utf-8") as fh, psycopg.connect(url) as conn:
        reader = csv.reader(fh)
        header = next(reader)
        names = ", ".join(f"c{i}" for i in range(len(header)))
        conn.execute(f"CREATE TABLE claims ({names.replace(',', ' text,')} text)")
        with conn.cursor().copy(f"COPY claims ({names}) FROM STDIN") as copy:
            for row in reader:
                copy.write_row(row)
                count += 1
    return count


def run_ingest_pg(path: Path | list[Path], workers: int | None = None) -> int:
    """claimflow.ingest of the file(s) into a fresh PostgreSQL store."""
    import claimflow

    paths = path if isinstance(path, list) else [path]
    with claimflow.Store.open(_fresh_schema()) as store:
        return claimflow.ingest(
            paths, claimflow.load_client(CLIENT), store, received_at=NOW, workers=workers
        ).records


MEASURES = {
    "raw pydantic": raw_pydantic,
    "raw sqlite": raw_sqlite,
    "check 1 proc": lambda path: run_check(path, 1),
    "check": run_check,
    "ingest 1 proc": lambda path: run_ingest(path, 1),
    "ingest": run_ingest,
    "check files": lambda path: run_check(_parts(path)),
    "ingest files": lambda path: run_ingest(_parts(path)),
    "raw copy": raw_copy,
    "ingest pg": run_ingest_pg,
}
#: What ``--backend postgresql`` measures by default.
PG_MEASURES = ["raw pydantic", "raw copy", "ingest pg", "ingest"]


def _child(name: str, path: Path) -> None:
    import claimflow  # noqa: F401  (loading the libraries is not throughput)

    # The last run's store goes before the clock starts (deleting a 2 GB
    # file is the file system's time, not ingest's).
    for suffix in ("", "-wal", "-shm"):
        Path(f"{INGEST_DB}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    count = MEASURES[name](path)
    seconds = time.perf_counter() - started
    report({"count": count, "seconds": seconds})


def main() -> None:
    """Run every measurement for every size and print one table."""
    parser = argparse.ArgumentParser(description="claimflow check/ingest benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--measures",
        nargs="+",
        choices=list(MEASURES),
        default=list(MEASURES),
        help="run only these measurements (default: all)",
    )
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="postgresql: measure raw COPY and ingest into PostgreSQL too",
    )
    parser.add_argument("--pg-url", help="a PostgreSQL database to use (default: "
                        "a throwaway cluster, as the tests start)")  # fmt: skip
    parser.add_argument(
        "--child", nargs=2, metavar=("MEASURE", "PATH"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return
    cluster = None
    if args.backend == "postgresql":
        if args.measures == list(MEASURES):
            args.measures = PG_MEASURES
        if args.pg_url:
            os.environ[PG_ENV] = args.pg_url
        else:
            sys.path.insert(0, str(ROOT))
            from tests.pg import start_cluster

            cluster = start_cluster(Path(tempfile.mkdtemp(prefix="claimflow-bench-pg-")))
            os.environ[PG_ENV] = cluster.url()
    try:
        _run(args.sizes, args.measures)
    finally:
        if cluster is not None:
            cluster.stop()


def _run(sizes: list[int], measures: list[str]) -> None:
    head = ("claims", "measure", "seconds", "claims/s", "peak MiB", "worker MiB")
    print(
        f"{head[0]:>10} {head[1]:<13} {head[2]:>8} {head[3]:>10} {head[4]:>9} "
        f"{head[5]:>10}"
    )
    for n in sizes:
        path = _dataset(n)
        if any(name.endswith(" files") for name in measures):
            _parts(path)  # cut once, before any clock starts
        seconds: dict[str, float] = {}
        for name in measures:
            result = in_fresh_process(__file__, "--child", name, str(path))
            seconds[name] = result["seconds"]
            rate = result["count"] / result["seconds"]
            print(
                f"{result['count']:>10,} {name:<13} {result['seconds']:>8.2f} "
                f"{rate:>10,.0f} {result['peak_mib']:>9.0f} "
                f"{result['workers_peak_mib']:>10.0f}",
                flush=True,
            )
        if {"raw copy", "raw pydantic", "ingest pg"} <= set(seconds):
            limit = seconds["raw copy"] + seconds["raw pydantic"]
            print(
                f"{n:>10,} ingest pg at {limit / seconds['ingest pg']:.2f} of raw COPY "
                "+ validation (target 0.5)",
                flush=True,
            )


if __name__ == "__main__":
    main()
