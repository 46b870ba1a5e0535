"""Charts for HTML reports, drawn with matplotlib as PNG bytes.

Each function takes a report's own frame and returns a PNG, or None when
there is nothing to draw (a chart is never empty). Time axes span the
data's dates only: a single day is drawn as that day, with half a day
either side, never autoscaled across years; date ticks are chosen by
matplotlib's concise date locator so they never crowd.

- `trend`: a figure over time (days or months) with its target line;
- `backlog_and_breaches`: backlog at each day's close (line) and new
  breaches that day (bars);
- `top_reasons`: horizontal bars of the commonest reason codes, this
  period beside the previous periods' average;
- `operator_rates`: each operator's error rate with its 95% interval and
  the SLA limit;
- `control`: a p-chart (or Laney p') of the daily error rate.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from claimflow.extras import need

if TYPE_CHECKING:
    from matplotlib.axes import Axes

BLUE, RED, GREY, ORANGE = "#4a78a8", "#c0392b", "#7f8c8d", "#e67e22"


def png(draw: Callable[[Axes], None], height: float = 3.2) -> bytes:
    """Draw on one axes and return the figure as PNG bytes (7 in wide, 110 dpi).

    Example: ``png(lambda ax: ax.plot([1, 2], [3, 4]))[:4] == b"\\x89PNG"``
    """
    need("matplotlib", "charts in HTML and PDF reports")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, height), dpi=110)
    draw(axes)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def date_axis(ax: Axes, days: Sequence[date]) -> None:
    """Limit a date x axis to the data's days (half a day either side), with
    concise ticks: one day is one day, not 2025-2029.

    Example: ``date_axis(ax, [date(2026, 11, 10)])``
    """
    import matplotlib.dates as mdates

    if not days:
        return
    low, high = min(days), max(days)
    # datetimes, not dates: a date less 12 hours is the same date
    start = datetime.combine(low, time()) - timedelta(hours=12)
    end = datetime.combine(high, time()) + timedelta(hours=12)
    ax.set_xlim(
        mdates.date2num(start),  # type: ignore[no-untyped-call]
        mdates.date2num(end),  # type: ignore[no-untyped-call]
    )
    if (high - low).days < 3:
        # a day or three: each day named in full, no hours
        ax.xaxis.set_major_locator(mdates.DayLocator())  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))  # type: ignore[no-untyped-call]
        return
    locator = mdates.AutoDateLocator(minticks=2, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def legend(ax: Axes, gap: float = 0.2) -> None:
    """The legend under the plot, in one row, never over the data (`gap`:
    below the axes, in axes heights: more under slanted labels).

    Example: ``legend(ax)``
    """
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -gap),
            ncol=len(handles),
            frameon=False,
            fontsize="small",
        )


def _days(values: pd.Series | pd.Index) -> list[date]:
    return [pd.Timestamp(v).date() for v in values]


def _x(values: pd.Series | pd.Index) -> np.ndarray:
    """Days as matplotlib's date numbers (days since its epoch)."""
    import matplotlib.dates as mdates

    days: np.ndarray = mdates.date2num(
        [pd.Timestamp(v).to_pydatetime() for v in values]
    )  # type: ignore[no-untyped-call]
    return days


def trend(
    x: Sequence[str] | pd.Index,
    y: Sequence[float] | pd.Series,
    title: str,
    ylabel: str,
    target: float | None = None,
    target_label: str = "target",
    dates: bool = False,
) -> bytes | None:
    """A line over periods (month labels, or days with `dates`) and a target line.

    Example: ``trend(["2026-09", "2026-10"], [91.0, 86.5], "On time", "%", 85)``
    """
    points = pd.Series(list(y), index=list(x), dtype=float).dropna()
    if points.empty:
        return None

    def draw(ax: Axes) -> None:
        if dates:
            ax.plot(_x(points.index), points.to_numpy(), "o-", color=BLUE, label=ylabel)
        else:
            labels = [str(v) for v in points.index]
            ax.plot(labels, points.to_numpy(), "o-", color=BLUE, label=ylabel)
        if target is not None:
            ax.axhline(target, color=RED, linestyle="--", label=target_label)
        if dates:
            date_axis(ax, _days(points.index))
        else:
            ax.tick_params(axis="x", labelrotation=30)
        ax.set(title=title, ylabel=ylabel)
        # from 0, and high enough that the target line shows above the data
        top = max(float(points.max()), target or 0.0)
        ax.set_ylim(0, top * 1.12 if top > 0 else 1)
        if target is not None:
            legend(ax, 0.2 if dates else 0.34)

    return png(draw)


