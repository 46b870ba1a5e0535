"""SLA figures from event histories; QA verdicts; the queue; reports people open."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from benchmarks.generate import write_history
from claimflow import ResolvedClient, Store
from claimflow.cli import main
from claimflow.report.sla import build_report, to_html, write_report
from claimflow.sla.metrics import Window, claim_facts, summarize
from claimflow.sla.quality import compare, control_chart, fields_needed, judge
from claimflow.sla.queue import work_queue
from tests.conftest import SAMPLES

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory, acme: ResolvedClient):  # type: ignore[no-untyped-def]
    store = Store.open(tmp_path_factory.mktemp("h") / "h.db")
    with store.transaction():
        truth = write_history(
            store,
            acme,
            1500,
            seed=3,
            on_time_share=0.8,
            error_rates={"ana": 0.002, "ben": 0.012},
        )
    yield store, truth
    store.close()


def test_reports_reproduce_the_known_history(history, acme: ResolvedClient) -> None:  # type: ignore[no-untyped-def]
    store, truth = history
    facts = claim_facts(store, acme, Window(), NOW)
    total = summarize(facts).iloc[-1]
    assert (total["received"], total["decided"], total["on_time"]) == (
        1500,
        1500,
        truth.on_time,
    )
    assert total["on_time_share"] == pytest.approx(truth.on_time / 1500)
    assert (facts["first_response_hours"] <= 7.5 + 1e-9).all()
    report = build_report("qa", store, acme, None, NOW)
    rows = report.tables["By operator"].set_index("operator")
    for operator in ("ana", "ben"):
        assert rows.loc[operator, "checked"] == truth.fields_checked[operator]
        assert rows.loc[operator, "errors"] == truth.errors[operator]
    assert rows.loc["ana", "verdict"] == "compliant"
    assert rows.loc["ben", "verdict"] == "breached"
    assert "ben makes significantly more errors" in " ".join(report.notes)


def test_periods_and_windows(history, acme: ResolvedClient) -> None:  # type: ignore[no-untyped-def]
    store, _ = history
    august = claim_facts(store, acme, Window.parse("2026-08"), NOW)
    assert set(august["period"]) == {"2026-08"}
    assert Window.parse("2026-Q3").label() == "2026-07-01 to 2026-09-30"
    assert Window.parse("2026-10-01..2026-10-31").label() == "2026-10-01 to 2026-10-31"


def _events(store: Store, rows: list[tuple[str, str, str]]) -> None:
    with store.transaction():
        store.add_events([("acme-tools", c, 1, e, at, "ann") for c, e, at in rows])


def test_clock_pauses_while_pended_and_a_calendar_change_re_derives(
    store: Store, acme: ResolvedClient
) -> None:
    _events(
        store,
        [
            ("A", "received", "2026-10-01T14:00:00+00:00"),
            ("A", "first_response", "2026-10-01T16:00:00+00:00"),
            ("A", "pended", "2026-10-02T16:00:00+00:00"),
            ("A", "resubmitted", "2026-10-09T16:00:00+00:00"),  # 5 business days paused
            ("A", "decided", "2026-10-16T16:00:00+00:00"),
            ("B", "received", "2026-10-01T14:00:00+00:00"),
            ("B", "first_response", "2026-10-01T15:00:00+00:00"),
            ("C", "received", "2026-10-01T14:00:00+00:00"),
            ("C", "pended", "2026-10-02T16:00:00+00:00"),
        ],
    )
    facts = claim_facts(
        store, acme, Window(), datetime(2026, 10, 13, 15, tzinfo=UTC)
    ).set_index("claim_id")
    # A: Oct 1 -> Oct 16 is 10 business days (Columbus Day closed), 5 paused: 5 taken.
    assert facts.loc["A", "paused_days"] == 5
    assert facts.loc["A", "business_days"] == 5
    assert bool(facts.loc["A", "on_time"])
    assert facts.loc["B", "status"] == "open"
    assert facts.loc["C", "status"] == "waiting"
    assert facts.loc["B", "first_response_hours"] == 1.0
    # B is due Oct 13 (7 business days, Columbus Day closed): at risk on the day.
    assert str(facts.loc["B", "due_date"])[:10] == "2026-10-13"
    assert bool(facts.loc["B", "at_risk"])
    # The same history without pauses: A is late. Nothing stored changes.
    strict = acme.model_copy(
        update={
            "config": acme.config.model_copy(
                update={
                    "sla": acme.config.sla.model_copy(
                        update={"pause_when_pended": False}
                    )
                }
            )
        }
    )
    again = claim_facts(
        store, strict, Window(), datetime(2026, 10, 13, 15, tzinfo=UTC)
    ).set_index("claim_id")
    assert not bool(again.loc["A", "on_time"])


def test_queue_orders_by_business_time_left(store: Store, acme: ResolvedClient) -> None:
    _events(
        store,
        [
            ("OLD", "received", "2026-10-01T14:00:00+00:00"),
            ("NEW", "received", "2026-10-08T14:00:00+00:00"),
            ("DONE", "received", "2026-10-01T14:00:00+00:00"),
            ("DONE", "decided", "2026-10-02T14:00:00+00:00"),
        ],
    )
    queue = work_queue(store, [acme], datetime(2026, 10, 14, 21, 30, tzinfo=UTC))
    assert list(queue["claim_id"]) == ["OLD", "NEW"]
    assert bool(queue.loc[0, "breaches_anyway"])
    assert queue.loc[0, "remaining_hours"] < 0 < queue.loc[1, "remaining_hours"]


@pytest.mark.parametrize(
    ("errors", "checked", "verdict"),
    [
        (0, 598, "compliant"),
        (0, 597, "inconclusive"),
        (0, 40, "inconclusive"),
        (30, 1000, "breached"),
        (2, 2000, "compliant"),
    ],
)
def test_verdicts(errors: int, checked: int, verdict: str) -> None:
    assert judge(errors, checked, 0.005).verdict == verdict


def test_inconclusive_says_how_many_more_fields() -> None:
    found = judge(0, 40, 0.005)
    assert found.more_fields == 558 == fields_needed(0, 0.005, 0.95) - 40
    assert found.sentence == (
        "0 errors in 40 fields: inconclusive at 95%; 558 more error-free "
        "fields would show it is below 0.50%."
    )


def test_compare_in_plain_words() -> None:
    assert compare((10, 5000), (12, 5000), ("ana", "ben")).endswith(
        "no significant difference (p = 0.67)."
    )
    assert "ben makes significantly more errors" in compare(
        (5, 5000), (40, 5000), ("ana", "ben")
    )


def test_control_chart_switches_to_laney_when_overdispersed() -> None:
    stable = pd.DataFrame(
        {
            "day": [f"d{i:02d}" for i in range(20)],
            "checked": 500,
            "errors": [2, 3, 2, 1, 3, 2, 2, 4, 1, 2, 3, 2, 2, 1, 3, 2, 2, 3, 2, 2],
        }
    )
    assert control_chart(stable)["method"].iloc[0] == "p"
    wild = pd.DataFrame(
        {
            "day": [f"d{i:02d}" for i in range(20)],
            "checked": 20000,
            "errors": [40, 160, 30, 170, 50, 150, 20, 180, 60, 140] * 2,
        }
    )
    chart = control_chart(wild)
    assert chart["method"].iloc[0] == "laney"
    assert not chart["out"].all()


def test_html_report_shows_its_charts(
    history, acme: ResolvedClient, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    store, _ = history
    for kind in ("sla", "qa"):
        report = build_report(kind, store, acme, "2026-Q3", NOW)  # type: ignore[arg-type]
        html = to_html(report)
        images = re.findall(
            r'<img alt="([^"]+)" src="data:image/png;base64,([^"]+)"', html
        )
        # sla: turnaround, on time by week; qa: per operator, control chart,
        # and by month (the quarter has three)
        expected = {"sla": 2, "qa": 3}[kind]
        assert [name for name, _ in images] == list(report.charts)
        assert len(images) == expected
        for _, data in images:
            assert base64.b64decode(data).startswith(b"\x89PNG")
        assert "Definitions" in html and "America/Chicago" in html
        write_report(report, tmp_path / f"{kind}.xlsx")
        sheets = pd.read_excel(tmp_path / f"{kind}.xlsx", sheet_name=None)
        assert "Definitions" in sheets and "By operator" in sheets


def test_resubmission_and_escalation_events_from_the_cli(
    tmp_path: Path, acme: ResolvedClient
) -> None:
    from claimflow import ingest
    from tests.conftest import SAMPLES
    from tests.test_cli import run

    store = Store.open(tmp_path / "c.db")
    ingest(
        [SAMPLES / "acme-tools/claims/october.csv"],
        acme,
        store,
        processed_at=datetime(2026, 10, 28, 15, tzinfo=UTC),
    )
    pended, ref, row = store.db.execute(
        "SELECT id, json_extract(data, '$.claim_ref'), source "
        "FROM claims WHERE outcome = 'pended' LIMIT 1"
    ).fetchone()
    store.close()
    db = str(tmp_path / "c.db")
    # without an offset, the time is the desk's (Chicago: 09:00 CST is 15:00Z)
    code, _, err = run(
        "event", pended, "resubmitted", "--db", db, "--at", "2026-11-02T09:00"
    )
    assert (code, err) == (
        2,
        f"claimflow: error: claim {pended}: expected a time with an offset or "
        "--client (whose desk zone reads it), found 2026-11-02T09:00:00\n",
    )
    code, out, _ = run("event", pended, "resubmitted", "--db", db,
                       "--at", "2026-11-02T09:00", "--client", str(SAMPLES / "clients/acme-tools.yaml"))  # fmt: skip
    assert (code, out) == (
        0,
        # the claim as people know it: its reference, file and row
        f"claim {ref} ({Path(row).name}): resubmitted at 2026-11-02T09:00:00-06:00\n",
    )
    run("event", pended, "escalated", "--db", db, "--at", "2026-11-03T15:00Z")
    assert (
        run("event", "nope", "escalated", "--db", db)[2]
        == "claimflow: error: no claim with the id or reference 'nope'\n"
    )
    with Store.open(db) as again:
        facts = claim_facts(
            again, acme, Window(), datetime(2026, 11, 4, tzinfo=UTC)
        ).set_index("claim_id")
        total = summarize(facts.reset_index()).iloc[-1]
    assert facts.loc[pended, "status"] == "open"  # resubmitted: the clock runs again
    assert facts.loc[pended, "paused_days"] == 3  # Oct 28 -> Nov 2 (business days)
    assert total["escalated"] == 1 and total["escalation_share"] == pytest.approx(1 / 9)


@pytest.mark.parametrize("period", ["2026-13", "nonsense", "2026-10-01..2026-10-40"])
def test_a_bad_period_is_a_one_line_error(period: str) -> None:
    from claimflow.errors import ClaimflowError

    with pytest.raises(
        ClaimflowError, match=f"expected a period like 2026-10, .*found '{period}'"
    ):
        Window.parse(period)


def test_ingest_derives_received_and_first_response_events(
    tmp_path: Path, acme: ResolvedClient
) -> None:
    # received and first response come from the claim and batch rows, not
    # from two stored rows per claim; pended and decided are stored
    from claimflow import Outcome, ingest
    from tests.conftest import SAMPLES

    at = datetime(2026, 10, 28, 15, tzinfo=UTC)
    with Store.open(tmp_path / "c.db") as store:
        result = ingest(
            [SAMPLES / "acme-tools/claims/october.csv"],
            acme,
            store,
            operator="ann",
            processed_at=at,
        )
        events = store.claim_events("acme-tools")
        stored = store.count("claim_events")
        received_at = dict(store.db.execute("SELECT id, received_at FROM claims"))
    by_event: dict[str, list[tuple[str, int | None, str, str, str]]] = {}
    for row in events:
        by_event.setdefault(row[2], []).append(row)
    assert [r[0] for r in by_event["received"]] == list(received_at)
    assert {r[0]: r[3] for r in by_event["received"]} == received_at
    assert {(r[3], r[4]) for r in by_event["first_response"]} == {
        (at.isoformat(), "ann")
    }
    assert len(by_event["first_response"]) == result.records
    settled = result.records - result.outcomes[Outcome.ACCEPTED]
    assert stored == settled == len(by_event["pended"]) + len(by_event["decided"])
    # a store's events read in order: every claim's received before anything else
    assert events[: result.records] == by_event["received"]


def test_stored_received_events_of_earlier_batches_still_count(
    tmp_path: Path, acme: ResolvedClient
) -> None:
    # batches ingested before schema 16 have no processed_at: their rows stand
    with Store.open(tmp_path / "c.db") as store, store.transaction():
        batch = store.begin_batch("acme-tools", "ann", "c.yaml")
        store.add_events(
            [
                (
                    "acme-tools",
                    "C1",
                    batch,
                    "received",
                    "2026-10-01T09:00:00+00:00",
                    "ann",
                ),
                (
                    "acme-tools",
                    "C1",
                    batch,
                    "first_response",
                    "2026-10-01T11:00:00+00:00",
                    "ann",
                ),
            ]
        )
        events = store.claim_events("acme-tools")
    assert [e[2] for e in events] == ["received", "first_response"]


def test_the_queue_leaves_out_claims_closed_without_a_decision(
    tmp_path: Path, acme: ResolvedClient
) -> None:
    """Claims decided as duplicates were listed as open work, flagged 'will breach'."""
    from claimflow import ingest

    store = Store.open(tmp_path / "q.db")
    ingest(
        [SAMPLES / "acme-tools/claims/october.csv"],
        acme,
        store,
        processed_at=datetime(2026, 10, 20, 15, tzinfo=UTC),
    )
    closed = store.closed_claims(acme.key)
    assert closed, "the sample has a duplicate and rejections"
    queue = work_queue(store, [acme], datetime(2026, 11, 20, 15, tzinfo=UTC))
    assert set(queue["claim_id"]).isdisjoint(closed)
    with store.transaction():
        store.void_claim(
            acme.key, sorted(set(queue["claim_id"]))[0], datetime.now(UTC), "ann"
        )
    again = work_queue(store, [acme], datetime(2026, 11, 20, 15, tzinfo=UTC))
    assert len(again) == len(queue) - 1


def test_pauses_pair_by_time_not_by_recording_order(
    store: Store, acme: ResolvedClient
) -> None:
    """A pended recorded after its resubmitted (backdated) lengthened turnaround."""
    _events(
        store,
        [
            ("A", "received", "2026-10-01T14:00:00+00:00"),
            ("A", "resubmitted", "2026-10-09T16:00:00+00:00"),
            ("A", "pended", "2026-10-02T16:00:00+00:00"),  # recorded late, backdated
            ("A", "decided", "2026-10-16T16:00:00+00:00"),
        ],
    )
    facts = claim_facts(
        store, acme, Window(), datetime(2026, 11, 1, tzinfo=UTC)
    ).set_index("claim_id")
    assert (
        facts.loc["A", "paused_days"] == 5
    )  # Oct 2 -> Oct 9, as when recorded in order


def test_impossible_events_are_refused(tmp_path: Path, acme: ResolvedClient) -> None:
    from claimflow import ingest
    from claimflow.sla.events import ImpossibleEvent, record_event

    store = Store.open(tmp_path / "e.db")
    ingest([SAMPLES / "acme-tools/claims/october.csv"], acme, store)
    now = datetime(2026, 11, 5, 12, tzinfo=UTC)
    with (
        store.transaction(),
        pytest.raises(
            ImpossibleEvent,
            # at the Chicago desk, never as UTC text (2026-10-01T00:00:00+00:00)
            match=r"^claim AC-1001: expected decided at or after its arrival "
            r"\(2026-10-20 09:14 CDT\), found 2026-09-30 19:00 CDT$",
        ),
    ):
        record_event(
            store, "AC-1001", "decided", datetime(2026, 10, 1, tzinfo=UTC), "ann", now,
            desk=acme.desk,
        )  # fmt: skip
    with store.transaction(), pytest.raises(ImpossibleEvent, match="no later than now"):
        record_event(
            store,
            "AC-1001",
            "first_response",
            datetime(2029, 1, 1, tzinfo=UTC),
            "ann",
            now,
        )
    with store.transaction():
        claim = record_event(store, "AC-1001", "escalated", now, "ann", now)
    assert store.db.execute(
        "SELECT event, operator FROM claim_events WHERE claim_id = ?", [claim]
    ).fetchall()[-1] == ("escalated", "ann")


def test_a_claim_closed_while_waiting_ends_its_pause_at_the_decision(
    store: Store, acme: ResolvedClient
) -> None:
    """Pended, never resubmitted, then closed: the open pause counted as
    working time and the claim became a late breach."""
    _events(
        store,
        [
            ("W", "received", "2026-10-01T14:00:00+00:00"),
            ("W", "first_response", "2026-10-01T15:00:00+00:00"),
            ("W", "pended", "2026-10-02T16:00:00+00:00"),
            ("W", "decided", "2026-10-30T16:00:00+00:00"),  # closed: no answer came
        ],
    )
    facts = claim_facts(
        store, acme, Window(), datetime(2026, 11, 5, tzinfo=UTC)
    ).set_index("claim_id")
    assert facts.loc["W", "status"] == "decided"
    assert facts.loc["W", "business_days"] == 1  # Oct 1 -> Oct 2, the desk's part
    assert bool(facts.loc["W", "on_time"])


@pytest.mark.parametrize(
    ("errors", "checked", "start"),
    [
        (1, 1, "1 error in 1 field: "),
        (0, 1, "0 errors in 1 field: "),
        (1, 2000, "1 error in 2,000 fields: "),
        (3, 598, "3 errors in 598 fields: "),
    ],
)
def test_verdicts_say_error_and_field_in_the_singular_for_one(
    errors: int, checked: int, start: str
) -> None:
    assert judge(errors, checked, 0.005).sentence.startswith(start)


def test_one_more_field_is_singular() -> None:
    # 0 errors need 598 fields for 0.5% at 95%: with 597, one more settles it
    assert "; 1 more error-free field would show" in judge(0, 597, 0.005).sentence


def test_the_queue_flags_a_claim_past_due_as_in_breach_as_of_its_instant(
    store: Store, acme: ResolvedClient
) -> None:
    # P: received Mon Nov 2, due Fri Nov 13 (Nov 3 closed), pended only on
    # Thu Nov 19; Q: received Mon Nov 16, due Wed Nov 25 (Nov 20 closes at 16)
    _events(
        store,
        [
            ("P", "received", "2026-11-02T15:00:00+00:00"),
            ("P", "pended", "2026-11-19T16:00:00+00:00"),
            ("Q", "received", "2026-11-16T15:00:00+00:00"),
        ],
    )
    wednesday_noon = datetime(2026, 11, 18, 18, 0, tzinfo=UTC)  # 12:00 CST
    queue = work_queue(store, [acme], wednesday_noon).set_index("claim_id")
    assert queue.index.tolist() == ["P", "Q"]  # P's pause is not yet made
    # P: Nov 16 08-17, Nov 17 08-17, Nov 18 08-12 past due; Q: Nov 18 12-17,
    # 19 08-17, 20 08-16, 23, 24, 25 08-17 left
    assert queue["remaining_hours"].tolist() == [-22.0, 49.0]
    assert queue["breached"].tolist() == [True, False]
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "queue",
            "--client",
            str(SAMPLES / "clients" / "acme-tools.yaml"),
            "--db",
            store.location,
            "--as-of",
            "2026-11-18T18:00Z",
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    flags = {
        line.split("│")[2].strip(): line.split("│")[5].strip()
        for line in result.output.splitlines()
        if line.count("│") == 6
    }
    assert flags == {"P": "in breach", "Q": ""}
