"""The fast typing path builds exactly the claim pydantic validation builds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from claimflow.models import Provenance, RawRecord, SalesClaim, StayClaim
from claimflow.numbers import number_format
from claimflow.validate.typist import Typist
from claimflow.values import ValueContext

SOURCE = Provenance(file="claims.csv", row=2)
DATES = st.sampled_from(
    ["10/02/2026", "2026-10-02", "13/02/2026", "02/30/2026", "", "  ", "soon", "1/2/26"]
)
TIMES = st.sampled_from(
    ["2026-10-20", "2026-10-20T09:30:00+07:00", "2026-10-20 09:30", "", "later"]
)
AMOUNTS = st.sampled_from(["149.00", "1,299.50", "$12", "", "abc", "-3.5", "1e3"])
COUNTS = st.sampled_from(["1", "0", "-2", "2.0", "2.5", "x", "", " 3 ", "1,000"])
FLAGS = st.sampled_from(["yes", "No", "x", "", "maybe", "TRUE"])
TEXT = st.text(alphabet="AB1 -é", max_size=6)
SERIALS = st.sampled_from(["DR1 DR2", "DR1;DR2,DR3", "", "  DR9  "])


def _sales_raw(draw: st.DrawFn) -> RawRecord:
    header: dict[str, Any] = {}
    for name, values in {
        "participant_id": TEXT,
        "invoice_number": TEXT,
        "invoice_date": DATES,
        "received_at": TIMES,
        "claim_total": AMOUNTS,
        "proof_attached": FLAGS,
    }.items():
        if draw(st.booleans()):
            header[name] = draw(values)
    if draw(st.integers(0, 20)) == 0:
        header["unknown_field"] = "x"  # extra fields are errors
    lines = []
    for n in range(draw(st.integers(0, 2))):
        line = {
            "sku": draw(TEXT),
            "quantity": draw(COUNTS),
            "unit_price": draw(AMOUNTS),
            "line_total": draw(AMOUNTS),
            "serial_numbers": draw(SERIALS),
        }
        lines.append((SOURCE.at(None, n + 1), line))
    return RawRecord(SOURCE, header, tuple(lines))


raws = st.composite(_sales_raw)


def _validated(
    model: type[SalesClaim] | type[StayClaim], raw: RawRecord, context: ValueContext
) -> SalesClaim | StayClaim | None:
    data: dict[str, Any] = dict(raw.values)
    data.update(id="c1", client="acme", provenance=raw.source)
    data.setdefault("received_at", None)
    if model is SalesClaim:
        data["lines"] = [{**values, "provenance": src} for src, values in raw.lines]
    try:
        return model.model_validate(data, context=context)
    except ValidationError:
        return None


@settings(max_examples=300, deadline=None)
@given(
    raws(),
    st.sampled_from(["DMY", "MDY", "YMD"]),
    st.sampled_from([None, datetime(2026, 10, 28, tzinfo=UTC)]),
)
def test_fast_path_equals_validation(
    raw: RawRecord, order: Any, received: datetime | None
) -> None:
    context = ValueContext(date_order=order, received_at=received)
    fast = Typist(SalesClaim, context, with_lines=True).claim(raw, "c1", "acme")
    slow = _validated(SalesClaim, raw, context)
    # never vouches for a record validation refuses, never refuses a good one
    assert (fast is None) == (slow is None)
    if fast is not None and slow is not None:
        assert fast == slow
        assert fast.model_dump_json() == slow.model_dump_json()
        assert fast.model_fields_set == slow.model_fields_set
        for mine, theirs in zip(fast.lines, slow.lines, strict=True):
            assert mine.model_fields_set == theirs.model_fields_set


def test_a_stay_claim_types_the_same() -> None:
    raw = RawRecord(
        SOURCE,
        {
            "hotel_code": " cax ",
            "check_in": "02/10/2026",
            "check_out": "05/10/2026",
            "qualifying_revenue": "1.299,50",
            "received_at": "",
        },
    )
    context = ValueContext("DMY", number_format("es_ES"), received_at=datetime.now(UTC))
    fast = Typist(StayClaim, context, with_lines=False).claim(raw, "c1", "acme")
    assert fast is not None
    assert fast == _validated(StayClaim, raw, context)
    assert str(fast.qualifying_revenue) == "1299.50"
