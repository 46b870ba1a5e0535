"""Tiers over what a program counts, funds per promotion, caps on promotion
points, and the reporting threshold: each program below is written in the
README's config format, and every expected figure is worked out by hand in
the test, not taken from claimflow.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from claimflow.award import CapState, compute_awards
from claimflow.award.rules import AwardSettings
from claimflow.codes import ReasonCode
from claimflow.models import Award, Participant
from tests.award.test_engine import SRC, sale

TIERS = """
activity_date: invoice_date
currency: USD
products:
  TV-55: {{group: tv}}
  TV-65: {{group: tv}}
rule_sets:
  - version: tv-2026
    effective_from: 2026-01-01
    rules:
      - id: tv
        kind: quantity_tiers
        mode: {mode}
        count: {count}
        {period}
        scope: {{groups: [tv]}}
        tiers: [{{from: 1, points: 10}}, {{from: 10, points: 15}}]
"""


def program(text: str, **fill: str) -> AwardSettings:
    return AwardSettings.model_validate(yaml.safe_load(text.format(**fill)))


def tiers(mode: str, count: str, period: str | None = None) -> AwardSettings:
    return program(
        TIERS,
        mode=mode,
        count=count,
        period=f"period: {period}" if period else "",
    )


def run(claims: list, settings: AwardSettings, **people: Participant) -> list[Award]:  # type: ignore[type-arg]
    awards, problems, _ = compute_awards(claims, settings, people)
    assert problems == []
    for award in awards:
        assert sum(line.points for line in award.lines) == award.points
    return awards


# --- quantity tiers over a line, a claim, a participant's period ----------------


@pytest.mark.parametrize(
    ("mode", "count", "expected"),
    [
        # Lines of 6 and 5 units. Per line neither reaches 10: 6*10 + 5*10.
        ("whole", "line", 6 * 10 + 5 * 10),
        ("marginal", "line", 6 * 10 + 5 * 10),
        # Per claim, 11 units reach the 10+ tier: all at 15, or units 1-9 at
        # 10 and units 10-11 at 15.
        ("whole", "claim", 11 * 15),
        ("marginal", "claim", 9 * 10 + 2 * 15),
    ],
)
def test_tiers_count_a_line_or_the_whole_claim(
    mode: str, count: str, expected: int
) -> None:
    claim = sale("c1", date(2026, 10, 5), ("TV-55", 6), ("TV-65", 5))
    (award,) = run([claim], tiers(mode, count))
    assert award.points == expected


def test_a_model_keyed_on_two_lines_of_one_invoice_counts_as_one_sale() -> None:
    claim = sale("c1", date(2026, 10, 5), ("TV-55", 6), ("TV-55", 4))
    (award,) = run([claim], tiers("whole", "claim"))
    assert award.points == 10 * 15  # 10 units reach the 10+ tier


def test_tiers_count_the_participants_units_in_the_period() -> None:
    claims = [
        sale("c1", date(2026, 10, 5), ("TV-55", 8)),
        sale("c2", date(2026, 11, 1), ("TV-55", 4)),
        sale("c3", date(2027, 1, 4), ("TV-55", 3)),  # a new quarter starts again
        sale("c4", date(2026, 11, 2), ("TV-55", 5), who="R2"),  # another rep
    ]
    marginal = {
        a.claim_id: a.points
        for a in run(claims, tiers("marginal", "participant", "quarter"))
    }
    # c2 holds units 9-12 of R1's quarter: unit 9 at 10, units 10-12 at 15.
    assert marginal == {"c1": 80, "c2": 10 + 3 * 15, "c3": 30, "c4": 50}
    whole = {
        a.claim_id: a.points
        for a in run(claims, tiers("whole", "participant", "quarter"))
    }
    # c2 brings the quarter to 12 units: its 4 units at 15; c1 is not re-priced.
    assert whole == {"c1": 80, "c2": 4 * 15, "c3": 30, "c4": 50}
    explained = next(
        a
        for a in run(claims, tiers("marginal", "participant", "quarter"))
        if a.claim_id == "c2"
    )
    assert "8 earlier + 4 on this claim in 2026-Q4" in explained.lines[0].note


def test_participant_tiers_need_a_period() -> None:
    with pytest.raises(ValueError, match="period is required by count: participant"):
        tiers("whole", "participant")


@hsettings(max_examples=60, deadline=None)
@given(
    quantities=st.lists(st.integers(1, 14), min_size=1, max_size=6),
    mode=st.sampled_from(["whole", "marginal"]),
)
def test_participant_tiers_agree_with_a_unit_by_unit_count(
    quantities: list[int], mode: str
) -> None:
    """Oracle: number every unit of the rep's quarter 1, 2, 3 ... by hand."""
    claims = [
        sale(f"c{n}", date(2026, 10, 1) + timedelta(days=n), ("TV-55", q))
        for n, q in enumerate(quantities)
    ]
    awards = run(claims, tiers(mode, "participant", "quarter"))
    position = 0
    for award, quantity in zip(awards, quantities, strict=True):
        if mode == "marginal":
            expected = sum(
                10 if unit < 10 else 15
                for unit in range(position + 1, position + quantity + 1)
            )
        else:
            expected = quantity * (10 if position + quantity < 10 else 15)
        position += quantity
        assert award.points == expected


