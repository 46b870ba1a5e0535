"""Report columns: each figure's human header and kind, and its formats.

One place says what a report column is called and what it holds; every
output takes it from here. A kind decides how a value is shown:

==========  ====================  =================  ===========
kind        terminal and HTML     xlsx number format  CSV
==========  ====================  =================  ===========
count       ``1,234`` (locale)    ``#,##0``          ``1234``
share       ``85.7%``             ``0.0%``           ``0.8571``
hours       ``12.5``              ``#,##0.0``        ``12.53``
days        ``3.4``               ``#,##0.0``        ``3.43``
rate        ``25.0``              ``#,##0.0``        ``25.03``
money       ``$1,234.56``         ``#,##0.00``       ``1234.56``
points      ``200,000``           ``#,##0``          ``200000``
date        ``Nov 10, 2026``      ``yyyy-mm-dd``     ``2026-11-10``
flag        ``yes`` / ``no``      text               ``yes``/``no``
text        as is                 text               as is
==========  ====================  =================  ===========

Terminal and HTML figures are formatted in the client's locale with Babel
(``de_DE``: ``1.234,5``, ``85,7 %``); CSV is for machines (``.`` decimals, no
grouping, shares as fractions); xlsx cells hold real numbers and dates,
and the spreadsheet shows them with the format above in its own locale.
A column not listed here gets a header from its name and a kind from its
values (whole numbers: count; other numbers: two decimals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal

from claimflow.shown import money, percent

Kind = Literal[
    "count", "share", "hours", "days", "rate", "money", "points", "date", "flag",
    "number", "text",
]  # fmt: skip

#: Kinds shown right-aligned: numbers and dates.
NUMERIC: frozenset[str] = frozenset(
    {"count", "share", "hours", "days", "rate", "money", "points", "number", "date"}
)


@dataclass(frozen=True)
class Column:
    """What a report column holds.

    Attributes:
        header: the header people read (``First response, median (h)``).
        kind: how its values are shown (see the module's table).
        decimals: decimals shown for a share, hours, days, rate or number.
    """

    header: str
    kind: Kind
    decimals: int = 1

    @property
    def numeric(self) -> bool:
        """Right-aligned: a number or a date."""
        return self.kind in NUMERIC


_BH = "business h"
_BD = "business days"
#: Every column the SLA and QA frames have, by its name in the frame.
COLUMNS: dict[str, Column] = {
    # keys of the groups (claimflow.sla.metrics.summarize, quality.error_rates)
    "period": Column("Period", "text"),
    "operator": Column("Operator", "text"),
    "batch_id": Column("Batch", "text"),
    "client": Column("Client", "text"),
    "field": Column("Field", "text"),
    # SLA figures (summarize)
    "received": Column("Received", "count"),
    "decided": Column("Decided", "count"),
    "on_time": Column("On time", "count"),
    "on_time_share": Column("On-time share", "share"),
    "answered": Column("Answered", "count"),
    "first_response_in_target": Column("First response in target", "count"),
    "unanswered_past_target": Column("Unanswered past target", "count"),
    "first_response_share": Column("First response in target, share", "share"),
    "first_response_median_h": Column(f"First response, median ({_BH})", "hours"),
    "turnaround_mean_days": Column(f"Turnaround, mean ({_BD})", "days"),
    "turnaround_p90_days": Column(f"Turnaround, 90th percentile ({_BD})", "days"),
    "backlog": Column("Backlog", "count"),
    "waiting_on_participant": Column("Waiting on participant", "count"),
    "at_risk": Column("At risk", "count"),
    "breaches": Column("Breaches", "count"),
    "escalated": Column("Escalated", "count"),
    "escalation_share": Column("Escalation share", "share"),
    # top reasons
    "outcome": Column("Outcome", "text"),
    "code": Column("Reason code", "text"),
    "claims": Column("Claims", "count"),
    "problems": Column("Problems", "count"),
    # QA (error_rates, consequence)
    "checked": Column("Fields checked", "count"),
    "errors": Column("Errors", "count"),
    "rate_per_10k": Column("Errors per 10,000", "rate"),
    "wilson_low_per_10k": Column("95% interval, low (per 10,000)", "rate"),
    "wilson_high_per_10k": Column("95% interval, high (per 10,000)", "rate"),
    "verdict": Column("Verdict", "text"),
    "more_fields": Column("Error-free fields still needed", "count"),
    "explanation": Column("Explanation", "text"),
    "points_at_stake": Column("Points at stake", "points"),
    "errors_that_change_points": Column("Errors that change points", "count"),
    # control chart
    "sample": Column("Day", "date"),
    "n": Column("Fields checked", "count"),
    "p": Column("Error rate", "share", 2),
    "center": Column("Centre line", "share", 2),
    "lcl": Column("Lower control limit", "share", 2),
    "ucl": Column("Upper control limit", "share", 2),
    "method": Column("Chart", "text"),
    "out": Column("Out of control", "flag"),
    # the report pack (claimflow.report.pack)
    "figure": Column("Figure", "text"),
    "claim": Column("Claim", "text"),
    "claim_id": Column("Store id", "text"),
    "day": Column("Day", "date"),
    "decided_on_time": Column("Decided on time", "count"),
    "new_breaches": Column("New breaches", "count"),
    "received_day": Column("Received", "date"),
    "escalated_day": Column("Escalated", "date"),
    "due_date": Column("Due", "date"),
    "hours_left": Column(f"Time left ({_BH})", "hours"),
    "hours_overdue": Column(f"Overdue ({_BH})", "hours"),
    "state": Column("State", "text"),
    "status": Column("Status", "text"),
    "escalated_flag": Column("Escalated", "flag"),
    "description": Column("What it means", "text"),
    "previous_mean": Column("Previous months, average", "number"),
    "change": Column("Change on the average", "share", 0),
    "trend": Column("Trend", "text"),
    # cases (claimflow.report.cases)
    "owner": Column("Owner", "text"),
    "category": Column("Category", "text"),
    "cases": Column("Cases opened", "count"),
    "closed": Column("Closed", "count"),
    "within_sla": Column("Closed within SLA", "count"),
    "within_sla_share": Column("Within SLA, share of closed", "share"),
    "over_limit": Column("Over the escalation limit", "flag"),
    "escalation_cost": Column("Cost of escalations", "money"),
    "cost_per_escalation": Column("Cost per escalation", "money"),
    "repeat_escalations": Column("Repeat escalations", "count"),
}


def column_of(name: str, values: pd.Series | None = None) -> Column:
    """The column called `name` in a report frame.

    Args:
        name: the frame's column name.
        values: its values, to infer a kind when the name is not listed.

    Returns:
        The listed `Column`, or one with a header made from the name.

    Example: ``column_of("on_time_share").header == "On-time share"``
    """
    if name in COLUMNS:
        return COLUMNS[name]
    header = str(name).replace("_", " ").strip().capitalize() or str(name)
    if values is None:
        return Column(header, "text")
    if pd.api.types.is_bool_dtype(values):
        return Column(header, "flag")
    if pd.api.types.is_numeric_dtype(values):
        whole = values.dropna()
        if whole.empty or (whole == whole.round()).all():
            return Column(header, "count")
        return Column(header, "number", 2)
    if pd.api.types.is_datetime64_any_dtype(values):
        return Column(header, "date")
    return Column(header, "text")


def columns(frame: pd.DataFrame) -> list[Column]:
    """The `Column` of each of a frame's columns, in order.

    Example: ``[c.header for c in columns(frame)]``
    """
    return [column_of(str(name), frame[name]) for name in frame.columns]


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def typed(value: Any, column: Column) -> Any:
    """A value as a spreadsheet cell holds it: int, float, date, str or None.

    Counts and points become ``int``, other figures ``float``, dates
    ``date`` (text that is not a date, such as ``total``, stays text).

    Example: ``typed(16.0, COLUMNS["received"]) == 16``
    """
    if _missing(value):
        return None
    kind = column.kind
    if kind == "flag":
        return "yes" if bool(value) else "no"
    if kind == "date":
        return _as_date(value)
    if kind in ("count", "points"):
        number = float(value) if not isinstance(value, int) else value
        return int(number) if float(number).is_integer() else float(number)
    if kind in NUMERIC:
        try:
            return float(value)
        except (TypeError, ValueError):
            return str(value)
    return value if isinstance(value, str) else str(value)


def _as_date(value: Any) -> date | str:
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)


def for_csv(value: Any, column: Column) -> Any:
    """A value as CSV writes it: whole numbers as integers, figures rounded.

    Shares are fractions to four decimals (``0.8571``: 85.71%), other
    figures keep two; dates are ISO.

    Example: ``for_csv(21.700000000000003, COLUMNS["turnaround_mean_days"]) == 21.7``
    """
    cell = typed(value, column)
    if isinstance(cell, float):
        # a share as a fraction: two more decimals than its percent shows
        return round(cell, column.decimals + 3 if column.kind == "share" else 2)
    if isinstance(cell, date):
        return cell.isoformat()
    return cell


def _amount(value: Any) -> Decimal | None:
    """A money cell's amount as a Decimal: a Decimal as it is (the frames
    keep them), a float by its 15 significant digits (what a double holds
    exactly: ``0.1 + 0.2`` is 0.3, not 0.30000000000000004); None for
    text."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float):
        return Decimal(f"{value:.15g}")
    return Decimal(value)


