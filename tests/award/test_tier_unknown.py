"""A tier bonus for a member the member list does not name, or names
without a tier: never paid blind, never dropped unsaid.

Before: with a ``tier_bonus`` rule and no enrolment check, SXC-106 under
SX9999999 (on no member list) was paid its base, (100.00 - 10.00) x 10 =
900 points, posted and settled, and ``award explain`` had one line: had
the member been Gold, the 25% bonus (225) was lost for good without a
word. A listed member with no tier got no line about the bonus either.
Now the unlisted member's award is held (``unknown_participant``, nothing
posted) with a line saying why, and the run after the member list names
them pays 900 + 225 = 1,125; a listed member without a bonus tier gets a
line of 0 points saying so.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from claimflow.award.engine import compute_awards_and_holds
from claimflow.codes import ReasonCode
from claimflow.models import Participant, Provenance
from tests.award.programs import settings
from tests.award.test_unknown_participant import CLAIMS, SXH, _stay
from tests.test_cli import run

#: The desk without an enrolment check: only the tier bonus needs the list
#: (its tiers ranked, Silver among them, which earns no bonus).
NO_ENROLMENT_CHECK = SXH.replace(
    "      eligibility: {enrolled_before_activity: true}\n", ""
) + "accounts:\n  point_value: '0.01'\n  tiers: [silver, gold, platinum]\n"
HEADER = "Member No,First Name,Surname,Tier,Enrolled\n"


def _desk(tmp_path: Path, members: str) -> tuple[str, ...]:
    config = tmp_path / "sxh.yaml"
    config.write_text(NO_ENROLMENT_CHECK, encoding="utf-8")
    (tmp_path / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    (tmp_path / "members.csv").write_text(HEADER + members, encoding="utf-8")
    base = ("--client", str(config), "--db", str(tmp_path / "c.db"))
    assert run("participants", "import", str(tmp_path / "members.csv"), *base)[0] == 0
    assert run("ingest", str(tmp_path / "claims.csv"), *base)[0] == 0
    return base


def test_an_unlisted_members_tier_bonus_holds_the_award_until_the_list_names_them(
    tmp_path: Path,
) -> None:
    assert "enrolled_before_activity" not in NO_ENROLMENT_CHECK
    base = _desk(tmp_path, "SX1000004,Wei,Zhang,,01/03/2021\n")
    code, out, err = run("award", *base, "--json")
    found = json.loads(out)
    # SXC-105: (5,000.00 - 500.00) x 10 = 45,000 posted; SXC-106 held
    assert (code, found["posted"], found["points"]) == (1, 1, 45_000), err
    (problem,) = found["problems"]
    assert problem["code"] == "unknown_participant"
    code, out, _ = run("award", "explain", "SXC-106", *base)
    assert code == 0
    assert (
        "elite: participant SX9999999 is not on the member list: no tier to pay "
        "this tier bonus by -> +0 points (unknown_participant)"
    ) in out
    code, out, _ = run("ledger", "balance", "SX9999999", *base, "--json")
    assert code == 2  # on neither the member list nor the ledger: nothing paid
    (tmp_path / "late.csv").write_text(
        HEADER + "SX9999999,Nobody,Known,Gold,01/01/2020\n", encoding="utf-8"
    )
    assert run("participants", "import", str(tmp_path / "late.csv"), *base)[0] == 0
    code, out, _ = run("award", *base, "--json")
    found = json.loads(out)
    # 900 base + 25% of 900 = 225: 1,125
    assert (code, found["posted"], found["points"], found["problems"]) == (0, 1, 1_125, [])
    code, out, _ = run("award", "explain", "SXC-106", *base)
    assert "elite: Gold on 2026-11-09: 25% of 900 base points -> +225 points" in out
    assert "Total: 1,125 points." in out


def test_a_listed_member_without_a_bonus_tier_is_told_so_at_zero_points(
    tmp_path: Path,
) -> None:
    """SX1000004 with no tier, SX9999999 Silver (the rule pays gold and
    platinum): the base only, 45,000 and 900, each with a line saying why
    the bonus is 0."""
    base = _desk(
        tmp_path,
        "SX1000004,Wei,Zhang,,01/03/2021\nSX9999999,Nobody,Known,silver,01/01/2020\n",
    )
    code, out, _ = run("award", *base, "--json")
    found = json.loads(out)
    assert (code, found["posted"], found["points"], found["problems"]) == (0, 2, 45_900, [])
    _, out, _ = run("award", "explain", "SXC-105", *base)
    assert "elite: no tier on 2026-11-09 on the member list: no tier bonus -> +0" in out
    _, out, _ = run("award", "explain", "SXC-106", *base)
    assert "elite: silver on 2026-11-09: no tier bonus for silver -> +0" in out


#: A promotion only Gold members earn: its scope names a tier.
GOLD_DOUBLE = settings(
    """
