"""The public API: one calling convention, clients by object, file or key."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import claimflow
from tests.conftest import SAMPLES

ACME = SAMPLES / "clients/acme-tools.yaml"
COSTA = SAMPLES / "clients/costa-azul.yaml"


def test_a_client_by_object_file_or_key(monkeypatch: pytest.MonkeyPatch) -> None:
    client = claimflow.load_client(ACME)
    assert claimflow.resolve_client(client) is client
    assert claimflow.resolve_client(ACME).key == "acme-tools"
    monkeypatch.setenv("CLAIMFLOW_CLIENTS", str(ACME.parent))
    assert claimflow.resolve_client("costa-azul").key == "costa-azul"
    with pytest.raises(claimflow.ConfigError, match="no nowhere.yaml, .yml or .toml"):
        claimflow.resolve_client("nowhere")


def test_operator_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMFLOW_OPERATOR", "ann")
    assert claimflow.default_operator() == "ann"


def test_a_naive_time_is_the_desks() -> None:
    client = claimflow.load_client(COSTA)
    zone = ZoneInfo("Europe/Madrid")  # its timezone: key
    got = claimflow.instant(date(2026, 10, 1), client)
    assert got == datetime(2026, 10, 1, tzinfo=zone)
    aware = datetime(2026, 10, 1, 12, tzinfo=UTC)
    assert claimflow.instant(aware, client) is aware


def test_balance_takes_the_client_object(tmp_path: Path) -> None:
    """It failed with 'Error binding parameter 1' given the client object."""
    client = claimflow.load_client(COSTA)
    claims = sorted((SAMPLES / "costa-azul/claims").iterdir())
    with claimflow.Store.open(tmp_path / "c.db") as store:
        claimflow.ingest(
            claims, client, store, received_at=datetime(2026, 10, 28, tzinfo=UTC)
        )
        claimflow.import_participants(
            SAMPLES / "costa-azul/participants.csv", client, store, operator="t"
        )
        seen: list[int] = []
        run = claimflow.award_claims(client, store, operator="t", progress=seen.append)
        assert run.posted == run.computed > 0
        # one chunk: the progress callback heard every claim considered once
        assert seen == [run.computed + len(run.problems)]
        who = run.awards[0].participant_id
        expected = sum(a.points for a in run.awards if a.participant_id == who)
        by_object = claimflow.balance(who, client, store)
        assert by_object == claimflow.balance(who, COSTA, store)
        assert by_object.total == expected  # pending_days: 0, all available
        assert by_object.to_dict()["available"] == expected
        with pytest.raises(claimflow.ClaimflowError, match="not on costa-azul's"):
            claimflow.balance("nobody-9", client, store)
