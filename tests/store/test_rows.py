"""Store rows: raw records encoded for replay read back exactly as they were read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimflow import StoreError
from claimflow.config import load_client
from claimflow.models import Provenance, RawRecord
from claimflow.parse import read_file
from claimflow.store.rows import RawHeader, raw_from_json, raw_json

from ..conftest import SAMPLES


@pytest.mark.parametrize(
    "sample",
    [
        "acme-tools/claims/october.csv",
        "acme-tools/claims/claim_form_fillable.pdf",
        "acme-tools/claims/claims_printed.pdf",
        "costa-azul/claims/octubre.csv",
    ],
)
def test_raw_records_are_kept_exactly_as_read(sample: str) -> None:
    # replay rebuilds claims from this text: it must give back the record
    client = load_client(
        SAMPLES / "clients" / f"{sample.split('/', maxsplit=1)[0]}.yaml"
    )
    raws = read_file(SAMPLES / sample, client)
    shared: dict[Any, RawHeader] = {}
    assert raws
    for raw in raws:
        text = raw_json(raw, shared)
        headers = {h.digest: h.text for h in shared.values()}
        assert raw_from_json(text, headers, raw.content_hash) == raw
        assert raw_json(raw) == text  # what the file shares encoded once, same text
        # kept once per file, not per row: header names, file name, value keys
        assert '"field_sources"' not in text and raw.source.file not in text
        assert '"participant_id"' not in text and '"member_number"' not in text
    assert len({h.text for h in shared.values()}) == 1  # one header row per file


def _decoded(raws: list[RawRecord]) -> tuple[list[str], list[RawRecord]]:
    shared: dict[Any, RawHeader] = {}
    texts = [raw_json(raw, shared) for raw in raws]
    headers = {h.digest: h.text for h in shared.values()}
    return texts, [raw_from_json(t, headers, "hash") for t in texts]


def test_records_whose_keys_differ_from_their_files_first_keep_them() -> None:
    # a form whose second page has no dealer, and a line in another order
    a = Provenance.of_row("forms.pdf", 1)
    b = Provenance(file="forms.pdf", page=2, line=1)
    names = {"claim_ref": "Claim", "sku": "Item"}  # one mapping per file, as read
    first = RawRecord(
        a, {"claim_ref": "C-1", "dealer_id": "D-1"}, ((a, {"sku": "S"}),), names, "hash"
    )
    second = RawRecord(
        b,
        {"claim_ref": "C-2"},
        (
            (b, {"quantity": "2", "sku": "T"}),
            (Provenance(file="other.pdf"), {"sku": "U"}),
        ),
        names,
        "hash",
    )
    texts, back = _decoded([first, second])
    assert back == [first, second]
    assert json.loads(texts[0])["v"] == ["C-1", "D-1"]  # as listed by its file
    assert json.loads(texts[1])["v"] == {"claim_ref": "C-2"}  # its own keys
    assert '"file":"other.pdf"' in texts[1] and '"forms.pdf"' not in texts[1]


_cells = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
_keys = st.sampled_from(["claim_ref", "sku", "quantity", "dealer_id", "notes"])
_places = st.builds(
    Provenance,
    file=st.sampled_from(["a.csv", "b:c.xlsx", ""]),
    sheet=st.none() | st.just("Q4"),
    page=st.none() | st.integers(1, 9),
    row=st.none() | st.integers(1, 10**6),
    line=st.none() | st.integers(1, 9),
    field=st.none() | st.just("Invoice No"),
)
_records = st.builds(
    RawRecord,
    _places,
    st.dictionaries(_keys, _cells, max_size=4),
    st.lists(
        st.tuples(_places, st.dictionaries(_keys, _cells, max_size=4)), max_size=3
    ).map(tuple),
    st.just({"claim_ref": "Claim ID"}),
    st.just("hash"),
)


@given(st.lists(_records, min_size=1, max_size=6))
def test_any_records_read_back_as_they_were_encoded(raws: list[RawRecord]) -> None:
    # whatever a file's records share or not (keys, order, files, places)
    assert _decoded(raws)[1] == raws


def test_raw_records_stored_by_schemas_14_to_20_read_back() -> None:
    # values under their keys, provenance in full, the header names by digest
    text = (
        '{"source":{"file":"a.csv","row":2},"values":{"invoice_number":"INV-1"},'
        '"lines":[[{"file":"a.csv","row":2},{"sku":"DRL-200"}]],"fs":"93a8802b68f0f12d"}'
    )
    headers = {"93a8802b68f0f12d": '{"invoice_number":"Invoice No"}'}
    raw = raw_from_json(text, headers, "abc")
    assert raw == RawRecord(
        Provenance.of_row("a.csv", 2),
        {"invoice_number": "INV-1"},
        ((Provenance.of_row("a.csv", 2), {"sku": "DRL-200"}),),
        {"invoice_number": "Invoice No"},
        "abc",
    )


def test_raw_record_with_more_values_than_its_header_names_is_refused() -> None:
    raw = RawRecord(Provenance.of_row("a.csv", 2), {"sku": "S"})
    shared: dict[Any, RawHeader] = {}
    text = raw_json(raw, shared).replace('["S"]', '["S","T"]')
    headers = {h.digest: h.text for h in shared.values()}
    with pytest.raises(StoreError, match="does not match its header"):
        raw_from_json(text, headers)


def test_raw_records_stored_before_schema_14_read_back() -> None:
    # rows of earlier stores carry their header names and content hash inline
    text = (
        '{"source":{"file":"a.csv","row":2},"values":{"invoice_number":"INV-1"},'
        '"lines":[[{"file":"a.csv","row":2},{"sku":"DRL-200"}]],'
        '"field_sources":{"invoice_number":"Invoice No","sku":"Product Code"},'
        '"content_hash":"abc"}'
    )
    raw = raw_from_json(text, {}, "ignored")
    assert raw.field_sources == {"invoice_number": "Invoice No", "sku": "Product Code"}
    assert raw.content_hash == "abc"
    assert raw.lines[0][1] == {"sku": "DRL-200"}


def test_raw_record_naming_unknown_header_names_is_refused() -> None:
    with pytest.raises(StoreError, match="unknown header names 0123"):
        raw_from_json('{"source":{},"values":{},"lines":[],"fs":"0123"}', {})