def shown(value: Any, column: Column, locale: str, currency: str = "USD") -> str:
    """A value as people read it, in the client's locale (Babel).

    An amount is shown as `claimflow.shown.money` shows it, every decimal
    it has included (Babel's `format_currency` rounds to CLDR's digits:
    ``189 990,50 Ft`` was ``189 990 Ft`` in a HUF report).

    Example: ``shown(1234.5, COLUMNS["rate_per_10k"], "de_DE") == "1.234,5"``
    """
    if column.kind == "money" and not _missing(value):
        amount = _amount(value)
        if amount is not None and amount.is_finite():
            return money(amount, currency, locale)
    cell = typed(value, column)
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, date):
        return str(format_date(cell, format="medium", locale=locale))
    places = "0" * column.decimals
    kind = column.kind
    if kind in ("count", "points"):
        pattern = "#,##0" if isinstance(cell, int) else "#,##0.##"
        return str(format_decimal(cell, format=pattern, locale=locale))
    if kind == "share":
        # the locale's own percent pattern, as every sentence writes it
        return percent(float(cell), locale, column.decimals)
    return str(format_decimal(cell, format=f"#,##0.{places}", locale=locale))


#: The xlsx number format of each numeric kind.
XLSX_FORMATS: dict[str, str] = {
    "count": "#,##0",
    "points": "#,##0",
    "share": "0.0%",
    "hours": "#,##0.0",
    "days": "#,##0.0",
    "rate": "#,##0.0",
    "number": "#,##0.00",
    "money": "#,##0.00",
    "date": "yyyy-mm-dd",
}


def xlsx_format(column: Column) -> str | None:
    """The number format of a column's cells in a workbook (None: text).

    Example: ``xlsx_format(COLUMNS["p"]) == "0.00%"``
    """
    if column.kind == "share":
        return "0." + "0" * column.decimals + "%"
    return XLSX_FORMATS.get(column.kind)
