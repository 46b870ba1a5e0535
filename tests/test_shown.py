"""Figures and claims as people read them (`claimflow.shown`), against Babel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.numbers import format_currency, format_decimal

from claimflow.shown import (
    Desk,
    claim_name,
    desk_time,
    format_points,
    money,
    signed_points,
)


@pytest.mark.parametrize("locale", ["de_DE", "fr_FR", "en_US"])
def test_points_and_money_are_written_as_the_locale_writes_them(locale: str) -> None:
    assert format_points(1234, locale) == format_decimal(1234, locale=locale)
    assert signed_points(1234, locale) == "+" + format_decimal(1234, locale=locale)
    assert signed_points(-234, locale) == format_decimal(-234, locale=locale)
    amount = Decimal("1234.50")
    assert money(amount, "EUR", locale) == format_currency(amount, "EUR", locale=locale)


def test_exact_points_keep_their_decimals() -> None:
    assert format_points(Decimal("17.5"), "de_DE") == "17,5"


@pytest.mark.parametrize(
    ("reference", "source", "expected"),
    [
        ("KW-1002", "/in/antraege_oktober.csv:row 4", "KW-1002 (antraege_oktober.csv:row 4)"),
        ("AC-2001", "claims_printed.pdf:page 1", "AC-2001 (claims_printed.pdf:page 1)"),
        ("KW-1002", None, "KW-1002"),
        # without a reference, its place, and the id a command needs to act on it
        (None, "/in/a.csv:row 7", "a.csv:row 7 (id 775b1c905eee-r7)"),
        (None, None, "775b1c905eee-r7"),
    ],
)
def test_a_claim_is_named_by_its_reference_and_place(
    reference: str | None, source: str | None, expected: str
) -> None:
    assert claim_name(reference, source, "775b1c905eee-r7") == expected


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        # stored UTC, read at the desk: its wall time and zone, either side of DST
        ("2026-12-04T03:55:02.540626+00:00", "America/Chicago", "2026-12-03 21:55 CST"),
        ("2026-10-20T14:14:00+00:00", "America/Chicago", "2026-10-20 09:14 CDT"),
        ("2026-07-04T03:55:00+00:00", "Europe/Madrid", "2026-07-04 05:55 CEST"),
        # keyed in another offset, read at the desk all the same
        (datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
         "Europe/Paris", "2026-03-02 05:30 CET"),
        ("2026-12-04T03:55:00", "Europe/Madrid", "2026-12-04 04:55 CET"),  # naive: UTC
        (None, "Europe/Madrid", "-"),
    ],
)  # fmt: skip
def test_times_are_shown_in_the_desk_zone_with_its_name(
    value: datetime | str | None, zone: str, expected: str
) -> None:
    assert desk_time(value, ZoneInfo(zone)) == expected
    assert Desk("es_ES", ZoneInfo(zone)).time(value) == expected


def test_a_desk_nobody_configured_reads_utc() -> None:
    assert Desk().time(datetime(2026, 12, 4, 3, 55, tzinfo=UTC)) == "2026-12-04 03:55 UTC"
