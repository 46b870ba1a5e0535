"""SLA and QA reports for people: terminal tables, CSV, Excel, HTML with charts.

A `Report` is data (titled tables, charts as PNG, and the definitions a
figure needs to be recomputed and defended: unit, denominator, calendar,
period, time zone); the renderers only lay it out. Charts are drawn with
matplotlib and embedded in the HTML, so the file opens anywhere offline.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from jinja2 import PackageLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from claimflow.config import ResolvedClient
from claimflow.errors import ClaimflowError
from claimflow.report import charts
from claimflow.report.columns import COLUMNS
from claimflow.report.verdicts import plain, sla_verdict
from claimflow.shown import number, percent
from claimflow.sla.metrics import Window, calendar_of, claim_facts, summarize
from claimflow.sla.quality import (
    QaDay,
    compare,
    control_chart,
    entry_checks,
    error_rates,
    iso_bounds,
)
from claimflow.sla.settings import calendar_line
from claimflow.store import Store
from claimflow.store.reports import entry_error_rows, reason_rows

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from claimflow.report.pack import PackOptions

Kind = Literal["sla", "qa", "trends", "daily", "weekly", "monthly"]


@dataclass
class Report:
    """A report: what it is, how its figures are defined, tables and charts."""

    title: str
    definitions: list[str]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Babel locale and currency the figures are shown in (the client's).
    locale: str = "en_US"
    currency: str = "USD"
    #: One sentence at the top: what the reader must know first.
    verdict: str = ""
    #: The period's definition (also the first of `definitions`).
    period: str = ""

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints): each table as records."""
        import json

        return {
            "title": self.title,
            "verdict": self.verdict,
            "period": self.period,
            "notes": self.notes,
            "tables": {
                name: json.loads(
                    _counted(frame).to_json(orient="records", date_format="iso")
                )
                for name, frame in self.tables.items()
            },
            "definitions": self.definitions,
        }


