"""The desk's report pack (daily, weekly, monthly) against stores small enough
to work out by hand, and QA periods by keying or adjudication day.

The daily and weekly stores hold eight claims of acme-tools (America/Chicago,
7 business days, Mon-Thu 08-17 and Fri 08-16; public holidays of Illinois:
Nov 3 election day, Nov 11 Veterans Day). Each due date below is counted by
hand: received, then seven working days, skipping the weekend and holidays.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from claimflow import ResolvedClient, Store, ingest, load_client
from claimflow.codes import ReasonCode
from claimflow.errors import ClaimflowError, FutureTime
from claimflow.parse.checks import EntryCheck
from claimflow.report.browser import dump_dom
from claimflow.report.days import working_days
from claimflow.report.pack import PackOptions
from claimflow.report.sla import build_report, to_html, write_report
from claimflow.sla.metrics import calendar_of
from tests.conftest import FIXTURES, SAMPLES
from tests.report.test_sla import HEADER
from tests.test_cli import run

#: Wednesday 18 November 2026, 12:00 in Chicago (CST, UTC-6).
NOW = datetime(2026, 11, 18, 18, 0, tzinfo=UTC)
EVENTS = [
    # A: received Thu Nov 5, due Tue Nov 17 (Nov 11 closed), open: in breach
    ("A", "received", "2026-11-05T15:00:00+00:00"),
    # B: received Mon Nov 9, due Thu Nov 19, open: 14 business hours left
    ("B", "received", "2026-11-09T15:00:00+00:00"),
    # C: received Fri Nov 6, due Wed Nov 18 (today), open: will breach today
    ("C", "received", "2026-11-06T15:00:00+00:00"),
    # D: received Mon Nov 2, due Fri Nov 13 (Nov 3 closed), decided today: late
    ("D", "received", "2026-11-02T15:00:00+00:00"),
    ("D", "decided", "2026-11-18T16:00:00+00:00"),
    # E: received Mon Nov 16, due Wed Nov 25, escalated today, open
    ("E", "received", "2026-11-16T15:00:00+00:00"),
    ("E", "escalated", "2026-11-18T15:30:00+00:00"),
    # F: received Tue Nov 10, decided Thu Nov 12: on time
    ("F", "received", "2026-11-10T15:00:00+00:00"),
    ("F", "decided", "2026-11-12T20:00:00+00:00"),
    # G: received Tue Nov 17; its decision is recorded after NOW: open as of NOW
    ("G", "received", "2026-11-17T15:00:00+00:00"),
    ("G", "decided", "2026-11-19T16:00:00+00:00"),
    # H: received after NOW: not in any report as of NOW
    ("H", "received", "2026-11-19T15:00:00+00:00"),
]


@pytest.fixture
def desk(store: Store) -> Store:
    with store.transaction():
        store.add_events([("acme-tools", c, 1, e, at, "ann") for c, e, at in EVENTS])
    return store


def test_working_days_skip_weekends_and_holidays(acme: ResolvedClient) -> None:
    cal = calendar_of(acme)
    # Nov 11 is Veterans Day: the week ending Tuesday 17 starts on Tuesday 10
    assert working_days(cal, date(2026, 11, 17), 5) == [
        date(2026, 11, 10), date(2026, 11, 12), date(2026, 11, 13),
        date(2026, 11, 16), date(2026, 11, 17),
    ]  # fmt: skip
    # a Sunday counts back to the Friday before it
    assert working_days(cal, date(2026, 11, 15), 1) == [date(2026, 11, 13)]


def test_daily_report_lists_breaches_and_what_breaches_today(
    desk: Store, acme: ResolvedClient
) -> None:
    report = build_report("daily", desk, acme, None, NOW)
    today = dict(report.tables["Today"].itertuples(index=False))
    assert today == {
        "Received today": 0,
        "Decided today": 1,  # D
        "Decided late today": 1,  # D, due Nov 13
        "New breaches today": 1,  # A: due Nov 17, late from the next working day
        "In breach, still open": 1,  # A
        "Will breach today": 1,  # C
        "At risk": 0,  # B has 14 business hours left, more than 8
        "Backlog (open, ours to work)": 5,  # A B C E G
        "Waiting on the participant": 0,
        "Escalated today": 1,  # E
        "Open escalations": 1,  # E
    }
    urgent = report.tables["Breached or will breach"]
    assert list(urgent["claim_id"]) == ["A", "C"]
    assert list(urgent["state"]) == ["in breach", "will breach today"]
    # A: Nov 18 08:00-12:00 past its due date (overdue, no time left);
    # C: 12:00-17:00 left today
    assert urgent["hours_left"].tolist() == pytest.approx([math.nan, 5.0], nan_ok=True)
    assert urgent["hours_overdue"].tolist() == pytest.approx(
        [4.0, math.nan], nan_ok=True
    )
    assert [str(d)[:10] for d in urgent["due_date"]] == ["2026-11-17", "2026-11-18"]
    backlog = report.tables["Backlog by due date"]
    assert [str(d)[:10] for d in backlog["due_date"][:4]] == [
        "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-25",
    ]  # fmt: skip
    assert list(backlog["breaches"][:2]) == [1, 0]
    assert list(report.tables["Escalations"]["claim_id"]) == ["E"]
    days = report.tables["Last 20 working days"].set_index("day")
    assert days.loc[date(2026, 11, 16), "new_breaches"] == 1  # D, due Nov 13
    assert days.loc[date(2026, 11, 18), "new_breaches"] == 1  # A
    # Nov 12's close: A B C D open; F decided that day
    assert days.loc[date(2026, 11, 12), ["decided", "backlog"]].tolist() == [1, 4]
    assert report.verdict == (
        "As of 2026-11-18 12:00 CST: 1 open claim in breach and 1 that will "
        "breach today, of a backlog of 5 claims (0 more at risk); 1 escalation today."
    )
    assert report.period.startswith("Period: the working day 2026-11-18")
    assert report.definitions[0] == report.period
    assert list(report.charts) == ["Backlog and breaches per day"]


#: P: received Mon Nov 2, due Fri Nov 13 (Nov 3 closed), pended only on Thu
#: Nov 19, after NOW. Q: received Mon Nov 16, pended Wed Nov 18 11:00 CST,
#: before NOW.
PENDED_LATER = [
    ("P", "received", "2026-11-02T15:00:00+00:00"),
    ("P", "pended", "2026-11-19T16:00:00+00:00"),
    ("Q", "received", "2026-11-16T15:00:00+00:00"),
    ("Q", "pended", "2026-11-18T17:00:00+00:00"),
]


@pytest.mark.parametrize(
    ("now", "figures", "overdue"),
    [
        # as of NOW P's pause is not yet made: open, and past Nov 13 in breach,
        # overdue Nov 16 08-17, Nov 17 08-17, Nov 18 08-12 = 9 + 9 + 4 hours;
        # Q is waiting on the participant
        (NOW, (1, 1, 1), [22.0]),
        # as of Fri Nov 20 12:00 CST both are waiting: no breach, no backlog
        (datetime(2026, 11, 20, 18, 0, tzinfo=UTC), (0, 0, 2), []),
    ],
)
def test_a_pause_recorded_after_the_reports_instant_is_not_yet_made(
    store: Store,
    acme: ResolvedClient,
    now: datetime,
    figures: tuple[int, int, int],
    overdue: list[float],
) -> None:
    with store.transaction():
        store.add_events(
            [("acme-tools", c, 1, e, at, "ann") for c, e, at in PENDED_LATER]
        )
    report = build_report("daily", store, acme, None, now)
    today = dict(report.tables["Today"].values)
    found = (
        today["In breach, still open"],
        today["Backlog (open, ours to work)"],
        today["Waiting on the participant"],
    )
    assert found == figures
    urgent = report.tables["Breached or will breach"]
    assert urgent["claim_id"].tolist() == ["P"] * len(overdue)
    assert urgent["hours_overdue"].tolist() == pytest.approx(overdue)
    # the monthly report, as of the same instant, counts them the same way
    month = build_report("monthly", store, acme, "2026-11", now, PackOptions(months=1))
    row = month.tables["Volumes and SLA by month"].iloc[0]
    assert (row["breaches"], row["backlog"], row["waiting_on_participant"]) == figures


def test_a_claim_at_the_close_of_its_due_day_has_no_time_left(
    desk: Store, acme: ResolvedClient
) -> None:
    # as of the close of Wed Nov 18 (23:59:59 CST), C is due that very close:
    # it will breach, not yet in breach, so 0.0 hours left (not -0.0), and
    # nothing overdue (trial 21: "Overdue 0,0" beside "will breach today")
    later = datetime(2026, 11, 19, 18, 0, tzinfo=UTC)
    report = build_report("daily", desk, acme, "2026-11-18", later)
    urgent = report.tables["Breached or will breach"].set_index("claim_id")
    assert urgent.loc["C", "state"] == "will breach today"
    assert math.isnan(urgent.loc["C", "hours_overdue"])
    assert math.copysign(1.0, urgent.loc["C", "hours_left"]) == 1.0
    assert urgent.loc["C", "hours_left"] == 0.0


def test_weekly_report_is_the_last_five_working_days(
    desk: Store, acme: ResolvedClient
) -> None:
    report = build_report("weekly", desk, acme, None, NOW)
    days = report.tables["Day by day"]
    assert [d.isoformat() for d in days["day"]] == [
        "2026-11-10", "2026-11-12", "2026-11-13", "2026-11-16", "2026-11-17",
    ]  # fmt: skip
    assert days["received"].tolist() == [1, 0, 0, 1, 1]  # F, E, G
    assert days["decided"].tolist() == [0, 1, 0, 0, 0]  # F
    assert days["new_breaches"].tolist() == [0, 0, 0, 1, 0]  # D, due Nov 13
    assert days["backlog"].tolist() == [5, 4, 4, 5, 6]
    both = report.tables["This week and the week before"]
    this, before = both.to_dict("records")
    assert (this["received"], this["decided"], this["on_time_share"]) == (3, 1, 1.0)
    assert (this["new_breaches"], this["backlog"]) == (1, 6)
    # Nov 2, 4, 5, 6, 9 (Nov 3 closed): D, A, C, B received
    assert (before["received"], before["decided"], before["backlog"]) == (4, 0, 4)
    assert pd.isna(before["on_time_share"])
    assert report.verdict == (
        "Week 2026-11-10 to 2026-11-17: 3 claims received, 1 decided, 100.0% on "
        "time (target 85%): met; 1 new breach; backlog 6 at the close of 2026-11-17."
    )
    assert "5 working days 2026-11-10 to 2026-11-17" in report.period
    assert len(report.charts) == 2
    # --json: a day is a date, not a midnight instant in no zone
    assert [r["day"] for r in report.to_dict()["tables"]["Day by day"]] == [
        "2026-11-10", "2026-11-12", "2026-11-13", "2026-11-16", "2026-11-17",
    ]  # fmt: skip
    # a week with nothing decided says so once ("0 decided, no claim decided")
    earlier = build_report("weekly", desk, acme, "2026-11-09", NOW)
    assert earlier.verdict.startswith(
        "Week 2026-11-02 to 2026-11-09: 4 claims received, none decided; "
    )


def test_a_decision_on_a_closed_day_counts_on_the_next_working_day(
    desk: Store, acme: ResolvedClient
) -> None:
    """A supervisor decides B on Saturday 14 November and escalates C on
    Veterans Day (Wed 11): neither day is a working day, so both were in no
    row of the week's day-by-day table while the week's own figures counted
    them. They count on the next working day, as a receipt on a closed day
    does, and the week's rows add up to the week."""
    with desk.transaction():
        desk.add_events([
            ("acme-tools", "B", 1, "decided", "2026-11-14T16:00:00+00:00", "sam"),
            ("acme-tools", "C", 1, "escalated", "2026-11-11T16:00:00+00:00", "sam"),
        ])  # fmt: skip
    report = build_report("weekly", desk, acme, None, NOW)
    days = report.tables["Day by day"]
    # Nov 10, 12, 13, 16, 17: B (Sat 14) on Mon 16, F on Thu 12
    assert days["decided"].tolist() == [0, 1, 0, 1, 0]
    assert days["escalated"].tolist() == [0, 1, 0, 0, 0]  # C (Wed 11) on Thu 12
    this = report.tables["This week and the week before"].to_dict("records")[0]
    assert this["decided"] == sum(days["decided"]) == 2
    # B is in the backlog at Friday's close, not at Monday's
    assert days["backlog"].tolist() == [5, 4, 4, 4, 5]
    monday = build_report("daily", desk, acme, "2026-11-16", NOW)
    assert dict(monday.tables["Today"].itertuples(index=False))["Decided today"] == 1