# --- funds: the program's, a rule set's, a promotion's own ----------------------

FUNDS = """
activity_date: invoice_date
currency: USD
products:
  TV-55: {{group: tv}}
rule_sets:
  - version: main-2026
    effective_from: 2026-01-01
    caps: {caps}
    rules:
      - {{id: tv, kind: per_unit, points: 100, scope: {{groups: [tv]}}}}
      - id: holiday
        kind: promotion
        bonus: 50
        window: {{from: 2026-12-01, to: 2026-12-31}}
        {fund}
"""


def test_a_promotion_with_its_own_fund_pays_after_the_main_fund_is_spent() -> None:
    """Reported: a holiday promotion with its own fund paid 0 once the
    year's main fund had been used."""
    settings = program(
        FUNDS,
        caps="{budget: {points: 300, scope: rule_set, period: year}}",
        fund="fund: {points: 120}",
    )
    claims = [sale(f"c{n}", date(2026, 12, 1 + n), ("TV-55", 2)) for n in range(4)]
    awards = {a.claim_id: a.points for a in run(claims, settings)}
    # Main fund 300: c0 takes 200, c1 100 (cut from 200), c2 and c3 nothing.
    # Holiday fund 120: c0 50, c1 50, c2 20 (cut from 50), c3 nothing.
    assert awards == {"c0": 250, "c1": 150, "c2": 20, "c3": 0}


def test_a_promotion_without_a_fund_comes_out_of_the_main_fund() -> None:
    settings = program(FUNDS, caps="{budget: 300}", fund="")
    claims = [sale(f"c{n}", date(2026, 12, 1 + n), ("TV-55", 2)) for n in range(3)]
    awards = {a.claim_id: a.points for a in run(claims, settings)}
    assert awards == {"c0": 250, "c1": 50, "c2": 0}  # 250 + 50 = the 300 budget


def test_a_rule_set_fund_renews_each_period() -> None:
    settings = program(
        FUNDS, caps="{budget: {points: 300, scope: rule_set, period: month}}", fund=""
    )
    claims = [
        sale("oct1", date(2026, 10, 1), ("TV-55", 2)),
        sale("oct2", date(2026, 10, 2), ("TV-55", 2)),
        sale("nov1", date(2026, 11, 1), ("TV-55", 2)),
    ]
    awards = {a.claim_id: a for a in run(claims, settings)}
    assert {k: a.points for k, a in awards.items()} == {
        "oct1": 200,
        "oct2": 100,
        "nov1": 200,
    }
    (cut,) = [ln for ln in awards["oct2"].lines if ln.code is ReasonCode.CAP_BUDGET]
    assert (
        "rule set main-2026's fund of 300, 2026-M10 (200 already awarded)" in cut.note
    )


