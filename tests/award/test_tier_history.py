"""The tier held on the activity date, and the enrolment grace as configured."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from claimflow import ConfigError, load_client
from claimflow.award import AwardSettings, CapState, compute_award
from claimflow.models import Participant, ParticipantFacts, Provenance, StayClaim

SRC = Provenance(file="t.csv", row=2)
TIERS = ["silver", "gold", "platinum", None]
# A distinct percentage per tier, so the bonus line tells which tier paid.
PROGRAM = AwardSettings.model_validate(
    yaml.safe_load(
        """
activity_date: check_out
currency: USD
rule_sets:
  - version: v1
    effective_from: 2020-01-01
    rules:
      - {id: base, kind: per_currency, points: 10, basis: pro_rata}
      - {id: elite, kind: tier_bonus, percent: {silver: 10, gold: 25, platinum: 50}}
"""
    )
)
PERCENT = {
    "silver": Decimal("0.10"),
    "gold": Decimal("0.25"),
    "platinum": Decimal("0.5"),
}


def _stay(out: date) -> StayClaim:
    return StayClaim(
        id="s1",
        client="x",
        participant_id="M1",
        received_at=datetime(2031, 1, 1, tzinfo=UTC),
        provenance=SRC,
        hotel_code="H1",
        check_in=out,
        check_out=out,
        qualifying_revenue=Decimal(100),
    )


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(
    facts=st.lists(st.tuples(days, st.sampled_from(TIERS)), max_size=6),
    current=st.sampled_from(TIERS),
    stay_on=days,
)
def test_the_tier_paid_is_the_latest_fact_in_effect_on_the_activity_date(
    facts: list[tuple[date, str | None]], current: str | None, stay_on: date
) -> None:
    who = Participant(
        id="M1",
        client="x",
        tier=current,
        history=tuple(ParticipantFacts(effective_from=d, tier=t) for d, t in facts),
        provenance=SRC,
    )
    # By hand: the last fact (in the order recorded) among the latest day
    # on or before the stay; no facts at all: the current tier; none in
    # effect yet: no tier.
    in_effect = [(d, n, t) for n, (d, t) in enumerate(facts) if d <= stay_on]
    if not facts:
        expected = current
    else:
        expected = max(in_effect)[2] if in_effect else None
    assert who.on(stay_on).tier == expected
    award, _ = compute_award(_stay(stay_on), PROGRAM, who, CapState())
    assert award is not None
    bonus = [line for line in award.lines if line.rule_id == "elite"]
    if expected is None:  # said at 0 points, never dropped unsaid
        (line,) = bonus
        assert (line.points, line.note) == (
            0,
            f"no tier on {stay_on} on the member list: no tier bonus",
        )
    else:
        (line,) = bonus
        assert line.multiplier == PERCENT[expected]
        assert line.note.startswith(f"{expected} on {stay_on}: ")


def test_without_history_the_record_holds_on_every_day() -> None:
    who = Participant(
        id="M1", client="x", tier="gold", enrolled_on=date(2024, 1, 5), provenance=SRC
    )
    held = who.on(date(1999, 1, 1))
    assert (held.tier, held.enrolled_on, held.effective_from) == (
        "gold",
        date(2024, 1, 5),
        date.min,
    )


HEAD = """\
client: demo-1
name: Demo
kind: stay
date_order: MDY
award:
  activity_date: check_out
  currency: USD
  rule_sets:
    - version: v1
      effective_from: 2026-01-01
      rules:
        - {id: base, kind: per_currency, points: 10, basis: pro_rata}
      eligibility:
"""
WHERE = "award.rule_sets[0].eligibility"


@pytest.mark.parametrize(
    ("eligibility", "message"),
    [
        (
            "{enrolled_before_activity: true, enrolment_grace_days: {before: -1}}",
            f"{WHERE}.enrolment_grace_days.before: Input should be greater than or "
            "equal to 0",
        ),
        (
            "{enrolled_before_activity: true, enrolment_grace_days: {before: '30'}}",
            f"{WHERE}.enrolment_grace_days.before: Input should be a valid integer",
        ),
        (
            "{enrolled_before_activity: true, enrolment_grace_days: {before: 2.5}}",
            f"{WHERE}.enrolment_grace_days.before: Input should be a valid integer",
        ),
        (
            "{enrolled_before_activity: true, enrolment_grace_days: {after: 5}}",
            f"{WHERE}.enrolment_grace_days.after: unknown key (check the spelling)",
        ),
        (
            "{enrolment_grace_days: {before: 30}}",
            f"{WHERE}: enrolment_grace_days applies to enrolled_before_activity, "
            "which is false: set it to true or remove the grace",
        ),
    ],
    ids=["negative", "text", "fraction", "unknown-key", "without-enrolment"],
)
def test_a_bad_enrolment_grace_is_refused_with_its_key_path(
    write: Callable[..., Path], eligibility: str, message: str
) -> None:
    path = write("demo.yaml", HEAD + f"        {eligibility}\n")
    with pytest.raises(ConfigError) as caught:
        load_client(path)
    assert str(caught.value).startswith(f"{path}: award.")
    assert message in str(caught.value)


def test_a_valid_grace_loads() -> None:
    text = (
        HEAD
        + "        {enrolled_before_activity: true, enrolment_grace_days: {before: 30}}\n"
    )
    settings = AwardSettings.model_validate(yaml.safe_load(text)["award"])
    (rules,) = settings.rule_sets
    assert rules.eligibility.enrolment_grace_days.before == 30