def test_a_bad_day_is_refused(desk: Store, acme: ResolvedClient) -> None:
    with pytest.raises(ClaimflowError, match="expected a day like 2026-11-10"):
        build_report("weekly", desk, acme, "2026-11", NOW)
    with pytest.raises(ClaimflowError, match="expected a month like 2026-10"):
        build_report("monthly", desk, acme, "2026-Q4", NOW)


@pytest.mark.parametrize(
    ("kind", "period", "found"),
    [
        ("daily", "2026-11-19", "2026-11-19"),
        ("daily", "2026-12-14", "2026-12-14"),
        ("weekly", "2026-11-20", "2026-11-20"),
        ("monthly", "2026-12", "2026-12"),
        # trial 33: sla, qa and trends printed "no claims in the period", exit 1
        ("sla", "2026-12", "2026-12"),
        ("qa", "2027-Q1", "2027-Q1"),
        ("trends", "2026-11-19..2026-11-30", "2026-11-19..2026-11-30"),
    ],
)
def test_a_period_not_yet_come_is_refused(
    desk: Store, acme: ResolvedClient, kind: str, period: str, found: str
) -> None:
    """Trial 25: ``report daily --period 2026-12-14`` (a future day) reported
    today's figures under no word; a future day is refused as a future
    ``--at`` is (`FutureTime`), this month is reported so far."""
    with pytest.raises(FutureTime) as refused:
        build_report(kind, desk, acme, period, NOW)  # type: ignore[arg-type]
    assert str(refused.value) == (
        "--period: expected a day no later than 2026-11-18 (the day at the desk as "
        f"of the report, America/Chicago), found {found}: a report cannot cover a "
        "day that has not come"
    )
    build_report("daily", desk, acme, "2026-11-18", NOW)  # today: read
    build_report("monthly", desk, acme, "2026-11", NOW)  # this month so far


