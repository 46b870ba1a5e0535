"""Store rows: raw records encoded for replay read back exactly as they were read."""

from __future__ import annotations

import pytest

from claimflow import StoreError
from claimflow.config import load_client
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
    shared: dict[int, RawHeader] = {}
    assert raws
    for raw in raws:
        text = raw_json(raw, shared)
        headers = {h.digest: h.text for h in shared.values()}
        assert raw_from_json(text, headers, raw.content_hash) == raw
        assert raw_json(raw) == text  # header names encoded once, same text
        assert '"field_sources"' not in text  # kept once per file, not per row


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
