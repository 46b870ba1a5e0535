"""SLA claim facts from a pivot of the events in SQL, in vectorised business time.

The same figures as `claimflow.sla.metrics.claim_facts_reference` (a property
test holds them equal claim for claim), built from one row per claim that
`claimflow.store.sla` selects, numpy's business-day functions and the
calendar's opening hours applied to whole arrays. Inputs: a store, a
resolved client, a window and "now"; output: the facts frame.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from claimflow.config import ResolvedClient
from claimflow.sla.calendar import BusinessCalendar
from claimflow.sla.metrics import (
    Window,
    _remaining,
    calendar_of,
    claim_facts_reference,
)
from claimflow.store import Store
from claimflow.store.sla import events_lack_batch, sla_pauses, sla_pivot

_US = 1_000_000
_NAT = np.iinfo(np.int64).min


def _instants(keys: Any) -> pd.Series:
    """Microseconds since 1970 (None: missing) as aware instants, typed as the
    reference parses them."""
    us = pd.array(keys, dtype="Int64").to_numpy(dtype="int64", na_value=_NAT)
    return pd.Series(us.view("datetime64[us]")).dt.tz_localize("UTC")


def _event_column(
    keys: tuple[Any, ...], received: np.ndarray, index: pd.Index
) -> pd.Series:
    """One event's instants for the received claims; typed as the reference
    types a column no claim has an event for."""
    if all(k is None for k in keys):
        column = pd.to_datetime(pd.Series(pd.NaT, index=range(len(keys))), utc=True)
    else:
        column = _instants(keys)
    return column[received].set_axis(index)


def _utc_us(instants: pd.Series) -> np.ndarray:
    naive = instants.dt.tz_localize(None).to_numpy()
    us: np.ndarray = naive.astype("datetime64[us]").astype("int64")
    return us


def _local_days(series: pd.Series, zone: str) -> np.ndarray:
    local = series.dt.tz_convert(zone).dt.tz_localize(None)
    days: np.ndarray = local.to_numpy().astype("datetime64[D]")
    return days


def _paused_days(store: Store, client: str, cal: BusinessCalendar) -> pd.Series:
    """Business days each claim waited on the participant (-1: still waiting).

    The reference's pairing, as array operations: after a ``pended`` the
    clock is stopped, after a ``resubmitted`` or ``decided`` it runs, so a
    closing event ends a pause exactly when the event before it (same claim,
    time order) is a ``pended``, and the pause began at the first ``pended``
    of that run.
    """
    rows = sla_pauses(store, client)
    if not rows:
        return pd.Series(dtype="int64")
    claims, events, keys = (
        np.array(column, dtype=object) for column in zip(*rows, strict=True)
    )
    days = _local_days(_instants(keys), str(cal.zone))
    n = len(claims)
    new_claim = np.ones(n, dtype=bool)
    new_claim[1:] = claims[1:] != claims[:-1]
    pended = events == "pended"
    after_pended = np.zeros(n, dtype=bool)
    after_pended[1:] = pended[:-1]
    after_pended &= ~new_claim
    run_start = pended & ~after_pended
    first_of_run = np.maximum.accumulate(np.where(run_start, np.arange(n), 0))
    closes = np.flatnonzero(~pended & after_pended)
    counts = cal.business_days_many(days[first_of_run[closes - 1]], days[closes])
    total = pd.Series(counts, index=claims[closes]).groupby(level=0, sort=False).sum()
    last = np.ones(n, dtype=bool)
    last[:-1] = new_claim[1:]
    waiting = pd.Series(-1, index=claims[last & pended])
    total = total[~total.index.isin(waiting.index)]
    paused: pd.Series = pd.concat([total, waiting]).astype("int64")
    return paused


def _day_windows(
    cal: BusinessCalendar, first: date, days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Opening hours of `days` local days from `first` as UTC microseconds."""
    opens = np.zeros(days, dtype="int64")
    closes = np.zeros(days, dtype="int64")
    has = np.zeros(days, dtype=bool)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    for i in range(days):
        # the calendar's own windows: DST days are what it says they are
        window = cal._window(first + timedelta(days=i))
        if window is not None:
            has[i] = True
            opens[i] = (window[0] - epoch) // timedelta(microseconds=1)
            closes[i] = (window[1] - epoch) // timedelta(microseconds=1)
    return opens, closes, has