def test_the_cli_refuses_a_future_period_in_one_line(
    desk: Store, tmp_path: Path
) -> None:
    code, out, err = run(
        "report", "daily", "--client", str(SAMPLES / "clients" / "acme-tools.yaml"),
        "--db", str(tmp_path / "claims.db"), "--as-of", "2026-11-18T12:00",
        "--period", "2026-12-14",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        "claimflow: error: --period: expected a day no later than 2026-11-18 "
        "(the day at the desk as of the report, America/Chicago), found 2026-12-14: "
        "a report cannot cover a day that has not come\n"
    )


BR = FIXTURES / "clients" / "vendas-br.yaml"
SEPTEMBER = "2026-09-20T10:00:00-03:00"
OCTOBER = "2026-10-25T10:00:00-03:00"


def _br_store(store: Store, write: Callable[..., Path]) -> ResolvedClient:
    client = load_client(BR)
    sep = f"BR-010;10001;R-SP-01;;;;;1.234,56;1.234,56;{SEPTEMBER};sim\n"
    oct_ = (
        f"BR-020;10001;R-SP-01;;;;;1.234,56;1.234,56;{OCTOBER};sim\n"
        f"BR-021;10002;R-SP-01;;15/10/2026;REF-100;1;1.234,56;1.234,56;{OCTOBER};sim\n"
        f"BR-022;10002;R-SP-01;NF-000104;15/10/2026;REF-100;1.000;1.234,56;1.234,56;"
        f"{OCTOBER};sim\n"
    )
    for name, rows, at in (
        ("setembro.csv", sep, datetime(2026, 9, 21, 13, tzinfo=UTC)),
        ("outubro.csv", oct_, datetime(2026, 10, 26, 13, tzinfo=UTC)),
    ):
        ingest([write(name, HEADER + rows)], client, store, processed_at=at)
    return client


