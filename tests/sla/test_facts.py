"""The set-based SLA facts equal the reference, claim for claim.

Generated histories mix what stores hold: claims from ingest (received and
first response derived from the claim and its batch), stored events
(repeated, out of order, backdated pauses, no batch), duplicates decided
only by their dedupe outcome, later stages' outcome moves out of and back
to pended, claims closed while waiting, instants written
with different offsets and fractions, around daylight-saving changes and
public holidays.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimflow import ResolvedClient, Store
from claimflow.sla.calendar import BusinessCalendar, CalendarSettings
from claimflow.sla.facts import business_hours_many
from claimflow.sla.metrics import (
    GROUPS,
    Window,
    claim_facts,
    claim_facts_reference,
    summarize,
    summarize_reference,
)
from claimflow.store.sla import _KEY

CALENDARS = {
    "acme": None,
    "madrid": BusinessCalendar(
        CalendarSettings(
            country="ES",
            subdivision="MD",
            hours={"mon": "08:30-18:00", "tue": "08:30-18:00", "sat": "10:00-14:00"},
            closures=[date(2026, 10, 26)],
        ),
        "Europe/Madrid",
    ),
    "overnight_dst": BusinessCalendar(
        CalendarSettings(hours={d: "01:30-02:45" for d in ("sat", "sun", "mon")}),
        "America/New_York",
    ),
}
#: Days around the 2026 clock changes (US: 8 March, 1 November; EU: 29 March,
#: 25 October) and holidays (US 3 July observed, Thanksgiving, Christmas).
BASES = [
    datetime(2026, 3, 6, 12, tzinfo=UTC),
    datetime(2026, 3, 27, 12, tzinfo=UTC),
    datetime(2026, 7, 1, 15, tzinfo=UTC),
    datetime(2026, 10, 23, 12, tzinfo=UTC),
    datetime(2026, 10, 30, 20, tzinfo=UTC),
    datetime(2026, 11, 24, 14, tzinfo=UTC),
    datetime(2026, 12, 23, 16, tzinfo=UTC),
]
ZONES = [UTC, ZoneInfo("America/Chicago"), ZoneInfo("Europe/Madrid")]
EVENTS = ["received", "first_response", "decided", "escalated", "pended", "resubmitted"]


@st.composite
def instants(draw: st.DrawFn, base: datetime) -> str:
    minutes = draw(st.integers(0, 60 * 24 * 25))
    micro = draw(st.sampled_from([0, 0, 999_731, draw(st.integers(0, 999_999))]))
    moment = base + timedelta(minutes=minutes, microseconds=micro)
    return moment.astimezone(draw(st.sampled_from(ZONES))).isoformat()


@st.composite
def histories(draw: st.DrawFn) -> dict[str, list[tuple[object, ...]]]:
    base = draw(st.sampled_from(BASES))
    claims, events, outcomes = [], [], []
    for i in range(draw(st.integers(1, 6))):
        cid = f"C{draw(st.integers(0, 9))}{i}"
        if draw(st.booleans()):
            outcome = draw(st.sampled_from(["accepted", "duplicate"]))
            claims.append((cid, draw(st.integers(1, 2)), draw(instants(base)), outcome))
            if outcome == "duplicate" and draw(st.booleans()):
                for _ in range(draw(st.integers(1, 2))):
                    stage = draw(st.sampled_from(["dedupe", "dedupe review"]))
                    outcomes.append((cid, stage, draw(instants(base)), "duplicate"))
            # later stages' moves: out of pended to what the desk owes
            # (resumes a paused clock), back to pended (pauses it again)
            for _ in range(draw(st.integers(0, 3))):
                stage = draw(st.sampled_from(["validate", "dedupe", "verify", "review"]))
                moved = draw(st.sampled_from(["pended", "review", "accepted", "rejected"]))
                outcomes.append((cid, stage, draw(instants(base)), moved))
        kinds = draw(st.lists(st.sampled_from(EVENTS), max_size=8))
        for kind in kinds:
            batch = draw(st.sampled_from([1, 2, None]))
            operator = draw(st.sampled_from(["ana", "ben"]))
            events.append((cid, batch, kind, draw(instants(base)), operator))
    return {"claims": claims, "events": events, "outcomes": outcomes}


def _store(history: dict[str, list[tuple[object, ...]]], key: str) -> Store:
    store = Store.open(":memory:")
    db = store.db
    with store.transaction():
        for batch, processed in ((1, "2026-11-02T09:15:00-06:00"), (2, None)):
            db.execute(
                "INSERT INTO batches (id, client, operator, started_at, config_path,"
                " processed_at) VALUES (?, ?, ?, ?, '', ?)",
                [batch, key, f"op{batch}", "2026-01-01T00:00:00+00:00", processed],
            )
            db.execute(
                "INSERT INTO documents (hash, client, file_name, size, batch_id, records)"
                " VALUES (?, ?, 'f.csv', 1, ?, 1)",
                [f"h{batch}", key, batch],
            )
        for cid, batch, received, outcome in history["claims"]:
            # the same id drawn twice: one claim (not a caught error: on
            # PostgreSQL that would abort the transaction)
            db.execute(
                "INSERT OR IGNORE INTO claims (id, client, batch_id, document_hash,"
                " kind, received_at, outcome, source, data) VALUES (?, ?, ?, ?,"
                " 'claim', ?, ?, '', '{}')",
                [cid, key, batch, f"h{batch}", received, outcome],
            )
        for cid, stage, at, outcome in history["outcomes"]:
            db.execute(
                "INSERT INTO outcomes (claim_id, batch_id, stage, outcome, decided_at)"
                " VALUES (?, 1, ?, ?, ?)",
                [cid, stage, outcome, at],
            )
        store.add_events([(key, *event) for event in history["events"]])
    return store


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    history=histories(),
    calendar=st.sampled_from(sorted(CALENDARS)),
    pause=st.booleans(),
    window=st.sampled_from(
        [Window(), Window(date(2026, 3, 1), date(2026, 4, 1)), Window.parse("2026-11")]
    ),
    now=st.sampled_from(
        [datetime(2026, 11, 20, 16, 30, tzinfo=UTC), datetime(2027, 1, 4, tzinfo=UTC)]
    ),
    # as of an instant: events recorded after it are not yet made
    until=st.sampled_from(
        [None, datetime(2026, 3, 9, 15, tzinfo=UTC), datetime(2026, 11, 10, tzinfo=UTC)]
    ),
)
def test_facts_from_the_pivot_equal_the_reference(
    acme: ResolvedClient,
    history: dict[str, list[tuple[object, ...]]],
    calendar: str,
    pause: bool,
    window: Window,
    now: datetime,
    until: datetime | None,
) -> None:
    terms = acme.config.sla.model_copy(update={"pause_when_pended": pause})
    client = acme.model_copy(
        update={"config": acme.config.model_copy(update={"sla": terms})}
    )
    store = _store(history, client.key)
    cal = CALENDARS[calendar]
    expected = claim_facts_reference(store, client, window, now, cal, until=until)
    found = claim_facts(store, client, window, now, cal, until=until)
    pd.testing.assert_frame_equal(found, expected, check_exact=True)
    for by in GROUPS:
        pd.testing.assert_frame_equal(
            summarize(found, by), summarize_reference(expected, by), check_exact=True
        )
    store.close()


@pytest.mark.parametrize(
    "events",
    [
        # text order is not time order: 12:00-06:00 is 18:00Z, after 17:30Z
        [
            ("received", "2026-03-06T12:00:00-06:00"),
            ("received", "2026-03-06T17:30:00+00:00"),
            ("first_response", "2026-03-06T19:00:00Z"),
            ("first_response", "2026-03-06T18:59:59.5Z"),
            ("decided", "2026-03-09T15:00:00-05:00"),
        ],
        # one of each kind: the SQL row is the answer
        [
            ("received", "2026-03-06T12:00:00-06:00"),
            ("first_response", "2026-03-06T19:00:00.000001+00:00"),
            ("escalated", "2026-03-07T10:00:00+01:00"),
        ],
    ],
)
def test_repeated_events_are_ordered_in_time_not_as_text(
    acme: ResolvedClient, events: list[tuple[str, str]]
) -> None:
    store = _store(
        {
            "claims": [],
            "events": [
                ("C1", 1 if i % 2 else None, kind, at, f"op{i}")
                for i, (kind, at) in enumerate(events)
            ],
            "outcomes": [],
        },
        acme.key,
    )
    now = datetime(2026, 3, 20, tzinfo=UTC)
    expected = claim_facts_reference(store, acme, Window(), now)
    found = claim_facts(store, acme, Window(), now)
    pd.testing.assert_frame_equal(found, expected, check_exact=True)
    store.close()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2026-11-01T01:30:59.999731-05:00", "2026-11-01T06:30:59.999731"),
        ("2026-11-01T01:30:00-06:00", "2026-11-01T07:30:00"),
        ("2026-11-01T01:30:00.5Z", "2026-11-01T01:30:00.5"),
        ("2026-11-01T01:30:00.25", "2026-11-01T01:30:00.25"),
        ("2026-11-01T01:30:00+00:00", "2026-11-01T01:30:00"),
        ("2026-11-01T01:30:00Z", "2026-11-01T01:30:00"),
        ("1969-12-31T23:59:59.5+00:00", "1969-12-31T23:59:59.5"),
    ],
)
def test_instants_are_compared_as_utc_microseconds(text: str, key: str) -> None:
    db = sqlite3.connect(":memory:")
    [(us,)] = db.execute("SELECT " + _KEY.format(at=":at"), {"at": text}).fetchall()
    assert us == pd.Timestamp(key).value // 1000


def test_business_hours_of_many_claims_are_the_calendars() -> None:
    cal = CALENDARS["madrid"]
    assert cal is not None
    starts = [datetime(2026, 10, 23, 17, 59, 30, 250, tzinfo=UTC)] * 3
    ends = [
        datetime(2026, 10, 27, 9, 0, 0, 999_731, tzinfo=UTC),
        datetime(2026, 10, 20, tzinfo=UTC),
        None,
    ]
    hours = business_hours_many(
        cal, pd.Series(pd.to_datetime(starts)), pd.Series(pd.to_datetime(ends))
    )
    assert hours[0] == cal.business_seconds(starts[0], ends[0]) / 3600  # type: ignore[arg-type]
    assert hours[1] == 0.0
    assert pd.isna(hours[2])
