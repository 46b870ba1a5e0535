"""A rule per amount meets a claim that gives no amount: asked for, never 0.

Before (trial 45): a stay claim with no room revenue (the field is not
required) was verified against its folio of 789.99 and posted at **0
points**, settled, listed only under "earned nothing" with no reason code:
the member's points were decided by a blank. Now the award is held
(``missing_field``), naming the field and the rule, and nothing is posted;
with its revenue the same stay is paid (789.99 - 0) x 10 = 7,899 points
(``pro_rata``, rounded down), by hand.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from claimflow.award.engine import compute_awards_and_holds
from claimflow.award.rules import AwardSettings
from claimflow.models import Provenance, StayClaim
from tests.award.test_unknown_participant import SXH
from tests.test_cli import run

HEADER = (
    "Claim Ref,Member No,Guest Name,Hotel,Conf No,Arrival,Departure,Room Revenue,"
    "Taxes,Currency,Booked Via,Received\n"
)
MEMBERS = "Member No,First Name,Surname,Tier,Enrolled\nSX1000004,Wei,Zhang,,01/03/2021\n"


def _desk(tmp_path: Path) -> tuple[str, ...]:
    config = tmp_path / "sxh.yaml"
    config.write_text(SXH, encoding="utf-8")
    (tmp_path / "members.csv").write_text(MEMBERS, encoding="utf-8")
    base = ("--client", str(config), "--db", str(tmp_path / "c.db"))
    assert run("participants", "import", str(tmp_path / "members.csv"), *base)[0] == 0
    return base


def test_a_stay_without_its_revenue_is_held_not_paid_zero(tmp_path: Path) -> None:
    base = _desk(tmp_path)
    (tmp_path / "claims.csv").write_text(
        HEADER + "SXC-201,SX1000004,Wei Zhang,SX-PER,PER99921,05/11/2026,09/11/2026,"
        ",,AUD,Direct,12/11/2026\n",
        encoding="utf-8",
    )
    assert run("ingest", str(tmp_path / "claims.csv"), *base)[0] == 0
    code, out, _ = run("award", *base, "--json")
    found = json.loads(out)
    assert (code, found["posted"], found["points"], found["earned_nothing"]) == (1, 0, 0, [])
    (problem,) = found["problems"]
    assert problem["code"] == "missing_field"
    assert problem["message"] == (
        "stay at SX-PER: expected qualifying_revenue to earn 10 points per 1 AUD on, "
        "found none: the award is held until the claim gives it"
    )
    code, out, _ = run("ledger", "balance", "SX1000004", *base, "--json")
    assert (code, json.loads(out)["total"]) == (0, 0)  # nothing posted, nothing settled
    # the next run holds it again, it is never posted at 0
    code, out, _ = run("award", *base, "--json")
    assert (code, json.loads(out)["posted"]) == (1, 0)


@pytest.mark.parametrize("revenue", [None, Decimal("789.99")])
def test_a_stored_stay_without_its_revenue_is_held_by_the_award(revenue: Decimal | None) -> None:
    """The engine itself: the stay without its revenue is held
    (``missing_field``), with it paid 7,899."""
    award = yaml.safe_load(
        SXH.replace("      eligibility: {enrolled_before_activity: true}\n", "").replace(
            "        - {id: elite, kind: tier_bonus, percent: {gold: 25, platinum: 50}}\n", ""
        )
    )
    claim = StayClaim(
        id="c1", client="sxh", participant_id="SX1000004", hotel_code="SX-PER",
        confirmation_number="PER99921", check_in=date(2026, 11, 5),
        check_out=date(2026, 11, 9), qualifying_revenue=revenue,
        received_at=datetime(2026, 11, 12, tzinfo=UTC),
        provenance=Provenance(file="claims.csv", row=2),
    )  # fmt: skip
    awards, problems, _, holds = compute_awards_and_holds(
        [claim], AwardSettings.model_validate(award["award"])
    )
    if revenue is None:
        assert (awards, holds) == ([], [])
        (problem,) = problems
        assert problem.code.value == "missing_field"
        assert "expected qualifying_revenue to earn 10 points per 1 AUD on" in problem.message
    else:
        assert [a.points for a in awards] == [7_899]
