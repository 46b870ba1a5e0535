"""The README's award section by example loads, as written there."""

from __future__ import annotations

import re

import pytest
import yaml

from claimflow.award.rules import AwardSettings, QuantityTiers, TierBonus
from claimflow.config import ClientConfig
from tests.conftest import ROOT

MARKER = "**The award section by example**"


def _example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert MARKER in readme
    after = readme.split(MARKER, 1)[1]
    found = re.search(r"```yaml\n(.*?)```", after, re.DOTALL)
    assert found is not None, "no yaml block after the marker"
    return found.group(1)


def _readme_language_row() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [row] = [line for line in readme.splitlines() if line.startswith("| `language` |")]
    return row


def test_the_readme_award_example_validates() -> None:
    data = yaml.safe_load(_example())
    settings = AwardSettings.model_validate(data["award"])
    assert settings.reporting_threshold is not None
    [rule_set] = settings.rule_sets
    tiers = next(r for r in rule_set.rules if isinstance(r, QuantityTiers))
    assert [(t.start, t.points) for t in tiers.tiers] == [(1, 10), (11, 20)]
    assert (tiers.mode, tiers.count, tiers.period) == (
        "marginal",
        "participant",
        "quarter",
    )
    bonus = next(r for r in rule_set.rules if isinstance(r, TierBonus))
    assert bonus.percent["gold"] == 25


def test_the_readme_award_example_fits_a_client_file() -> None:
    """As the ``award`` section of a Brazilian client (notices in English)."""
    head = {
        "client": "vendas-br",
        "name": "Frio Sul",
        "kind": "sales",
        "locale": "pt_BR",
        "language": "en",
        "date_order": "DMY",
        "currency": "BRL",
    }
    config = ClientConfig.model_validate(head | yaml.safe_load(_example()))
    assert config.award is not None


def test_the_notice_languages_are_those_the_readme_lists() -> None:
    head = {"client": "vendas-br", "name": "F", "kind": "sales", "date_order": "DMY"}
    with pytest.raises(
        ValueError, match="Input should be 'en', 'es', 'id', 'pt', 'de' or 'fr'"
    ):
        ClientConfig.model_validate(head | {"language": "it"})
    for language in ("pt", "de", "fr"):
        config = ClientConfig.model_validate(head | {"language": language})
        assert config.language == language
        assert f"`{language}`" in _readme_language_row()
    assert ClientConfig.model_validate(head | {"locale": "pt_BR"}).language_code == "pt"