activity_date: check_out
currency: AUD
rule_sets:
  - version: "2025"
    effective_from: 2025-01-01
    rules:
      - {id: base, kind: per_currency, points: 10, per: 1, basis: pro_rata}
      - id: gold-double
        kind: promotion
        multiplier: 2
        window: {from: 2026-11-01, to: 2026-11-30}
        scope: {segments: [gold]}
"""
)


def test_a_rule_scoped_to_tiers_holds_an_unlisted_members_award() -> None:
    """$500 x 10 = 5,000, doubled for Gold to 10,000: unlisted, neither is
    knowable, so the award is held, not paid 5,000; listed Gold, 10,000;
    listed without a tier, 5,000."""
    stay = _stay(0, "SX0000001", 500)
    _, problems, _, held = compute_awards_and_holds([stay], GOLD_DOUBLE, {})
    assert [p.code for p in problems] == [ReasonCode.UNKNOWN_PARTICIPANT]
    ((award, _),) = held
    assert [ln.note for ln in award.lines if ln.code is ReasonCode.UNKNOWN_PARTICIPANT] == [
        "participant SX0000001 is not on the member list: no tier to scope gold-double by"
    ]
    for tier, points in (("gold", 10_000), (None, 5_000)):
        who = Participant(
            id="SX0000001", client="sxh", tier=tier, provenance=Provenance(file="m.csv")
        )
        awards, problems, _, _ = compute_awards_and_holds(
            [stay], GOLD_DOUBLE, {"SX0000001": who}
        )
        assert (problems, [a.points for a in awards]) == ([], [points])


TIERED = settings(
    """
activity_date: check_out
currency: AUD
rounding_mode: floor
rule_sets:
  - version: "2025"
    effective_from: 2025-01-01
    rules:
      - {id: base, kind: per_currency, points: 10, per: 1, basis: pro_rata}
      - {id: elite, kind: tier_bonus, percent: {gold: 25, platinum: 50}}
"""
)


@given(
    stays=st.lists(
        st.tuples(st.integers(0, 5), st.integers(1, 900)), min_size=1, max_size=12
    ),
    tiers=st.dictionaries(
        st.integers(0, 5), st.sampled_from([None, "gold", "platinum"]), max_size=6
    ),
)
def test_listed_members_earn_their_tiers_bonus_and_the_rest_wait(
    stays: list[tuple[int, int]], tiers: dict[int, str | None]
) -> None:
    """$d x 10 base, plus 25% (gold) or 50% (platinum) of it, floored: by
    hand, d x 10 x (100 + percent) // 100. A member not on the list is held
    (never paid the base alone), each with one unknown_participant problem,
    and paid in full once listed."""
    percent = {None: 0, "gold": 25, "platinum": 50}
    claims = [_stay(n, f"SX{who:07d}", dollars) for n, (who, dollars) in enumerate(stays)]

    def person(who: int) -> Participant:
        return Participant(
            id=f"SX{who:07d}", client="sxh", tier=tiers.get(who),
            provenance=Provenance(file="members.csv"),
        )  # fmt: skip

    listed = {f"SX{who:07d}": person(who) for who in tiers}
    awards, problems, _, held = compute_awards_and_holds(claims, TIERED, listed)
    paid = {a.claim_id: a.points for a in awards}
    waiting = {a.claim_id for a, _ in held}
    for n, (who, dollars) in enumerate(stays):
        if who in tiers:
            assert paid[f"s{n}"] == dollars * 10 * (100 + percent[tiers[who]]) // 100
        else:
            assert f"s{n}" in waiting and f"s{n}" not in paid
    assert [p.code for p in problems] == [ReasonCode.UNKNOWN_PARTICIPANT] * len(waiting)
    everyone = {f"SX{who:07d}": person(who) for who in range(6)}  # no tier: base
    later, problems, _, _ = compute_awards_and_holds(
        [c for c in claims if c.id in waiting], TIERED, everyone
    )
    assert problems == []
    assert {a.claim_id: a.points for a in later} == {
        f"s{n}": dollars * 10 * (100 + percent[tiers.get(who)]) // 100
        for n, (who, dollars) in enumerate(stays)
        if who not in tiers
    }
