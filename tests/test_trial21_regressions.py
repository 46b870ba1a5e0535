"""Trial 21 (Nordlicht Energie, Saxony): regressions found by a new user
onboarding a German client (de_DE, Europe/Berlin, public holidays of DE-SN,
Mon-Thu 08-17 and Fri 08-15, 5 business days, first response 8 h).

Every expected figure is worked out independently of claimflow: the
holidays come from the ``holidays`` package, business days from
``numpy.busday_count``/``busday_offset`` with its own weekmask, and hours
by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import holidays
import numpy as np
import pytest

from claimflow import ResolvedClient, Store, load_client
from claimflow.report.sla import build_report

NORDLICHT = """\
schema_version: 1
client: nordlicht
name: Nordlicht Partnerprämien
kind: sales
locale: de_DE
language: de
date_order: DMY
currency: EUR
timezone: Europe/Berlin
claim_window_days: 120
eligible_skus: [WP-8]
sla:
  turnaround_days: 5
  first_response_hours: 8
  on_time_target: 0.9
  max_error_rate: 0.01
  max_escalation_share: 0.2
calendar:
  country: DE
  subdivision: SN
  hours: {mon: "08:00-17:00", tue: "08:00-17:00", wed: "08:00-17:00",
          thu: "08:00-17:00", fri: "08:00-15:00"}
award:
  activity_date: invoice_date
  currency: EUR
  rule_sets:
    - version: "2025"
      effective_from: 2025-01-01
      rules:
        - {id: wp, kind: per_unit, points: 100, scope: {skus: [WP-8]}}
"""

#: The oracle's calendar: Saxony's holidays from the ``holidays`` package.
SAXONY = sorted(holidays.country_holidays("DE", subdiv="SN", years=[2025, 2026]))
WEEK = "1111100"


def next_working_day(day: date) -> date:
    """The day itself when open, else the next working day (numpy's roll)."""
    rolled = np.busday_offset(day, 0, roll="forward", weekmask=WEEK, holidays=SAXONY)
    return date.fromisoformat(str(rolled))


@pytest.fixture
def nordlicht(tmp_path: Path) -> ResolvedClient:
    path = tmp_path / "nordlicht.yaml"
    path.write_text(NORDLICHT, encoding="utf-8")
    return load_client(path)


def _store(tmp_path: Path, events: list[tuple[str, str, str]]) -> Iterator[Store]:
    store = Store.open(tmp_path / "n.db")
    with store.transaction():
        store.add_events([("nordlicht", c, 1, e, at, "anke") for c, e, at in events])
    yield store
    store.close()


# -- 1. a claim received on a closed day counts on the next working day ------

#: Sunday 26.10.2025 02:30 CET (after the fold), Friday 31.10.2025 23:59
#: (Reformationstag, a Saxon holiday), Saturday 01.11.2025 00:01; a Thursday
#: claim at 23:59 (an open day, after hours) counts on its own day.
CLOSED_DAYS = [
    ("NL-1004", "received", "2025-10-23T21:59:00+00:00"),  # Thu 23.10 23:59 CEST
    ("NL-1007", "received", "2025-10-26T01:30:00+00:00"),  # Sun 26.10 02:30 CET
    ("NL-1007", "decided", "2025-10-27T14:00:00+00:00"),
    ("NL-1015", "received", "2025-10-31T22:59:00+00:00"),  # Fri 31.10 23:59 CET
    ("NL-1016", "received", "2025-10-31T23:01:00+00:00"),  # Sat 01.11 00:01 CET
]


@pytest.fixture
def closed_days(tmp_path: Path) -> Iterator[Store]:
    yield from _store(tmp_path, CLOSED_DAYS)


def test_the_oracle_agrees_on_which_days_are_closed() -> None:
    assert date(2025, 10, 31) in SAXONY  # Reformationstag
    assert next_working_day(date(2025, 10, 26)) == date(2025, 10, 27)
    assert next_working_day(date(2025, 10, 31)) == date(2025, 11, 3)
    assert next_working_day(date(2025, 11, 1)) == date(2025, 11, 3)
    assert next_working_day(date(2025, 10, 23)) == date(2025, 10, 23)


@pytest.mark.parametrize(
    ("last_day", "received"),
    [
        # week 24.10-30.10: NL-1007 (Sunday) on Monday 27.10
        ("2025-10-30", {"2025-10-24": 0, "2025-10-27": 1}),
        # week 03.11-07.11: NL-1015 (holiday) and NL-1016 (Saturday) on 03.11
        ("2025-11-07", {"2025-11-03": 2, "2025-11-04": 0}),
    ],
)
def test_weekly_volumes_count_a_claim_received_on_a_closed_day(
    closed_days: Store,
    nordlicht: ResolvedClient,
    last_day: str,
    received: dict[str, int],
) -> None:
    """Trial 21: NL-1007 (Sunday 02:30), NL-1015 (Reformationstag 23:59) and
    NL-1016 (Saturday 00:01) were counted in no week's volume."""
    now = datetime(2025, 11, 24, tzinfo=UTC)
    report = build_report("weekly", closed_days, nordlicht, last_day, now)
    days = report.tables["Day by day"]
    pairs = zip(days["day"], days["received"], strict=True)
    per_day = {d.isoformat(): int(n) for d, n in pairs}
    for day, n in received.items():
        assert per_day[day] == n
    oracle = sum(
        1
        for _, e, at in CLOSED_DAYS
        if e == "received" and str(next_working_day(_berlin_day(at))) in per_day
    )
    assert int(days["received"].sum()) == oracle
    this_week = report.tables["This week and the week before"].iloc[0]
    assert this_week["received"] == oracle


def test_daily_received_today_counts_the_weekend_and_holiday_claims(
    closed_days: Store, nordlicht: ResolvedClient
) -> None:
    """Monday 03.11's "Received today" holds NL-1015 and NL-1016; the 20
    working days' table counts every claim once (four claims, four days
    of receipt)."""
    now = datetime(2025, 11, 24, tzinfo=UTC)
    report = build_report("daily", closed_days, nordlicht, "2025-11-03", now)
    today = dict(report.tables["Today"].itertuples(index=False))
    assert today["Received today"] == 2
    history = report.tables["Last 20 working days"]
    assert int(history["received"].sum()) == 4


def _berlin_day(at: str) -> date:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(at).astimezone(ZoneInfo("Europe/Berlin")).date()


# -- 2. the first-response target is judged, per period and overall ----------

#: November 2025 (CET, UTC+1): received, first response. NL-1011 arrives
#: Mon 17.11 16:30 and is answered Tue 18.11 16:00: 0.5 h + 8 h = 8.5
#: business hours, over the 8 h target; the other four are within it.
#: NL-1016 arrives Saturday and is answered Monday 08:30: 0.5 h.
FIRST_RESPONSES = {
    "NL-1009": ("2025-11-12T10:00", "2025-11-12T11:00"),
    "NL-1010": ("2025-11-13T09:00", "2025-11-13T09:30"),
    "NL-1011": ("2025-11-17T16:30", "2025-11-18T16:00"),
    "NL-1012": ("2025-11-18T10:00", "2025-11-18T16:00"),
    "NL-1016": ("2025-11-01T00:01", "2025-11-03T08:30"),
    # October: answered within an hour
    "NL-1001": ("2025-10-06T09:00", "2025-10-06T10:00"),
}


def _business_hours(start: datetime, end: datetime) -> float:
    """A minute-by-minute count of the Saxon desk's open minutes (oracle)."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    berlin, minutes, t = ZoneInfo("Europe/Berlin"), 0, start
    closing = {0: 17, 1: 17, 2: 17, 3: 17, 4: 15}
    while t < end:
        local = t.astimezone(berlin)
        day = local.date()
        if (
            local.weekday() in closing
            and day not in SAXONY
            and 8 <= local.hour < closing[local.weekday()]
        ):
            minutes += 1
        t += timedelta(minutes=1)
    return minutes / 60


def _berlin(text: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def answered(tmp_path: Path) -> Iterator[Store]:
    events = []
    for ref, (received, first) in FIRST_RESPONSES.items():
        events.append((ref, "received", _berlin(received).isoformat()))
        events.append((ref, "first_response", _berlin(first).isoformat()))
    yield from _store(tmp_path, events)


def test_the_sla_report_judges_the_first_response_target(
    answered: Store, nordlicht: ResolvedClient
) -> None:
    """Trial 21: ``report sla`` showed only a median first response next to
    "met"; NL-1011, 8.5 business hours against 8, went unjudged."""
    hours = {
        ref: _business_hours(_berlin(r), _berlin(f))
        for ref, (r, f) in FIRST_RESPONSES.items()
    }
    assert hours["NL-1011"] == 8.5 and hours["NL-1016"] == 0.5
    november = [ref for ref, (r, _) in FIRST_RESPONSES.items() if r[:7] == "2025-11"]
    within = sum(hours[ref] <= 8 for ref in november)
    assert (within, len(november)) == (4, 5)
    now = datetime(2025, 11, 24, tzinfo=UTC)
    report = build_report("sla", answered, nordlicht, "2025-10-01..2025-11-30", now)
    by_month = report.tables["By month"].set_index("period")
    assert by_month.loc["2025-11", "answered"] == 5
    assert by_month.loc["2025-11", "first_response_in_target"] == within
    assert by_month.loc["2025-11", "first_response_share"] == pytest.approx(0.8)
    assert by_month.loc["2025-10", "first_response_share"] == 1.0
    assert by_month.loc["total", "first_response_in_target"] == 5
    assert by_month.loc["total", "first_response_share"] == pytest.approx(5 / 6)
    # de_DE, as the tables write it (see 4.)
    assert report.verdict.endswith(
        "First response within 8 business hours: 83,3\xa0% of 6 answered claims "
        "(target 90\xa0%): missed."
    )
    november_only = build_report("sla", answered, nordlicht, "2025-11", now)
    assert (
        "80,0\xa0% of 5 answered claims (target 90\xa0%): missed."
        in november_only.verdict
    )


def test_a_first_response_exactly_on_the_target_is_within_it(
    tmp_path: Path, nordlicht: ResolvedClient
) -> None:
    """Eight business hours to the minute (Mon 09:00 to Tue 08:00) is in."""
    events = [
        ("NL-1", "received", _berlin("2025-11-17T09:00").isoformat()),
        ("NL-1", "first_response", _berlin("2025-11-18T08:00").isoformat()),
    ]
    store = next(_store(tmp_path, events))
    assert _business_hours(_berlin("2025-11-17T09:00"), _berlin("2025-11-18T08:00")) == 8
    now = datetime(2025, 11, 24, tzinfo=UTC)
    report = build_report("sla", store, nordlicht, "2025-11", now)
    assert report.tables["By month"].iloc[-1]["first_response_share"] == 1.0
    store.close()


# -- 3. the verdict names open claims already in breach -----------------------

#: October 2025 (CEST): three claims decided on time and NL-1003, received
#: Fri 10.10 17:45 and decided only on Mon 20.10, open as of Sat 18.10.
OCTOBER = [
    ("NL-1001", "2025-10-02T18:30", "2025-10-09T14:00"),
    ("NL-1002", "2025-10-03T11:00", "2025-10-13T16:00"),  # Unity Day: from 06.10
    ("NL-1014", "2025-10-06T10:00", "2025-10-06T10:00"),
    ("NL-1003", "2025-10-10T17:45", "2025-10-20T09:00"),
]


@pytest.fixture
def october(tmp_path: Path) -> Iterator[Store]:
    events = []
    for ref, received, decided in OCTOBER:
        events.append((ref, "received", _berlin(received).isoformat()))
        events.append((ref, "decided", _berlin(decided).isoformat()))
    yield from _store(tmp_path, events)


@pytest.mark.parametrize("kind", ["sla", "trends", "monthly"])
def test_the_verdict_names_an_open_claim_in_breach(
    october: Store, nordlicht: ResolvedClient, kind: str
) -> None:
    """Trial 21: ``report sla --period 2025-10 --as-of 2025-10-18T00:00`` said
    "On time: 100.0% of 3 decided claims: met." beside a breach still open."""
    as_of = _berlin("2025-10-18T00:00")
    due = {
        ref: np.busday_offset(
            next_working_day(_berlin(r).date()), 5, weekmask=WEEK, holidays=SAXONY
        )
        for ref, r, _ in OCTOBER
    }
    open_late = [
        ref
        for ref, _, d in OCTOBER
        if _berlin(d) > as_of and due[ref] < np.datetime64(as_of.date())
    ]
    assert open_late == ["NL-1003"]
    decided_on_time = [
        ref
        for ref, _, d in OCTOBER
        if _berlin(d) <= as_of and np.datetime64(_berlin(d).date()) <= due[ref]
    ]
    best = len(decided_on_time) / (len(decided_on_time) + len(open_late))
    assert best == 0.75
    report = build_report(kind, october, nordlicht, "2025-10", as_of)
    assert (
        "but 1 open claim is already past the due date: at most 75,0\xa0% once "
        "decided: missed." in report.verdict
    )
    assert ": met" not in report.verdict.split("First response")[0]


# -- 4. sentences, definitions and the queue in the client's locale -----------


def _de_percent(share: float, decimals: int) -> str:
    """de_DE by hand: decimal comma, a no-break space before the sign."""
    return f"{share * 100:.{decimals}f}".replace(".", ",") + "\xa0%"


def test_sla_sentences_and_definitions_are_in_the_clients_locale(
    october: Store, nordlicht: ResolvedClient, tmp_path: Path
) -> None:
    """Trial 21: verdicts read "90.0%" beside tables reading "90,0 %"."""
    from openpyxl import load_workbook

    from claimflow.report.columns import COLUMNS, shown
    from claimflow.report.sla import write_report

    report = build_report("sla", october, nordlicht, "2025-10", _berlin("2025-11-24T00:00"))
    share = report.tables["By month"].iloc[-1]["on_time_share"]
    assert share == 0.75  # NL-1003, decided 20.10, was due 17.10
    in_table = shown(share, COLUMNS["on_time_share"], "de_DE")
    assert in_table == _de_percent(0.75, 1) == "75,0\xa0%"
    assert report.verdict.startswith(
        f"On time: {in_table} of 4 decided claims (target {_de_percent(0.9, 0)}): "
        "missed."
    )
    assert "Escalated: 0,0\xa0% of claims (limit 20\xa0%)" in report.notes[0]
    book = load_workbook(write_report(report, tmp_path / "sla.xlsx"))
    words = " ".join(
        str(cell) for row in book["Definitions"].iter_rows(values_only=True)
        for cell in row if cell
    )  # fmt: skip
    assert "target 90\xa0%" in words and "per 10.000; limit 100 per 10.000" in words
    assert "90%" not in words and "10,000" not in words


def test_qa_sentences_are_in_the_clients_locale() -> None:
    """Trial 21: "lower bound 1.3479%" and "1,050 fields" in a de_DE report.
    The bound is Clopper-Pearson's, from scipy's beta quantile (oracle)."""
    from scipy.stats import beta

    from claimflow.sla.quality import judge

    lower = float(beta.ppf(0.05, 21, 1050 - 21 + 1))
    verdict = judge(21, 1050, 0.01, locale="de_DE")
    assert verdict.verdict == "breached"
    assert verdict.sentence == (
        f"21 errors in 1.050 fields: above {_de_percent(0.01, 2)} at "
        f"{_de_percent(0.95, 0)} confidence (lower bound {_de_percent(lower, 4)})."
    )


def test_queue_hours_left_are_in_the_clients_locale(tmp_path: Path) -> None:
    """Trial 21: ``queue`` showed "36.0" business hours left to a de_DE desk.

    NL-1012 arrives Tue 18.11 10:00, due Wed 26.11 (five working days; Wed
    19.11 is Buß- und Bettag, a Saxon holiday); as of 19.11 09:00 it has
    9 + 7 + 9 + 9 + 9 = 43 business hours left (Thu to Wed, Friday to 15:00)."""
    from tests.test_cli import run

    config = tmp_path / "nordlicht.yaml"
    config.write_text(NORDLICHT, encoding="utf-8")
    received, as_of = _berlin("2025-11-18T10:00"), _berlin("2025-11-19T09:00")
    due = np.busday_offset(received.date(), 5, weekmask=WEEK, holidays=SAXONY)
    assert str(due) == "2025-11-26"
    left = _business_hours(as_of, _berlin("2025-11-27T00:00"))
    assert left == 43
    store = next(_store(tmp_path, [("NL-1012", "received", received.isoformat())]))
    store.close()
    code, out, err = run(
        "queue", "--client", str(config), "--db", str(tmp_path / "n.db"),
        "--as-of", "2025-11-19T09:00",
    )  # fmt: skip
    assert code == 0, err
    assert "43,0" in out and "43.0" not in out


# -- 5. will breach today: time left 0,0, not overdue -------------------------


def test_a_claim_due_today_after_closing_has_no_time_left_and_is_not_overdue(
    tmp_path: Path, nordlicht: ResolvedClient
) -> None:
    """Trial 21: ``report daily`` showed a claim that will breach today with
    "Overdue (business h)" 0,0 and a blank "Time left".

    Received Thu 13.11 09:00, due Fri 21.11 (Buß- und Bettag, 19.11, closed);
    as of 21.11 16:00 the desk has closed (Fridays at 15:00): no business
    hour is left before the due date's close, and the claim is not past it."""
    received = _berlin("2025-11-13T09:00")
    due = np.busday_offset(received.date(), 5, weekmask=WEEK, holidays=SAXONY)
    assert str(due) == "2025-11-21"
    as_of = _berlin("2025-11-21T16:00")
    assert _business_hours(as_of, _berlin("2025-11-22T00:00")) == 0
    store = next(_store(tmp_path, [("NL-1010", "received", received.isoformat())]))
    report = build_report("daily", store, nordlicht, None, as_of)
    store.close()
    urgent = report.tables["Breached or will breach"]
    assert list(urgent["state"]) == ["will breach today"]
    assert urgent["hours_left"].tolist() == [0.0]
    assert urgent["hours_overdue"].isna().all()


# -- 6. a Wilson bound is the same figure in every output ---------------------


def test_a_wilson_bound_at_zero_is_zero_in_every_output(tmp_path: Path) -> None:
    """Trial 21: the QA xlsx "By field" showed a Wilson low of 8.67e-15 where
    JSON said 0.0. With no error the interval starts at exactly 0 (its
    formula: (z²/2 - z·√(z²/4)) / (n + z²) = 0), with no error-free field it
    ends at exactly 1; 0 in 7 and 9 in 9 left float noise there. Each
    figure per 10,000 is now one number in the frame, JSON and the xlsx."""
    import json

    import pandas as pd
    from openpyxl import load_workbook

    from claimflow.report.columns import COLUMNS
    from claimflow.report.sla import Report, write_report
    from claimflow.sla.quality import error_rates

    checks = pd.DataFrame(
        {"field": ["sku", "quantity"], "checked": [7, 9], "errors": [0, 9]}
    )
    rates = error_rates(checks, "field", 0.01).set_index("field")
    assert rates.loc["sku", "wilson_low_per_10k"] == 0.0
    assert rates.loc["quantity", "wilson_high_per_10k"] == 10_000.0
    report = Report("QA", [], tables={"By field": rates.reset_index()})
    as_json = json.loads(json.dumps(report.to_dict()))["tables"]["By field"]
    book = load_workbook(write_report(report, tmp_path / "qa.xlsx"))
    sheet = book[book.sheetnames[1]]
    header = [c.value for c in sheet[1]]
    low = header.index("95% interval, low (per 10,000)")
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    for i, field in enumerate(["quantity", "sku", "total"]):
        assert as_json[i]["field"] == rows[i][0] == field
        for name in ("rate_per_10k", "wilson_low_per_10k", "wilson_high_per_10k"):
            column = header.index(COLUMNS[name].header)
            assert rows[i][column] == as_json[i][name] == rates.loc[field, name]
    assert rows[1][low] == as_json[1]["wilson_low_per_10k"] == 0


# -- 7. queue --json/--csv: a due date is an ISO date -------------------------


@pytest.mark.parametrize("flag", ["--json", "--csv"])
def test_queue_due_date_is_an_iso_date(tmp_path: Path, flag: str) -> None:
    """Trial 21: ``queue --json`` wrote ``"due_date": "2025-11-21T00:00:00.000"``
    where the README promises the ISO date."""
    import csv
    import io
    import json

    from tests.test_cli import run

    config = tmp_path / "nordlicht.yaml"
    config.write_text(NORDLICHT, encoding="utf-8")
    received = _berlin("2025-11-13T09:00")
    due = np.busday_offset(received.date(), 5, weekmask=WEEK, holidays=SAXONY)
    store = next(_store(tmp_path, [("NL-1010", "received", received.isoformat())]))
    store.close()
    code, out, err = run(
        "queue", "--client", str(config), "--db", str(tmp_path / "n.db"),
        "--as-of", "2025-11-19T09:00", flag,
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out) if flag == "--json" else list(csv.DictReader(io.StringIO(out)))
    assert [row["due_date"] for row in rows] == [str(due)] == ["2025-11-21"]


# -- 8. a wall time the desk's clock shows twice is refused -------------------


@pytest.mark.parametrize(
    ("args", "known"),
    [
        (("report", "sla", "--period", "2025-10", "--as-of", "2025-10-26T02:30"), 1),
        (("queue", "--as-of", "2025-10-26T02:30"), 1),
        # a write: refused before the claim is looked up (none is stored here)
        (("event", "NL-1", "first_response", "--at", "2025-10-26T02:30"), 0),
    ],
)
def test_a_time_in_the_dst_fold_is_refused_naming_both_offsets(
    tmp_path: Path, args: tuple[str, ...], known: int
) -> None:
    """Trial 21: ``--as-of 2025-10-26T02:30`` at a Berlin desk was silently
    the first 02:30 (CEST); the clocks went back at 03:00 CEST to 02:00 CET,
    so it is +02:00 or +01:00 (zoneinfo's own two readings, the oracle)."""
    from zoneinfo import ZoneInfo

    from tests.test_cli import run

    berlin = ZoneInfo("Europe/Berlin")
    wall = datetime(2025, 10, 26, 2, 30)
    offsets = [wall.replace(tzinfo=berlin, fold=f).strftime("%z") for f in (0, 1)]
    assert offsets == ["+0200", "+0100"]
    config = tmp_path / "nordlicht.yaml"
    config.write_text(NORDLICHT, encoding="utf-8")
    events = [("NL-1", "received", "2025-10-20T08:00:00+00:00")]
    store = next(_store(tmp_path, events))
    store.close()
    db = ("--client", str(config), "--db", str(tmp_path / "n.db"))
    code, out, err = run(*args, *db)
    assert code == 2 and out == ""
    assert err.strip() == (
        "claimflow: error: 2025-10-26T02:30 happens twice in Europe/Berlin (at "
        "+02:00, then at +01:00 after the clocks go back): give one, "
        "2025-10-26T02:30+02:00 or 2025-10-26T02:30+01:00"
    )
    with_offset = [a + "+01:00" if a == "2025-10-26T02:30" else a for a in args]
    code, _, err = run(*with_offset, *db)
    assert (code == 0) if known else ("no claim" in err), err


def test_a_time_the_clock_skips_is_refused() -> None:
    """2025-03-30 02:30 never happens in Berlin (02:00 CET is 03:00 CEST)."""
    from zoneinfo import ZoneInfo

    from claimflow.errors import AmbiguousTime
    from claimflow.window import at_desk

    berlin = ZoneInfo("Europe/Berlin")
    with pytest.raises(AmbiguousTime, match=r"^2025-03-30T02:30 does not exist"):
        at_desk(datetime(2025, 3, 30, 2, 30), berlin)
    # either side of the change, and any time with an offset, stand as given
    assert at_desk(datetime(2025, 10, 26, 3, 30), berlin).utcoffset() == (
        datetime(2025, 10, 26, 3, 30, tzinfo=berlin).utcoffset()
    )
    given = datetime(2025, 10, 26, 2, 30, tzinfo=UTC)
    assert at_desk(given, berlin) is given


@pytest.mark.parametrize(
    ("zone", "day", "start"),
    [
        # Chile's clocks jump from 00:00 to 01:00 on the first Sunday of
        # September: the day starts at 01:00 -03:00, 04:00 UTC
        ("America/Santiago", date(2026, 9, 6), datetime(2026, 9, 6, 4, 0, tzinfo=UTC)),
        # and go back from 00:00 to 23:00 in April: 00:00 happens once (-04:00)
        ("America/Santiago", date(2026, 4, 5), datetime(2026, 4, 5, 4, 0, tzinfo=UTC)),
        ("Europe/Berlin", date(2025, 3, 30), datetime(2025, 3, 29, 23, 0, tzinfo=UTC)),
    ],
)
def test_a_date_is_its_days_first_instant_even_when_the_clock_skips_midnight(
    zone: str, day: date, start: datetime
) -> None:
    """A date alone (``--as-of 2026-09-06``) was refused at a Santiago desk
    as a wall time that does not exist: it is the day's first instant."""
    from zoneinfo import ZoneInfo

    from claimflow import instant

    class _Desk:  # what instant reads of a client
        pass

    desk = _Desk()
    desk.zone = ZoneInfo(zone)  # type: ignore[attr-defined]
    found = instant(day, desk)  # type: ignore[arg-type]
    assert found == start
    assert found.astimezone(ZoneInfo(zone)).date() == day
    # the instant just before it is the day before, at the desk
    before = (start.timestamp() - 1)
    assert datetime.fromtimestamp(before, ZoneInfo(zone)).date() < day


def test_a_claim_not_answered_past_the_target_has_missed_it(
    tmp_path: Path, nordlicht: ResolvedClient
) -> None:
    """The first-response share counted answered claims only: a claim still
    waiting for its first response long after the 8 business hours went
    unjudged, and the share read 100%. As the turnaround counts an open
    breach, a claim not answered yet and already past the target has missed
    it; one still inside the target is not judged yet."""
    events = [
        # answered in 2 business hours (Mon 09:00 to 11:00)
        ("NL-1", "received", _berlin("2025-11-17T09:00").isoformat()),
        ("NL-1", "first_response", _berlin("2025-11-17T11:00").isoformat()),
        # never answered: by Tue 12:00 it has waited more than 8 hours
        ("NL-2", "received", _berlin("2025-11-17T09:00").isoformat()),
        # never answered, received Tue 10:00: 2 hours by Tue 12:00
        ("NL-3", "received", _berlin("2025-11-18T10:00").isoformat()),
    ]
    store = next(_store(tmp_path, events))
    now = _berlin("2025-11-18T12:00")
    assert _business_hours(_berlin("2025-11-17T09:00"), now) > 8
    assert _business_hours(_berlin("2025-11-18T10:00"), now) <= 8
    report = build_report("sla", store, nordlicht, "2025-11", now)
    month = report.tables["By month"].set_index("period").loc["2025-11"]
    assert (month["answered"], month["first_response_in_target"]) == (1, 1)
    assert month["unanswered_past_target"] == 1
    assert month["first_response_share"] == pytest.approx(1 / 2)
    assert (
        "50,0\xa0% of 2 due claims (1 answered, 1 not answered and already past it) "
        "(target 90\xa0%): missed."
    ) in report.verdict
