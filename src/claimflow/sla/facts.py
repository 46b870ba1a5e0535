"""SLA claim facts from a pivot of the events in SQL, in vectorised business time.

The same figures as `claimflow.sla.metrics.claim_facts_reference` (a property
test holds them equal claim for claim), built from one row per claim that
`claimflow.store.sla` selects, numpy's business-day functions and the
calendar's opening hours applied to whole arrays. Inputs: a store, a
resolved client, a window and "now"; output: the facts frame.

The SQL returns each kind of event as written; pandas parses the instants
as the reference does. Claims whose earliest events the row cannot settle
(repeated events, or events from more than one source: ingest, stored
events, dedupe outcomes) are few, and go through the reference's pivot."""

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
    past_target,
    within_target,
)
from claimflow.store import Store
from claimflow.store.sla import (
    duplicates_decided,
    sla_claim_events,
    sla_event_flags,
    sla_firsts,
    sla_ingested,
    sla_pauses,
)

_US = 1_000_000
_KINDS = ("received", "first_response", "decided", "escalated")
_FIRSTS = [*_KINDS, "batch_id", "operator"]


def _parse(texts: np.ndarray) -> pd.Series:
    """Instants as written (None: missing), parsed as the reference parses them."""
    if pd.isna(texts).all():
        # no such event (escalations are rare): nothing to parse
        none = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[us]")
        return pd.Series(none).dt.tz_localize("UTC")
    return pd.Series(
        pd.to_datetime(pd.Series(texts, dtype=object), utc=True, format="ISO8601")
    ).astype("datetime64[us, UTC]")


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[np.ndarray]:
    """The rows' columns as object arrays (one 2-D fill: half of ``zip(*rows)``)."""
    table = np.empty((len(rows), width), dtype=object)
    if rows:
        table[:] = rows
    return [table[:, i] for i in range(width)]


def _long_firsts(long: pd.DataFrame) -> pd.DataFrame:
    """The reference's pivot over every event of some claims (few: those with
    repeats or in more than one source), instants parsed first."""
    long = long.assign(at=_parse(long["at"].to_numpy())).sort_values(
        ["part", "n"], kind="stable"
    )
    mins = long.groupby(["claim_id", "event"])["at"].min().unstack("event")
    firsts = pd.DataFrame(
        {
            kind: mins[kind]
            if kind in mins
            else pd.Series(pd.NaT, index=mins.index, dtype="datetime64[us, UTC]")
            for kind in _KINDS
        }
    )
    who = (
        long[long["event"] == "first_response"]
        .groupby("claim_id")[["batch_id", "operator"]]
        .first()
    )
    out = firsts.join(who)
    out.columns = _FIRSTS
    return out


def _frame(
    ids: np.ndarray,
    texts: dict[str, np.ndarray],
    batch: np.ndarray | None = None,
    operator: np.ndarray | None = None,
) -> pd.DataFrame:
    """One source's earliest events per claim, instants parsed."""
    missing = np.full(len(ids), None, dtype=object)
    frame = pd.DataFrame(
        {kind: _parse(texts.get(kind, missing)).array for kind in _KINDS},
        index=pd.Index(ids, dtype=object),
    )
    frame["batch_id"] = (
        pd.Series(missing if batch is None else batch, dtype=object)
        .astype(float)
        .to_numpy()
    )
    frame["operator"] = missing if operator is None else operator
    return frame