def test_a_cap_on_promotion_points_alone() -> None:
    settings = program(
        FUNDS.replace("bonus: 50", "multiplier: 2"),
        caps="{promotions: {per_claim: 150, per_participant: {period: quarter, points: 250}}}",
        fund="",
    )
    claims = [sale(f"c{n}", date(2026, 12, 1 + n), ("TV-55", 2)) for n in range(3)]
    awards = {a.claim_id: a.points for a in run(claims, settings)}
    # Base 200 each; double points add 200, capped at 150 per claim and at
    # 250 promotion points per quarter: 150, 100, 0. Base is never cut.
    assert awards == {"c0": 350, "c1": 300, "c2": 200}


def test_funds_and_caps_carry_across_runs_through_the_state() -> None:
    settings = program(
        FUNDS,
        caps="{budget: {points: 300, scope: rule_set, period: year}}",
        fund="fund: {points: 120}",
    )
    claims = [sale(f"c{n}", date(2026, 12, 1 + n), ("TV-55", 2)) for n in range(4)]
    state = CapState()
    paid = []
    for claim in claims:  # one award run per claim
        awards, _, state = compute_awards([claim], settings, {}, state)
        paid.append(awards[0].points)
    assert paid == [250, 150, 20, 0]
    # A reversal gives back exactly what its award took.
    first, _, _ = compute_awards(claims[:1], settings)
    back = state.charged(first[0], settings, -1)
    assert back.counts["fund:set:main-2026:2026"] == 300 - 200
    assert back.counts["fund:promotion:holiday:ever"] == 120 - 50


# --- the reporting threshold ------------------------------------------------------

SPIFF = """
activity_date: invoice_date
currency: USD
products:
  TV-55: {group: tv}
reporting_threshold: {amount: 600, point_value: 0.01}
rule_sets:
  - version: spiff-2026
    effective_from: 2026-01-01
    rules:
      - {id: tv, kind: per_unit, points: 25000, scope: {groups: [tv]}}
"""


def test_an_award_reaching_the_threshold_is_held_until_a_tax_form_is_on_file() -> None:
    settings = AwardSettings.model_validate(yaml.safe_load(SPIFF))
    claims = [
        sale("c1", date(2026, 3, 1), ("TV-55", 1)),  # 25,000 points = $250
        sale("c2", date(2026, 4, 1), ("TV-55", 1)),  # $500 so far
        sale("c3", date(2026, 5, 1), ("TV-55", 1)),  # $750: reaches $600
        sale("c4", date(2027, 1, 5), ("TV-55", 1)),  # a new year: $250
    ]
    rep = Participant(id="R1", client="x", provenance=SRC)
    awards, problems, _ = compute_awards(claims, settings, {"R1": rep})
    assert [a.claim_id for a in awards] == ["c1", "c2", "c4"]
    (held,) = problems
    assert held.record_id == "c3" and held.code is ReasonCode.TAX_FORM_REQUIRED
    # money as en_US writes it
    assert "payments to $750.00 (threshold $600.00)" in held.message
    with_form = rep.model_copy(update={"tax_form_on": date(2026, 6, 1)})
    awards, problems, _ = compute_awards(claims, settings, {"R1": with_form})
    assert problems == [] and len(awards) == 4


