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


def test_account_stages_take_a_client_key_the_desks_time_and_the_operator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Adjustments and cases by client key: the operator from the environment,
    a naive time in the desk's zone (acme-tools: America/Chicago)."""
    monkeypatch.setenv("CLAIMFLOW_CLIENTS", str(ACME.parent))
    monkeypatch.setenv("CLAIMFLOW_OPERATOR", "ann")
    with claimflow.Store.open(tmp_path / "a.db") as store:
        claimflow.import_participants(
            SAMPLES / "acme-tools/participants.csv", "acme-tools", store
        )
        done = claimflow.request_adjustment(
            "104233", 2500, "acme-tools", store, reason="goodwill", note="parcel",
            at=datetime(2026, 12, 1, 9, 0),
        )  # fmt: skip
        # within ann's limit: posted by her; 2,500 x USD 0.0125 = USD 31.25
        assert (done.status, done.requested_by, str(done.cost)) == (
            "posted",
            "ann",
            "31.25",
        )
        assert [a.id for a in claimflow.list_adjustments(ACME, store)] == [done.id]
        assert claimflow.balance("104233", "acme-tools", store).available == 2500
        case = claimflow.open_case(
            "104233", "acme-tools", store, case_type="complaint", owner="sam",
            at=datetime(2026, 12, 1, 9, 0),
        )  # fmt: skip
        # 09:00 in Chicago (UTC-6 in December) is 15:00 UTC
        assert case.opened_at == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
        assert case.opened_by == "ann"
        closed = claimflow.record_case_event(
            case.id, "closed", "acme-tools", store, value="credited",
            at=datetime(2026, 12, 1, 10, 0),
        )  # fmt: skip
        assert closed.closed_at == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
        assert claimflow.list_cases("acme-tools", store, open_only=True) == []
        figures = claimflow.case_report(
            "acme-tools", store, start=date(2026, 12, 1), end=date(2026, 12, 1)
        )
        assert (figures.total.cases, figures.total.closed) == (1, 1)
        # end is included: a case opened the next day is outside it
        later = claimflow.case_report(
            "acme-tools", store, start=date(2026, 12, 2), end=date(2026, 12, 2)
        )
        assert later.total.cases == 0


def test_long_stages_report_progress_up_to_their_total(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """dedupe, verify, award (and its preview) and replay call `progress` with
    rising counts of claims done, the last one their total (chunks of 4)."""
    import claimflow.award.run
    import claimflow.replay
    import claimflow.verify.sets

    for module in (claimflow.award.run, claimflow.replay, claimflow.verify.sets):
        monkeypatch.setattr(module, "CHUNK", 4)
    client = claimflow.load_client(ACME)
    claims = sorted((SAMPLES / "acme-tools/claims").iterdir())
    sources = sorted((SAMPLES / "acme-tools/source").iterdir())

    def rising(seen: list[int], total: int) -> None:
        assert len(seen) >= 2, seen  # the chunks of 4 were heard one by one
        assert seen == sorted(set(seen)) and seen[-1] == total > 0, (seen, total)

    with claimflow.Store.open(tmp_path / "p.db") as store:
        claimflow.ingest(
            claims, client, store, received_at=datetime(2026, 10, 28, tzinfo=UTC)
        )
        seen: list[int] = []
        checked = claimflow.dedupe_claims(client, store, progress=seen.append)
        assert seen == [0, checked.checked] and checked.checked > 0
        claimflow.import_participants(
            SAMPLES / "acme-tools/participants.csv", client, store, operator="t"
        )
        with store.transaction():  # the source records, without verifying yet
            from claimflow.verify.source import import_source

            for path in sources:
                import_source(store, client, path, datetime.now(UTC), actor="t")
        seen = []
        verified = claimflow.verify_claims(client, store, progress=seen.append)
        rising(seen, verified.verified)
        for preview in (True, False):
            seen = []
            run = claimflow.award_claims(
                client, store, preview=preview, progress=seen.append
            )
            rising(seen, run.computed + len(run.problems))
        seen = []
        replayed = claimflow.replay_claims(client, store, progress=seen.append)
        rising(seen, replayed.claims)


def test_a_report_reports_its_tables_built(tmp_path: Path) -> None:
    """build_report is computed in sets: `progress` hears 0, then every table."""
    client = claimflow.load_client(ACME)
    claims = sorted((SAMPLES / "acme-tools/claims").iterdir())
    with claimflow.Store.open(tmp_path / "r.db") as store:
        claimflow.ingest(
            claims, client, store, received_at=datetime(2026, 10, 28, tzinfo=UTC)
        )
        for kind in ("sla", "daily"):
            seen: list[int] = []
            report = claimflow.build_report(
                kind, client, store, period="2026-10" if kind == "sla" else None,
                as_of=date(2026, 11, 12), progress=seen.append,
            )  # fmt: skip
            assert seen == [0, len(report.tables)] and seen[-1] > 0, kind
