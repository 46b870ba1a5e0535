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
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import in_fresh_process, report  # noqa: E402

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

    sys.path.insert(0, str(HERE.parent))
    from claimflow.dedupe.people import dedupe_people

    people, truth_file = _dataset(n, seed)
    started = time.perf_counter()
    result = dedupe_people(people)  # the CSV, as the CLI reads it
    seconds = time.perf_counter() - started
    truth = {tuple(p) for p in json.loads(truth_file.read_text(encoding="utf-8"))}
    quality = score([c["participant_ids"] for c in result.clusters], truth)  # type: ignore[arg-type]
    report(
        {
            "seconds": seconds,
            "candidates": result.candidates,
            **quality,
            **result.thresholds,
        }
    )


def _peer(n: int, seed: int) -> None:
    """The same data through splink on DuckDB (installed for the benchmark only)."""
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    people, truth_file = _dataset(n, seed)
    started = time.perf_counter()
    frame = pd.read_csv(people, dtype=str, keep_default_na=False).replace("", None)
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="participant_id",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("postcode"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("email"),
            block_on("phone"),
            block_on("date_of_birth", "postcode"),
            block_on("last_name", "date_of_birth"),
            block_on("first_name", "last_name"),
        ],
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("email")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, 0.9
    ).as_pandas_dataframe()
    seconds = time.perf_counter() - started
    groups = clusters.groupby("cluster_id")["participant_id"].apply(list)
    truth = {tuple(p) for p in json.loads(truth_file.read_text(encoding="utf-8"))}
    quality = score([g for g in groups if len(g) > 1], truth)  # type: ignore[arg-type]
    report({"seconds": seconds, **quality})


def main() -> None:
    """Run each size and seed in a fresh process; print one line each."""
    parser = argparse.ArgumentParser(
        description="claimflow participant dedupe benchmark"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 1_000_000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8])
    parser.add_argument(
        "--with-splink",
        action="store_true",
        help="Also run splink on DuckDB on the same data (pip install splink).",
    )
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--peer", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child or args.peer:
        (_child if args.child else _peer)(*(args.child or args.peer))
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
            runs = [("claimflow", ("--child", n, seed))] + (
                [("splink", ("--peer", n, seed))] if args.with_splink else []
            )
            for tool, child_args in runs:
                r = in_fresh_process(__file__, *child_args)
                label = "tuning seed" if seed == 7 else "held-out seed"
                print(
                    f"{tool:>9} {n:>9,} people, {label} {seed}: P {r['precision']:.4f} "
                    f"R {r['recall']:.4f} F1 {r['f1']:.4f}; {r['seconds']:.1f} s, "
                    f"peak {r['peak_mib']:.0f} MiB",
                    flush=True,
                )


if __name__ == "__main__":
    main()