def test_the_threshold_is_held_in_an_award_run_and_paid_once_the_form_arrives(
    tmp_path: Path,
) -> None:
    from claimflow import Store
    from claimflow.award.run import award_claims
    from claimflow.config import load_client
    from tests.conftest import SAMPLES

    # A threshold of one cent: every award reaches it.
    text = (SAMPLES / "clients/acme-tools.yaml").read_text(encoding="utf-8")
    spiff = text.replace(
        "award:\n",
        "award:\n  reporting_threshold: {amount: 0.01, point_value: 0.01}\n",
        1,
    )
    assert spiff != text
    (tmp_path / "acme.yaml").write_text(spiff, encoding="utf-8")
    client = load_client(tmp_path / "acme.yaml")
    from claimflow import ingest
    from claimflow.parse.participants import read_participants

    now = datetime(2026, 11, 20, tzinfo=UTC)
    with Store.open(tmp_path / "c.db") as store:
        ingest(
            [SAMPLES / "acme-tools/claims/october.csv"], client, store, processed_at=now
        )
        people = list(
            read_participants(SAMPLES / "acme-tools/participants.csv", client.key)
        )
        with store.transaction():
            store.upsert_participants(people)
        first = award_claims(store, client, now=now)
        assert first.posted == 0 and first.problems
        assert {p.code for p in first.problems} == {ReasonCode.TAX_FORM_REQUIRED}
        held = first.problems[0].record_id
        assert held is not None and store.latest_hold(held) is not None
        story = store.claim_story(held)["holds"]
        assert [h["code"] for h in story] == ["tax_form_required"]
        from tests.test_cli import run as cli

        code, out, err = cli(
            "award", "explain", held, "--db", str(tmp_path / "c.db"),
            "--client", str(SAMPLES / "clients/acme-tools.yaml"),
        )  # fmt: skip
        assert code == 0, err
        # the run's instant (2026-11-20 00:00 UTC) as the Chicago desk reads it
        assert out.startswith(
            "Held by the award run of 2026-11-19 18:00 CST (tax_form_required):"
        )
        with store.transaction():
            store.upsert_participants(
                [
                    p.model_copy(update={"tax_form_on": date(2026, 11, 21)})
                    for p in people
                ]
            )
        second = award_claims(store, client, now=now + timedelta(days=1))
        assert second.posted == len(first.problems) and not second.problems
        assert store.latest_hold(held) is None  # paid since


# --- nights of stays as the counted unit --------------------------------------------

NIGHTS = """
activity_date: check_out
currency: USD
rule_sets:
  - version: nights-2026
    effective_from: 2026-01-01
    rules:
      - {id: per-night, kind: per_unit, unit: nights, points: 500}
      - id: nights-ladder
        kind: quantity_tiers
        unit: nights
        mode: marginal
        count: participant
        period: year
        tiers: [{from: 1, points: 100}, {from: 10, points: 150}]
"""


def test_nights_of_stays_are_a_counted_unit() -> None:
    from tests.award.test_engine import stay

    settings = AwardSettings.model_validate(yaml.safe_load(NIGHTS))
    first = stay("H1", "300", out=date(2026, 9, 7)).model_copy(update={"id": "s1"})
    second = stay("H1", "300").model_copy(
        update={
            "id": "s2",
            "check_in": date(2026, 10, 1),
            "check_out": date(2026, 10, 6),
        }
    )
    awards = {a.claim_id: a for a in run([first, second], settings)}
    # s1: 1 Sep - 7 Sep = 6 nights: 6 x 500 + nights 1-6 of the year at 100.
    assert awards["s1"].points == 6 * 500 + 6 * 100
    # s2: 1 Oct - 6 Oct = 5 nights: 5 x 500 + nights 7-9 at 100, 10-11 at 150.
    assert awards["s2"].points == 5 * 500 + 3 * 100 + 2 * 150
    assert "5 nights at 500 points each" in awards["s2"].lines[0].note


def test_a_one_night_stay_is_said_in_the_singular() -> None:
    """Trial 20 (plural agreement): a 1-night stay's line said '1 nights'."""
    from tests.award.test_engine import stay

    settings = AwardSettings.model_validate(yaml.safe_load(NIGHTS))
    one = stay("H1", "300").model_copy(
        update={"id": "s1", "check_in": date(2026, 10, 5), "check_out": date(2026, 10, 6)}
    )
    [award] = run([one], settings)
    assert award.lines[0].note.endswith(": 1 night at 500 points each")


