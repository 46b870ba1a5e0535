"""The month's top issues: reason codes of pended and rejected claims, with
their trend against the months before (`top_issues`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from claimflow.store import Store


def top_issues(store: Store, client: str, months: list[str], top: int) -> pd.DataFrame:
    """The `top` reason codes of the last of `months`, with every month's claims.

    A claim counts once per code, however many of its fields the code names.
    Trend: the last month against the average of the months before it
    (``new``: none before; ``up``/``down``: 10% or more either way; else
    ``steady``).

    Returns:
        code, description, one column per month (claims), previous_mean,
        change (share of the average), trend.

    Example: ``top_issues(store, "acme-tools", ["2026-09", "2026-10"], 6)``
    """
    from claimflow.codes import ReasonCode
    from claimflow.store.reports import reason_month_rows

    start = pd.Period(months[0], "M").start_time.date().isoformat()
    end = (pd.Period(months[-1], "M") + 1).start_time.date().isoformat()
    rows = pd.DataFrame(
        reason_month_rows(store, client, start, end),
        columns=["claim_id", "code", "month"],
    ).drop_duplicates()
    counts = (
        rows.groupby(["code", "month"])["claim_id"].nunique().unstack("month")
        .reindex(columns=months).fillna(0).astype(int)
    )  # fmt: skip
    current, before = months[-1], months[:-1]
    counts = counts[counts[current] > 0]
    if counts.empty:
        return pd.DataFrame(
            columns=["code", "description", *months, "previous_mean", "change", "trend"]
        )
    counts = counts.sort_values([current], ascending=False, kind="stable")
    counts = counts.loc[
        sorted(counts.index, key=lambda c: (-counts.loc[c, current], c))
    ].head(top)
    mean = (
        counts[before].mean(axis=1) if before else pd.Series(np.nan, index=counts.index)
    )
    change = (counts[current] - mean) / mean.where(mean > 0)
    known = {c.value: c.description for c in ReasonCode}
    out = counts.reset_index()
    out.insert(1, "description", [known.get(c, "") for c in out["code"]])
    out["previous_mean"] = mean.to_numpy()
    out["change"] = change.to_numpy()
    out["trend"] = [
        "new" if not m > 0 else "up" if c >= 0.1 else "down" if c <= -0.1 else "steady"
        for m, c in zip(mean.fillna(0), change.fillna(0), strict=True)
    ]
    out.columns.name = None
    return out
