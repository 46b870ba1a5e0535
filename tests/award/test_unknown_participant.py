"""A member number not on the member list, where the rules check enrolment:
the award is held (`unknown_participant`), not settled at 0 as not enrolled,
and the award run after the member list names the member pays it (trial 36,
finding 4)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from claimflow.award.engine import compute_awards_and_holds
from claimflow.codes import ReasonCode
from claimflow.models import Participant, Provenance, StayClaim
from tests.award.programs import settings
from tests.test_cli import run

#: The trial's desk (Southern Cross Rewards, Sydney), as much as awards need.
SXH = """
schema_version: 1
client: sxh
name: Southern Cross Rewards
kind: stay
locale: en_AU
language: en
date_order: DMY
currency: AUD
timezone: Australia/Sydney
claim_window_days: 180
require_proof: false
columns:
  participant_id: ["Member No"]
  member_name: ["Guest Name"]
  hotel_code: ["Hotel"]
  confirmation_number: ["Conf No"]
  check_in: ["Arrival"]
  check_out: ["Departure"]
  qualifying_revenue: ["Room Revenue"]
  claim_ref: ["Claim Ref"]
  received_at: ["Received"]
eligible_hotels: [SX-SYD, SX-PER]
award:
  activity_date: check_out
  currency: AUD
  rounding_mode: floor
  rounding_scope: claim
  rule_sets:
    - version: "2025"
      effective_from: 2025-01-01
      eligibility: {enrolled_before_activity: true}
      rules:
        - {id: base, kind: per_currency, points: 10, per: 1, basis: pro_rata, exclude: [taxes]}
        - {id: elite, kind: tier_bonus, percent: {gold: 25, platinum: 50}}
"""

CLAIMS = (
    "Claim Ref,Member No,Guest Name,Hotel,Conf No,Arrival,Departure,Room Revenue,"
    "Taxes,Currency,Booked Via,Received\n"
    "SXC-105,SX1000004,Wei Zhang,SX-PER,PER99905,05/11/2026,09/11/2026,"
    '"5,000.00",500.00,AUD,Direct,12/11/2026\n'
    "SXC-106,SX9999999,Nobody Known,SX-PER,PER99906,05/11/2026,09/11/2026,"
    "100.00,10.00,AUD,Direct,12/11/2026\n"
)


def test_an_unknown_member_is_held_then_paid_once_the_list_names_them(
    tmp_path: Path,
) -> None:
    """SXC-106 under SX9999999, on no member list: before, `award` posted 0
    points as `not_enrolled` ("not enrolled on 2026-11-09"), settled, and the
    member list imported later paid nothing. Now it is held, named in the
    run's output and in `award explain`, and the next run pays (100.00 -
    10.00 taxes) x 10 = 900 points."""
    config = tmp_path / "sxh.yaml"
    config.write_text(SXH, encoding="utf-8")
    (tmp_path / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    (tmp_path / "members.csv").write_text(
        "Member No,First Name,Surname,Tier,Enrolled\n"
        "SX1000004,Wei,Zhang,,01/03/2021\n",
        encoding="utf-8",
    )
    (tmp_path / "late.csv").write_text(
        "Member No,First Name,Surname,Tier,Enrolled\n"
        "SX9999999,Nobody,Known,,01/01/2020\n",
        encoding="utf-8",
    )
    base = ("--client", str(config), "--db", str(tmp_path / "c.db"))
    assert run("participants", "import", str(tmp_path / "members.csv"), *base)[0] == 0
    assert run("ingest", str(tmp_path / "claims.csv"), *base)[0] == 0
    code, out, err = run("award", *base, "--json")
    found = json.loads(out)
    # SXC-105: (5,000.00 - 500.00) x 10 = 45,000; SXC-106 held, nothing posted
    assert (code, found["posted"], found["points"]) == (1, 1, 45_000), err
    assert found["earned_nothing"] == []
    (problem,) = found["problems"]
    assert problem["code"] == "unknown_participant"
    assert problem["message"] == (
        "participant SX9999999 is not on the member list: held until a member "
        "list names them; the next award run then pays the claim"
    )
    code, out, _ = run("award", *base)
    assert code == 1 and "(unknown_participant)" in out  # still held: said again
    code, out, _ = run("award", "explain", "SXC-106", *base)
    assert code == 0
    assert "(unknown_participant): participant SX9999999 is not on the member list" in out
    assert "not enrolled" not in out
    assert run("participants", "import", str(tmp_path / "late.csv"), *base)[0] == 0
    code, out, _ = run("award", *base, "--json")
    found = json.loads(out)
    assert (code, found["posted"], found["points"], found["problems"]) == (0, 1, 900, [])
    code, out, _ = run("award", "explain", "SXC-106", *base)
    assert "Claim SXC-106 (claims.csv:row 3): 900 points" in out
    code, out, _ = run("ledger", "balance", "SX9999999", *base, "--json")
    assert json.loads(out)["total"] == 900
    code, out, _ = run("award", *base, "--json")  # paid once
    assert (code, json.loads(out)["posted"]) == (0, 0)


def test_a_member_enrolled_after_the_stay_is_still_not_enrolled(tmp_path: Path) -> None:
    """A known member enrolled after the stay keeps `not_enrolled`, settled
    at 0: that is an answer, not a missing list."""
    config = tmp_path / "sxh.yaml"
    config.write_text(SXH, encoding="utf-8")
    (tmp_path / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    (tmp_path / "members.csv").write_text(
        "Member No,First Name,Surname,Tier,Enrolled\n"
        "SX1000004,Wei,Zhang,,01/03/2021\n"
        "SX9999999,Nobody,Known,,20/11/2026\n",
        encoding="utf-8",
    )
    base = ("--client", str(config), "--db", str(tmp_path / "c.db"))
    run("participants", "import", str(tmp_path / "members.csv"), *base)
    run("ingest", str(tmp_path / "claims.csv"), *base)
    code, out, _ = run("award", *base, "--json")
    found = json.loads(out)
    assert (code, found["posted"], found["points"], found["problems"]) == (1, 2, 45_000, [])
    assert found["earned_nothing"] == [
        {"claim": "SXC-106 (claims.csv:row 3)", "codes": ["not_enrolled"]}
    ]


PROGRAM = settings(
    """
