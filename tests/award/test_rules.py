"""Malformed award rules are refused at load, with the file and key path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from claimflow import ConfigError, load_client

HEAD = """\
client: demo-1
name: Demo
kind: sales
date_order: MDY
award:
  activity_date: invoice_date
  currency: USD
  rule_sets:
    - version: v1
      effective_from: 2026-01-01
      rules:
"""


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            "        - {id: a, kind: per_sale, points: 5}\n",
            "award.rule_sets[0].rules[0]: Input tag 'per_sale' found using 'kind' does not match any of the expected tags",
        ),
        (
            "        - {id: a, kind: per_unit, points: -5}\n",
            "award.rule_sets[0].rules[0].per_unit.points: Input should be greater than 0",
        ),
        (
            "        - {id: a, kind: per_currency, points: 10, basis: pro_rata, per: 0}\n",
            "award.rule_sets[0].rules[0].per_currency.per: Input should be greater than 0",
        ),
        (
            "        - {id: p1, kind: promotion, multiplier: 2, window: {from: 2026-11-01, to: 2026-11-30}}\n"
            "        - {id: p2, kind: promotion, bonus: 100, window: {from: 2026-11-15, to: 2026-12-15}}\n",
            "award.rule_sets[0]: rules[0] and rules[1]: promotions 'p1' and 'p2' overlap but no stacking policy is declared",
        ),
        (
            "        - {id: p1, kind: promotion, multiplier: 2, stacking: stack, window: {from: 2026-11-01, to: 2026-11-30}}\n"
            "        - {id: p2, kind: promotion, bonus: 100, stacking: stack, window: {from: 2026-11-15, to: 2026-12-15}}\n",
            "promotions 'p1' and 'p2' overlap with the same order",
        ),
        (
            "        - {id: p1, kind: promotion, multiplier: 2, window: {from: 2026-13-01, to: 2026-11-30}}\n",
            "award.rule_sets[0].rules[0].promotion.window.from: Input should be a valid date",
        ),
        (
            "        - {id: t, kind: quantity_tiers, mode: marginal, tiers: [{from: 5, points: 1}]}\n",
            "tiers must start at from: 1",
        ),
    ],
    ids=[
        "unknown-kind",
        "negative-rate",
        "zero-per",
        "overlap-no-policy",
        "overlap-same-order",
        "bad-date",
        "tiers",
    ],
)
def test_malformed_rules_are_refused_with_key_path(
    write: Callable[..., Path], rules: str, message: str
) -> None:
    path = write("demo.yaml", HEAD + rules)
    with pytest.raises(ConfigError) as caught:
        load_client(path)
    assert str(caught.value).startswith(f"{path}: award.")
    assert message in str(caught.value)


def test_overlapping_rule_set_versions_are_refused(write: Callable[..., Path]) -> None:
    text = (
        HEAD
        + "        - {id: a, kind: per_unit, points: 5}\n"
        + (
            "    - version: v2\n      effective_from: 2026-06-01\n      rules: [{id: a, kind: per_unit, points: 6}]\n"
        )
    )
    with pytest.raises(
        ConfigError,
        match="demo.yaml: award: rule_sets: 'v1' must end before 'v2' starts",
    ):
        load_client(write("demo.yaml", text))
