"""What every benchmark shares: run a measurement in a fresh process, read its figures."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from typing import Any


def peak_mib() -> float:
    """This process's peak resident memory so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(figures: dict[str, Any]) -> None:
    """Print a child's figures (with its peak memory) as the last line of output."""
    print(json.dumps({**figures, "peak_mib": peak_mib()}, default=str))


def in_fresh_process(script: str, *args: object) -> dict[str, Any]:
    """Run ``python script *args`` and return the figures its last line printed."""
    out = subprocess.run(
        [sys.executable, script, *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures
