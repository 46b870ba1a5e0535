"""One calendar day everywhere: received times count on their day at the desk.

A claim received at 23:30 in New York (-05:00) is already the next day at a
Paris desk (+01:00): its rate, rule-set version, promotion window and cap
period are those of the Paris day, and `award explain` says so. Expected
points are worked out by hand in each test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

import claimflow.award.run as run_module
from claimflow import Store, ingest, load_client
from claimflow.award import CapState, compute_award, compute_awards
from claimflow.award.engine import award_order
from claimflow.award.rules import AwardSettings
from claimflow.award.run import award_claims, explain
from claimflow.codes import ReasonCode
from claimflow.config import ClientConfig, ResolvedClient, resolve
from claimflow.models import Award, Provenance, StayClaim
from tests.conftest import SAMPLES

PARIS = ZoneInfo("Europe/Paris")
SRC = Provenance(file="t.csv", row=2)
#: 23:30 in New York on 1 March is 05:30 on 2 March in Paris.
LATE_IN_NEW_YORK = "2026-03-01T23:30:00-05:00"

HEAD = """\
client: paris-desk
name: Paris desk
kind: stay
date_order: DMY
currency: EUR
timezone: Europe/Paris
award:
  currency: EUR
  rates:
    - {from: USD, to: EUR, rate: "0.90", source: ECB, date: 2026-03-01}
    - {from: USD, to: EUR, rate: "0.95", source: ECB, date: 2026-03-02}
"""


def client(award: str) -> ResolvedClient:
    """The Paris desk with these lines added to its ``award`` section."""
    return resolve(ClientConfig.model_validate(yaml.safe_load(HEAD + award)))


def stay(
    received: str,
    revenue: str = "200",
    currency: str = "USD",
    cid: str = "c1",
) -> StayClaim:
    return StayClaim(
        id=cid,
        client="paris-desk",
        participant_id="M1",
        received_at=datetime.fromisoformat(received),
        provenance=SRC,
        hotel_code="PAR-01",
        check_in=date(2026, 2, 25),
        check_out=date(2026, 2, 27),
        qualifying_revenue=Decimal(revenue),
        currency=currency,
    )


def award_of(claim: StayClaim, settings: AwardSettings | None) -> Award:
    assert settings is not None
    award, problem = compute_award(claim, settings, None, CapState())
    assert problem is None and award is not None
    assert sum(line.points for line in award.lines) == award.points
    return award


def test_a_rate_by_the_day_of_receipt_is_the_paris_desks_day() -> None:
    paris = client(
        """\
  activity_date: check_out
  rate_date: received
  rule_sets:
    - version: v1
      effective_from: 2026-01-01
      rules:
        - {id: base, kind: per_currency, points: 10, basis: pro_rata}
"""
    )
    award = award_of(stay(LATE_IN_NEW_YORK), paris.config.award)
    # 2026-03-02 at the desk: USD 200 x 0.95 = EUR 190, x 10 points per euro.
    # (The New York day, 2026-03-01, would have taken 0.90: 1,800 points.)
    assert award.points == 1900
    assert award.activity_date == date(2026, 2, 27)  # check-out: a keyed date
    assert award.lines[0].conversion == "1 USD = 0.95 EUR (ECB, 2026-03-02)"
    assert award.day_note == (
        "rate 2026-03-02: the desk's day (Europe/Paris) of receipt at "
        "2026-03-01 23:30-05:00 (2026-03-02 05:30 at the desk)"
    )
    assert explain(award).splitlines()[:2] == [
        "Claim c1: 1,900 points under rules v1 (activity 2026-02-27, EUR).",
        "  Dates: rate 2026-03-02: the desk's day (Europe/Paris) of receipt at "
        "2026-03-01 23:30-05:00 (2026-03-02 05:30 at the desk).",
    ]


def test_activity_received_at_chooses_the_version_of_the_desks_day() -> None:
    paris = client(
        """\
  activity_date: received_at
  rule_sets:
    - version: v1
      effective_from: 2026-01-01
      effective_to: 2026-03-01
      rules:
        - {id: base, kind: per_currency, points: 10, basis: pro_rata}
    - version: v2
      effective_from: 2026-03-02
      rules:
        - {id: base, kind: per_currency, points: 12, basis: pro_rata}