def _counted(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its count columns (`COLUMNS` kind ``count``) as integers
    (a count is never 7.0; a missing one stays null) and its date columns
    (kind ``date``) as ISO dates: a day is ``2026-10-26``, not the instant
    ``2026-10-26T00:00:00.000`` in no zone."""
    kinds = {c: col.kind for c in frame.columns if (col := COLUMNS.get(str(c)))}
    counts = [c for c, kind in kinds.items() if kind == "count"]
    days = [c for c, kind in kinds.items() if kind == "date"]
    if not counts and not days:
        return frame
    frame = frame.astype({c: "Int64" for c in counts})
    for c in days:
        if pd.api.types.is_datetime64_any_dtype(frame[c]):
            frame[c] = frame[c].dt.strftime("%Y-%m-%d").astype(object)
        else:  # datetime.date objects, which to_json writes as midnights
            frame[c] = frame[c].map(_iso_day)
    return frame


def _iso_day(value: Any) -> Any:
    """A day (`date`) as ``2026-10-26``; anything else as it is."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def _period(client: ResolvedClient, window: Window) -> str:
    zone = client.config.calendar.timezone or client.config.timezone
    return f"Period: claims received {window.label()}, local dates in {zone}."


def _english_ordinal(n: int) -> str:
    """`n` as an English ordinal, by CLDR's ordinal plural rules (Babel):
    1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd, 23rd.

    Example: ``_english_ordinal(3) == "3rd"``
    """
    from babel import Locale

    form = Locale("en").ordinal_form(n)
    return f"{n}{ {'one': 'st', 'two': 'nd', 'few': 'rd'}.get(form, 'th')}"


def sla_definitions(client: ResolvedClient, period: str) -> list[str]:
    """The definitions an SLA report's figures need, the period's first.

    Example: ``sla_definitions(client, "Period: claims received in 2026-10.")[0]``
    """
    terms, cal = client.config.sla, client.config.calendar
    loc = client.config.locale
    ten_k, level = number(10_000, loc), percent(0.95, loc, 0)
    return [
        period,
        calendar_line(cal),
        f"Turnaround: business days from received to decided; on time when decided "
        f"on or before the {_english_ordinal(terms.turnaround_days)} business day "
        "(a claim received "
        "on a closed day starts on the next business day)"
        + (
            "; days pended on the participant do not count."
            if terms.pause_when_pended
            else "."
        ),
        "On-time share: on-time claims / decided claims; target "
        f"{percent(terms.on_time_target, loc, 0)}.",
        f"First response: business hours from received to the first response; target "
        f"{plain(terms.first_response_hours, loc)} h; in target: answered within it; "
        "share in target: answered in target / (claims answered + claims not "
        "answered yet and already past the target, which have missed it); target "
        f"{percent(terms.on_time_target, loc, 0)} (the on-time target's).",
        f"Entry error rate: errors / {terms.error_unit}s checked, shown per {ten_k}; "
        f"limit {plain(terms.max_error_rate * 1e4, loc)} per {ten_k}; intervals are "
        f"{level} Wilson; verdicts use exact one-sided {level} bounds.",
        "Escalation share: claims with an escalation event / claims received; limit "
        f"{percent(terms.max_escalation_share, loc, 0)}.",
        "Points at stake: for each adjudicated keying error, the difference between the "
        "award the keyed value would have earned and the award of the corrected value.",
        "Backlog: received, not decided, not waiting on the participant. At risk: due "
        f"within {plain(terms.at_risk_hours, loc)} business hours. Breach: decided late, or open "
        "past its due date.",
        "Top reasons: claims pended or rejected for a reason code, each counted once "
        "however many of its fields the code names; problems counts every field.",
    ]


def top_reasons(store: Store, client: str, window: Window) -> pd.DataFrame:
    """The ten commonest reasons of pended and rejected claims: per outcome and
    reason code, the claims it holds (each once, however many of its fields
    it names) and the problems.

    Example: ``top_reasons(store, "acme-tools", Window.parse("2026-10"))``
    """
    frame = pd.DataFrame(
        reason_rows(store, client, *iso_bounds(window)),
        columns=["claim_id", "code", "outcome"],
    )
    grouped = frame.groupby(["outcome", "code"])["claim_id"]
    counts = pd.DataFrame(
        {"claims": grouped.nunique(), "problems": grouped.size()}
    ).reset_index()
    return counts.sort_values(
        ["claims", "problems", "outcome", "code"],
        ascending=[False, False, True, True],
    ).head(10)


def _facts_report(
    store: Store, client: ResolvedClient, window: Window, now: datetime, what: str
) -> tuple[Report, pd.DataFrame]:
    """A report of the SLA definitions for the window, and the window's claim
    facts (an empty report says there were no claims)."""
    period = _period(client, window)
    report = Report(
        f"{client.config.name}: {what}", sla_definitions(client, period), period=period
    )
    # as the store stood at `now` (--as-of): later events not yet made (trial
    # 19: the SLA report as of a past instant counted claims decided since)
    facts = claim_facts(store, client, window, now, until=now)
    if facts.empty:
        report.verdict = "No claims received in the period."
    return report, facts


def sla_report(
    store: Store,
    client: ResolvedClient,
    window: Window,
    now: datetime,
    options: PackOptions | None = None,
) -> Report:
    """Turnaround, first response, on-time share, backlog and top reasons."""
    report, facts = _facts_report(store, client, window, now, "SLA report")
    if facts.empty:
        return report
    target = client.config.sla.on_time_target
    report.tables["By month"] = summarize(facts, "period")
    report.tables["By operator"] = summarize(facts, "operator")
    report.tables["Top reasons for pending and rejection"] = top_reasons(
        store, client.key, window
    )
    total = report.tables["By month"].iloc[-1]
    ceiling, loc = client.config.sla.max_escalation_share, client.config.locale
    report.notes.append(
        f"Escalated: {percent(total['escalation_share'], loc)} of claims (limit "
        f"{percent(ceiling, loc, 0)}): "
        f"{'within' if total['escalation_share'] <= ceiling else 'over'} the limit."
    )
    report.verdict = sla_verdict(total, facts, client.config.sla, loc)
    decided = facts[facts["status"] == "decided"]
    if decided.empty:
        return report  # nothing to time: no turnaround to draw
    weekly = (
        decided.assign(
            week=pd.to_datetime(decided["received_day"]).dt.to_period("W").dt.start_time
        )
        .groupby("week")["on_time"]
        .mean()
    )

    def turnaround(ax: Axes) -> None:
        ax.hist(
            decided["business_days"],
            bins=range(0, int(decided["business_days"].max()) + 2),
            color=charts.BLUE,
        )
        ax.axvline(
            client.config.sla.turnaround_days + 0.5,
            color=charts.RED,
            linestyle="--",
            label="due",
        )
        ax.set(
            title="Turnaround (business days)", xlabel="business days", ylabel="claims"
        )
        charts.legend(ax)

    report.charts["Turnaround distribution"] = charts.png(turnaround)
    on_time = charts.trend(
        [d.date().isoformat() for d in weekly.index],
        weekly * 100,
        "On-time share by week received",
        "% on time",
        target * 100,
        dates=True,
    )
    if on_time is not None:
        report.charts["On-time share over time"] = on_time
    return report


def consequence(store: Store, client: str, window: Window) -> pd.DataFrame:
    """Per operator: adjudicated errors and the points they would have mis-awarded."""
    frame = pd.DataFrame(
        entry_error_rows(store, client, *iso_bounds(window)),
        columns=["operator", "day", "points_at_stake"],
    )
    if frame.empty:
        return frame
    grouped = frame.groupby("operator")["points_at_stake"]
    return pd.DataFrame(
        {
            "errors": grouped.size(),
            "points_at_stake": grouped.sum(min_count=1).fillna(0).astype(int),
            "errors_that_change_points": grouped.apply(
                lambda s: int((s.fillna(0) > 0).sum())
            ),
        }
    ).reset_index()


_QA_DAY = {
    "keyed": "QA period: entry checks by the day the fields were keyed: the local "
    "date of the instant their batch was stored (the nearest the store holds); "
    "a check with no stored batch (a QA file row without a batch, a double "
    "entry's check) counts on the day it was recorded.",
    "adjudicated": "QA period: entry checks by the day they were recorded (an "
    "imported check file's day; for double entry, the adjudication day), not "
    "the day the fields were keyed.",
}


def qa_section(
    store: Store,
    client: ResolvedClient,
    window: Window,
    by: QaDay = "keyed",
    trend_window: Window | None = None,
) -> Report:
    """The QA figures of a period: error rates per operator and field, verdicts,
    the operators to watch, the control chart, and (with `trend_window`)
    the rates by month over it.

    The section's first note is its verdict (the total's); the others name
    every operator in breach or not yet judged, then the comparison of the
    two busiest operators.

    Example: ``qa_section(store, client, Window.parse("2026-11"), "keyed")``
    """
    section = Report("QA", [_QA_DAY[by]])
    zone = str(calendar_of(client).zone)
    checks = entry_checks(store, client.key, window, by, zone)
    if checks.empty:
        section.notes.append("No entry checks in the period.")
        return section
    limit = client.config.sla.max_error_rate
    loc = client.config.locale
    by_operator = error_rates(checks, "operator", limit, locale=loc)
    section.tables["QA by operator"] = by_operator
    section.tables["QA by field"] = error_rates(checks, "field", limit, locale=loc)
    over = checks
    if trend_window is not None:
        over = entry_checks(store, client.key, trend_window, by, zone)
    by_month = error_rates(over, "period", limit, locale=loc)
    section.tables["QA by month"] = by_month
    weighted = consequence(store, client.key, window)
    if not weighted.empty:
        section.tables["Errors weighted by consequence"] = weighted
    chart = control_chart(checks)
    section.tables["Control chart (daily)"] = chart
    total = by_operator.iloc[-1]
    section.notes.append(f"Entry errors ({total['verdict']}): {total['explanation']}")
    people = by_operator[by_operator["operator"] != "total"]
    section.notes.extend(_operators_to_watch(people))
    operators = checks.groupby("operator")[["errors", "checked"]].sum()
    if len(operators) >= 2:
        top = operators.sort_values("checked", ascending=False).head(2)
        (a, ra), (b, rb) = top.iterrows()
        section.notes.append(
            compare(
                (int(ra["errors"]), int(ra["checked"])),
                (int(rb["errors"]), int(rb["checked"])),
                (str(a), str(b)),
                loc,
            )
        )
    months = by_month[by_month["period"] != "total"]
    drawn = {
        "Error rate per operator": charts.operator_rates(people, limit),
        "Control chart": charts.control(chart),
        "Error rate by month": charts.trend(
            list(months["period"]),
            months["rate_per_10k"],
            "Entry errors by month",
            "errors per 10,000",
            limit * 1e4,
            "SLA limit",
        )
        if len(months) > 1
        else None,
    }
    section.charts.update({k: v for k, v in drawn.items() if v is not None})
    return section


def qa_report(
    store: Store,
    client: ResolvedClient,
    window: Window,
    now: datetime,
    options: PackOptions | None = None,
) -> Report:
    """Entry error rates per operator, field and month, verdicts, control chart.

    Checks count by keying day, or by adjudication day with
    ``PackOptions(qa_by="adjudicated")`` (see `qa_section`).
    """
    by = options.qa_by if options else "keyed"
    report = Report(
        f"{client.config.name}: data-entry QA report",
        sla_definitions(client, _period(client, window)),
        period=_period(client, window).replace("claims received", "entry checks"),
    )
    report.definitions[0] = report.period
    section = qa_section(store, client, window, by)
    report.definitions.append(section.definitions[0])
    renamed = {"QA by operator": "By operator", "QA by field": "By field"}
    renamed["QA by month"] = "By month"
    report.tables = {renamed.get(k, k): v for k, v in section.tables.items()}
    report.charts = section.charts
    report.verdict, report.notes = section.notes[0], section.notes[1:]
    return report


def _operators_to_watch(people: pd.DataFrame) -> list[str]:
    """One sentence per operator in breach, then per operator whose rate
    cannot be judged yet, each with the figures behind it."""
    notes = []
    for verdict, what in (
        ("breached", "in breach"),
        ("inconclusive", "not yet judged"),
    ):
        for row in people[people["verdict"] == verdict].itertuples(index=False):
            notes.append(f"Operator {row.operator} {what}: {row.explanation}")
    return notes


def trends_report(
    store: Store,
    client: ResolvedClient,
    window: Window,
    now: datetime,
    options: PackOptions | None = None,
) -> Report:
    """The SLA figures per ISO week of receipt, with the on-time trend."""
    report, facts = _facts_report(store, client, window, now, "trends")
    if facts.empty:
        return report
    received = pd.to_datetime(facts["received_day"])
    facts["period"] = received.dt.to_period("W").dt.start_time.dt.strftime("%Y-%m-%d")
    weeks = summarize(facts, "period")
    report.tables["By week received (Monday)"] = weeks
    target = client.config.sla.on_time_target
    rows = weeks[weeks["period"] != "total"]
    report.verdict = sla_verdict(
        weeks.iloc[-1], facts, client.config.sla, client.config.locale
    )
    for name, png in (
        (
            "On-time share by week",
            charts.trend(
                list(rows["period"]), rows["on_time_share"] * 100,
                "On-time share by week received", "% on time", target * 100, dates=True,
            ),
        ),
        (
            "Claims received by week",
            charts.trend(
                list(rows["period"]), rows["received"], "Claims received by week",
                "claims", dates=True,
            ),
        ),
    ):  # fmt: skip
        if png is not None:
            report.charts[name] = png
    return report


#: Report kinds: the SLA and QA reports and trends by period, and the pack.
KINDS: tuple[Kind, ...] = ("sla", "qa", "trends", "daily", "weekly", "monthly")


def build_report(
    kind: Kind,
    store: Store,
    client: ResolvedClient,
    period: str | None,
    now: datetime,
    options: PackOptions | None = None,
) -> Report:
    """Build one report for a client and period.

    Args:
        kind: one of `KINDS`.
        store: the store.
        client: the client.
        period: ``sla``, ``qa``, ``trends``: ``2026-10``, ``2026-Q4``,
            ``2026`` or ``2026-10-01..2026-10-31`` (None: all time);
            ``daily``: a day (None: today); ``weekly``: the week's last day
            (None: the working day before today); ``monthly``: a month
            (None: the last complete month). See `claimflow.report.pack`.
        now: the instant the figures are as of.
        options: top N, months of trend and QA's day (`PackOptions`).

    Example: ``build_report("sla", store, client, "2026-Q4", datetime.now(UTC))``
    """
    from claimflow.report import pack

    calendar_of(client)  # fail early on a bad calendar
    if kind in ("daily", "weekly", "monthly"):
        builder = {
            "daily": pack.daily_report,
            "weekly": pack.weekly_report,
            "monthly": pack.monthly_report,
        }[kind]
        report = builder(store, client, period, now, options)
    else:
        windowed = {"sla": sla_report, "qa": qa_report, "trends": trends_report}
        window = Window.parse(period)
        if window.start is not None:
            # a period not yet begun at `now` is refused, as a daily report
            # of a day not come is (trial 33: 'no claims in the period', exit 1)
            from claimflow.window import refuse_future_day

            refuse_future_day(window.start, "--period", client.zone, now, period)
        report = windowed[kind](store, client, window, now, options)
    report.locale, report.currency = client.config.locale, client.config.currency
    return report


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page (charts embedded as PNG).

    Figures are formatted in the report's locale and headers are the
    columns' own (`claimflow.report.columns`); tables wrap their headers
    and fit a 1280 px page, and print.

    Example: ``Path("qa.html").write_text(to_html(report))``
    """
    from claimflow.report.tables import html_table

    env = SandboxedEnvironment(
        loader=PackageLoader("claimflow.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    tables = {
        name: html_table(frame, report.locale, report.currency)
        for name, frame in report.tables.items()
    }
    charts = {
        name: base64.b64encode(png).decode("ascii")
        for name, png in report.charts.items()
    }
    return env.get_template("report.html.j2").render(
        report=report, tables=tables, charts=charts
    )


def write_report(report: Report, out: Path) -> Path:
    """Write a report as ``.html``, ``.pdf``, ``.xlsx``, ``.csv`` or ``.zip`` (CSV).

    See `claimflow.report.tables` for each layout; a ``.csv`` of a report
    with several tables becomes a folder of CSV files; a ``.pdf`` is the
    HTML printed by headless Chromium (`claimflow.report.browser`).

    Returns:
        The path written (a file, or the folder of CSV files).

    Example: ``write_report(report, Path("sla-2026-10.xlsx"))``
    """
    from claimflow.report.tables import write_csv, write_xlsx

    suffix = out.suffix.lower()
    if suffix == ".html":
        out.write_text(to_html(report), encoding="utf-8")
        return out
    if suffix == ".pdf":
        import tempfile

        from claimflow.report.browser import print_pdf

        with tempfile.TemporaryDirectory(prefix="claimflow-report-") as folder:
            page = Path(folder) / "report.html"
            page.write_text(to_html(report), encoding="utf-8")
            return print_pdf(page, out)
    if suffix == ".xlsx":
        return write_xlsx(report, out)
    if suffix in (".csv", ".zip"):
        return write_csv(report, out)
    raise ClaimflowError(
        f"{out}: expected a .html, .pdf, .xlsx, .csv or .zip file name"
    )