def test_monthly_top_issues_trend_against_the_months_before(
    store: Store, write: Callable[..., Path]
) -> None:
    client = _br_store(store, write)
    now = datetime(2026, 11, 5, tzinfo=UTC)
    report = build_report(
        "monthly", store, client, "2026-10", now, PackOptions(top=6, months=2)
    )
    top = report.tables["Top 6 issues"]
    assert top[["code", "2026-09", "2026-10", "trend"]].to_dict("records") == [
        {"code": "missing_field", "2026-09": 1, "2026-10": 2, "trend": "up"},
        {"code": "invalid_number", "2026-09": 0, "2026-10": 1, "trend": "new"},
    ]
    assert top["previous_mean"].tolist()[0] == 1.0
    assert top["change"].tolist()[0] == pytest.approx(1.0)  # 2 against 1: +100%
    assert top["description"][0] == ReasonCode("missing_field").description
    months = report.tables["Volumes and SLA by month"]
    assert months[["period", "received", "decided"]].to_dict("records") == [
        {"period": "2026-09", "received": 1, "decided": 0},
        {"period": "2026-10", "received": 3, "decided": 0},
    ]
    assert report.verdict.startswith(
        "2026-10: 3 claims received; none decided yet. Top issue missing_field: "
        "2 claims (up on the previous months' average)."
    )
    assert "Top issues" in report.charts
    # the default month: the last complete one before now
    default = build_report("monthly", store, client, None, now, PackOptions(months=2))
    assert default.title.endswith("2026-10")


