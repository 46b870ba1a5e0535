"""A generated client for the learning tests: its people, and a desk's marks.

The client's quirk is households: family members enrolled at one address
with the family's e-mail and phone, another first name and birth year.
The default weights take many of them for one person; a desk's marks teach
the model otherwise.
"""

from __future__ import annotations

import random
from functools import cache
from itertools import combinations

import pandas as pd

from benchmarks.bench_dedupe import score
from benchmarks.generate import PARTICIPANT_HEADER, participants_with_duplicates
from claimflow.dedupe.result import DedupeResult


def _people(
    rows: list[list[str]], seed: int, prefix: str, families: int
) -> pd.DataFrame:
    rows = [row[:] for row in rows]
    n = len(rows)
    rng = random.Random(seed)
    firsts = [row[1] for row in rows[:200]]
    for k in range(families):
        base = rows[rng.randrange(n)]
        member = base[:]
        member[0] = f"F{k:06d}"
        member[1] = rng.choice(firsts)
        member[3] = f"{int(base[3][:4]) + rng.choice((-30, -28, 25, 27))}{base[3][4:]}"
        rows.append(member)
    frame = pd.DataFrame(rows, columns=PARTICIPANT_HEADER)
    frame["participant_id"] = prefix + frame["participant_id"]
    return frame


#: People (and households) in each enrolment wave: the first is marked,
#: the second held out.
WAVES = {"A": (1400, 80), "B": (600, 40)}


@cache
def client(households: bool = True) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """Two enrolment waves of one client (ids A..., B...), and every true pair.

    Members of one person: the generator's pairs joined, so two re-enrolments
    of one original are a true pair too.
    """
    waves = []
    truth: set[tuple[str, str]] = set()
    for seed, (prefix, (size, families)) in zip((41, 42), WAVES.items(), strict=True):
        rows, pairs = participants_with_duplicates(size, seed=seed)
        people = _people(rows, seed, prefix, families if households else 0)
        waves.append(people)
        groups: dict[str, set[str]] = {}
        for a, b in pairs:
            group = groups.get(a, {a}) | groups.get(b, {b})
            for member in group:
                groups[member] = group
        for group in {frozenset(g) for g in groups.values()}:
            truth |= {
                tuple(sorted((prefix + x, prefix + y)))  # type: ignore[misc]
                for x, y in combinations(group, 2)
            }
    return pd.concat(waves, ignore_index=True), truth


@cache
def plain(households: bool = True) -> DedupeResult:
    """The client's people deduplicated with the default weights, no marks."""
    from claimflow.dedupe.people import dedupe_people

    return dedupe_people(client(households)[0])


@cache
def learned(count: int = 200) -> tuple[dict[tuple[str, str], str], DedupeResult]:
    """A desk's `count` marks on the first wave, and the people deduplicated
    with them."""
    from claimflow.dedupe.people import dedupe_people

    people, truth = client()
    marks = desk_marks(plain(), truth, count)
    return marks, dedupe_people(people, marks=marks)


def held_out_f1(result: DedupeResult, truth: set[tuple[str, str]]) -> float:
    """F1 on the second wave's people (B...) alone."""
    clusters = [
        [i for i in c["participant_ids"] if i.startswith("B")] for c in result.clusters
    ]
    wave = {p for p in truth if p[0].startswith("B")}
    return score([c for c in clusters if len(c) > 1], wave)["f1"]


def desk_marks(
    result: DedupeResult, truth: set[tuple[str, str]], count: int, seed: int = 0
) -> dict[tuple[str, str], str]:
    """A desk's marks on `count` flagged pairs of the first wave, by the truth.

    The pairs a desk looks at: those nearest the model's doubt first, then a
    random draw of the rest (`seed`).
    """
    pairs = result.pairs
    first = pairs[pairs["a"].str.startswith("A") & pairs["b"].str.startswith("A")]
    rng = random.Random(seed)
    order = sorted(
        range(len(first)),
        key=lambda n: (abs(first["probability"].iloc[n] - 0.5), rng.random()),
    )[:count]
    marks = {}
    for n in order:
        pair = tuple(sorted((first["a"].iloc[n], first["b"].iloc[n])))
        marks[pair] = "same" if pair in truth else "different"
    return marks  # type: ignore[return-value]
