"""A fresh install of the built wheel runs the samples end to end, outside the repo.

Builds the wheel from this checkout, installs it with pip into a new virtual
environment in a temporary folder (nothing of the repository on its path),
copies the samples out with ``claimflow samples``, then runs the demo flow of
``make demo`` on the copies for both sample clients: ingest, dedupe claims,
participants import, source import, award. Each command's exit code is
checked (ingest, dedupe and source import may exit 1: the samples hold
claims that need attention). Then ``report sla`` must refuse in one line naming the reports
extra (a plain install), or build (with ``--extra reports``).

Prints the installed size (the environment's site-packages) and the median
wall time of ``claimflow --help`` over ``--runs`` fresh processes. Exits 0
when every check holds, 1 otherwise. Needs the package index (or a pip
configured to reach one) for the dependencies.

    python benchmarks/check_wheel.py [--extra reports] [--runs 7] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ("acme-tools", "costa-azul")
HINT = "pip install 'claimflow[reports]'"


def step(
    label: str, args: list[str], cwd: Path, env: dict[str, str]
) -> tuple[int, str]:
    started = time.perf_counter()
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    took = time.perf_counter() - started
    print(f"  {label}: exit {done.returncode} ({took:.1f} s)")
    return done.returncode, done.stdout + done.stderr


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def help_time(claimflow: Path, runs: int, env: dict[str, str], cwd: Path) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(claimflow), "--help"], cwd=cwd, env=env,
                       capture_output=True, check=True)  # fmt: skip
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def demo_flow(claimflow: Path, samples: Path, env: dict[str, str]) -> list[str]:
    """The make demo flow on the copied samples; the failures, as text."""
    failed = []
    cf = str(claimflow)
    for key in CLIENTS:
        base = ["--client", key]
        here = samples / key
        flow = [
            ("ingest", [cf, "ingest", *map(str, sorted((here / "claims").iterdir())),
                        *base, "--notices", "notices"], (0, 1)),
            ("dedupe claims", [cf, "dedupe", "claims", *base], (0, 1)),
            ("participants import",
             [cf, "participants", "import", str(here / "participants.csv"), *base], (0,)),
            ("source import", [cf, "source", "import",
                               *map(str, sorted((here / "source").iterdir())), *base], (0, 1)),
            ("award", [cf, "award", *base], (0,)),
        ]  # fmt: skip
        for label, args, allowed in flow:
            code, out = step(f"{key}: {label}", args, samples, env)
            if code not in allowed:
                failed.append(f"{key}: {label}: exit {code}: {out[-400:]}")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--extra", choices=["reports"], help="install this extra too")
    parser.add_argument("--runs", type=int, default=7, help="claimflow --help runs")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="claimflow-wheel-"))
    try:
        return check(folder, options.extra, options.runs)
    finally:
        if options.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def check(folder: Path, extra: str | None, runs: int) -> int:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "CLAIMFLOW"))
    }
    print(f"in {folder}")
    code, out = step("build the wheel", [sys.executable, "-m", "pip", "wheel", "--no-deps",
                                         "-q", "-w", str(folder / "dist"), str(ROOT)],
                     folder, env)  # fmt: skip
    if code:
        print(out)
        return 1
    (wheel,) = (folder / "dist").glob("claimflow-*.whl")
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python, claimflow = venv / "bin/python", venv / "bin/claimflow"
    target = f"{wheel}[{extra}]" if extra else str(wheel)
    code, out = step(f"pip install {wheel.name}{f'[{extra}]' if extra else ''}",
                     [str(python), "-m", "pip", "install", "-q", target], folder, env)  # fmt: skip
    if code:
        print(out)
        return 1
    site = next((venv / "lib").glob("python3*/site-packages"))
    print(f"installed size (site-packages): {size_mb(site):,.0f} MiB")
    print(f"claimflow --help: median {help_time(claimflow, runs, env, folder):.2f} s "
          f"of {runs} runs")  # fmt: skip
    samples = folder / "try"
    code, out = step("claimflow samples try", [str(claimflow), "samples", str(samples)],
                     folder, env)  # fmt: skip
    failed = [] if code == 0 else [f"samples: exit {code}: {out}"]
    env |= {"CLAIMFLOW_CLIENTS": str(samples / "clients"),
            "CLAIMFLOW_DB": str(samples / "demo.db"), "CLAIMFLOW_OPERATOR": "check"}  # fmt: skip
    if not failed:
        failed += demo_flow(claimflow, samples, env)
    code, out = step("report sla", [str(claimflow), "report", "sla", "--client",
                                    "acme-tools", "--period", "2026-10"], samples, env)  # fmt: skip
    if extra is None and (code != 2 or not out.strip().endswith(HINT)):
        failed.append(f"report sla without the extra: exit {code}: {out[-400:]}")
    if extra is not None and code != 0:
        failed.append(f"report sla with the extra: exit {code}: {out[-400:]}")
    if extra is None:
        print(f"    {out.strip()}")
    for line in failed:
        print(f"FAILED {line}")
    print("all checks passed" if not failed else f"{len(failed)} checks failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