def business_hours_many(
    cal: BusinessCalendar, starts: pd.Series, ends: pd.Series
) -> np.ndarray:
    """`BusinessCalendar.business_seconds` / 3600 over aligned series (NaN: no end).

    Sums each day's share in the same order as the calendar does, so the
    floating-point result is the same to the last bit.

    Example: ``business_hours_many(cal, facts["received"], facts["first_response"])``
    """
    out = np.full(len(starts), np.nan)
    known = ends.notna().to_numpy()
    if not known.any():
        return out
    zone = str(cal.zone)
    start = starts[known]
    end = ends[known]
    lo_us = _utc_us(start)
    hi_us = _utc_us(end)
    day = _local_days(start, zone)
    last = np.maximum(_local_days(end, zone), day)
    base = day.min()
    opens, closes, has = _day_windows(
        cal, base.item(), int((last.max() - base).astype("int64")) + 1
    )
    offset = (day - base).astype("int64")
    stop = (last - base).astype("int64")
    total = np.zeros(len(lo_us))
    rows = np.flatnonzero(hi_us > lo_us)
    while rows.size:
        i = offset[rows]
        lo = np.maximum(opens[i], lo_us[rows])
        hi = np.minimum(closes[i], hi_us[rows])
        part = np.where(has[i] & (hi > lo), (hi - lo) / _US, 0.0)
        total[rows] += part
        offset[rows] += 1
        rows = rows[offset[rows] <= stop[rows]]
    out[known] = total / 3600
    return out


def claim_facts(
    store: Store,
    client: ResolvedClient,
    window: Window,
    now: datetime,
    calendar: BusinessCalendar | None = None,
) -> pd.DataFrame:
    """One row per claim received in `window`, with its SLA facts.

    The columns and values of `claimflow.sla.metrics.claim_facts`.

    Example: ``claim_facts(store, client, Window.parse("2026-10"), now)``
    """
    cal = calendar or calendar_of(client)
    terms = client.config.sla
    zone = str(cal.zone)
    rows = sla_pivot(store, client.key)
    if not rows:
        # no claim received: the reference's empty answer, cheaply
        return claim_facts_reference(store, client, window, now, calendar)
    ids, received, first, decided_at, escalated, batch, operator = zip(
        *rows, strict=True
    )
    got = np.array([r is not None for r in received], dtype=bool)
    index = pd.Index(pd.Series(ids, dtype="str")[got], name="claim_id")
    facts = pd.DataFrame(
        {
            name: _event_column(keys, got, index)
            for name, keys in (
                ("received", received),
                ("first_response", first),
                ("decided", decided_at),
                ("escalated", escalated),
            )
        }
    )
    batches: pd.Series = pd.Series(
        [np.nan if b is None else int(b) for b in batch], dtype=float
    )[got].set_axis(index)
    if not batches.isna().any() and not events_lack_batch(store, client.key):
        # whole numbers unless an event had no batch: as the reference's frame
        batches = batches.astype("int64")
    facts["batch_id"] = batches
    facts["operator"] = pd.Series(operator, dtype="str")[got].set_axis(index)
    received_day = _local_days(facts["received"], zone)
    facts["received_day"] = received_day
    if window.start is not None and window.end is not None:
        keep = (received_day >= np.datetime64(window.start)) & (
            received_day < np.datetime64(window.end)
        )
        facts = facts[keep]
    paused = (
        _paused_days(store, client.key, cal)
        if terms.pause_when_pended
        else pd.Series(dtype="int64")
    )
    facts["paused_days"] = paused.reindex(facts.index).fillna(0).astype("int64")
    waiting = facts["paused_days"] < 0
    facts["paused_days"] = facts["paused_days"].clip(lower=0)
    decided = facts["decided"].notna()
    decided_day = np.where(
        decided,
        _local_days(facts["decided"].fillna(facts["received"]), zone),
        np.datetime64("NaT"),
    )
    start = facts["received_day"].to_numpy().astype("datetime64[D]")
    facts["due_date"] = cal.due_dates_many(
        start, (terms.turnaround_days + facts["paused_days"]).to_numpy()
    )
    taken = np.where(
        decided,
        cal.business_days_many(
            start, np.where(decided, decided_day, start).astype("datetime64[D]")
        ),
        -1,
    )
    facts["business_days"] = np.where(decided, taken - facts["paused_days"], np.nan)
    facts["first_response_hours"] = business_hours_many(
        cal, facts["received"], facts["first_response"]
    )
    facts["status"] = np.where(decided, "decided", np.where(waiting, "waiting", "open"))
    facts["on_time"] = decided & (decided_day <= facts["due_date"].to_numpy())
    facts["late"] = decided & ~facts["on_time"]
    today = np.datetime64(cal.local(now).date())
    is_open = facts["status"] == "open"
    facts["breached"] = facts["late"] | (
        is_open & (facts["due_date"].to_numpy() < today)
    )
    # one figure per due date: open claims share a handful of them
    hours = {
        due: _remaining(cal, now, due)
        for due in facts.loc[is_open, "due_date"].unique()
    }
    facts["remaining_hours"] = np.where(
        is_open, facts["due_date"].map(hours).astype(float), np.nan
    )
    facts["at_risk"] = (
        is_open & (facts["remaining_hours"] <= terms.at_risk_hours) & ~facts["breached"]
    )
    facts["period"] = pd.to_datetime(facts["received_day"]).dt.strftime("%Y-%m")
    facts["client"] = client.key
    return facts.reset_index().rename(columns={"index": "claim_id"})
