"""Decisions and clusters: possible twins and pairs marked different are never
joined through a third record, and a reviewer's mark settles a pair."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from claimflow.dedupe.decide import HELD_APART, decide
from claimflow.dedupe.people import dedupe_people
from claimflow.dedupe.result import _roots
from claimflow.dedupe.twins import POSSIBLE_TWINS
from tests.test_cli import run

# Anna and Hanna Kowalski, twins at one address (held for review), and a
# third record with no first name, Anna's e-mail and Hanna's phone: a
# duplicate of each. Before, the two duplicate links made one cluster of all
# three, merging the twins' accounts whatever their own pair said.
CHAIN = """\
participant_id,first_name,last_name,email,phone,birth_date,address,city,postcode
500001,Anna,Kowalski,anna.kowalski@mail.example,+1 312 555 0101,1990-04-12,12 Elm St,Chicago,60601
500002,Hanna,Kowalski,hanna.kowalski@mail.example,+1 312 555 0102,1990-04-12,12 Elm St,Chicago,60601
500007,,Kowalski,anna.kowalski@mail.example,+1 312 555 0102,1990-04-12,12 Elm St,Chicago,60601
500003,Jon,Smith,jsmith@mail.example,+1 312 555 0200,1985-01-02,4 Oak Ave,Chicago,60602
"""


def _pairs(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["a", "b", "probability"])


def test_the_weaker_link_that_would_join_twins_goes_to_review() -> None:
    pairs = _pairs(("A", "B", 0.99), ("A", "C", 0.97), ("B", "C", 0.98))
    out = decide(pairs, np.array([True, False, False]), 0.9, {})
    assert out["decision"].tolist() == ["review", "review", "duplicate"]
    assert out["held"].tolist() == [
        POSSIBLE_TWINS,
        HELD_APART.format(a="A", b="B", why="held as possible twins"),
        "",
    ]


def test_a_pair_marked_different_is_never_joined_through_a_third() -> None:
    pairs = _pairs(("A", "C", 0.95), ("C", "B", 0.99), ("D", "E", 0.99))
    out = decide(pairs, np.zeros(3, dtype=bool), 0.9, {("A", "B"): "different"})
    assert out["decision"].tolist() == ["review", "duplicate", "duplicate"]
    assert out["held"][0] == "would join A and B in one cluster, marked different"


def test_a_same_mark_settles_twins_and_is_the_strongest_link() -> None:
    pairs = _pairs(("A", "B", 0.99), ("A", "C", 0.97), ("B", "D", 0.6))
    marks = {("A", "B"): "same", ("B", "D"): "same", ("C", "D"): "different"}
    out = decide(pairs, np.array([True, False, False]), 0.9, marks)
    # A~B and B~D marked same are joined first; A~C would bring C to D.
    assert out["decision"].tolist() == ["duplicate", "review", "duplicate"]
    assert out["marked"].tolist() == ["same", "", "same"]
    assert out["held"].tolist() == [
        "",
        "would join C and D in one cluster, marked different",
        "",
    ]


@given(
    st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 9), st.floats(0.5, 1.0)),
        max_size=30,
    ),
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=6),
)
def test_no_cluster_ever_holds_two_people_held_apart(
    edges: list[tuple[int, int, float]], apart: list[tuple[int, int]]
) -> None:
    edges = [(a, b, p) for a, b, p in edges if a != b]
    pairs = _pairs(*((f"P{a}", f"P{b}", p) for a, b, p in edges))
    if pairs.empty:
        pairs = pd.DataFrame({"a": [], "b": [], "probability": []})
    marks = {
        (min(f"P{a}", f"P{b}"), max(f"P{a}", f"P{b}")): "different"
        for a, b in apart
        if a != b
    }
    out = decide(pairs, np.zeros(len(pairs), dtype=bool), 0.9, marks)
    kept = out[out["decision"] == "duplicate"]
    assert ((pairs["probability"] >= 0.9) | (out["decision"] == "review")).all()
    if kept.empty:
        return
    codes, ids = pd.factorize(np.concatenate([kept["a"], kept["b"]]))
    nodes, roots = _roots(codes[: len(kept)], codes[len(kept) :])
    component = dict(zip(ids[nodes].tolist(), roots.tolist(), strict=True))
    for x, y in marks:
        assert x not in component or component[x] != component.get(y)
    # Only links that would join two people held apart were sent to review.
    sent = out[(out["probability"] >= 0.9) & (out["decision"] == "review")]
    assert sent["held"].str.startswith("would join").all()


def test_twins_are_never_one_cluster_through_a_third_record(tmp_path: Path) -> None:
    people = tmp_path / "chain.csv"
    people.write_text(CHAIN, encoding="utf-8")
    result = dedupe_people(people)
    assert result.clusters == [
        {"participant_ids": ["500001", "500007"], "original": "500001"}
    ]
    decided = {
        (a, b): (d, h)
        for a, b, d, h in zip(*(result.pairs[c] for c in ("a", "b", "decision", "held")), strict=True)  # fmt: skip
    }
    assert decided == {
        ("500001", "500002"): ("review", POSSIBLE_TWINS),
        ("500001", "500007"): ("duplicate", ""),
        ("500002", "500007"): (
            "review",
            "would join 500001 and 500002 in one cluster, held as possible twins",
        ),
    }
    code, out, _ = run("dedupe", "participants", str(people))
    assert out.splitlines()[0].startswith(
        "4 people, 3 candidate pairs: 1 duplicate pairs in 1 clusters, 2 to review, "
        "1 of them possible twins, 1 that would join two people held apart"
    )


def _mark(review: Path, decisions: dict[tuple[str, str], str]) -> None:
    rows = pd.read_csv(review, dtype=str, keep_default_na=False)
    for (a, b), decision in decisions.items():
        chosen = (rows["a"] == a) & (rows["b"] == b)
        assert chosen.sum() == 1
        rows.loc[chosen, "decision"] = decision
    rows.to_csv(review, index=False)


def test_a_same_mark_settles_possible_twins_on_the_next_run(tmp_path: Path) -> None:
    """Before, a reviewer's "same" on a pair held as possible twins was
    stored, and the next run held the pair for review again."""
    people, review, db = tmp_path / "p.csv", tmp_path / "r.csv", tmp_path / "d.db"
    people.write_text(CHAIN, encoding="utf-8")
    run("dedupe", "participants", str(people), "--review-out", str(review))
    # The reviewer finds Anna and Hanna one person, and 500007 the same too.
    _mark(review, {("500001", "500002"): "same", ("500002", "500007"): "same"})
    assert run("dedupe", "apply", str(review), "--db", str(db))[0] == 0
    code, out, _ = run(
        "dedupe", "participants", str(people), "--db", str(db), "--pairs"
    )
    assert out.splitlines()[1:] == [
        "  500001 <- 500002, 500007",
        "  500001 ~ 500002: 0.9999 duplicate",
        "  500001 ~ 500007: 1.0000 duplicate",
        "  500002 ~ 500007: 1.0000 duplicate",
    ]
    assert out.splitlines()[0].startswith(
        "4 people, 3 candidate pairs: 3 duplicate pairs in 1 clusters, 0 to review"
    )
    result = dedupe_people(people, marks={("500001", "500002"): "same"})
    pair = result.pairs.iloc[0]
    assert (pair["marked"], pair["held"]) == ("same", "")
    # ... and different keeps them apart: the link through 500007 too.
    result = dedupe_people(people, marks={("500001", "500002"): "different"})
    assert [c["participant_ids"] for c in result.clusters] == [["500001", "500007"]]
    shown = set(zip(result.pairs["a"], result.pairs["b"], strict=True))
    assert ("500001", "500002") not in shown
