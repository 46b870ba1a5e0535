"""The README's client-file reference agrees with the code it documents."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from claimflow.fields import KINDS
from claimflow.verify.settings import (
    SOURCE_ALIASES,
    SOURCE_FIELDS,
    VerificationSettings,
)

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Client files", 1)[1].split("\n## ", 1)[0]


def _rows(kind: str) -> dict[str, list[str]]:
    """The table rows of a heading's kind: field -> its cells."""
    table = SECTION.split(f"(`kind: {kind}`)", 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = cells
    return rows


def test_every_canonical_field_and_default_alias_is_listed() -> None:
    for kind, fields in KINDS.items():
        rows = _rows(kind)
        assert sorted(rows) == sorted(fields.all), kind
        for name, cells in rows.items():
            assert cells[1] == fields.all[name]
            assert cells[2] == ("line" if name in fields.line else "claim")
            assert (cells[3] == "yes") == (name in fields.required)
            aliases = re.findall(r"`([^`]+)`", cells[4])
            assert aliases == list(fields.aliases.get(name, ())), name


def test_every_source_field_is_listed() -> None:
    for kind, fields in SOURCE_FIELDS.items():
        for name, kind_of in fields.items():
            aliases = ", ".join(f"`{a}`" for a in SOURCE_ALIASES.get(name, ()))
            assert f"| {kind} | `{name}` | {kind_of} | {aliases} |" in SECTION


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", SECTION, re.S)


def test_the_verification_example_loads() -> None:
    (block,) = [b for b in _yaml_blocks() if b.startswith("verification:")]
    data = yaml.safe_load(block)["verification"]
    settings = VerificationSettings.model_validate(data)
    assert set(data) | {"source_decimal_comma"} == set(
        VerificationSettings.model_fields
    )  # every key shown
    assert settings.discrepancy_policy == "review"


def test_the_pdf_line_example_maps_lines(tmp_path: Path) -> None:
    from claimflow import load_client

    (block,) = [b for b in _yaml_blocks() if b.startswith("form_fields:")]
    sample = (ROOT / "samples/clients/acme-tools.yaml").read_text(encoding="utf-8")
    start = sample.index("form_fields:")
    end = sample.index("formats:")
    path = tmp_path / "client.yaml"
    path.write_text(sample[:start] + block + sample[end:], encoding="utf-8")
    from claimflow.parse.pdf_form import _map_form_field

    client = load_client(path)
    mapped = {
        name: _map_form_field(name, client, set())
        for name in (
            "Product B",
            "Qty B",
            "rep_number",
            "SKU_1",
            "Qty_2",
            "Qty 2",
            "Serial[3]",
        )
    }
    assert mapped == {
        "Product B": ("sku", 2),
        "Qty B": ("quantity", 2),
        "rep_number": ("participant_id", 1),
        "SKU_1": ("sku", 1),  # named like an alias plus a line number
        "Qty_2": ("quantity", 2),
        "Qty 2": ("quantity", 2),
        "Serial[3]": ("serial_numbers", 3),
    }
