"""Benchmark the CLI's start-up: ``claimflow --help`` and ``--version``.

Runs each command N times (default 10) in fresh processes, interleaved so
that a noisy minute on this shared machine touches every command alike, and
prints the median wall and CPU time of each beside its references measured in
the same run: ``python -c pass`` (the interpreter alone) and
``python -c "import claimflow.cli"`` (the CLI's imports, no click parsing).

Usage: python benchmarks/bench_startup.py [--runs 10] [--sub]

``--sub`` adds ``claimflow <command> --help`` for a few commands whose
modules are heavy to import (awards, dedupe, reports).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

PYTHON = sys.executable
#: The console script the package installs next to this interpreter.
CLAIMFLOW = str(Path(PYTHON).parent / "claimflow")

REFERENCES = {
    "python -c pass": [PYTHON, "-c", "pass"],
    "python -c 'import claimflow.cli'": [PYTHON, "-c", "import claimflow.cli"],
}
COMMANDS = {
    "claimflow --help": [CLAIMFLOW, "--help"],
    "claimflow --version": [CLAIMFLOW, "--version"],
}
SUBCOMMANDS = {
    "claimflow check --help": [CLAIMFLOW, "check", "--help"],
    "claimflow award --help": [CLAIMFLOW, "award", "--help"],
    "claimflow dedupe participants --help": [
        CLAIMFLOW,
        "dedupe",
        "participants",
        "--help",
    ],
    "claimflow report --help": [CLAIMFLOW, "report", "--help"],
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process running `argv`."""
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=os.environ)
    return time.perf_counter() - started, _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--sub", action="store_true", help="Also time a few `<command> --help`."
    )
    args = parser.parse_args()
    measured = {**REFERENCES, **COMMANDS, **(SUBCOMMANDS if args.sub else {})}
    for argv in measured.values():  # warm the file cache; not counted
        _run_once(argv)
    walls: dict[str, list[float]] = {name: [] for name in measured}
    cpus: dict[str, list[float]] = {name: [] for name in measured}
    for _ in range(args.runs):
        for name, argv in measured.items():
            wall, cpu = _run_once(argv)
            walls[name].append(wall)
            cpus[name].append(cpu)
    width = max(map(len, measured))
    print(f"median of {args.runs} runs, fresh processes, interleaved")
    print(f"{'command':<{width}}  {'wall s':>7}  {'cpu s':>7}  {'min wall':>8}")
    for name in measured:
        print(
            f"{name:<{width}}  {statistics.median(walls[name]):7.3f}  "
            f"{statistics.median(cpus[name]):7.3f}  {min(walls[name]):8.3f}"
        )


if __name__ == "__main__":
    main()
