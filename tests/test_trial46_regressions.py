"""Trial 46: a Dutch dealer program's double entry and entry checks.

A QA lead's entry-check file with no operator was stored under the operator
'' (counted in the QA totals under nobody); a negative count of fields
checked was refused naming the errors column; and a unit price keyed
without its decimal comma (``149,00`` as ``14900``, a hundred times the
price) was named a ``dropped character``, not a ``decimal mark`` slip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from claimflow import load_client
from claimflow.errors import UnreadableInput
from claimflow.parse.checks import read_entry_checks
from claimflow.verify.keyings import classify

CLIENT = """\
schema_version: 1
client: oranje-dealers
name: Oranje Gereedschap Dealerprogramma
kind: sales
locale: nl_NL
date_order: DMY
decimal_comma: true
currency: EUR
timezone: Europe/Amsterdam
claim_window_days: 120
eligible_skus: [BOR-200, SLP-115]
sla: {turnaround_days: 5, first_response_hours: 8, on_time_target: 0.9,
      max_error_rate: 0.01, max_escalation_share: 0.2}
calendar:
  country: NL
  hours: {mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-17:00",
          thu: "09:00-17:00", fri: "09:00-17:00"}
"""


def _checks(tmp_path: Path, body: str) -> list[object]:
    (tmp_path / "oranje.yaml").write_text(CLIENT, encoding="utf-8")
    client = load_client(tmp_path / "oranje.yaml")
    path = tmp_path / "checks.csv"
    path.write_text("operator,field,day,checked,errors\n" + body, encoding="utf-8")
    return list(read_entry_checks(path, client))


def test_an_entry_check_without_its_operator_is_refused_naming_the_row(
    tmp_path: Path,
) -> None:
    with pytest.raises(UnreadableInput) as caught:
        _checks(tmp_path, "anouk,all,04-11-2026,440,2\n,all,04-11-2026,10,0\n")
    assert "row 3" in str(caught.value)
    assert "operator: missing" in str(caught.value)


def test_a_negative_count_checked_names_the_checked_column(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput) as caught:
        _checks(tmp_path, "bram,all,04-11-2026,-3,0\n")
    assert "checked: expected 0 or more fields, found -3" in str(caught.value)
    assert "errors:" not in str(caught.value)


def test_the_entry_checks_a_lead_keys_are_read_as_counted(tmp_path: Path) -> None:
    # anouk 2 errors in 40 forms x 11 fields, bram 4 in the same 440
    rows = _checks(
        tmp_path, "anouk,all,04-11-2026,440,2\nbram,all,04-11-2026,440,4\n"
    )
    assert [(r.operator, r.checked, r.errors) for r in rows] == [  # type: ignore[attr-defined]
        ("anouk", 440, 2),
        ("bram", 440, 4),
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [("149,00", "14900"), ("1.249,50", "1.24950"), ("12.50", "1250")],
)
def test_an_amount_keyed_without_its_decimal_mark_is_a_decimal_mark_slip(
    first: str, second: str
) -> None:
    assert classify(first, second, {}, "DMY", "unit_price") == "decimal mark"
    assert classify(second, first, {}, "DMY", "line_total") == "decimal mark"


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [
        ("104215", "10415", "participant_id"),  # a digit dropped
        ("09.10.26", "09.1026", "invoice_date"),  # a date's point, no decimal
        ("09.10.2026", "09.102026", "invoice_date"),
    ],
)
def test_other_dropped_characters_stay_dropped_characters(
    first: str, second: str, field: str
) -> None:
    assert classify(first, second, {}, "DMY", field) == "dropped character"
