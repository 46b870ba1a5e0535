"""Claim windows and the desk's day: dates worked out by hand, and a property.

Every expected date below is counted on a calendar, not by claimflow: leap
days, the turn of the year, and received times on either side of the
desk's midnight (a Paris desk, +01:00 in winter and +02:00 in summer).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from claimflow import ConfigError, load_client
from claimflow.codes import Category, Outcome, ReasonCode
from claimflow.config import ClientConfig, ResolvedClient, resolve
from claimflow.models import Decision, Provenance, RawRecord, StayClaim
from claimflow.validate.notices import NoticeItem, render_notices
from claimflow.validate.record import Sourcing, rule_dates
from claimflow.window import ClaimWindow, add_months, desk_day

SRC = Provenance(file="stays.csv", row=2)
HEAD = """\
client: w1
name: Window Hotels
kind: stay
date_order: DMY
timezone: Europe/Paris
"""


def client(extra: str) -> ResolvedClient:
    return resolve(ClientConfig.model_validate(yaml.safe_load(HEAD + extra)))


def stay(check_out: date, received: datetime) -> StayClaim:
    return StayClaim(
        id="s1",
        client="w1",
        participant_id="M1",
        member_name="Ana Ruiz",
        confirmation_number="C-1",
        received_at=received,
        provenance=SRC,
        check_in=check_out - timedelta(days=2),
        check_out=check_out,
    )


def found(
    who: ResolvedClient, check_out: date, received: str
) -> list[tuple[ReasonCode, str]]:
    claim = stay(check_out, datetime.fromisoformat(received))
    problems = rule_dates(claim, who, Sourcing(RawRecord(SRC, {}), "s1"))
    return [(p.code, p.message) for p in problems]


def test_desk_day_is_the_day_at_the_desk() -> None:
    paris = ZoneInfo("Europe/Paris")
    late = datetime.fromisoformat("2026-03-01T23:30:00-05:00")
    assert desk_day(late, paris) == date(2026, 3, 2)
    assert desk_day(late, ZoneInfo("America/New_York")) == date(2026, 3, 1)
    assert desk_day(datetime(2026, 3, 1, 23, 30), paris) == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # no 29 February in 2025
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),  # over the year's end
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


WITHIN_90 = "claim_window: {within_days: 90}\n"


@pytest.mark.parametrize(
    ("window", "check_out", "received", "expected"),
    [
        # 2 Dec + 90 days = 2 Mar (29 + 31 + 28 + 2); 23:30 in New York on
        # 1 Mar is 05:30 on 2 Mar in Paris: the last day, in time.
        (WITHIN_90, date(2025, 12, 2), "2026-03-01T23:30:00-05:00", None),
        # ... and 23:30 in New York on 2 Mar is 3 Mar in Paris: too late,
        # though still 2 Mar where it was keyed.
        (
            WITHIN_90,
            date(2025, 12, 2),
            "2026-03-02T23:30:00-05:00",
            (
                ReasonCode.OUTSIDE_CLAIM_WINDOW,
                "expected a date on or after 2025-12-03 (90 days before receipt), "
                "found 2025-12-02",
            ),
        ),
        # claim_window_days is the same window
        (
            "claim_window_days: 90\n",
            date(2025, 12, 2),
            "2026-03-02T23:30:00-05:00",
            (
                ReasonCode.OUTSIDE_CLAIM_WINDOW,
                "expected a date on or after 2025-12-03 (90 days before receipt), "
                "found 2025-12-02",
            ),
        ),
        # 365 days from 28 Feb 2024 crosses 29 Feb: 27 Feb 2025
        (
            "claim_window: {within_days: 365}\n",
            date(2024, 2, 28),
            "2025-02-28T09:00:00+01:00",
            (
                ReasonCode.OUTSIDE_CLAIM_WINDOW,
                "expected a date on or after 2024-02-29 (365 days before receipt), "
                "found 2024-02-28",
            ),
        ),
        # 12 months from 29 Feb 2024 is 28 Feb 2025
        (
            "claim_window: {within_months: 12}\n",
            date(2024, 2, 29),
            "2025-02-28T23:59:00+01:00",
            None,
        ),
        (
            "claim_window: {within_months: 12}\n",
            date(2024, 2, 29),
            "2025-03-01T00:01:00+01:00",
            (
                ReasonCode.OUTSIDE_CLAIM_WINDOW,
                "expected a date on or after 2024-03-01 (12 months before receipt), "
                "found 2024-02-29",
            ),
        ),
        (
            "claim_window: {within_months: 1}\n",
            date(2026, 1, 31),
            "2026-03-01T10:00:00+01:00",
            (
                ReasonCode.OUTSIDE_CLAIM_WINDOW,
                "expected a date on or after 2026-02-01 (1 month before receipt), "
                "found 2026-01-31",
            ),
        ),
        # the activity's calendar year: 31 Dec at the desk, not in New York
        (
            "claim_window: {within: calendar_year}\n",
            date(2024, 12, 31),
            "2024-12-31T23:30:00+01:00",
            None,
        ),
        (
            "claim_window: {within: calendar_year}\n",
            date(2024, 12, 31),
            "2024-12-31T23:30:00-05:00",
            (
                ReasonCode.OUTSIDE_CLAIM_WINDOW,
                "expected a date on or after 2025-01-01 (claims close at the end "
                "of the activity's calendar year), found 2024-12-31",
            ),
        ),
        # 31 days' grace: to 31 Jan of the next year
        (
            "claim_window: {within: calendar_year, grace_days: 31}\n",
            date(2025, 6, 15),
            "2026-01-31T23:00:00+01:00",
            None,
        ),
        (
            "claim_window: {within: calendar_year, grace_days: 31}\n",
            date(2025, 6, 15),
            "2026-02-01T00:30:00+01:00",
            (
                ReasonCode.OUTSIDE_CLAIM_WINDOW,
                "expected a date on or after 2026-01-01 (claims close 31 days after "
                "the end of the activity's calendar year), found 2025-06-15",
            ),
        ),
        # not before 14 days: 25 Dec + 14 = 8 Jan of the next year
        (
            "claim_window: {not_before_days: 14, within_days: 90}\n",
            date(2026, 12, 25),
            "2027-01-07T23:30:00+01:00",
            (
                ReasonCode.TOO_EARLY,
                "expected a claim received on or after 2027-01-08 (14 days after "
                "2026-12-25), found one received 2027-01-07",
            ),
        ),
        # ... 23:30 in New York on 7 Jan is 8 Jan at the desk: in time
        (
            "claim_window: {not_before_days: 14, within_days: 90}\n",
            date(2026, 12, 25),
            "2027-01-07T23:30:00-05:00",
            None,
        ),
        # 15 Feb 2024 + 14 days = 29 Feb (a leap year)
        (
            "claim_window: {not_before_days: 14}\n",
            date(2024, 2, 15),
            "2024-02-28T23:59:00+01:00",
            (
                ReasonCode.TOO_EARLY,
                "expected a claim received on or after 2024-02-29 (14 days after "
                "2024-02-15), found one received 2024-02-28",
            ),
        ),
        (
            "claim_window: {not_before_days: 14}\n",
            date(2024, 2, 15),
            "2024-02-29T00:10:00+01:00",
            None,
        ),
        # a stay dated after receipt is that, not also too early
        (
            "claim_window: {not_before_days: 14}\n",
            date(2026, 3, 5),
            "2026-03-01T12:00:00+01:00",
            (
                ReasonCode.DATE_AFTER_RECEIPT,
                "expected a date on or before receipt 2026-03-01, found 2026-03-05",
            ),
        ),
    ],
)
def test_claim_windows(
    window: str,
    check_out: date,
    received: str,
    expected: tuple[ReasonCode, str] | None,
) -> None:
    assert found(client(window), check_out, received) == (
        [expected] if expected else []
    )


def test_claim_window_days_is_within_days() -> None:
    assert client("claim_window_days: 90\n").claim_window == ClaimWindow(within_days=90)
    assert client("").claim_window is None


def test_too_early_is_pended_and_the_notice_gives_the_first_day() -> None:
    assert ReasonCode.TOO_EARLY.category is Category.DATA
    who = client("claim_window: {not_before_days: 14, within_days: 90}\n")
    claim = stay(date(2026, 12, 25), datetime(2027, 1, 2, 10, tzinfo=UTC))
    problems = tuple(rule_dates(claim, who, Sourcing(RawRecord(SRC, {}), "s1")))
    assert [p.code for p in problems] == [ReasonCode.TOO_EARLY]
    decision = Decision(claim_id="s1", outcome=Outcome.PENDED, problems=problems)
    [notice] = render_notices([NoticeItem.of(claim, decision)], who, date(2027, 1, 2))
    assert (
        "  - departure date: is too recent to claim yet: the points may still "
        "arrive on their own; if they have not, please claim again on or after "
        "Jan 8, 2027\n"
    ) in notice.text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "claim_window: {within_days: 0}\n",
            "claim_window.within_days: Input should be greater than 0",
        ),
        (
            "claim_window: {within_days: '90'}\n",
            "claim_window.within_days: Input should be a valid integer",
        ),
        (
            "claim_window: {within_day: 90}\n",
            "claim_window.within_day: unknown key (check the spelling)",
        ),
        (
            "claim_window: {within_days: 90, within_months: 3}\n",
            "claim_window.within_months: give one of within_days, within_months "
            "and within; within_days is given too",
        ),
        (
            "claim_window: {within_days: 90, within: calendar_year}\n",
            "claim_window.within: give one of within_days, within_months and "
            "within; within_days is given too",
        ),
        (
            "claim_window: {within: fiscal_year}\n",
            "claim_window.within: Input should be 'calendar_year'",
        ),
        (
            "claim_window: {within_days: 30, grace_days: 10}\n",
            "claim_window.grace_days: applies to within: calendar_year only",
        ),
        (
            "claim_window: {}\n",
            "claim_window: expected within_days, within_months, within or "
            "not_before_days",
        ),
        (
            "claim_window: {not_before_days: 14, within: calendar_year}\n",
            "claim_window: not_before_days: 14 days leaves an activity on 31 "
            "December no day to claim on: its last day can be 0 days after it; "
            "lower not_before_days or widen the window",
        ),
        (
            "claim_window: {not_before_days: 30, within_days: 14}\n",
            "claim_window: not_before_days: 30 days leaves an activity no day to "
            "claim on: its last day can be 14 days after it",
        ),
        (
            "claim_window_days: 90\nclaim_window: {within_days: 90}\n",
            "claim_window: give claim_window or claim_window_days, not both "
            "(claim_window_days: 90 is claim_window: {within_days: 90})",
        ),
    ],
)
def test_claim_window_errors_name_the_key_path(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "w1.yaml"
    path.write_text(HEAD + text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_client(path)
    assert f"{path}: {message}" in str(caught.value)


# -- a property against a straightforward oracle ------------------------------

BASE = client("")

ZONES = [
    "Europe/Paris",
    "America/New_York",
    "Pacific/Kiritimati",  # +14:00
    "Pacific/Pago_Pago",  # -11:00
    "Australia/Lord_Howe",  # a half-hour daylight-saving shift
    "UTC",
]


def _oracle_day(instant: datetime, zone: ZoneInfo) -> date:
    """The wall-clock day at the desk, by the zone's own rule for UTC times."""
    utc = instant.astimezone(UTC).replace(tzinfo=zone)
    return zone.fromutc(utc).date()