"""
    )
    award = award_of(stay(LATE_IN_NEW_YORK), paris.config.award)
    # Activity 2026-03-02 at the desk: v2, and the rate of that day:
    # USD 200 x 0.95 = EUR 190, x 12 = 2,280 (v1 at 0.90 would be 1,800).
    assert (award.version, award.activity_date, award.points) == (
        "v2",
        date(2026, 3, 2),
        2280,
    )
    assert award.day_note is not None
    assert award.day_note.startswith("activity 2026-03-02: the desk's day")


def test_a_time_keyed_in_the_desks_offset_is_its_own_day() -> None:
    paris = client(
        """\
  activity_date: received_at
  rule_sets:
    - version: v1
      effective_from: 2026-01-01
      rules:
        - {id: base, kind: per_currency, points: 10, basis: pro_rata}
"""
    )
    award = award_of(stay("2026-03-01T23:30:00+01:00"), paris.config.award)
    # 2026-03-01 at the desk: USD 200 x 0.90 = EUR 180, x 10 = 1,800.
    assert (award.activity_date, award.points) == (date(2026, 3, 1), 1800)
    assert award.day_note == (
        "activity 2026-03-01: the day of receipt at the desk (Europe/Paris)"
    )


def test_a_keyed_activity_date_needs_no_note() -> None:
    paris = client(
        """\
  activity_date: check_out
  rule_sets:
    - version: v1
      effective_from: 2026-01-01
      rules:
        - {id: base, kind: per_currency, points: 10, basis: pro_rata}
"""
    )
    award = award_of(stay(LATE_IN_NEW_YORK, currency="EUR"), paris.config.award)
    assert (award.points, award.day_note) == (2000, None)
    assert "Dates:" not in explain(award)


def test_a_promotion_window_opens_on_the_desks_day() -> None:
    paris = client(
        """\
  activity_date: received_at
  rule_sets:
    - version: v1
      effective_from: 2026-01-01
      rules:
        - {id: base, kind: per_currency, points: 10, basis: pro_rata}
        - {id: march, kind: promotion, multiplier: 2,
           window: {from: 2026-03-02, to: 2026-03-31}}
"""
    )
    award = award_of(stay(LATE_IN_NEW_YORK, currency="EUR"), paris.config.award)
    # EUR 200 x 10 = 2,000 base, doubled from 2 March at the desk: 4,000.
    assert award.points == 4000
    before = award_of(
        stay("2026-03-01T23:30:00+01:00", currency="EUR"), paris.config.award
    )
    assert before.points == 2000  # 1 March at the desk: no promotion


def test_a_cap_period_is_the_desks_month() -> None:
    paris = client(
        """\
  activity_date: received_at
  rule_sets:
    - version: v1
      effective_from: 2026-01-01
      caps: {per_participant: {period: month, points: 1000}}
      rules:
        - {id: base, kind: per_currency, points: 10, basis: pro_rata}
"""
    )
    assert paris.config.award is not None
    # 20:00 on 31 March in New York (-04:00) is 02:00 on 1 April in Paris
    # (+02:00): both claims are April's. 800 + 500 desired, 1,000 a month.
    first = stay("2026-03-31T20:00:00-04:00", "80", "EUR", "a")
    second = stay("2026-04-01T10:00:00+02:00", "50", "EUR", "b")
    awards, problems, state = compute_awards([second, first], paris.config.award)
    assert problems == []
    assert [(a.claim_id, a.activity_date, a.points) for a in awards] == [
        ("a", date(2026, 4, 1), 800),
        ("b", date(2026, 4, 1), 200),
    ]
    assert state.period_used == {("M1", "2026-M04"): 1000}


def test_no_rate_for_the_desks_day_names_it() -> None:
    paris = client(
        """\
  activity_date: check_out
  rate_date: received
  rule_sets:
    - version: v1
      effective_from: 2026-01-01
      rules:
        - {id: base, kind: per_currency, points: 10, basis: pro_rata}
"""
    )
    assert paris.config.award is not None
    claim = stay("2026-02-28T23:30:00-05:00")  # 1 March at the desk
    settings = paris.config.award.model_copy(
        update={"rates": paris.config.award.rates[1:]}
    )
    award, problem = compute_award(claim, settings, None, CapState())
    assert award is None and problem is not None
    assert problem.code is ReasonCode.NO_CONVERSION_RATE
    assert problem.message == (
        "expected a USD->EUR rate on or before 2026-03-01 (the day of receipt "
        "at the desk), found none"
    )


def test_the_desks_zone_is_set_when_the_client_is_resolved() -> None:
    paris = client(
        """\
  activity_date: received_at
  rule_sets:
    - {version: v1, effective_from: 2026-01-01,
       rules: [{id: base, kind: per_claim, points: 5}]}
