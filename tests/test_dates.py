"""Hijri years (`claimflow.dates`): named with a Solar Hijri conversion only
at a desk that writes that calendar, else as a Hijri year with none.

Trial 48: ``1447/06/13``, a Lunar Hijri date as a Saudi or Gulf desk may
write it, was refused (good) with "1447/06/13 looks like a Solar Hijri
(Jalali) date, 2068-09-03 in the Gregorian calendar" at any desk: a Solar
Hijri conversion of a Lunar Hijri date, decades off, which a clerk or a
notice could pass on. The oracle for how far off is the tabular Islamic
calendar's arithmetic, written out below.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import claimflow
from claimflow.dates import jalali_date, writes_solar_hijri
from claimflow.validate.notice_dates import date_reason
from claimflow.validate.notice_i18n import phrases
from claimflow.values import other_calendar, parse_date, parse_datetime
from tests.test_cli import run
from tests.test_trial42_regressions import HEADER, PARS

NEUTRAL = "1447 looks like a Hijri year, Lunar or Solar: the desk reads Gregorian years"


def _tabular_islamic(year: int, month: int, day: int) -> date:
    """The arithmetical (tabular) Islamic calendar's Gregorian date, which
    Umm al-Qura follows to within a day or two."""
    julian_day = (
        day + math.ceil(29.5 * (month - 1)) + (year - 1) * 354
        + (3 + 11 * year) // 30 + 1948439.5 - 1
    )  # fmt: skip
    return date.fromordinal(int(julian_day - 1721424.5))


def test_the_two_hijri_readings_of_1447_06_13_are_decades_apart() -> None:
    """Why neither is named at a desk that may mean either: Lunar 1447/06/13
    is early December 2025, Solar 1447/06/13 is September 2068."""
    lunar = _tabular_islamic(1447, 6, 13)
    assert lunar == date(2025, 12, 4)
    assert "2068-09-03 in the Gregorian calendar" in jalali_date(1447, 6, 13)
    assert (date(2068, 9, 3) - lunar).days > 40 * 365


@pytest.mark.parametrize(
    ("locale", "zone", "solar"),
    [
        ("ar_SA", "Asia/Riyadh", False),
        ("ar_AE", "Asia/Dubai", False),
        ("en_US", "America/Chicago", False),
        ("es_ES", "Europe/Madrid", False),
        ("fa_IR", "Asia/Tehran", True),
        ("fa_AF", "Asia/Kabul", True),
        ("ps_AF", "Asia/Kabul", True),
        ("en_US", "Asia/Tehran", True),  # an English-speaking desk in Tehran
        ("fa", None, True),
    ],
)
def test_only_a_solar_hijri_desk_names_the_solar_hijri_date(
    locale: str, zone: str | None, solar: bool
) -> None:
    assert writes_solar_hijri(locale, zone) is solar
    found = parse_date("1447/06/13", "YMD", writes_solar_hijri(locale, zone))
    assert isinstance(found, str)
    if solar:
        assert found.endswith(
            "(1447/06/13 looks like a Solar Hijri (Jalali) date, 2068-09-03 in the "
            "Gregorian calendar: the desk reads Gregorian years)"
        )
    else:
        assert found == (
            f"expected a date as YYYY-MM-DD, found '1447/06/13' ({NEUTRAL})"
        )


@pytest.mark.parametrize(
    "keyed", ["1447/06/13", "١٤٤٧/٠٦/١٣", "13/06/1447", "1447年6月13日"]
)
def test_no_conversion_is_named_anywhere_a_hijri_year_is_refused(keyed: str) -> None:
    """Keyed, with a time, or a typed cell: no Gregorian year of 1447 named
    (a Japanese date with a time is refused by its form, naming no year)."""
    order = "DMY" if keyed.startswith("13") else "YMD"
    stamp = parse_datetime(f"{keyed} 10:30", order)  # type: ignore[arg-type]
    assert isinstance(stamp, str) and "2068" not in stamp and "Solar Hijri" not in stamp
    assert (NEUTRAL in stamp) is ("年" not in keyed)
    for found in (
        parse_date(keyed, order),  # type: ignore[arg-type]
        other_calendar(date(1447, 6, 13)),
    ):
        assert isinstance(found, str) and NEUTRAL in found, found
        assert "Gregorian calendar" not in found and "2068" not in found


def test_a_saudi_desks_claim_and_notice_name_no_conversion(
    write: Callable[..., Path],
) -> None:
    """The trial's example through ``check --json`` at an ar_SA, Asia/Riyadh
    desk: pended as invalid_date with the neutral note; its notice asks for
    the date in the Gregorian calendar, naming none."""
    saudi = (
        PARS.replace("locale: fa_IR", "locale: ar_SA")
        .replace("currency: IRR", "currency: SAR")
        .replace("Asia/Tehran", "Asia/Riyadh")
        .replace("country: IR", "country: SA")
    )
    client = write("saudi.yaml", saudi)
    claims = write(
        "claims.csv",
        HEADER + "PH-201,10020052,Maryam,PRS-SHZ,SH33900,1447/06/13,"
        "2025/12/06,1200,2025/12/08 11:00\n",
    )
    code, out, _ = run("check", str(claims), "--client", str(client), "--json")
    assert code == 1
    (problem,) = json.loads(out)["problems"]
    assert problem["code"] == "invalid_date"
    assert problem["message"].endswith(f"found '1447/06/13' ({NEUTRAL})")
    result = claimflow.check([claims], claimflow.load_client(client))
    text = result.notices[0].text
    assert (
        "(the year is a Hijri year, not a Gregorian one: write the date in the "
        "Gregorian calendar)" in text
    )
    assert "Solar Hijri" not in text and "2068" not in text


@pytest.mark.parametrize("language", ["en", "de", "es", "fr", "pt", "id"])
def test_each_notice_language_names_the_hijri_year_without_a_date(
    language: str,
) -> None:
    """The six notice languages say the same: a Hijri year, write the date
    in the Gregorian calendar; at a Solar Hijri desk, the converted date."""
    words = phrases(None, language)
    neutral = date_reason(parse_date("1447/06/13", "YMD"), words, language)
    assert neutral == f" ({words['date_reasons']['hijri_year']})"
    assert not any(c.isdigit() for c in neutral)
    solar = date_reason(parse_date("1405/09/13", "YMD", True), words, language)
    assert "2026-12-04" in solar