def test_qa_counts_by_keying_day_in_the_clients_zone(store: Store) -> None:
    """A batch stored at 01:30 UTC on Oct 1 was keyed on Sep 30 in São Paulo
    (UTC-3); its check was adjudicated on Oct 5. A check without a batch
    keeps its day either way."""
    client = load_client(BR)
    with store.transaction():
        batch = store.begin_batch(
            client.key,
            "ana",
            "x",
            processed_at=datetime(2026, 10, 1, 1, 30, tzinfo=UTC),
        )
        store.add_entry_checks(
            client.key,
            [
                EntryCheck("ana", "sku", date(2026, 10, 5), 100, 1, batch, 2),
                EntryCheck("ben", "sku", date(2026, 10, 7), 50, 0, None, 3),
            ],
            "test",
        )
    now = datetime(2026, 11, 5, tzinfo=UTC)

    def checked(period: str, by: str) -> dict[str, int]:
        options = PackOptions(qa_by=by)  # type: ignore[arg-type]
        report = build_report("qa", store, client, period, now, options)
        if "By operator" not in report.tables:
            return {}
        rows = report.tables["By operator"]
        return dict(zip(rows["operator"], rows["checked"], strict=True))

    assert checked("2026-10", "keyed") == {"ben": 50, "total": 50}
    assert checked("2026-09", "keyed") == {"ana": 100, "total": 100}
    assert checked("2026-10", "adjudicated") == {"ana": 100, "ben": 50, "total": 150}
    assert checked("2026-09", "adjudicated") == {}


def test_every_pack_report_in_every_format_from_the_cli(
    desk: Store, tmp_path: Path
) -> None:
    import openpyxl

    from tests.test_cli import run

    config = str(Path(__file__).parents[2] / "samples/clients/acme-tools.yaml")
    common = ("--client", config, "--db", desk.location, "--as-of", "2026-11-18T18:00Z")
    code, out, _ = run("report", "daily", *common)
    assert code == 0
    assert "1 open claim in breach and 1 that will breach today" in out
    assert "Period: the working day 2026-11-18" in out
    # every format once, each kind in the ones read back below
    formats = {"daily": ("xlsx", "csv", "zip", "html"), "weekly": ("xlsx", "csv")}
    for kind in ("daily", "weekly", "monthly"):
        for fmt in formats.get(kind, ("html",)):
            target = tmp_path / f"{kind}.{fmt}"
            code, out, err = run("report", kind, *common, "--out", str(target))
            assert (code, err) == (0, ""), (kind, fmt, err)
    book = openpyxl.load_workbook(tmp_path / "daily.xlsx")
    assert book.sheetnames[:3] == ["Definitions", "Today", "Breached or will breach"]
    words = [r[1] for r in book["Definitions"].iter_rows(values_only=True)]
    assert words[2].startswith("As of 2026-11-18 12:00 CST")  # the verdict
    assert words[3].startswith("Period: the working day 2026-11-18")
    urgent = book["Breached or will breach"]
    # the claim as people know it first (trial 18: the store id alone)
    assert [urgent.cell(row=1, column=c).value for c in (1, 2)] == ["Claim", "Store id"]
    assert urgent.cell(row=2, column=1).value == "A"  # no stored row: its id
    due = urgent.cell(row=2, column=4)
    assert (due.value, due.number_format) == (datetime(2026, 11, 17), "yyyy-mm-dd")
    # A is past due: no time left, 4 business hours overdue
    assert urgent.cell(row=1, column=6).value == "Overdue (business h)"
    assert urgent.cell(row=2, column=5).value is None
    over = urgent.cell(row=2, column=6)
    assert (over.value, over.number_format) == (4.0, "#,##0.0")
    assert urgent.freeze_panes == "B2"
    weekly = openpyxl.load_workbook(tmp_path / "weekly.xlsx")
    days = weekly["Day by day"]
    assert [days.cell(row=r, column=7).value for r in range(2, 7)] == [5, 4, 4, 5, 6]
    # Nov 10: nothing decided, no share; Nov 12: 1 of 1 on time
    assert days.cell(row=2, column=8).value is None
    share = days.cell(row=3, column=8)
    assert (share.value, share.number_format) == (1.0, "0.0%")
    folder = tmp_path / "weekly"
    assert sorted(p.name for p in folder.iterdir())[:2] == [
        "01-day-by-day.csv",
        "02-this-week-and-the-week-before.csv",
    ]
    html = (tmp_path / "monthly.html").read_text(encoding="utf-8")
    assert '<p class="verdict">' in html and "Definitions" in html