def _firsts(store: Store, client: str) -> pd.DataFrame:
    """Per claim with any of the four events: the earliest of each (instants),
    the batch id (float, NaN: none) and operator of its first first response.

    Most claims have at most one event of each kind, across the sources
    (ingest, stored events, dedupe outcomes): then the rows are the answer,
    merged kind by kind. The rest (repeats within a source, or one kind in
    two) go through the reference's own pivot.
    """
    stored: list[pd.DataFrame] = []
    odd: list[np.ndarray] = []
    for rows in sla_firsts(store, client):
        ids, *texts, batch, operator, count = _columns(rows, 8)
        present = sum((~pd.isna(column)).astype("int64") for column in texts)
        odd.append(ids[np.asarray(count, dtype="int64") != present])
        stored.append(
            _frame(ids, dict(zip(_KINDS, texts, strict=True)), batch, operator)
        )
    events = pd.concat(stored) if stored else _frame(np.empty(0, dtype=object), {})
    ingested = _columns(sla_ingested(store, client), 5)
    dups = _columns(duplicates_decided(store, client), 5)
    shared = pd.Index(np.concatenate([np.empty(0, dtype=object), *odd]), dtype=object)
    if not len(ingested[0]) and not len(dups[0]):
        frames = [events]
    else:
        # ingest's first response comes first (as recorded), so it goes first
        frames = [
            _frame(
                ingested[0],
                {"received": ingested[1], "first_response": ingested[2]},
                ingested[3],
                ingested[4],
            ),
            events,
            _frame(dups[0], {"decided": dups[3]}),
        ]
        # the same kind of event from two sources: which is earlier is a
        # comparison of instants, left to the reference's pivot
        twice = events["received"].notna() | events["first_response"].notna()
        shared = shared.union(
            events.index[twice.to_numpy()].intersection(frames[0].index)
        ).union(
            events.index[events["decided"].notna().to_numpy()].intersection(
                frames[2].index
            )
        )
    if len(shared):
        frames = [frame[~frame.index.isin(shared)] for frame in frames]
        frames.append(
            _long_firsts(_shared_events(store, client, shared, ingested, dups))
        )
    if len(frames) == 1:
        return frames[0]  # one source, in claim id order from the store
    frame = pd.concat(frames)
    if frame.index.has_duplicates:
        # one claim in several sources, each kind from one of them
        return frame.groupby(level=0).first()
    return frame.sort_index()


def _shared_events(
    store: Store,
    client: str,
    shared: pd.Index,
    ingested: list[np.ndarray],
    dups: list[np.ndarray],
) -> pd.DataFrame:
    """Every event of the `shared` claims, in the reference's recorded order."""
    wanted = set(shared)
    rows: list[tuple[Any, ...]] = []
    for cid, at, processed, batch, operator in zip(*ingested, strict=True):
        if cid in wanted:
            rows.append((cid, batch, "received", at, operator, 0, 0))
            rows.append((cid, batch, "first_response", processed, operator, 1, 0))
    for cid, batch, event, at, operator, n in sla_claim_events(
        store, client, sorted(wanted)
    ):
        rows.append((cid, batch, event, at, operator, 2, n))
    for cid, batch, event, at, stage in zip(*dups, strict=True):
        if cid in wanted:
            rows.append((cid, batch, event, at, stage, 3, 0))
    return pd.DataFrame(
        rows, columns=["claim_id", "batch_id", "event", "at", "operator", "part", "n"]
    ).astype({"batch_id": float})


def _months(days: pd.Series) -> pd.Series:
    """``YYYY-MM`` of each day: formatted once per month, not once per claim."""
    months = days.to_numpy().astype("datetime64[M]")
    unique, inverse = np.unique(months, return_inverse=True)
    labels = np.array([str(month) for month in unique], dtype=object)
    return pd.Series(labels[inverse], index=days.index, dtype="str")


def _typed(column: pd.Series) -> pd.Series:
    """A column no claim has an event for, typed as the reference types it."""
    if column.notna().any():
        return column
    return pd.to_datetime(pd.Series(pd.NaT, index=column.index), utc=True)


def _instants(keys: Any) -> pd.Series:
    """Microseconds since 1970 as aware instants."""
    us = np.asarray(keys, dtype="int64")
    return pd.Series(us.view("datetime64[us]")).dt.tz_localize("UTC")


def _utc_us(instants: pd.Series) -> np.ndarray:
    """Microseconds since the epoch of each instant (naive: UTC already). An
    aware series in another zone is converted first: its wall times read as
    UTC would be hours off."""
    if instants.dt.tz is not None:
        instants = instants.dt.tz_convert("UTC")
    naive = instants.dt.tz_localize(None).to_numpy()
    us: np.ndarray = naive.astype("datetime64[us]").astype("int64")
    return us


def _local_days(series: pd.Series, zone: str) -> np.ndarray:
    local = series.dt.tz_convert(zone).dt.tz_localize(None)
    days: np.ndarray = local.to_numpy().astype("datetime64[D]")
    return days


