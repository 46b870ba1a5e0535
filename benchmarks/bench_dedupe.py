"""Benchmark participant deduplication: quality (precision, recall, F1) and speed.

Generates participants with re-enrolments injected at a known rate (typos,
swapped names, nicknames, initials, accents, e-mail and phone formats,
address abbreviations, day/month swaps, missing fields), deduplicates them,
and scores the pairs inside predicted clusters against the true clusters.
The thresholds were set on seed 7; seed 8 is held out.

The data is written to a CSV first, in another process. What is measured is
what a user waits for: the real command, ``claimflow dedupe participants
FILE --json`` (``--pairs`` with `--pairs`), in a fresh process, its imports
and its JSON written to a file included; the clusters are scored from that
file. ``--with-splink`` runs splink on DuckDB on the same file in the same
run (in the interpreter `--splink-python` names, which has splink; it is no
claimflow dependency) and prints claimflow's wall time as a share of
splink's: of its run from reading the CSV to the clusters (imports left
out), and of its whole process.

Usage: python benchmarks/bench_dedupe.py [--sizes 20000 1000000] [--with-splink]
    [--splink-python /tmp/splinkenv/bin/python] [--repeat 3] [--pairs]
    [--before OLD/src]

``--before`` runs another release's CLI (its ``src/`` folder, for example from
``git archive``) in the same run, alternating with this one.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import report  # noqa: E402

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


def _claimflow_command() -> list[str]:
    """The installed ``claimflow`` script beside this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("claimflow")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from claimflow.cli import main; main()"]


def _child(n: int, seed: int, every_pair: int, src: str = "") -> None:
    """Run the CLI on the file in a process of its own; time it, score its JSON.

    `src`: import claimflow from this source folder (another release's
    ``src/``, whose ``--json`` may list every pair without ``--pairs``).
    """
    people, truth_file = _dataset(n, seed)
    out = HERE / "out" / f"people-{n}-{seed}.result.json"
    command = [*_claimflow_command(), "dedupe", "participants", str(people), "--json"]
    env = {**os.environ, "PYTHONPATH": src} if src else None
    with out.open("w", encoding="utf-8") as fh:
        started = time.perf_counter()
        code = subprocess.run(
            command + ["--pairs"] * every_pair, check=False, stdout=fh, env=env
        ).returncode
        seconds = time.perf_counter() - started
    if code not in (0, 1):
        raise SystemExit(f"claimflow exited {code}")
    used = resource.getrusage(resource.RUSAGE_CHILDREN)  # the CLI process alone
    result = json.loads(out.read_text(encoding="utf-8"))
    truth = {tuple(p) for p in json.loads(truth_file.read_text(encoding="utf-8"))}
    quality = score([c["participant_ids"] for c in result["clusters"]], truth)  # type: ignore[arg-type]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "process_seconds": seconds,
                "cpu_seconds": used.ru_utime + used.ru_stime,
                "peak_mib": used.ru_maxrss / 1024,
                "json_mib": out.stat().st_size / 2**20,
                "candidates": result["candidates"],
                "pairs_listed": len(result["pairs"]),
                **quality,
                **result["thresholds"],
            }
        )
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
    used = resource.getrusage(resource.RUSAGE_SELF)
    report(
        {"seconds": seconds, "cpu_seconds": used.ru_utime + used.ru_stime, **quality}
    )


def _run(python: str, *args: object) -> dict[str, Any]:
    """Run this script's hidden entry `args` under `python`; its figures, with
    the wall time of its whole process."""
    started = time.perf_counter()
    out = subprocess.run(
        [python, __file__, *map(str, args)], check=True, capture_output=True, text=True
    ).stdout
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    figures.setdefault("process_seconds", time.perf_counter() - started)
    return figures


def _line(tool: str, n: int, seed: int, r: dict[str, Any]) -> str:
    label = "tuning seed" if seed == 7 else "held-out seed"
    return (
        f"{tool:>9} {n:>9,} people, {label} {seed}: P {r['precision']:.4f} "
        f"R {r['recall']:.4f} F1 {r['f1']:.4f}; {r['seconds']:.2f} s "
        f"(process {r['process_seconds']:.2f} s, CPU {r['cpu_seconds']:.2f} s), "
        f"peak {r['peak_mib']:.0f} MiB"
        + (
            f", JSON {r['json_mib']:.1f} MiB ({r['pairs_listed']:,} pairs listed)"
            if "json_mib" in r
            else ""
        )
    )


def main() -> None:
    """Run each size and seed in fresh processes; print one line each, and the
    ratio to splink's time when it runs too."""
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
    parser.add_argument(
        "--splink-python",
        default=sys.executable,
        help="The interpreter that has splink (a separate virtual environment).",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="Run each tool this many times, alternating; the ratio of the medians.",
    )
    parser.add_argument(
        "--pairs", action="store_true", help="Run the CLI with --pairs."
    )
    parser.add_argument(
        "--before",
        metavar="SRC",
        help="Also run the CLI of another release's src/ folder (its --json).",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--peer", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child or args.peer:
        if args.child:
            _child(*map(int, args.child[:3]), *args.child[3:])
        else:
            _peer(*args.peer)
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
            times: dict[str, list[dict[str, Any]]] = {"claimflow": [], "splink": []}
            for _ in range(args.repeat):
                if args.before:
                    r = _run(sys.executable, "--child", n, seed, 0, args.before)
                    times.setdefault("before", []).append(r)
                    print(_line("before", n, seed, r), flush=True)
                r = _run(sys.executable, "--child", n, seed, int(args.pairs))
                times["claimflow"].append(r)
                print(_line("claimflow", n, seed, r), flush=True)
                if args.with_splink:
                    r = _run(args.splink_python, "--peer", n, seed)
                    times["splink"].append(r)
                    print(_line("splink", n, seed, r), flush=True)
            if args.with_splink:
                ours = statistics.median(r["seconds"] for r in times["claimflow"])
                theirs = statistics.median(r["seconds"] for r in times["splink"])
                whole = statistics.median(r["process_seconds"] for r in times["splink"])
                before = ""
                if args.before:
                    then = statistics.median(r["seconds"] for r in times["before"])
                    before = f"; before: {then:.2f} s = {then / theirs:.2f}x"
                print(
                    f"{'ratio':>9} {n:>9,} people, seed {seed}: claimflow's whole "
                    f"command {ours:.2f} s = {ours / theirs:.2f}x splink's run "
                    f"({theirs:.2f} s), {ours / whole:.2f}x its whole process "
                    f"({whole:.2f} s){before}; medians of {args.repeat}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
