"""Client files explain themselves: a described schema, cross-references checked."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from claimflow import ConfigError, client_schema, load_client
from claimflow.schema_docs import attribute_docs
from tests.conftest import SAMPLES

ACME = (SAMPLES / "clients/acme-tools.yaml").read_text(encoding="utf-8")


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for key, prop in schema.get("properties", {}).items():
        yield f"ClientConfig.{key}", prop
    for name, model in schema.get("$defs", {}).items():
        for key, prop in model.get("properties", {}).items():
            yield f"{name}.{key}", prop


def test_every_key_of_a_client_file_is_described() -> None:
    schema = client_schema()
    found = dict(_properties(schema))
    assert len(found) > 150  # the walk reaches the nested sections
    undescribed = sorted(k for k, p in found.items() if not p.get("description"))
    assert undescribed == []
    assert found["ClientConfig.date_order"]["description"] == (
        "how keyed dates are read: ``DMY``, ``MDY`` or ``YMD``; never guessed."
    )
    # aliases: Window's start is written ``from``
    assert found["Window.from"]["description"].startswith("the first day")


def test_attribute_blocks_are_read_with_shared_and_continued_entries() -> None:
    doc = """A model.

    Attributes:
        a: the a,
            continued.
        b, c: both.

    Example: not an attribute.
    """
    assert attribute_docs(doc) == {"a": "the a, continued.", "b": "both.", "c": "both."}
    assert attribute_docs("No block.") == {}


@pytest.mark.parametrize(
    ("old", "new", "lines"),
    [
        (
            "DRL-200: {group: cordless, brand: acme}",
            "DRL-20O: {group: cordless, brand: acme}",
            ["award.products.DRL-20O: 'DRL-20O'"],
        ),
        (
            "scope: {skus: [IMP-450, SAW-310, GRN-115]}}",
            "scope: {skus: [IMP-450, SAW-310, GRN-l15]}}",
            [
                "award.rule_sets[0].rules[1].scope.skus[2]: 'GRN-l15'",
                "award.rule_sets[1].rules[1].scope.skus[2]: 'GRN-l15'",
            ],
        ),
    ],
)
def test_a_sku_typo_in_the_award_section_is_refused(
    write: Callable[..., Path], old: str, new: str, lines: list[str]
) -> None:
    assert old in ACME
    path = write("typo.yaml", ACME.replace(old, new))
    with pytest.raises(ConfigError) as caught:
        load_client(path)
    eligible = "BAT-20V, DRL-200, GRN-115, IMP-450, SAW-310"
    assert str(caught.value).splitlines() == [
        f"{path}: {line} is not in eligible_skus ({eligible}); a misspelt SKU "
        "would earn nothing"
        for line in lines
    ]


def test_eligible_skus_in_any_case_are_the_same(write: Callable[..., Path]) -> None:
    path = write("lower.yaml", ACME.replace("DRL-200: {group", "drl-200: {group"))
    assert "drl-200" in load_client(path).config.award.products  # type: ignore[union-attr]


def test_client_check_and_schema_commands(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    from tests.test_cli import run

    good = str(SAMPLES / "clients/acme-tools.yaml")
    code, out, _ = run("client", "check", good)
    assert (code, out) == (
        0,
        f"{good}: ok (acme-tools, sales claims, desk in America/Chicago, award "
        "rule sets: 2026.1, 2026.2)\n",
    )
    typo = write("typo.yaml", ACME.replace("DRL-200: {group", "DRL-20O: {group"))
    code, out, err = run("client", "check", str(typo))
    assert (code, out) == (2, "")
    assert err.startswith(f"claimflow: error: {typo}: award.products.DRL-20O: ")
    target = tmp_path / "client.schema.json"
    code, _, _ = run("client", "schema", "--out", str(target))
    assert code == 0
    assert json.loads(target.read_text(encoding="utf-8")) == client_schema()