PROBE = (
    "<script>const imgs = [...document.images];"
    "document.body.setAttribute('data-overflow', String("
    "document.documentElement.scrollWidth - document.documentElement.clientWidth));"
    "document.body.setAttribute('data-charts', String(imgs.length));"
    "document.body.setAttribute('data-drawn', String("
    "imgs.filter(i => i.complete && i.naturalWidth > 300).length));</script></body>"
)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium")
def test_pack_pages_fit_1280_px_and_every_chart_is_drawn(
    desk: Store, acme: ResolvedClient, tmp_path: Path
) -> None:
    for kind, period in (("daily", None), ("weekly", None), ("monthly", "2026-11")):
        report = build_report(kind, desk, acme, period, NOW)  # type: ignore[arg-type]
        page = tmp_path / f"{kind}.html"
        page.write_text(to_html(report).replace("</body>", PROBE), encoding="utf-8")
        dom = dump_dom(page, 1280)
        n = len(report.charts)
        assert n >= 1
        assert 'data-overflow="0"' in dom, kind
        assert f'data-charts="{n}"' in dom and f'data-drawn="{n}"' in dom, kind


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium")
def test_a_report_prints_to_pdf(
    desk: Store, acme: ResolvedClient, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    report = build_report("weekly", desk, acme, None, NOW)
    out = write_report(report, tmp_path / "weekly.pdf")
    pages = PdfReader(out).pages
    # the PDF's lines wrap where the page does: compare words
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "weekly update, 2026-11-10 to 2026-11-17" in text
    assert "1 new breach" in text
    # A4 portrait, in points
    assert (round(pages[0].mediabox.width), round(pages[0].mediabox.height)) == (
        595,
        842,
    )


def test_a_one_day_control_chart_spans_that_day() -> None:
    """Issue 26: a control chart of one day had an axis from 2025 to 2029."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from claimflow.report.charts import date_axis

    figure, ax = plt.subplots()
    ax.plot([mdates.date2num(datetime(2026, 11, 10))], [0.5], "o")
    date_axis(ax, [date(2026, 11, 10)])
    low, high = ax.get_xlim()
    plt.close(figure)
    assert mdates.num2date(low).date() == date(2026, 11, 9)  # 12:00 the day before
    assert high - low == pytest.approx(1.0)  # one day wide, in days


def test_a_pdf_without_chromium_is_one_clear_line(
    desk: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_cli import run

    monkeypatch.setattr(shutil, "which", lambda name: None)
    config = str(Path(__file__).parents[2] / "samples/clients/acme-tools.yaml")
    common = ("report", "weekly", "--client", config, "--db", desk.location)
    missing = (
        "claimflow: error: a PDF or screenshot needs Chromium: install it "
        "(apt-get install chromium)\n"
    )
    code, out, err = run(
        *common, "--as-of", "2026-11-18T18:00Z", "--out", str(tmp_path / "w.pdf")
    )
    assert (code, out, err) == (2, "", missing)
    assert not (tmp_path / "w.pdf").exists()
    # the old names (--now, --format pdf) still reach the same refusal, warned
    code, out, err = run(
        *common, "--now", "2026-11-18T18:00Z", "--format", "pdf",
        "--out", str(tmp_path / "w.pdf"),
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        "claimflow: warning: --now is deprecated; use --as-of\n"
        "claimflow: warning: --format is deprecated; use --out with the suffix\n"
        + missing
    )
    assert not (tmp_path / "w.pdf").exists()
