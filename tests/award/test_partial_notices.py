"""A cap that cuts an award is explained to the participant, never a silent loss."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from claimflow import Store, ingest, load_client
from claimflow.award.run import award_claims, partial_award_notices
from tests.conftest import SAMPLES


def test_capped_award_gets_a_notice(tmp_path: Path) -> None:
    data = yaml.safe_load(
        (SAMPLES / "clients/acme-tools.yaml").read_text(encoding="utf-8")
    )
    data["award"]["rule_sets"][1]["caps"]["per_claim"] = 50
    config = tmp_path / "acme-capped.yaml"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    client = load_client(config)
    with Store.open(tmp_path / "c.db") as store:
        ingest([SAMPLES / "acme-tools/claims/october.csv"], client, store)
        result = award_claims(store, client, now=datetime(2026, 11, 5, tzinfo=UTC))
    [(claim, award)] = result.partial
    assert (claim.claim_ref, award.desired_points, award.points) == ("AC-1001", 60, 50)
    [notice] = partial_award_notices(result, client, date(2026, 11, 5))
    assert notice.participant_id == "104233"
    assert "  Accepted: we paid 50 of its 60 points.\n" in notice.text
    assert "  - 10 points not paid: limited to the maximum per claim\n" in notice.text
    assert "we read" not in notice.text
