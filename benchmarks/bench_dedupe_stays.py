"""Benchmark stay-claim deduplication against history: quality and speed.

A hotel group of 200 hotels (a variant of the costa-azul sample client with
that many eligible hotels). History: N retro-stay claims ingested once into a
cached store. A new batch of B fresh claims, received after all of history,
carries repeats of history planted at known rates:

- confirmation: the same member, hotel and dates, the confirmation re-keyed
  (two characters swapped, O for 0, one digit wrong, or only case and
  spaces changed);
- other account: the same hotel, confirmation and dates claimed by another
  member;
- overlap: the same member and hotel, the stay shifted by a day (a one-night
  stay keeps its dates), the confirmation left blank.

The batch is ingested, then `dedupe claims` runs on it in a fresh process:
time, peak memory, and precision, recall and F1 of the flagged claims
(duplicate or review; repeats inside the batch are flagged at ingest) against
the planted ones, per kind. Seed 21 tuned nothing (the rules were set on the
sales benchmark and the tests); seed 22 is a second draw.

Usage: python benchmarks/bench_dedupe_stays.py [--history 200000 --batch 20000 --seeds 21 22]
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import batch_refs, flag_scores, history_args, in_fresh_process, report  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SAMPLE = HERE.parent / "samples" / "clients" / "costa-azul.yaml"
HOTELS = [f"CAZ-{n:03d}" for n in range(1, 201)]
RATES = {"confirmation": 0.01, "other account": 0.01, "overlap": 0.01}
HEADER = ["Referencia", "Nº socio", "Hotel", "Confirmación", "Llegada", "Salida"]
HEADER += ["Importe habitación", "Recibido", "Folio adjunto"]
START = date(2026, 7, 1)
RECEIVED = date(2026, 10, 30)


def _client() -> Path:
    """The sample client with 200 eligible hotels, written once."""
    OUT.mkdir(exist_ok=True)
    path = OUT / "costa-200.yaml"
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace(
        "eligible_hotels: [CAZ-MAD, CAZ-BCN, CAZ-VLC, CAZ-SVQ, CAZ-AGP]",
        f"eligible_hotels: [{', '.join(HOTELS)}]",
    )
    path.write_text(text, encoding="utf-8")
    return path


def _stays(n: int, seed: int, offset: int, received: date | None) -> list[list[str]]:
    rng = random.Random(seed)
    # About one retro-claim per member in a quarter, as at a real desk.
    members = [f"{300000000 + k:09d}" for k in range(max(100, n))]
    rows = []
    for i in range(n):
        arrive = START + timedelta(days=rng.randrange(90))
        leave = arrive + timedelta(days=rng.randint(1, 5))
        got = received or leave + timedelta(days=rng.randint(1, 30))
        hotel = rng.choice(HOTELS)
        rows.append(
            [
                f"S-{offset + i}",
                rng.choice(members),
                hotel,
                f"C{rng.randrange(10**8):08d}",
                arrive.strftime("%d/%m/%Y"),
                leave.strftime("%d/%m/%Y"),
                f"{rng.randint(80, 600)},00",
                got.strftime("%d/%m/%Y"),
                "sí",
            ]
        )
    return rows


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)


def _rekeyed(confirmation: str, rng: random.Random) -> str:
    chars = list(confirmation)
    how = rng.choice(("swap", "o-for-0", "digit", "format"))
    if how == "swap":
        i = rng.randrange(1, len(chars) - 1)
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    elif how == "o-for-0" and "0" in confirmation[1:]:
        chars[confirmation.index("0", 1)] = "O"
    elif how == "digit":
        i = rng.randrange(1, len(chars))
        chars[i] = str((int(chars[i]) + rng.randrange(1, 10)) % 10)
    else:
        return f"{confirmation[:4].lower()} {confirmation[4:]}"
    return "".join(chars)


def _batch(history: list[list[str]], n: int, seed: int) -> tuple[Path, Path]:
    rng = random.Random(seed)
    rows, truth = _stays(n, seed, seed * 1_000_000, RECEIVED), {}
    members = sorted({r[1] for r in history})
    for row in rows:
        pick, old = rng.random(), rng.choice(history)
        if pick < RATES["confirmation"]:
            row[1:7] = old[1:7]
            row[3] = _rekeyed(old[3], rng)
            truth[row[0]] = "confirmation"
        elif pick < RATES["confirmation"] + RATES["other account"]:
            row[2:7] = old[2:7]
            row[1] = rng.choice([m for m in rng.sample(members, 3) if m != old[1]])
            truth[row[0]] = "other account"
        elif pick < sum(RATES.values()):
            # A stay of one night moved by a day no longer overlaps: keep its dates.
            nights = (
                datetime.strptime(old[5], "%d/%m/%Y")
                - datetime.strptime(old[4], "%d/%m/%Y")
            ).days
            shift = timedelta(days=rng.choice((-1, 1)) if nights > 1 else 0)
            arrive = datetime.strptime(old[4], "%d/%m/%Y") + shift
            leave = datetime.strptime(old[5], "%d/%m/%Y") + shift
            row[1], row[2], row[3] = old[1], old[2], ""
            row[4], row[5] = arrive.strftime("%d/%m/%Y"), leave.strftime("%d/%m/%Y")
            truth[row[0]] = "overlap"
    path = OUT / f"stays-batch-{n}-{seed}.csv"
    _write(path, rows)
    truth_file = OUT / f"stays-batch-{n}-{seed}.truth.json"
    truth_file.write_text(json.dumps(truth), encoding="utf-8")
    return path, truth_file


def _ingest(db: Path, csv_path: Path) -> None:
    import claimflow

    with claimflow.Store.open(db) as store:
        claimflow.ingest([csv_path], claimflow.load_client(_client()), store)
    report({})


def _child(db: Path, batch_csv: Path, truth_file: Path) -> None:
    import claimflow
    from claimflow.dedupe.claims import dedupe_claims

    client = claimflow.load_client(_client())
    now = datetime(2026, 11, 2, tzinfo=UTC)
    with claimflow.Store.open(db) as store:
        batch = claimflow.ingest([batch_csv], client, store, received_at=now)
        started = time.perf_counter()
        result = dedupe_claims(store, client, batch_id=batch.batch_id, now=now)
        seconds = time.perf_counter() - started
        refs, at_ingest = batch_refs(store, batch.batch_id)
    truth: dict[str, str] = json.loads(truth_file.read_text(encoding="utf-8"))
    flagged = at_ingest | {refs[m.claim_id] for m in result.matches}
    report(
        {
            "seconds": seconds,
            "checked": result.checked,
            "planted": len(truth),
            **flag_scores(flagged, truth, RATES),
            "codes": sorted({m.code.value for m in result.matches}),
        }
    )


def main() -> None:
    """Prepare history and batches, measure each in a fresh process, print the figures."""
    args = history_args("claimflow stay dedupe benchmark", 200_000, 20_000, [21, 22])
    if args.child:
        _child(*args.child)
        return
    if args.ingest:
        _ingest(*args.ingest)
        return
    history = _stays(args.history, 20, 0, None)
    base = OUT / f"stays-history-{args.history}.db"
    if not base.exists():
        _write(OUT / f"stays-{args.history}.csv", history)
        in_fresh_process(__file__, "--ingest", base, OUT / f"stays-{args.history}.csv")
    import claimflow

    claimflow.Store.open(base).close()  # bring the cached store to this schema, untimed
    work = OUT / "dedupe-stays.db"
    for seed in args.seeds:
        shutil.copyfile(base, work)
        batch_csv, truth_file = _batch(history, args.batch, seed)
        r = in_fresh_process(__file__, "--child", work, batch_csv, truth_file)
        kinds = ", ".join(f"{k} {v:.4f}" for k, v in r["recall_by_kind"].items())
        print(
            f"seed {seed}: {r['checked']:,} open stay claims against {args.history:,} "
            f"stored: dedupe {r['seconds']:.1f} s, peak {r['peak_mib']:.0f} MiB; "
            f"{r['planted']:,} repeats planted, {r['flagged']:,} flagged: "
            f"P {r['precision']:.4f} R {r['recall']:.4f} F1 {r['f1']:.4f} "
            f"(recall by kind: {kinds}; codes {', '.join(r['codes'])})"
        )
    work.unlink()


if __name__ == "__main__":
    main()
