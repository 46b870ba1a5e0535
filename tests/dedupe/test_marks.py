"""Learning from review marks: marks move weights the right way, the held-out
check refuses marks that would make things worse, and a desk's marks on one
wave of a client's people improve the next wave."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow.dedupe.marks import MIN_MARKS, _fit, refit
from claimflow.dedupe.people import dedupe_people
from tests.dedupe.simulate import client, desk_marks, held_out_f1, learned, plain
from tests.test_cli import run

SIZES = {"x": 3, "y": 2}


def _context(n: int) -> dict[str, object]:
    return {
        "ids": [(f"a{k}", f"b{k}") for k in range(n)],
        "labels": {"x": ["hi", "mid", "lo"], "y": ["hi", "lo"]},
        "weights": {"x": np.array([5.0, 1.0, -3.0]), "y": np.array([4.0, -2.0])},
        "duplicate": 0.9,
    }


pairs = st.lists(
    st.tuples(st.integers(-1, 2), st.integers(-1, 1), st.floats(-20, 20)),
    min_size=1,
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(pairs, st.booleans())
def test_marks_of_one_kind_move_every_weight_they_touch_one_way(
    drawn: list[tuple[int, int, float]], same: bool
) -> None:
    """All same: no level's weight goes down; all different: none goes up;
    a level no mark shows does not move."""
    levels = {
        "x": np.array([d[0] for d in drawn]),
        "y": np.array([d[1] for d in drawn]),
    }
    x = np.concatenate(
        [levels[n][:, None] == np.arange(s)[None, :] for n, s in SIZES.items()], axis=1
    ).astype(float)
    base = np.array([d[2] for d in drawn])
    theta = _fit(x, base, np.full(len(drawn), 1.0 if same else 0.0))
    shown = x.sum(axis=0) > 0
    assert (theta[~shown] == 0).all()
    assert (theta >= -1e-9).all() if same else (theta <= 1e-9).all()


def test_different_marks_on_one_level_lower_it_and_name_the_marks() -> None:
    # 20 pairs at x=mid, y=hi, scored sure duplicates (+12 bits): all different.
    n = 20
    levels = {"x": np.full(n, 1), "y": np.zeros(n, dtype=int)}
    result = refit(levels, np.full(n, 12.0), np.zeros(n, bool), SIZES, _context(n))
    assert result.kept and result.held_out["wrong_before"] == n
    assert result.held_out["wrong_after"] < n
    moved = {(m["comparison"], m["level"]): m for m in result.moved}
    assert moved[("x", "mid")]["after"] < moved[("x", "mid")]["before"] == 1.0
    assert moved[("x", "mid")]["different"] == n and moved[("x", "mid")]["same"] == 0
    assert moved[("x", "mid")]["by"][0].endswith(" different")
    assert ("x", "hi") not in moved  # no mark shows it


def test_too_few_marks_or_marks_against_the_evidence_change_nothing() -> None:
    few = refit(
        {"x": np.zeros(3, int), "y": np.zeros(3, int)},
        np.zeros(3),
        np.ones(3, bool),
        SIZES,
        _context(3),
    )
    assert not few.kept and f"at least {MIN_MARKS}" in few.reason
    # Marks that contradict each other on identical pairs: a refit learns
    # nothing a held-out fold can use, and the weights stay.
    n = 40
    rng = np.random.default_rng(5)
    levels = {"x": rng.integers(0, 3, n), "y": rng.integers(0, 2, n)}
    base = np.where(levels["x"] == 0, 8.0, -8.0)
    noise = rng.random(n) < 0.5
    result = refit(levels, base, noise, SIZES, _context(n))
    if result.kept:
        assert result.held_out["log_loss_after"] <= result.held_out["log_loss_before"]
        assert result.held_out["wrong_after"] <= result.held_out["wrong_before"]
    else:
        assert all((a == 0).all() for a in result.adjust.values())


def test_200_marks_from_one_client_improve_f1_on_its_held_out_people() -> None:
    """Must-show 3: households sharing an e-mail and phone fool the default
    weights; 200 marks on the first wave teach the second."""
    _, truth = client()
    marks, result = learned(200)
    before, after = held_out_f1(plain(), truth), held_out_f1(result, truth)
    assert len(marks) == 200 and result.marks is not None and result.marks.kept
    assert before < 0.9 and after > before + 0.1, (before, after)
    # The learned weights are the ones reported.
    moved = {(m["comparison"], m["level"]): m["after"] for m in result.marks.moved}
    for (name, level), weight in moved.items():
        assert result.weights[name][level] == pytest.approx(weight, abs=0.01)


@settings(max_examples=2, deadline=None)
@given(st.integers(0, 1000), st.integers(20, 120))
def test_marks_never_reduce_held_out_f1(seed: int, count: int) -> None:
    """Whatever pairs a desk marks, and however many."""
    people, truth = client()
    result = dedupe_people(people, marks=desk_marks(plain(), truth, count, seed))
    assert held_out_f1(result, truth) >= held_out_f1(plain(), truth)


def test_explain_shows_which_marks_moved_which_weight(tmp_path: Path) -> None:
    people, _ = client()
    marks, result = learned(200)
    file, review, db = tmp_path / "p.csv", tmp_path / "r.csv", tmp_path / "d.db"
    people.to_csv(file, index=False)
    review.write_text(
        "a,b,decision\n" + "".join(f"{a},{b},{d}\n" for (a, b), d in marks.items()),
        encoding="utf-8",
    )
    assert run("dedupe", "apply", str(review), "--db", str(db))[1] == (
        f"{len(marks)} decisions stored\n"
    )
    code, out, _ = run(
        "dedupe", "participants", str(file), "--db", str(db), "--explain"
    )
    assert result.marks is not None and result.marks.moved
    assert code == 1
    assert f"{len(marks)} review marks refit the weights (held out" in out
    for moved in result.marks.moved:
        line = next(
            x
            for x in out.splitlines()
            if x.startswith(f"  {moved['comparison']} {moved['level']}: ")
        )
        assert f"{moved['before']:+.2f} -> {moved['after']:+.2f}" in line
        assert re.search(
            rf"\({moved['same']} same, {moved['different']} different", line
        )
    # The pairs marked different are never flagged again.
    flagged = {
        tuple(sorted(p)) for p in zip(result.pairs["a"], result.pairs["b"], strict=True)
    }
    assert not flagged & {p for p, d in marks.items() if d == "different"}