activity_date: check_out
currency: AUD
rule_sets:
  - version: "2025"
    effective_from: 2025-01-01
    eligibility: {enrolled_before_activity: true}
    rules:
      - {id: base, kind: per_currency, points: 10, per: 1, basis: pro_rata}
"""
)


def _stay(n: int, who: str, dollars: int) -> StayClaim:
    return StayClaim(
        id=f"s{n}",
        client="sxh",
        participant_id=who,
        received_at=datetime(2026, 11, 12, tzinfo=UTC),
        provenance=Provenance(file="t.csv", row=n + 2),
        member_name="Guest",
        hotel_code="SX-PER",
        confirmation_number=f"PER{n:05d}",
        check_in=date(2026, 11, 5),
        check_out=date(2026, 11, 9),
        qualifying_revenue=Decimal(dollars),
        currency="AUD",
    )


@given(
    stays=st.lists(
        st.tuples(st.integers(0, 5), st.integers(1, 900)), min_size=1, max_size=12
    ),
    known=st.sets(st.integers(0, 5)),
)
def test_only_members_on_the_list_are_paid_and_the_rest_wait(
    stays: list[tuple[int, int]], known: set[int]
) -> None:
    """Whoever is on the list earns $ x 10; whoever is not is held, never
    settled: no award, one unknown_participant hold each; with everyone on
    the list, the held ones earn what they would have earned."""
    claims = [_stay(n, f"SX{who:07d}", dollars) for n, (who, dollars) in enumerate(stays)]
    people = {
        f"SX{who:07d}": Participant(
            id=f"SX{who:07d}",
            client="sxh",
            enrolled_on=date(2020, 1, 1),
            provenance=Provenance(file="members.csv"),
        )
        for who in range(6)
    }
    listed = {pid: p for pid, p in people.items() if int(pid[2:]) in known}
    awards, problems, _, held = compute_awards_and_holds(claims, PROGRAM, listed)
    paid = {a.claim_id: a.points for a in awards}
    waiting = {a.claim_id for a, _ in held}
    for n, (who, dollars) in enumerate(stays):
        if who in known:
            assert paid[f"s{n}"] == dollars * 10
        else:
            assert f"s{n}" in waiting and f"s{n}" not in paid
    assert [p.code for p in problems] == [ReasonCode.UNKNOWN_PARTICIPANT] * len(waiting)
    assert all(a.points == 0 for a, _ in held)
    later, _, _, _ = compute_awards_and_holds(
        [c for c in claims if c.id in waiting], PROGRAM, people
    )
    assert {a.claim_id: a.points for a in later} == {
        f"s{n}": dollars * 10 for n, (who, dollars) in enumerate(stays) if who not in known
    }
