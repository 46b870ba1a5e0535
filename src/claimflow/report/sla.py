"""SLA and QA reports for people: terminal tables, CSV, Excel, HTML with charts.

A `Report` is data (titled tables, charts as PNG, and the definitions a
figure needs to be recomputed and defended: unit, denominator, calendar,
period, time zone); the renderers only lay it out. Charts are drawn with
matplotlib and embedded in the HTML, so the file opens anywhere offline.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from jinja2 import PackageLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from claimflow.config import ResolvedClient
from claimflow.errors import ClaimflowError
from claimflow.sla.metrics import Window, calendar_of, claim_facts, summarize
from claimflow.sla.quality import (
    compare,
    control_chart,
    entry_checks,
    error_rates,
    iso_bounds,
)
from claimflow.store import Store
from claimflow.store.reports import entry_error_rows, reason_rows

if TYPE_CHECKING:
    from matplotlib.axes import Axes

Kind = Literal["sla", "qa", "trends", "daily"]


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

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints): each table as records."""
        import json

        return {
            "title": self.title,
            "notes": self.notes,
            "tables": {
                name: json.loads(frame.to_json(orient="records", date_format="iso"))
                for name, frame in self.tables.items()
            },
            "definitions": self.definitions,
        }


def _definitions(client: ResolvedClient, window: Window) -> list[str]:
    terms, cal = client.config.sla, client.config.calendar
    where = " ".join(filter(None, [cal.country, cal.subdivision])) or "none"
    hours = ", ".join(f"{d} {h}" for d, h in cal.hours.items() if h)
    return [
        f"Period: claims received {window.label()}, local dates in "
        f"{cal.timezone or client.config.timezone}.",
        f"Calendar: {hours}; public holidays of {where}; closures: "
        f"{', '.join(map(str, cal.closures)) or 'none'}.",
        f"Turnaround: business days from received to decided; on time when decided "
        f"on or before the {terms.turnaround_days}th business day (a claim received "
        "on a closed day starts on the next business day)"
        + (
            "; days pended on the participant do not count."
            if terms.pause_when_pended
            else "."
        ),
        f"On-time share: on-time claims / decided claims; target {terms.on_time_target:.0%}.",
        f"First response: business hours from received to the first response; target "
        f"{terms.first_response_hours:g} h.",
        f"Entry error rate: errors / {terms.error_unit}s checked, shown per 10,000; limit "
        f"{terms.max_error_rate * 1e4:g} per 10,000; intervals are 95% Wilson; verdicts use "
        "exact one-sided 95% bounds.",
        "Escalation share: claims with an escalation event / claims received; limit "
        f"{terms.max_escalation_share:.0%}.",
        "Points at stake: for each adjudicated keying error, the difference between the "
        "award the keyed value would have earned and the award of the corrected value.",
        "Backlog: received, not decided, not waiting on the participant. At risk: due "
        f"within {terms.at_risk_hours:g} business hours. Breach: decided late, or open "
        "past its due date.",
        "Top reasons: claims pended or rejected for a reason code, each counted once "
        "however many of its fields the code names; problems counts every field.",
    ]


def _png(draw: Callable[[Axes], None]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 3.2), dpi=110)
    draw(axes)
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def _top_reasons(store: Store, client: str, window: Window) -> pd.DataFrame:
    """The ten commonest reasons of pended and rejected claims: per outcome and
    reason code, the claims it holds (each once, however many of its fields
    it names) and the problems."""
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


def sla_report(
    store: Store, client: ResolvedClient, window: Window, now: datetime
) -> Report:
    """Turnaround, first response, on-time share, backlog and top reasons."""
    report = Report(f"{client.config.name}: SLA report", _definitions(client, window))
    facts = claim_facts(store, client, window, now)
    if facts.empty:
        report.notes.append("No claims received in the period.")
        return report
    target = client.config.sla.on_time_target
    report.tables["By month"] = summarize(facts, "period")
    report.tables["By operator"] = summarize(facts, "operator")
    report.tables["Top reasons for pending and rejection"] = _top_reasons(
        store, client.key, window
    )
    total = report.tables["By month"].iloc[-1]
    ceiling = client.config.sla.max_escalation_share
    report.notes.append(
        f"Escalated: {total['escalation_share']:.1%} of claims (limit {ceiling:.0%}): "
        f"{'within' if total['escalation_share'] <= ceiling else 'over'} the limit."
    )
    decided = facts[facts["status"] == "decided"]
    if decided.empty:
        # nothing to time: no share to judge, no turnaround to draw
        report.notes.append("On time: no claim received in the period is decided yet.")
        return report
    report.notes.append(
        f"On time: {total['on_time_share']:.1%} of {int(total['decided']):,} decided claims "
        f"(target {target:.0%}): {'met' if total['on_time_share'] >= target else 'missed'}."
    )
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
            color="#4a78a8",
        )
        ax.axvline(
            client.config.sla.turnaround_days + 0.5, color="#c0392b", linestyle="--"
        )
        ax.set(
            title="Turnaround (business days)", xlabel="business days", ylabel="claims"
        )

    def on_time(ax: Axes) -> None:
        ax.plot(weekly.index, weekly.to_numpy() * 100, marker="o", color="#4a78a8")
        ax.axhline(target * 100, color="#c0392b", linestyle="--", label="target")
        ax.set(title="On-time share by week received", ylabel="% on time")
        ax.legend()

    report.charts["Turnaround distribution"] = _png(turnaround)
    report.charts["On-time share over time"] = _png(on_time)
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


def qa_report(
    store: Store, client: ResolvedClient, window: Window, now: datetime
) -> Report:
    """Entry error rates per operator, field and month, verdicts, control chart."""
    report = Report(
        f"{client.config.name}: data-entry QA report", _definitions(client, window)
    )
    report.definitions.append(
        "QA period: entry checks by the day they were recorded (an imported "
        "check file's day; for double entry, the adjudication day), not the "
        "day the fields were keyed."
    )
    checks = entry_checks(store, client.key, window)
    if checks.empty:
        report.notes.append("No entry checks recorded in the period.")
        return report
    limit = client.config.sla.max_error_rate
    by_operator = error_rates(checks, "operator", limit)
    report.tables["By operator"] = by_operator
    report.tables["By field"] = error_rates(checks, "field", limit)
    report.tables["By month"] = error_rates(checks, "period", limit)
    weighted = consequence(store, client.key, window)
    if not weighted.empty:
        report.tables["Errors weighted by consequence"] = weighted
    chart = control_chart(checks)
    report.tables["Control chart (daily)"] = chart
    report.notes.append(str(by_operator.iloc[-1]["explanation"]))
    people = by_operator[by_operator["operator"] != "total"]
    report.notes.extend(_operators_to_watch(people))
    operators = checks.groupby("operator")[["errors", "checked"]].sum()
    if len(operators) >= 2:
        top = operators.sort_values("checked", ascending=False).head(2)
        (a, ra), (b, rb) = top.iterrows()
        report.notes.append(
            compare(
                (int(ra["errors"]), int(ra["checked"])),
                (int(rb["errors"]), int(rb["checked"])),
                (str(a), str(b)),
            )
        )

    def per_operator(ax: Axes) -> None:
        rate = people["rate_per_10k"]
        # At 0 errors statsmodels' lower bound is 0 give or take 1e-19: the
        # bars' lengths are clipped at 0, as matplotlib refuses negative ones.
        ax.errorbar(
            people["operator"],
            rate,
            yerr=[
                (rate - people["wilson_low_per_10k"]).clip(lower=0),
                (people["wilson_high_per_10k"] - rate).clip(lower=0),
            ],
            fmt="o",
            capsize=6,
            color="#4a78a8",
        )
        ax.axhline(limit * 1e4, color="#c0392b", linestyle="--", label="SLA limit")
        ax.set(title="Error rate per operator (95% Wilson)", ylabel="errors per 10,000")
        ax.legend()

    def control(ax: Axes) -> None:
        x = pd.to_datetime(chart["sample"])
        ax.plot(x, chart["p"] * 1e4, marker=".", color="#4a78a8", label="daily rate")
        ax.plot(x, chart["ucl"] * 1e4, color="#c0392b", linestyle="--", label="limits")
        ax.plot(x, chart["lcl"] * 1e4, color="#c0392b", linestyle="--")
        ax.axhline(chart["center"].iloc[0] * 1e4, color="grey")
        ax.set(
            title=f"Control chart ({chart['method'].iloc[0]})",
            ylabel="errors per 10,000",
        )
        ax.legend()

    report.charts["Error rate per operator"] = _png(per_operator)
    report.charts["Control chart"] = _png(control)
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


def _by_received(
    title: str, table: str, period: str
) -> Callable[[Store, ResolvedClient, Window, datetime], Report]:
    """A report of the SLA figures per week or day of receipt."""

    def build(
        store: Store, client: ResolvedClient, window: Window, now: datetime
    ) -> Report:
        report = Report(f"{client.config.name}: {title}", _definitions(client, window))
        facts = claim_facts(store, client, window, now)
        if facts.empty:
            report.notes.append("No claims received in the period.")
            return report
        received = pd.to_datetime(facts["received_day"])
        facts["period"] = (
            received.dt.to_period("W").astype(str)
            if period == "W"
            else received.dt.strftime("%Y-%m-%d")
        )
        report.tables[table] = summarize(facts, "period")
        return report

    return build


trends_report = _by_received("trends", "By week received", "W")
daily_report = _by_received("daily", "By day received", "D")


BUILDERS = {
    "sla": sla_report,
    "qa": qa_report,
    "trends": trends_report,
    "daily": daily_report,
}


def build_report(
    kind: Kind, store: Store, client: ResolvedClient, period: str | None, now: datetime
) -> Report:
    """Build one report for a client and period (``2026-10``, ``2026-Q4``...).

    Example: ``build_report("sla", store, client, "2026-Q4", datetime.now(UTC))``
    """
    calendar_of(client)  # fail early on a bad calendar
    report = BUILDERS[kind](store, client, Window.parse(period), now)
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
    """Write a report as ``.html``, ``.xlsx``, ``.csv`` or ``.zip`` (of CSV files).

    See `claimflow.report.tables` for each layout; a ``.csv`` of a report
    with several tables becomes a folder of CSV files.

    Returns:
        The path written (a file, or the folder of CSV files).

    Example: ``write_report(report, Path("sla-2026-10.xlsx"))``
    """
    from claimflow.report.tables import write_csv, write_xlsx

    suffix = out.suffix.lower()
    if suffix == ".html":
        out.write_text(to_html(report), encoding="utf-8")
        return out
    if suffix == ".xlsx":
        return write_xlsx(report, out)
    if suffix in (".csv", ".zip"):
        return write_csv(report, out)
    raise ClaimflowError(f"{out}: expected a .html, .xlsx, .csv or .zip file name")