def _paused_days(
    store: Store, client: str, cal: BusinessCalendar, until: datetime | None = None
) -> pd.Series:
    """Business days each claim waited on the participant (-1: still waiting).

    The reference's pairing, as array operations: after a ``pended`` the
    clock is stopped, after a ``resubmitted``, ``decided`` or ``resumed`` (an
    outcome move out of ``pended`` the desk owes) it runs, so a
    closing event ends a pause exactly when the event before it (same claim,
    time order) is a ``pended``, and the pause began at the first ``pended``
    of that run. Events after `until` are not yet made.
    """
    rows = sla_pauses(store, client)
    if until is not None:
        cut = _utc_us(pd.Series([pd.Timestamp(until).tz_convert("UTC")]))[0]
        rows = [row for row in rows if row[2] <= cut]
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


def _overdue(
    cal: BusinessCalendar, facts: pd.DataFrame, now: datetime, target: float
) -> np.ndarray:
    """Claims not answered by `now` that have waited longer than `target`
    business hours already (`claimflow.sla.metrics.past_target`)."""
    until = pd.Series(pd.NaT, index=facts.index, dtype=facts["received"].dtype)
    until[facts["first_response"].isna()] = pd.Timestamp(now)
    return past_target(business_hours_many(cal, facts["received"], until), target)


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
    *,
    until: datetime | None = None,
) -> pd.DataFrame:
    """One row per claim received in `window`, with its SLA facts (as they
    stood at `until`, when given: later events not yet made).

    The columns and values of `claimflow.sla.metrics.claim_facts`.

    Example: ``claim_facts(store, client, Window.parse("2026-10"), now)``
    """
    cal = calendar or calendar_of(client)
    terms = client.config.sla
    zone = str(cal.zone)
    firsts = _firsts(store, client.key)
    if until is not None and not firsts.empty:
        # each kind's earliest instant: after `until`, none of it was made yet
        cut = pd.Timestamp(until)
        for kind in _KINDS:
            firsts.loc[firsts[kind] > cut, kind] = pd.NaT
        firsts = firsts[firsts["received"].notna()]
    if firsts.empty:
        # no claim received: the reference's empty answer, cheaply
        return claim_facts_reference(store, client, window, now, calendar, until=until)
    got = firsts["received"].notna().to_numpy()
    index = pd.Index(
        pd.Series(firsts.index.to_numpy()[got], dtype="str"), name="claim_id"
    )
    facts = pd.DataFrame(
        {kind: _typed(firsts[kind])[got].set_axis(index) for kind in _KINDS}
    )
    batches = pd.Series(firsts["batch_id"].to_numpy(dtype=float)[got], index=index)
    lacks_batch, any_pended = sla_event_flags(store, client.key)
    if not batches.isna().any() and not lacks_batch:
        # whole numbers unless an event had no batch: as the reference's frame
        batches = batches.astype("int64")
    facts["batch_id"] = batches
    facts["operator"] = pd.Series(
        firsts["operator"].to_numpy()[got], index=index, dtype="str"
    )
    received_day = _local_days(facts["received"], zone)
    facts["received_day"] = received_day
    if window.start is not None and window.end is not None:
        keep = (received_day >= np.datetime64(window.start)) & (
            received_day < np.datetime64(window.end)
        )
        facts = facts[keep]
    paused = (
        _paused_days(store, client.key, cal, until)
        if terms.pause_when_pended and any_pended
        else pd.Series(dtype="int64")
    )
    facts["paused_days"] = paused.reindex(facts.index).fillna(0).astype("int64")
    waiting = facts["paused_days"] < 0
    facts["paused_days"] = facts["paused_days"].clip(lower=0)
    decided = facts["decided"].notna()
    # A decision answers the claim: its first response is no later (a run
    # back-dated with --at decided it before a response stamped later).
    facts["first_response"] = facts[["first_response", "decided"]].min(axis=1)
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
    facts["first_response_in_target"] = within_target(
        facts["first_response_hours"], terms.first_response_hours
    )
    facts["first_response_overdue"] = _overdue(cal, facts, now, terms.first_response_hours)
    facts["status"] = np.where(decided, "decided", np.where(waiting, "waiting", "open"))
    facts["on_time"] = decided & (decided_day <= facts["due_date"].to_numpy())
    facts["late"] = decided & ~facts["on_time"]
    today = np.datetime64(cal.local(now).date())
    is_open = ~decided & ~waiting  # as the status says, without comparing text
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
    facts["period"] = _months(facts["received_day"])
    facts["client"] = client.key
    return facts.reset_index().rename(columns={"index": "claim_id"})