def backlog_and_breaches(daily: pd.DataFrame) -> bytes | None:
    """Backlog at each day's close (line) and the day's new breaches (bars).

    Args:
        daily: one row per day with ``day`` (a date), ``backlog`` and
            ``new_breaches``.

    Example: ``backlog_and_breaches(pack_frame)``
    """
    if daily.empty:
        return None
    from matplotlib.ticker import MaxNLocator

    def draw(ax: Axes) -> None:
        xs = _x(daily["day"])
        ax.bar(xs, daily["new_breaches"], width=0.6, color=RED, label="new breaches")
        ax.plot(xs, daily["backlog"], marker=".", color=BLUE, label="backlog at close")
        date_axis(ax, _days(daily["day"]))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(title="Backlog and breaches per day", ylabel="claims")
        ax.set_ylim(bottom=0)
        legend(ax)

    return png(draw)


def top_reasons(top: pd.DataFrame, current: str, previous: str | None) -> bytes | None:
    """Bars of the commonest reasons: claims this period and, when given, the
    previous periods' average (column `previous`).

    Example: ``top_reasons(frame, "2026-10", "previous_mean")``
    """
    if top.empty:
        return None

    from matplotlib.ticker import MaxNLocator

    def draw(ax: Axes) -> None:
        codes = list(top["code"])[::-1]
        rows = range(len(codes))
        now = list(top[current])[::-1]
        if previous is not None:
            before = list(top[previous])[::-1]
            ax.barh([r - 0.2 for r in rows], now, height=0.4, color=BLUE, label=current)
            ax.barh(
                [r + 0.2 for r in rows],
                before,
                height=0.4,
                color=GREY,
                label="previous months' average",
            )
            legend(ax)
        else:
            ax.barh(list(rows), now, color=BLUE)
        ax.set_yticks(list(rows), codes)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(title="Top reasons (claims)", xlabel="claims")

    return png(draw, height=max(2.4, 0.45 * len(top) + 1.2))


def operator_rates(people: pd.DataFrame, limit: float) -> bytes | None:
    """Each operator's errors per 10,000 with its 95% Wilson interval and the limit.

    Args:
        people: `claimflow.sla.quality.error_rates` rows, operators only.
        limit: the SLA's maximum error rate (a fraction).

    Example: ``operator_rates(rates[rates["operator"] != "total"], 0.005)``
    """
    if people.empty:
        return None

    def draw(ax: Axes) -> None:
        rate = people["rate_per_10k"]
        # At 0 errors statsmodels' lower bound is 0 give or take 1e-19: the
        # bars' lengths are clipped at 0, as matplotlib refuses negative ones.
        ax.errorbar(
            [str(o) for o in people["operator"]],
            rate,
            yerr=[
                (rate - people["wilson_low_per_10k"]).clip(lower=0),
                (people["wilson_high_per_10k"] - rate).clip(lower=0),
            ],
            fmt="o",
            capsize=6,
            color=BLUE,
        )
        ax.axhline(limit * 1e4, color=RED, linestyle="--", label="SLA limit")
        ax.set(title="Error rate per operator (95% Wilson)", ylabel="errors per 10,000")
        ax.set_ylim(bottom=0)
        legend(ax)

    return png(draw)


def control(chart: pd.DataFrame) -> bytes | None:
    """The control chart of `claimflow.sla.quality.control_chart`, per 10,000.

    Example: ``control(control_chart(checks))``
    """
    if chart.empty:
        return None

    def draw(ax: Axes) -> None:
        days = _days(chart["sample"])
        xs = _x(chart["sample"])
        ax.plot(xs, chart["p"] * 1e4, marker="o", color=BLUE, label="daily rate")
        ax.plot(xs, chart["ucl"] * 1e4, color=RED, linestyle="--", label="limits")
        ax.plot(xs, chart["lcl"] * 1e4, color=RED, linestyle="--")
        ax.axhline(chart["center"].iloc[0] * 1e4, color=GREY, label="centre")
        out = chart[chart["out"]]
        if not out.empty:
            ax.plot(
                _x(out["sample"]),
                out["p"] * 1e4,
                "o",
                color=ORANGE,
                label="out of control",
            )
        date_axis(ax, days)
        ax.set(
            title=f"Control chart ({chart['method'].iloc[0]})",
            ylabel="errors per 10,000",
        )
        ax.set_ylim(bottom=0)
        legend(ax)

    return png(draw)
