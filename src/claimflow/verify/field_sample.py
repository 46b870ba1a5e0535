"""Which keyed fields QA audits by hand: `sample` and its `SampledField`s.

`sample` says how many of a batch's keyed fields to audit for an error-rate
limit at a confidence, and picks them reproducibly (by seed), each named by
its claim's reference and the place it was keyed. Re-exported by
`claimflow.verify.double_entry`.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from claimflow.models import Provenance, RawRecord
from claimflow.store import Store, raw_from_json
from claimflow.store.entry import keyed_records


class SampledField(NamedTuple):
    """One keyed field to audit.

    Attributes:
        claim_id: the stored claim.
        field: the field (``line 2:sku`` for a line's).
        claim: where the paper form is: its reference and the place it was
            keyed (``EP-5010 (keying_alice.csv:row 11)``).
    """

    claim_id: str
    field: str
    claim: str


def _label(record: RawRecord, claim_id: str, source: Provenance) -> str:
    values = record.values
    reference = next(
        (
            str(values[name]).strip()
            for name in ("claim_ref", "invoice_number", "confirmation_number")
            if values.get(name)
        ),
        claim_id,
    )
    place = Provenance(file=source.file, sheet=source.sheet, page=source.page,
                       row=source.row)  # fmt: skip
    return f"{reference} ({place.where()})"


def sample(
    store: Store, batch_id: int, max_error_rate: float, confidence: float, seed: int = 0
) -> tuple[int, list[SampledField]]:
    """How many keyed fields to audit, and which (reproducibly, by seed), each
    named by its claim's reference and the place it was keyed, in store order.

    Example: ``sample(store, 1, 0.005, 0.95)[0] == 598`` (or all fields, if fewer)
    """
    from claimflow.sla.quality import fields_needed

    needed = fields_needed(0, max_error_rate, confidence)
    population: list[SampledField] = []
    headers = store.raw_headers()
    for claim_id, raw, digest in keyed_records(store, batch_id):
        record = raw_from_json(raw, headers, digest)
        label = _label(record, claim_id, record.source)
        population += [
            SampledField(claim_id, k, label) for k, v in record.values.items() if v
        ]
        for n, (where, line) in enumerate(record.lines, start=1):
            label = _label(record, claim_id, where)
            population += [
                SampledField(claim_id, f"line {n}:{k}", label)
                for k, v in line.items()
                if v
            ]
    order = {id(f): i for i, f in enumerate(population)}
    picked = random.Random(seed).sample(population, min(needed, len(population)))
    return needed, sorted(picked, key=lambda f: order[id(f)])