def _late(window: dict[str, object], activity: date, received: date) -> bool:
    if "within_days" in window:
        return (received - activity).days > int(str(window["within_days"]))
    if "within_months" in window:
        n = int(str(window["within_months"]))
        months = (received.year - activity.year) * 12 + received.month - activity.month
        return months > n or (months == n and received.day > activity.day)
    if "within" in window:
        grace = int(str(window.get("grace_days", 0)))
        return (received - date(activity.year, 12, 31)).days > grace
    return False


def _early(window: dict[str, object], activity: date, received: date) -> bool:
    days = window.get("not_before_days")
    return days is not None and (received - activity).days < int(str(days))


@st.composite
def windows(draw: st.DrawFn) -> dict[str, object]:
    form = draw(st.sampled_from(["days", "months", "year", "none"]))
    window: dict[str, object] = {}
    shortest = 10_000
    if form == "days":
        window["within_days"] = shortest = draw(st.integers(1, 400))
    elif form == "months":
        window["within_months"] = months = draw(st.integers(1, 24))
        shortest = 28 * months
    elif form == "year":
        window["within"] = "calendar_year"
        window["grace_days"] = shortest = draw(st.integers(0, 60))
    if form == "none" or (shortest and draw(st.booleans())):
        window["not_before_days"] = draw(st.integers(1, max(1, min(shortest, 60))))
    return window


