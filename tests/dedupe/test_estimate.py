"""Weights estimated from the data: u from random pairs, m per blocking key,
term frequencies and the prior odds, each against hand arithmetic or the
parameters the data were drawn from."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from claimflow.dedupe import estimate
from claimflow.dedupe.estimate import (
    estimate_m,
    estimate_u,
    prior_log_odds,
    random_pairs,
    term_frequency,
)
from claimflow.dedupe.people import LEVELS, dedupe_people
from claimflow.dedupe.settings import DedupeSettings


def test_u_keeps_the_prior_for_levels_seen_too_rarely_and_blends_the_rest() -> None:
    prior = np.array([0.01, 0.09, 0.9])
    # 1,000 random pairs: level 0 seen 3 times (< MIN_SEEN), 1 seen 297, 2 seen 700.
    index = np.repeat([0, 1, 2], [3, 297, 700])
    u = estimate_u({"x": index}, {"x": prior})["x"]
    assert u[0] == 0.01  # too rare to say: the hand-set value stands
    # The rest: (count + 100 * prior) / (1000 + 100), rescaled to share 0.99.
    one, two = (297 + 9) / 1100, (700 + 90) / 1100
    assert u[1] == pytest.approx(0.99 * one / (one + two))
    assert u[2] == pytest.approx(0.99 * two / (one + two))
    assert u.sum() == pytest.approx(1.0)


def test_random_pairs_are_every_pair_of_a_small_file_and_distinct_rows() -> None:
    i, j = random_pairs(5)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [
        (a, b) for a in range(5) for b in range(a + 1, 5)
    ]
    i, j = random_pairs(10_000, size=5_000)
    assert len(i) == 5_000 and (i < j).all()


def test_m_per_blocking_key_recovers_the_m_the_pairs_were_drawn_from() -> None:
    """Pairs drawn from a known mixture; a key fixing `a` learns only `b` and `c`."""
    rng = np.random.default_rng(3)
    true_m = {"a": [0.9, 0.1], "b": [0.7, 0.2, 0.1], "c": [0.8, 0.2]}
    u = {
        "a": np.array([0.05, 0.95]),
        "b": np.array([0.01, 0.09, 0.9]),
        "c": np.array([0.1, 0.9]),
    }
    n, share = 20_000, 0.3
    match = rng.random(n) < share
    levels = {}
    for name, m in true_m.items():
        drawn_m = rng.choice(len(m), n, p=m)
        drawn_u = rng.choice(len(m), n, p=u[name])
        levels[name] = np.where(match, drawn_m, drawn_u).astype(np.int8)
    hand = {
        "a": np.array([0.5, 0.5]),
        "b": np.array([0.4, 0.3, 0.3]),
        "c": np.array([0.5, 0.5]),
    }
    found_by = np.ones(n, dtype=np.int64)  # every pair found by the one key
    m, matches = estimate_m(
        levels, found_by, ["key"], {"key": frozenset({"a"})}, hand, u
    )
    assert m["a"].tolist() == hand["a"].tolist()  # fixed by the key: the prior
    assert matches["a"] == 0
    for name in ("b", "c"):
        assert m[name] == pytest.approx(true_m[name], abs=0.03)
    assert matches["b"] == pytest.approx(share * n, rel=0.1)


def test_a_rare_value_weighs_more_than_a_common_one() -> None:
    values = np.array(["smith"] * 50 + ["quist", "quist"] + ["x"] * 48)
    index = np.zeros(3, dtype=np.int8)
    i = np.array([0, 50, 52])  # smith, quist, x
    adjust = term_frequency(values, index, i, u_top=0.01)
    beta = estimate.TF_PSEUDO
    for k, count in enumerate((50, 2, 48)):
        share = (count - 2 + beta * 0.01) / (100 - 2 + beta)
        assert adjust[k] == pytest.approx(
            np.clip(math.log2(0.01 / share), -estimate.TF_CAP, estimate.TF_CAP)
        )
    assert adjust[1] > 0 > adjust[0]
    # Only the top level is adjusted.
    assert term_frequency(values, np.array([1], dtype=np.int8), i[:1], 0.01)[0] == 0


def test_prior_odds_are_the_hand_set_ones_on_a_small_file() -> None:
    hand = math.log2((1 / 2000) / (1 - 1 / 2000))
    # 7 people (21 pairs), 2 candidates, one sure match: 1 match in 21 pairs,
    # weighed as 2 candidates against the hand-set odds' 2,000.
    estimated = math.log2(1 / (21 - 1))
    assert prior_log_odds(np.array([30.0, -20.0]), 1 / 2000, 7) == pytest.approx(
        (2 * estimated + 2000 * hand) / 2002, abs=1e-3
    )
    assert prior_log_odds(np.array([]), 1 / 2000, 7) == pytest.approx(hand)


def test_prior_odds_of_a_large_file_are_its_matches_over_every_pair() -> None:
    # 10,000 sure matches and 10,000 sure non-matches among 5,000 people.
    total = np.r_[np.full(10_000, 40.0), np.full(10_000, -40.0)]
    everyone = 5_000 * 4_999 / 2
    estimated = math.log2(10_000 / (everyone - 10_000))
    hand = math.log2((1 / 2000) / (1 - 1 / 2000))
    expected = (20_000 * estimated + 2000 * hand) / 22_000
    assert prior_log_odds(total, 1 / 2000, 5_000) == pytest.approx(expected, abs=1e-3)


def test_a_small_file_keeps_the_hand_set_weights_near_enough() -> None:
    people = pd.DataFrame(
        {
            "participant_id": ["P1", "P2", "P3"],
            "first_name": ["Ann", "Ann", "Bob"],
            "last_name": ["Lee", "Lee", "Kay"],
            "date_of_birth": ["1980-01-02", "1980-01-02", "1970-05-06"],
        }
    )
    estimated = dedupe_people(people)
    fixed = dedupe_people(people, settings=DedupeSettings(estimate=False))
    assert estimated.model["estimated"] and not fixed.model["estimated"]
    for name, levels in LEVELS.items():
        for label, _, m, u in levels:
            assert fixed.weights[name][label] == round(math.log2(m / u), 2)
            # 3 random pairs and at most one match: within a bit of the prior.
            assert abs(estimated.weights[name][label] - math.log2(m / u)) < 1
    assert [c["participant_ids"] for c in estimated.clusters] == [["P1", "P2"]]
