"""How a notice asks for a date again (`claimflow.validate.notice_dates`).

Trial 34: a Turkish desk's notice for a check-out keyed ``30.02.2026`` said
"we could not read this date: please send it again as DD/MM/YYYY": the
reason the desk saw under ``--verbose`` ("no such day: February has 28")
was dropped, and slashes were asked of a member who wrote dots.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from babel.dates import get_month_names

from claimflow.codes import ReasonCode
from claimflow.models import Provenance, StayClaim
from claimflow.validate.notice_dates import date_form, date_reading, date_reason
from claimflow.validate.notice_i18n import phrases
from tests.validate.test_notices import client, item, text_of

#: The desk's own message for the trial's check-out (``check --verbose``).
TRIAL_MESSAGE = "expected a date as DD.MM.YYYY, found '30.02.2026' (no such day: February has 28)"


def _stay() -> StayClaim:
    return StayClaim(
        id="tr-otel-T-02", client="frio-sul", participant_id="10000002",
        member_name="ayşe çağlar", claim_ref="T-02",
        received_at=datetime(2026, 10, 27, 8, tzinfo=UTC),
        provenance=Provenance(file="talepler_ekim.csv", row=3), hotel_code="BGZ-ANK",
        check_in=date(2026, 10, 6), check_out=date(2026, 10, 8),
        qualifying_revenue=Decimal("4500.00"), currency="TRY",
    )  # fmt: skip


def test_the_trials_notice_keeps_the_reason_and_the_members_dots() -> None:
    bad = item(_stay(), ReasonCode.INVALID_DATE, "check_out", TRIAL_MESSAGE)
    text = text_of([bad], client("en", "tr_TR", "stay", "TRY"))
    assert (
        "we could not read this date (no such day: February has 28 days): "
        "please send it again as DD.MM.YYYY (we read: 30.02.2026)"
    ) in text
    assert "DD/MM/YYYY" not in text


@pytest.mark.parametrize("language", ["en", "es", "de", "fr", "id", "pt"])
def test_the_reason_is_said_in_every_notice_language(language: str) -> None:
    """Each language's phrases say it, with February named as Babel names it
    in that language (the oracle), and the member's own dots."""
    bad = item(_stay(), ReasonCode.INVALID_DATE, "check_out", TRIAL_MESSAGE)
    text = text_of([bad], client(language, "tr_TR", "stay", "TRY"))
    february = get_month_names("wide", "stand-alone", locale=language)[2]
    said = phrases(None, language)["date_reasons"]["no_such_day"]
    assert f" ({said.format(month=february, last='28')}): " in text
    pattern = phrases(None, language).get("date_formats", {}).get("DMY", "DD/MM/YYYY")
    assert pattern.replace("/", ".") in text


@pytest.mark.parametrize(
    ("keyed", "order", "language", "expected"),
    [("30.02.2026", "DMY", "en", " (no such day: February has 28 days)"),
     ("31/04/2026", "DMY", "de", " (diesen Tag gibt es nicht: der April hat 30 Tage)"),
     ("29.02.2028", "DMY", "en", ""),  # a leap day: read
     ("10/13/2026", "DMY", "es", " (el día y el mes parecen invertidos)"),
     ("27/11/2026", "YMD", "fr", " (l'année vient en premier)"),
     ("30.02.26", "DMY", "en", ""),  # two-digit year: its own phrase (full_year)
     ("soon", "DMY", "en", "")],
)  # fmt: skip
def test_date_reason(keyed: str, order: str, language: str, expected: str) -> None:
    desk = client(language, "en_US")
    desk = desk.model_copy(
        update={"config": desk.config.model_copy(update={"date_order": order})}
    )
    reading = date_reading(keyed, desk)
    assert date_reason(reading, phrases(None, language), language) == expected


@pytest.mark.parametrize(
    ("pattern", "locale", "expected"),
    [("DD/MM/YYYY", "tr_TR", "DD.MM.YYYY"),  # tr_TR writes d.MM.y
     ("DD/MM/YYYY", "en_GB", "DD/MM/YYYY"),
     ("MM/DD/YYYY", "en_US", "MM/DD/YYYY"),
     ("DD/MM/YYYY", "nl_NL", "DD-MM-YYYY"),
     ("TT.MM.JJJJ", "de_DE", "TT.MM.JJJJ"),
     ("JJ/MM/AAAA", "fr_FR", "JJ/MM/AAAA"),
     ("YYYY-MM-DD", "hu_HU", "YYYY.MM.DD")],
)  # fmt: skip
def test_date_form(pattern: str, locale: str, expected: str) -> None:
    """The separator is the client's locale's, as Babel's short date writes it."""
    from babel.dates import format_date

    assert date_form(pattern, locale) == expected
    written = format_date(date(2026, 11, 27), "short", locale=locale)
    assert expected[2] in written or expected[4] in written
