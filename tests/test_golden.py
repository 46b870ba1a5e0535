"""Golden cases: parser, validation and notice output for whole input files.

Each folder under tests/cases/ holds one ``input.*`` file; its name starts
with the sample client it belongs to (``acme-`` or ``costa-``). The expected
output is ``expected.json``: the library's result (``BatchResult.to_dict()``
without timings), with the notices. Run ``pytest --update-golden`` after a
reviewed change to rewrite them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from claimflow import check, load_client, read_file
from tests.conftest import NOW, SAMPLES

CASES = sorted(p for p in (Path(__file__).parent / "cases").iterdir() if p.is_dir())
CLIENTS = {"acme": "acme-tools.yaml", "costa": "costa-azul.yaml"}


def _output(case: Path) -> dict[str, Any]:
    client = load_client(SAMPLES / "clients" / CLIENTS[case.name.split("-")[0]])
    [source] = case.glob("input.*")
    result = check([source], client, received_at=NOW).to_dict()
    result.pop("timings")
    result["parsed"] = [
        {
            "source": raw.source.where(),
            "values": raw.values,
            "lines": [{"source": src.where(), **line} for src, line in raw.lines],
        }
        for raw in read_file(source, client)
    ]
    text = json.dumps(result, indent=2, ensure_ascii=False, default=str)
    return json.loads(text.replace(str(source.parent) + "/", ""))  # type: ignore[no-any-return]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Path, update_golden: bool) -> None:
    expected_path = case / "expected.json"
    actual = _output(case)
    if update_golden or not expected_path.exists():
        expected_path.write_text(
            json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))
