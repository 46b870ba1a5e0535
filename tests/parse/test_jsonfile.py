"""JSON and JSON Lines reading."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimflow import ResolvedClient, UnreadableInput
from claimflow.parse import read_file

CLAIM = {
    "claim_ref": "AC-9",
    "Rep #": "004512",
    "invoice_number": "INV-1",
    "lines": [
        {"sku": "DRL-200", "qty": 2, "unit_price": 149.5, "serials": ["DR1", "DR2"]},
        {"sku": "BAT-20V", "qty": 1},
    ],
}


@pytest.mark.parametrize("shape", ["list", "wrapped", "lines"])
def test_json_shapes(
    acme: ResolvedClient, write: Callable[..., Path], shape: str
) -> None:
    if shape == "lines":
        path = write(
            "claims.jsonl", json.dumps(CLAIM) + "\n\n" + json.dumps(CLAIM) + "\n"
        )
    else:
        data = [CLAIM, CLAIM] if shape == "list" else {"claims": [CLAIM, CLAIM]}
        path = write("claims.json", json.dumps(data))
    first, second = read_file(path, acme)
    assert first.values["participant_id"] == "004512"
    assert [src.line for src, _ in first.lines] == [1, 2]
    assert first.lines[0][1]["unit_price"] == Decimal("149.5")
    assert first.lines[0][1]["serial_numbers"] == ["DR1", "DR2"]
    assert second.source.row == (3 if shape == "lines" else 2)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("c.json", '[{"sku": 1}', "not valid JSON"),
        ("c.json", '{"rows": []}', "expected a list of claims"),
        ("c.json", "[1, 2]", "row 1: expected a claim object, found int"),
        ("c.jsonl", '{"sku": "A"}\n{oops}\n', "line 2: not valid JSON"),
        ("c.json", b"\xff\xfe\x00[", "not UTF-8"),
    ],
)
def test_bad_json(
    acme: ResolvedClient,
    write: Callable[..., Path],
    name: str,
    content: str,
    message: str,
) -> None:
    with pytest.raises(UnreadableInput, match=message):
        read_file(write(name, content), acme)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                # NUL is refused (tests/store/test_postgres.py), any other text kept
                "invoice_number": st.text(
                    st.characters(blacklist_characters="\x00"), min_size=1, max_size=10
                ),
                "qty": st.integers(-5, 500),
                "unit_price": st.decimals(
                    min_value=0, max_value=10_000, places=2, allow_nan=False
                ),
            }
        ),
        max_size=6,
    )
)
def test_json_round_trip_keeps_exact_decimals(
    acme: ResolvedClient,
    tmp_path_factory: pytest.TempPathFactory,
    claims: list[dict],  # type: ignore[type-arg]
) -> None:
    path = tmp_path_factory.mktemp("json") / "claims.json"
    objects = [
        f'{{"invoice_number": {json.dumps(c["invoice_number"])}, "qty": {c["qty"]}, '
        f'"unit_price": {c["unit_price"]}}}'
        for c in claims
    ]
    path.write_text("[" + ",".join(objects) + "]", encoding="utf-8")
    records = read_file(path, acme)
    assert [r.values["invoice_number"] for r in records] == [
        c["invoice_number"] for c in claims
    ]
    assert [r.lines[0][1]["quantity"] for r in records] == [c["qty"] for c in claims]
    assert [Decimal(r.lines[0][1]["unit_price"]) for r in records] == [
        c["unit_price"] for c in claims
    ]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "claims.json",
            '[{"claim_ref": "J-1", "sku": "DRL-200", "Qty": 1, "Qty": 2}]',
            "claims.json: row 1: 'Qty' given twice in one object (1, then 2): "
            "expected one value",
        ),
        (
            "claims.json",
            '[{"claim_ref": "J-1"}, {"claim_ref": "J-2", "lines": '
            '[{"sku": "DRL-200"}, {"sku": "BAT-20V", "unit_price": 1.50, '
            '"unit_price": 15.0}]}]',
            "claims.json: row 2:line 2: 'unit_price' given twice in one object "
            "('1.50', then '15.0'): expected one value",
        ),
        (
            "claims.jsonl",
            '{"claim_ref": "J-1"}\n{"claim_ref": "J-2", "claim_ref": "J-3"}\n',
            "claims.jsonl: row 2: 'claim_ref' given twice in one object ('J-2', "
            "then 'J-3'): expected one value",
        ),
        (
            "claims.json",
            '[{"claim_ref": "J-1", "sku": "DRL-200", "Qty": 1, "Quantity": 2}]',
            "claims.json: row 1: 'Qty' and 'Quantity' both name quantity: "
            "expected one of them",
        ),
        (
            "claims.json",
            '{"claims": [{"claim_ref": "J-1"}], "claims": [{"claim_ref": "J-2"}]}',
            "claims.json: 'claims' given twice: expected one list",
        ),
    ],
)
def test_two_values_for_one_field_are_refused_never_one_kept(
    acme: ResolvedClient, write: Callable[..., Path], name: str, text: str, message: str
) -> None:
    """Python's json keeps the last of a key given twice, and a key and its
    alias each overwrote the other: ``"Qty": 1, "Qty": 2`` was read as 2 and
    accepted. Which one the sender meant is not ours to guess."""
    path = write(name, text)
    with pytest.raises(UnreadableInput) as caught:
        read_file(path, acme)
    assert str(caught.value) == f"{path.parent}/{message}"
