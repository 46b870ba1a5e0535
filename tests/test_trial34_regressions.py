"""Trial 34 (a Hungarian dealer program, a Turkish hotel retro-stay desk):
dates as Babel writes them for hu_HU, Turkish tiers in capitals, replay's
points in the client's locale, a notice that keeps why a date was refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.dates import format_date
from hypothesis import given
from hypothesis import strategies as st

from claimflow.parse.participants import read_participants
from claimflow.values import DateOrder, parse_date
from claimflow.written_dates import named_month_date

#: Year-first locales (and Croatian, whose dates end in a dot too), with
#: the date order such a desk sets, and the Babel widths read back. Korean
#: short dates have a two-digit year (refused), its long ones and Chinese
#: full ones label the parts in Hangul / name the weekday in a way not read:
#: those are only held to never give a wrong date.
YMD_LOCALES: dict[str, tuple[DateOrder, tuple[str, ...]]] = {
    "hu_HU": ("YMD", ("short", "medium", "long", "full")),
    "ko_KR": ("YMD", ("medium",)),
    "ja_JP": ("YMD", ("short", "medium", "long", "full")),
    "zh_CN": ("YMD", ("short", "medium", "long")),
    "lt_LT": ("YMD", ("short", "medium", "long", "full")),
    "hr_HR": ("DMY", ("short", "medium", "long", "full")),
}


def _read(text: str, order: DateOrder, locale: str) -> date | str | None:
    """A keyed date as a claim's date field reads it (`claimflow.values`)."""
    found = parse_date(text, order)
    if isinstance(found, str) and any(c.isalpha() for c in text):
        return named_month_date(text, locale) or found
    return found


@pytest.mark.parametrize("locale", sorted(YMD_LOCALES))
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2399, 12, 31)))
def test_babel_written_year_first_dates_read_back(locale: str, day: date) -> None:
    """``2026. 11. 27.``, ``2026. nov. 27.`` and ``2026. november 27.``
    (Babel's hu_HU short, medium and long) were refused at a YMD desk,
    while the README promises dates as Babel writes them in the client's
    locale. Each width Babel writes reads back as the date, and no width
    reads as another date."""
    order, widths = YMD_LOCALES[locale]
    for width in ("short", "medium", "long", "full"):
        written = format_date(day, width, locale=locale)
        found = _read(written, order, locale)
        if width in widths:
            assert found == day, (width, written, found)
        else:
            assert not isinstance(found, date) or found == day, (width, written)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [("2026. 11. 27.", "YMD", date(2026, 11, 27)),
     ("2026. nov. 27.", "YMD", date(2026, 11, 27)),
     ("2026. november 27.", "YMD", date(2026, 11, 27)),
     ("2026. 12. 04.", "DMY", date(2026, 12, 4)),  # the year first: read in any order
     ("27. 11. 2026.", "DMY", date(2026, 11, 27)),
     ("2026.11.27.", "YMD", date(2026, 11, 27)),
     ("2026. 02. 30.", "YMD", "(no such day: February has 28)"),
     ("27. 11. 2026.", "YMD", "(the year comes first)"),
     ("27/11/2026.", "DMY", "expected a date as DD/MM/YYYY"),  # a dot after slashes
     ("2026. február 30.", "YMD", "(no such day: February has 28)")],
)  # fmt: skip
def test_hungarian_dates_from_the_trial(
    text: str, order: DateOrder, expected: date | str
) -> None:
    found = _read(text, order, "hu_HU")
    if isinstance(expected, date):
        assert found == expected
    else:
        assert isinstance(found, str) and expected in found, found


def test_a_member_list_with_hungarian_dates_is_read(tmp_path: Path) -> None:
    """The member list was refused at ``row 2:Belépés ... '2024. 03. 11.'``."""
    members = tmp_path / "tagok.csv"
    members.write_text(
        "participant_id,first_name,last_name,enrolled_on\n"
        "HU10001,Ödön,Nagy,2024. 03. 11.\n"
        "HU10002,Péter,Kovács,2024. március 11.\n"
        "HU10003,Anna,Szabó,2024. márc. 12.\n",
        encoding="utf-8",
    )
    people = list(read_participants(members, "hu-dealer", "YMD", months="hu_HU"))
    assert [p.enrolled_on for p in people] == [
        date(2024, 3, 11), date(2024, 3, 11), date(2024, 3, 12)
    ]
