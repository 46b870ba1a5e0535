"""A received time later than now is a keying error (trial 20).

It was accepted silently: ``--at 2027-...`` stamped a whole batch, and a
received column keyed ``2027-12-04`` for ``2026-12-04`` was judged on a day
that had not come (``outside_claim_window`` rejected it). Now a command's
``--at`` later than now is refused (one line, exit 2, the store untouched),
and a record's own received time later than the desk's clock, beyond a few
minutes' skew, pends the claim (``received_in_future``), never judged on that
day. The oracle is zoneinfo: the desk's today and tomorrow computed from the
wall clock in the client's zone (America/Chicago), apart from claimflow.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

import claimflow
import claimflow.pipeline
from claimflow import FutureTime, Store, check, ingest, load_client, read_file
from claimflow.cli import main
from claimflow.codes import Outcome, ReasonCode
from claimflow.replay import replay
from claimflow.validate import context_for, validate_chunk
from tests.conftest import SAMPLES

ACME = SAMPLES / "clients/acme-tools.yaml"
DESK = ZoneInfo("America/Chicago")
HEADER = "Claim ID,Rep #,Invoice No,Invoice Date,Product Code,Qty,Serials,Received\n"


def row(n: int, sold: date, received: str) -> str:
    return (
        f"F-{n},1042{n:02d},INV-10{n:02d},{sold:%m/%d/%Y},DRL-200,1,"
        f"DR100000{n:02d},{received}\n"
    )


def desk_today() -> date:
    return datetime.now(DESK).date()


def test_a_received_time_keyed_in_the_future_pends_the_claim(tmp_path: Path) -> None:
    today = desk_today()
    # a day ahead to the minute: "tomorrow" as a date is its 00:00, which is
    # inside the clock skew allowed when the suite runs just before midnight
    tomorrow = (datetime.now(DESK) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    a_year_on = today + timedelta(days=366)
    an_hour_ago = (datetime.now(DESK) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    path = tmp_path / "claims.csv"
    path.write_text(
        HEADER
        + row(1, today - timedelta(days=10), tomorrow)
        + row(2, today - timedelta(days=10), an_hour_ago)
        + row(3, today - timedelta(days=10), today.isoformat())  # 00:00 at the desk
        # judged on a year on, the sale would be outside the 90-day window
        + row(4, today - timedelta(days=30), a_year_on.isoformat()),
        encoding="utf-8",
    )
    result = check([path], load_client(ACME), workers=1)
    said = [
        (p.source.row, p.code, p.field, p.message.rsplit("found ", 1)[1])
        for p in result.problems
    ]
    assert said == [
        (2, ReasonCode.RECEIVED_IN_FUTURE, "received_at", repr(tomorrow)),
        (5, ReasonCode.RECEIVED_IN_FUTURE, "received_at", repr(a_year_on.isoformat())),
    ]
    assert all(
        p.message.startswith("expected a time no later than now (")
        and "at the desk, America/Chicago), found " in p.message
        for p in result.problems
    )
    assert result.outcomes == {"accepted": 2, "pended": 2}


@hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seconds=st.integers(-3 * 86400, 3 * 86400) | st.integers(290, 310))
def test_the_clock_skew_allowance_at_a_fixed_clock(seconds: int, tmp_path: Path) -> None:
    """Against a given clock (as replay uses the batch's), deterministic:
    future only beyond five minutes, whatever offset the time was keyed in."""
    clock = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    keyed = (clock + timedelta(seconds=seconds)).astimezone(ZoneInfo("Asia/Tokyo"))
    path = tmp_path / "one.csv"
    path.write_text(
        HEADER + row(1, date(2026, 11, 1), keyed.isoformat()), encoding="utf-8"
    )
    client = load_client(ACME)
    [(_, decision)] = validate_chunk(
        list(read_file(path, client)), client, context_for(client, clock, None, clock)
    )
    future = [p for p in decision.problems if p.code is ReasonCode.RECEIVED_IN_FUTURE]
    assert bool(future) == (seconds > 300)
    if future:
        assert decision.outcome is Outcome.PENDED
        assert future[0].message == (
            "expected a time no later than now (2026-11-20 09:00 at the desk, "
            f"America/Chicago), found {keyed.isoformat()!r}"
        )


def test_the_library_refuses_a_batch_time_in_the_future(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + row(1, date(2026, 10, 2), "2026-10-20"), encoding="utf-8")
    later = datetime.now(UTC) + timedelta(days=2)
    with pytest.raises(FutureTime, match="^received_at: expected a time no later"):
        check([path], load_client(ACME), received_at=later)
    # a few seconds ahead (another machine's clock) is no keying error
    check([path], load_client(ACME), received_at=datetime.now(UTC) + timedelta(minutes=1))


@pytest.mark.parametrize("command", ["check", "ingest"])
def test_at_later_than_now_is_refused_and_the_store_untouched(
    command: str, tmp_path: Path
) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + row(1, date(2026, 10, 2), "2026-10-20"), encoding="utf-8")
    db = tmp_path / "c.db"
    tomorrow = (datetime.now(DESK) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    args = [command, str(path), "--client", str(ACME), "--at", tomorrow]
    result = CliRunner().invoke(main, args + (["--db", str(db)] if command == "ingest" else []))
    assert result.exit_code == 2
    assert result.stdout == ""
    prefix = "claimflow: error: --at: expected a time no later than now ("
    assert result.stderr.startswith(prefix), result.stderr
    assert result.stderr.endswith(
        f"at the desk, America/Chicago), found {tomorrow.replace('T', ' ')} "
        f"{datetime.fromisoformat(tomorrow).replace(tzinfo=DESK):%Z}: "
        "a claim cannot be received in the future\n"
    )
    assert not db.exists()


def test_replay_judges_against_the_clock_the_batch_was_ingested_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch ingested ten days ago with a claim received five days ago (in
    its future then): pended at ingest, still pended on replay today."""
    days_ago = datetime.now(UTC) - timedelta(days=10)

    class TenDaysAgo(datetime):
        @classmethod
        def now(cls, tz: object = None) -> TenDaysAgo:  # type: ignore[override]
            return days_ago  # type: ignore[return-value]

    today = desk_today()
    path = tmp_path / "claims.csv"
    path.write_text(
        HEADER
        + row(1, today - timedelta(days=20), (today - timedelta(days=5)).isoformat())
        + row(2, today - timedelta(days=20), (today - timedelta(days=15)).isoformat()),
        encoding="utf-8",
    )
    client = load_client(ACME)
    store = Store.open(tmp_path / "c.db")
    monkeypatch.setattr(claimflow.pipeline, "datetime", TenDaysAgo)
    result = ingest([path], client, store, operator="ann", workers=1)
    monkeypatch.undo()
    assert result.outcomes == {"accepted": 1, "pended": 1}
    assert [p.code for p in result.problems] == [ReasonCode.RECEIVED_IN_FUTURE]
    assert replay(store, client).changes == []


def test_a_received_wall_time_the_desks_clock_shows_twice_or_never_pends(
    tmp_path: Path,
) -> None:
    """A received time without an offset in the hour Chicago's clocks go back
    (2025-11-02 01:30 happens at -05:00, then at -06:00) was taken as the
    first silently, and one in the hour they skip (2026-03-08 02:30) as a
    time that never was: each is refused naming both offsets, the batch's
    time standing in, while the same hour with its offset, a plain time
    and a date alone are read (a date as its 00:00)."""
    path = tmp_path / "claims.csv"
    sold = date(2025, 10, 20)
    path.write_text(
        HEADER
        + row(1, sold, "2025-11-02T01:30")
        + row(2, date(2026, 2, 20), "03/08/2026 02:30")
        + row(3, sold, "2025-11-02T01:30-06:00")
        + row(4, sold, "2025-11-02T03:30")
        + row(5, sold, "2025-11-02"),
        encoding="utf-8",
    )
    batch_time = datetime(2026, 3, 20, 12, tzinfo=UTC)
    result = check([path], load_client(ACME), received_at=batch_time, workers=1)
    said = [(p.source.row, p.code, p.field, p.message) for p in result.problems
            if p.field == "received_at"]  # fmt: skip
    stands_in = "; the batch's time 2026-03-20 07:00 CDT stands in until the desk corrects it"
    assert said == [
        (2, ReasonCode.INVALID_DATE, "received_at",
         "2025-11-02T01:30 happens twice in America/Chicago (at -05:00, then at "
         "-06:00 after the clocks go back): give one, 2025-11-02T01:30-05:00 or "
         f"2025-11-02T01:30-06:00{stands_in}"),
        (3, ReasonCode.INVALID_DATE, "received_at",
         "2026-03-08T02:30 does not exist in America/Chicago (the clocks go forward "
         f"from -06:00 to -05:00): give the time with its offset{stands_in}"),
    ]  # fmt: skip
    raws = read_file(path, load_client(ACME))
    decided = validate_chunk(
        raws, load_client(ACME), context_for(load_client(ACME), batch_time)
    )
    received = {c.provenance.row: c.received_at for c, _ in decided}
    assert received[4] == datetime(2025, 11, 2, 7, 30, tzinfo=UTC)
    assert received[5] == datetime(2025, 11, 2, 9, 30, tzinfo=UTC)
    assert received[6] == datetime(2025, 11, 2, 5, 0, tzinfo=UTC)  # 00:00 CDT


def test_a_received_date_alone_is_its_first_instant_where_midnight_is_skipped(
    tmp_path: Path,
) -> None:
    """Santiago's clocks go from 00:00 to 01:00 on 2026-09-06: a received
    date alone is that day's first instant, 01:00 -03:00, as `instant` takes
    a date, not the 00:00 that never was."""
    config = tmp_path / "santiago.yaml"
    config.write_text(
        ACME.read_text(encoding="utf-8").replace(
            "timezone: America/Chicago", "timezone: America/Santiago", 1
        ),
        encoding="utf-8",
    )
    client = load_client(config)
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + row(1, date(2026, 9, 1), "2026-09-06"), encoding="utf-8")
    batch_time = datetime(2026, 9, 20, 12, tzinfo=UTC)
    [(claim, _)] = validate_chunk(
        read_file(path, client), client, context_for(client, batch_time)
    )
    assert claim.received_at == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert claim.received_at.utcoffset() == timedelta(hours=-3)


def test_a_future_time_is_refused_in_words_that_fit_what_was_dated(tmp_path: Path) -> None:
    """A case opened, or a batch processed, in the future was refused with
    "a claim cannot be received in the future": the words of a received
    time, for a case step or a batch run."""
    client = load_client(ACME)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    with Store.open(tmp_path / "c.db") as store:
        with pytest.raises(FutureTime) as opened:
            claimflow.open_case(
                "104233", client, store, case_type="complaint", owner="ann", at=tomorrow
            )
        assert str(opened.value).startswith("at: expected a time no later than now (")
        assert str(opened.value).endswith(": nothing is recorded as done in the future")
        path = tmp_path / "claims.csv"
        path.write_text(HEADER + row(1, date(2026, 10, 2), "2026-10-20"), encoding="utf-8")
        with pytest.raises(FutureTime) as processed:
            ingest([path], client, store, processed_at=tomorrow)
        assert str(processed.value).startswith("processed_at: expected a time no later")
        assert str(processed.value).endswith(": a batch cannot be processed later than now")
        assert store.count("claims") == 0 and store.count("cases") == 0