def test_nights_are_refused_for_a_sales_client(tmp_path: Path) -> None:
    from claimflow.config import load_client
    from claimflow.errors import ConfigError
    from tests.conftest import SAMPLES

    text = (SAMPLES / "clients/acme-tools.yaml").read_text(encoding="utf-8")
    bad = text.replace(
        "- {id: drill, kind: per_unit, points: 25,",
        "- {id: drill, kind: per_unit, unit: nights, points: 25,",
        1,
    )
    assert bad != text
    (tmp_path / "acme.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unit: nights counts nights of stays"):
        load_client(tmp_path / "acme.yaml")


def test_a_cap_on_promotion_points_is_charged_to_the_promotions_fund() -> None:
    """Found in a new-user trial: a promotion cut to the per-claim cap was
    still charged in full to its own fund (and left out of the main fund),
    so later claims got too little from the promotion and too much base."""
    settings = program(
        FUNDS.replace("bonus: 50", "multiplier: 2").replace(
            "2026-12-01, to: 2026-12-31", "2026-10-01, to: 2026-12-31"
        ),
        caps="{budget: {points: 1000, scope: rule_set, period: quarter}, "
        "promotions: {per_claim: 120, per_participant: {period: quarter, points: 200}}}",
        fund="fund: {points: 420, period: quarter}",
    )
    claims = [
        sale("c1", date(2026, 10, 1), ("TV-55", 3)),  # base 300, promotion 300
        sale("c2", date(2026, 10, 2), ("TV-55", 2)),  # base 200, promotion 200
        sale("c3", date(2026, 10, 3), ("TV-55", 3), who="R2"),
        sale("c4", date(2026, 10, 4), ("TV-55", 3), who="R3"),
    ]
    awards, _, state = compute_awards(claims, settings)
    got = {a.claim_id: a.points for a in awards}
    # c1: promotion 300 -> 120 (per claim). c2: R1 has 200 - 120 = 80 left.
    # c3: 120 (per claim); the promotion's fund has 420 - 200 = 220 left.
    # c4: the promotion's fund has 420 - 320 = 100 left, and the main fund
    # (base points only) 1000 - (300 + 200 + 300) = 200 of c4's 300 base.
    assert got == {"c1": 300 + 120, "c2": 200 + 80, "c3": 300 + 120, "c4": 200 + 100}
    assert state.counts["fund:promotion:holiday:2026-Q4"] == 120 + 80 + 120 + 100
    assert state.counts["fund:set:main-2026:2026-Q4"] == 300 + 200 + 300 + 200


def test_a_held_award_keeps_its_points_reserved() -> None:
    """Found in a new-user trial: points held for a tax form were taken by a
    later claim, and the held award was paid 0 once the form arrived."""
    settings = AwardSettings.model_validate(
        yaml.safe_load(
            SPIFF.replace("    rules:", "    caps: {budget: 60000}\n    rules:", 1)
        )
    )
    claims = [
        sale("c1", date(2026, 3, 1), ("TV-55", 1)),  # 25,000 = $250
        sale("c2", date(2026, 4, 1), ("TV-55", 1)),  # $500
        sale("c3", date(2026, 5, 1), ("TV-55", 1)),  # budget left 10,000: $600, held
        sale("c4", date(2026, 6, 1), ("TV-55", 1), who="R2"),  # budget spent
    ]
    rep = Participant(id="R1", client="x", provenance=SRC)
    other = Participant(
        id="R2", client="x", provenance=SRC, tax_form_on=date(2026, 1, 2)
    )
    awards, problems, state = compute_awards(claims, settings, {"R1": rep, "R2": other})
    assert {a.claim_id: a.points for a in awards} == {"c1": 25000, "c2": 25000, "c4": 0}
    assert [p.record_id for p in problems] == ["c3"]
    assert state.budget_used == 60000  # c3's 10,000 are owed
    with_form = rep.model_copy(update={"tax_form_on": date(2026, 6, 2)})
    awards, problems, _ = compute_awards(
        claims, settings, {"R1": with_form, "R2": other}
    )
    assert {a.claim_id: a.points for a in awards} == {
        "c1": 25000, "c2": 25000, "c3": 10000, "c4": 0
    }  # fmt: skip