@hsettings(max_examples=300, deadline=None)
@given(
    window=windows(),
    activity=st.dates(date(2023, 1, 1), date(2029, 12, 31)),
    hours=st.integers(-48, 24 * 900),
    zone=st.sampled_from(ZONES),
)
def test_claim_window_against_an_oracle(
    window: dict[str, object], activity: date, hours: int, zone: str
) -> None:
    desk = ZoneInfo(zone)
    who = BASE.model_copy(
        update={"zone": desk, "claim_window": ClaimWindow.model_validate(window)}
    )
    instant = datetime(activity.year, activity.month, activity.day, 12, tzinfo=UTC)
    instant += timedelta(hours=hours)
    received = _oracle_day(instant, desk)
    codes = [code for code, _ in found(who, activity, instant.isoformat())]
    if activity > received:
        expected = [ReasonCode.DATE_AFTER_RECEIPT]
    elif _late(window, activity, received):
        expected = [ReasonCode.OUTSIDE_CLAIM_WINDOW]
    elif _early(window, activity, received):
        expected = [ReasonCode.TOO_EARLY]
    else:
        expected = []
    event(expected[0].value if expected else "in time")
    assert codes == expected
    # The dates the messages give are the window's edges, by the oracle too.
    assert who.claim_window is not None
    earliest = who.claim_window.earliest_activity(received)
    if earliest is not None:
        assert not _late(window, earliest, received)
        assert _late(window, earliest - timedelta(days=1), received)
    first = who.claim_window.first_day(activity)
    if first is not None:
        assert not _early(window, activity, first)
        assert _early(window, activity, first - timedelta(days=1))
