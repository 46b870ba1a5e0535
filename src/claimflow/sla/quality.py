"""Entry error rates: intervals, verdicts against the SLA, comparisons, control charts.

- Rates carry 95% Wilson intervals (statsmodels ``proportion_confint``).
- The verdict against a maximum rate uses exact one-sided binomial bounds
  (Clopper-Pearson) at the confidence asked: *compliant* when the upper
  bound is below the limit (0 errors in 598 fields shows < 0.5% at 95%),
  *breached* when the lower bound is above it, otherwise *inconclusive*,
  with how many more error-free fields would settle it.
- Two operators or periods are compared with a two-proportion z-test.
- Over time, a p-chart, or Laney's p' chart where samples are large enough
  that binomial limits are too narrow (overdispersion).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from gettext import ngettext
from typing import Literal

import numpy as np
import pandas as pd

from claimflow.extras import need
from claimflow.shown import fixed, number, percent
from claimflow.sla.metrics import Window
from claimflow.store import Store
from claimflow.store.reports import entry_check_rows

Verdict = Literal["compliant", "breached", "inconclusive"]


@dataclass(frozen=True)
class Judgement:
    """An error rate judged against a limit.

    Attributes:
        verdict: compliant, breached or inconclusive.
        upper, lower: the one-sided exact bounds used.
        more_fields: error-free fields still to check for a verdict of
            compliant (inconclusive only; None otherwise).
        sentence: the verdict in plain words.
    """

    verdict: Verdict
    lower: float
    upper: float
    more_fields: int | None
    sentence: str


def upper_bound(errors: int, checked: int, confidence: float) -> float:
    """Exact one-sided upper confidence bound of a binomial rate."""
    if checked <= 0:
        return 1.0
    if errors >= checked:
        return 1.0
    # scipy and statsmodels are imported where used: loading them takes a
    # second, which every other command (ingest, check...) would pay too;
    # and they come with the reports extra (`claimflow.extras`)
    need("scipy", "QA and SLA verdicts")
    from scipy.stats import beta

    return float(beta.ppf(confidence, errors + 1, checked - errors))


def lower_bound(errors: int, checked: int, confidence: float) -> float:
    """Exact one-sided lower confidence bound of a binomial rate."""
    if errors <= 0 or checked <= 0:
        return 0.0
    need("scipy", "QA and SLA verdicts")
    from scipy.stats import beta

    return float(beta.ppf(1 - confidence, errors, checked - errors + 1))


def fields_needed(errors: int, limit: float, confidence: float) -> int:
    """Fields to check, with `errors` found, for the upper bound to fall below `limit`.

    Example: ``fields_needed(0, 0.005, 0.95) == 598``
    """
    low, high = max(errors, 1), max(errors, 1)
    while upper_bound(errors, high, confidence) >= limit:
        high *= 2
        if high > 10**9:
            raise ValueError("limit too small to demonstrate")
    while low < high:
        mid = (low + high) // 2
        if upper_bound(errors, mid, confidence) < limit:
            high = mid
        else:
            low = mid + 1
    return high


def judge(
    errors: int,
    checked: int,
    limit: float,
    confidence: float = 0.95,
    locale: str = "en_US",
) -> Judgement:
    """Judge an error count against a maximum rate; the sentence's figures
    in `locale` (``1.050 fields``, ``1,3479 %`` in de_DE).

    Example: ``judge(0, 598, 0.005).verdict == "compliant"``
    """
    upper = upper_bound(errors, checked, confidence)
    lower = lower_bound(errors, checked, confidence)
    level = percent(confidence, locale, 0)
    counts = _counts(errors, checked, locale)
    ceiling = percent(limit, locale, 2)
    if upper < limit:
        return Judgement(
            "compliant",
            lower,
            upper,
            None,
            f"{counts}: below {ceiling} "
            f"at {level} confidence (upper bound {percent(upper, locale, 4)}).",
        )
    if lower > limit:
        return Judgement(
            "breached",
            lower,
            upper,
            None,
            f"{counts}: above {ceiling} "
            f"at {level} confidence (lower bound {percent(lower, locale, 4)}).",
        )
    more = fields_needed(errors, limit, confidence) - checked
    return Judgement(
        "inconclusive",
        lower,
        upper,
        more,
        f"{counts}: inconclusive at {level}; "
        + ngettext(
            "{n} more error-free field", "{n} more error-free fields", more
        ).format(n=number(more, locale))
        + f" would show it is below {ceiling}.",
    )


def _counts(errors: int, checked: int, locale: str = "en_US") -> str:
    """``1 error in 1 field``, ``3 errors in 1,200 fields``: English plurals
    through gettext, so a catalogue can translate them with their own rule."""
    return ngettext("{n} error", "{n} errors", errors).format(
        n=number(errors, locale)
    ) + ngettext(" in {n} field", " in {n} fields", checked).format(
        n=number(checked, locale)
    )


def wilson(errors: int, checked: int) -> tuple[float, float]:
    """The 95% Wilson interval of a rate (0, 1 when nothing was checked)."""
    if checked <= 0:
        return 0.0, 1.0
    need("statsmodels", "QA error-rate intervals")
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(errors, checked, alpha=0.05, method="wilson")
    return float(low), float(high)


def compare(
    a: tuple[int, int],
    b: tuple[int, int],
    names: tuple[str, str],
    locale: str = "en_US",
) -> str:
    """Compare two error rates (errors, checked) with a two-proportion z-test;
    the sentence's figures in `locale`.

    Example: ``compare((3, 1000), (12, 1000), ("ana", "ben"))``
    """
    (ea, na), (eb, nb) = a, b
    if min(na, nb) == 0:
        return "nothing to compare: one side has no checked fields"
    need("statsmodels", "QA comparisons")
    from statsmodels.stats.proportion import proportions_ztest

    _, p_value = proportions_ztest([ea, eb], [na, nb])
    ra, rb = ea / na, eb / nb
    rates = (
        f"{names[0]} {percent(ra, locale, 2)} vs {names[1]} {percent(rb, locale, 2)}"
    )
    if math.isnan(p_value) or p_value >= 0.05:
        p_text = "nan" if math.isnan(p_value) else fixed(p_value, locale, 2)
        return f"{rates}: no significant difference (p = {p_text})."
    higher = names[0] if ra > rb else names[1]
    return (
        f"{rates}: {higher} makes significantly more errors "
        f"(p = {fixed(p_value, locale, 3)})."
    )


QaDay = Literal["keyed", "adjudicated"]


def entry_checks(
    store: Store,
    client: str,
    window: Window,
    by: QaDay = "keyed",
    zone: str = "UTC",
) -> pd.DataFrame:
    """The client's entry-check rows in the window, by keying or recording day.

    ``by="adjudicated"`` selects by ``day``, the date a check was recorded:
    the day column of an imported QA file, or the adjudication day of a
    double entry. ``by="keyed"`` selects by the day the fields were keyed,
    which the store does not hold as such (no migration adds it): it is
    derived as the local date, in `zone` (the client's), of the instant
    the check's batch was stored (``batches.processed_at``, else
    ``started_at``); a check with no stored batch (an imported row without
    ``batch_id``, a double entry's check) keeps its ``day``. The frame's
    ``keyed_from`` column says which (``batch`` or ``day``).

    Returns:
        batch_id, operator, field, day (the day it is counted under),
        checked, errors, keyed_from, period (``YYYY-MM`` of day).

    Example: ``entry_checks(store, "acme-tools", Window.parse("2026-11"), "keyed")``
    """
    start, end = iso_bounds(window)
    if by == "keyed" and window.start is not None and window.end is not None:
        # the SQL sees UTC instants: a day more each side, then local dates
        start = (window.start - timedelta(days=1)).isoformat()
        end = (window.end + timedelta(days=1)).isoformat()
    frame = pd.DataFrame(
        entry_check_rows(store, client, start, end, by),
        columns=["batch_id", "operator", "field", "day", "checked", "errors", "at"],
    )
    frame["keyed_from"] = np.where(frame["at"].isna(), "day", "batch")
    if by == "keyed" and not frame.empty:
        stored = frame["at"].notna()
        local = pd.to_datetime(frame.loc[stored, "at"], utc=True, format="ISO8601")
        frame.loc[stored, "day"] = local.dt.tz_convert(zone).dt.strftime("%Y-%m-%d")
        if window.start is not None and window.end is not None:
            keep = (frame["day"] >= window.start.isoformat()) & (
                frame["day"] < window.end.isoformat()
            )
            frame = frame[keep].reset_index(drop=True)
    frame["period"] = frame["day"].str.slice(0, 7)
    return frame.drop(columns="at")


def iso_bounds(window: Window) -> tuple[str | None, str | None]:
    """A window's start and end as ISO dates (None where open).

    Example: ``iso_bounds(Window.parse("2026-10")) == ("2026-10-01", "2026-11-01")``
    """
    return (
        None if window.start is None else window.start.isoformat(),
        None if window.end is None else window.end.isoformat(),
    )


def error_rates(
    checks: pd.DataFrame,
    by: str,
    limit: float,
    confidence: float = 0.95,
    locale: str = "en_US",
) -> pd.DataFrame:
    """Error rate per group with its Wilson interval and SLA verdict.

    Args:
        checks: `entry_checks` rows.
        by: ``operator``, ``field``, ``period`` or ``batch_id``.
        limit: the SLA's maximum rate.
        confidence: for the verdict.
        locale: the explanation's figures (the client's locale).

    Example: ``error_rates(checks, "operator", 0.005)``
    """
    grouped = checks.groupby(by)[["checked", "errors"]].sum()
    grouped.loc["total"] = checks[["checked", "errors"]].sum()
    rows = []
    for name, (checked, errors) in grouped.iterrows():
        low, high = wilson(int(errors), int(checked))
        verdict = judge(int(errors), int(checked), limit, confidence, locale)
        rows.append(
            {
                by: name,
                "checked": int(checked),
                "errors": int(errors),
                "rate_per_10k": _per_10k(errors / checked) if checked else np.nan,
                "wilson_low_per_10k": _per_10k(low),
                "wilson_high_per_10k": _per_10k(high),
                "verdict": verdict.verdict,
                "more_fields": verdict.more_fields,
                "explanation": verdict.sentence,
            }
        )
    return pd.DataFrame(rows)


#: Decimals a figure per 10,000 keeps: as many as JSON writes (pandas'
#: ``double_precision=10``, less one), so every output holds the same figure.
_PLACES = 9


def _per_10k(share: float) -> float:
    """A share per 10,000, float noise rounded away (trial 21: a Wilson low
    of 0 errors in 7 fields came out 2.8e-13, shown as such in the xlsx and
    as 0.0 in JSON); never -0.0.

    Example: ``_per_10k(2.7755575615628914e-17) == 0.0``
    """
    return round(1e4 * float(share), _PLACES) + 0.0


def control_chart(checks: pd.DataFrame, by: str = "day") -> pd.DataFrame:
    """p-chart points and limits per sample; Laney p' limits where overdispersed.

    Returns:
        sample, n, p, center, lcl, ucl, method (``p`` or ``laney``), out.

    Example: ``control_chart(checks)``
    """
    samples = checks.groupby(by)[["checked", "errors"]].sum()
    samples = samples[samples["checked"] > 0]
    if samples.empty:
        return pd.DataFrame()
    n = samples["checked"].to_numpy(dtype=float)
    p = samples["errors"].to_numpy(dtype=float) / n
    center = samples["errors"].sum() / samples["checked"].sum()
    sigma = np.sqrt(center * (1 - center) / n)
    method = "p"
    spread = np.ones_like(n)
    if len(n) >= 3 and center > 0:
        z = (p - center) / sigma
        sigma_z = np.mean(np.abs(np.diff(z))) / 1.128
        if sigma_z > 1.0 and n.mean() >= 1000:  # overdispersed and large: Laney p'
            method, spread = "laney", np.full_like(n, sigma_z)
    lcl = np.clip(center - 3 * sigma * spread, 0, None)
    ucl = center + 3 * sigma * spread
    return pd.DataFrame(
        {
            "sample": samples.index,
            "n": n.astype(int),
            "p": p,
            "center": center,
            "lcl": lcl,
            "ucl": ucl,
            "method": method,
            "out": (p > ucl) | (p < lcl),
        }
    )
