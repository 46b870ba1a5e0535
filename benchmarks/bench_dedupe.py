"""Benchmark participant deduplication: quality (precision, recall, F1) and speed.

Generates participants with re-enrolments injected at a known rate (typos,
swapped names, nicknames, initials, accents, e-mail and phone formats,
address abbreviations, day/month swaps, missing fields), deduplicates them,
and scores the pairs inside predicted clusters against the true clusters.
The thresholds were set on seed 7; seed 8 is held out.

The data is written to a CSV first, in another process; the measured time
and memory are reading that file and deduplicating it.

Usage: python benchmarks/bench_dedupe.py [--sizes 20000 1000000]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _pairs(clusters: list[list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for c in clusters for p in combinations(c, 2)}  # type: ignore[misc]


def score(predicted: list[list[str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of predicted clusters against true pairs."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in truth:
        parent[find(b)] = find(a)
    groups: dict[str, list[str]] = {}
    for node in {x for pair in truth for x in pair}:
        groups.setdefault(find(node), []).append(node)
    true_pairs = _pairs(list(groups.values()))
    found = _pairs(predicted)
    hits = len(found & true_pairs)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(true_pairs) if true_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "predicted_pairs": len(found),
        "true_pairs": len(true_pairs),
    }


def _dataset(n: int, seed: int) -> tuple[Path, Path]:
    """Write the people and the true pairs once (cached), outside the measured process."""
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    people, truth = (
        out / f"people-{n}-{seed}.csv",
        out / f"people-{n}-{seed}.truth.json",
    )
    if not people.exists():
        sys.path.insert(0, str(HERE.parent))
        from benchmarks.generate import PARTICIPANT_HEADER, participants_with_duplicates

        rows, pairs = participants_with_duplicates(n, seed=seed)
        with people.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(PARTICIPANT_HEADER)
            writer.writerows(rows)
        truth.write_text(json.dumps(sorted(pairs)), encoding="utf-8")
    return people, truth


def _child(n: int, seed: int) -> None:
    import pandas as pd

    sys.path.insert(0, str(HERE.parent))
    from claimflow.dedupe.people import dedupe_people

    people, truth_file = _dataset(n, seed)
    started = time.perf_counter()
    frame = pd.read_csv(people, dtype=str, keep_default_na=False)
    result = dedupe_people(frame)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    truth = {tuple(p) for p in json.loads(truth_file.read_text(encoding="utf-8"))}
    quality = score([c["participant_ids"] for c in result.clusters], truth)  # type: ignore[arg-type]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak,
                "candidates": result.candidates,
                **quality,
                **result.thresholds,
            }
        )
    )


def main() -> None:
    """Run each size and seed in a fresh process; print one line each."""
    parser = argparse.ArgumentParser(
        description="claimflow participant dedupe benchmark"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 1_000_000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8])
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    for n in args.sizes:
        for seed in args.seeds:
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    f"import sys; sys.path.insert(0, {str(HERE)!r}); "
                    f"import bench_dedupe; bench_dedupe._dataset({n}, {seed})",
                ],
                check=True,
            )
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(n), str(seed)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            label = "tuning seed" if seed == 7 else "held-out seed"
            print(
                f"{n:>9,} people, {label} {seed}: P {r['precision']:.4f} R {r['recall']:.4f} "
                f"F1 {r['f1']:.4f} (duplicate >= {r['duplicate']}); {r['seconds']:.1f} s, "
                f"peak {r['peak_mib']:.0f} MiB, {r['candidates']:,} candidate pairs",
                flush=True,
            )


if __name__ == "__main__":
    main()