"""
    )
    assert paris.config.award is not None
    assert paris.config.award.zone == PARIS == paris.zone
    written = ClientConfig.model_validate(
        yaml.safe_load(
            HEAD + "  activity_date: received_at\n  rule_sets: [{version: v1, "
            "effective_from: 2026-01-01, rules: [{id: b, kind: per_claim, points: 5}]}]\n"
        )
    )
    assert written.award is not None and written.award.zone == UTC  # as written
    assert written.award.at_desk(PARIS).zone == PARIS
    assert written.award.zone == UTC  # at_desk is a copy
    assert "zone" not in written.award.model_dump()  # never written in a file


def test_award_order_is_by_the_desks_day() -> None:
    paris = client(
        """\
  activity_date: received_at
  rule_sets:
    - {version: v1, effective_from: 2026-01-01,
       rules: [{id: base, kind: per_claim, points: 5}]}
"""
    )
    assert paris.config.award is not None
    late = stay(LATE_IN_NEW_YORK, cid="late")  # 2 March at the desk
    # 08:00 on 2 March at Kiritimati (+14:00) is 19:00 on 1 March in Paris.
    early = stay("2026-03-02T08:00:00+14:00", cid="early")
    keys = [award_order(c, paris.config.award) for c in (late, early)]
    assert [k[0] for k in keys] == [date(2026, 3, 2), date(2026, 3, 1)]
    assert (
        sorted([late, early], key=lambda c: award_order(c, paris.config.award))[0].id
        == "early"
    )


ACME_CSV = (
    "Claim ID,Rep #,Dealer Code,Invoice No,Invoice Date,Product Code,Qty,"
    "Serial Numbers,Received,Invoice Attached\n"
    # keyed on 2 October, 3 October at the Paris desk
    "N1,104233,D-CHI-01,INV-00001,10/01/2026,DRL-200,1,DR00000010,"
    "2026-10-02T23:30:00-05:00,yes\n"
    # keyed on 3 October, 2 October at the Paris desk
    "K1,104233,D-CHI-01,INV-00002,10/01/2026,DRL-200,1,DR00000020,"
    "2026-10-03T08:00:00+14:00,yes\n"
    "P1,104233,D-CHI-01,INV-00003,10/01/2026,DRL-200,1,DR00000030,"
    "2026-10-02T12:00:00+02:00,yes\n"
)


def test_the_award_run_takes_claims_in_the_engines_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (SAMPLES / "clients/acme-tools.yaml").read_text(encoding="utf-8")
    changed = text.replace(
        "timezone: America/Chicago", "timezone: Europe/Paris"
    ).replace("activity_date: invoice_date", "activity_date: received_at")
    assert changed.count("Europe/Paris") == 1 and "received_at" in changed
    (tmp_path / "acme.yaml").write_text(changed, encoding="utf-8")
    acme = load_client(tmp_path / "acme.yaml")
    (tmp_path / "claims.csv").write_text(ACME_CSV, encoding="utf-8")
    with Store.open(tmp_path / "c.db") as store:
        ingest([tmp_path / "claims.csv"], acme, store, operator="t")
        # One claim a chunk: the run's order is the SQL's, not the engine's sort.
        monkeypatch.setattr(run_module, "CHUNK", 1)
        result = award_claims(
            store, acme, preview=True, now=datetime(2026, 11, 1, tzinfo=UTC)
        )
    rows = [a.claim_id.rsplit("-", 1)[-1] for a in result.awards]
    dates = [a.activity_date for a in result.awards]
    # P1 (row 4) and K1 (row 3) on 2 October at the desk, then N1 (row 2) on
    # 3 October; by the keyed day it was P1, N1, K1.
    assert rows == ["r4", "r3", "r2"]
    assert dates == [date(2026, 10, 2), date(2026, 10, 2), date(2026, 10, 3)]
    assert result.awards[-1].day_note is not None
    assert "2026-10-02 23:30-05:00" in result.awards[-1].day_note
