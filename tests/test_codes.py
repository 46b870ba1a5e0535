"""Reason codes: stable values, a category each, the outcome rule, the README table."""

from __future__ import annotations

import pytest

from claimflow import Category, Outcome, ReasonCode
from claimflow.codes import decide
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("codes", "outcome"),
    [
        ([], Outcome.ACCEPTED),
        ([ReasonCode.MISSING_FIELD], Outcome.PENDED),
        ([ReasonCode.MISSING_FIELD, ReasonCode.INELIGIBLE_SKU], Outcome.REJECTED),
        (
            [ReasonCode.DUPLICATE_SERIAL_IN_BATCH, ReasonCode.INVALID_DATE],
            Outcome.DUPLICATE,
        ),
        (
            [ReasonCode.DUPLICATE_STAY_IN_BATCH, ReasonCode.OUTSIDE_CLAIM_WINDOW],
            Outcome.REJECTED,
        ),
    ],
)
def test_decide(codes: list[ReasonCode], outcome: Outcome) -> None:
    assert decide(codes) is outcome


def test_codes_are_snake_case_with_a_category_and_description() -> None:
    for code in ReasonCode:
        assert code.value == code.name.lower()
        assert isinstance(code.category, Category)
        assert code.description


def test_readme_lists_every_reason_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ReasonCode:
        assert (
            f"| `{code.value}` | {code.category.value} | {code.description} |" in readme
        )


@pytest.mark.parametrize("language", ["en", "es", "id", "pt", "de", "fr"])
def test_every_code_and_outcome_has_notice_wording(language: str) -> None:
    import yaml

    from claimflow.validate.notices import BUNDLED

    phrases = yaml.safe_load(
        (BUNDLED / f"phrases.{language}.yaml").read_text(encoding="utf-8")
    )
    assert set(phrases["codes"]) == {c.value for c in ReasonCode}
    assert set(phrases["status"]) == {o.value for o in Outcome}
