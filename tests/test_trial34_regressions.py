"""Trial 34 (a Hungarian dealer program, a Turkish hotel retro-stay desk):
dates as Babel writes them for hu_HU, Turkish tiers in capitals, replay's
points in the client's locale, a notice that keeps why a date was refused."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.dates import format_date
from hypothesis import given
from hypothesis import strategies as st

from claimflow.errors import UnreadableInput
from claimflow.parse.participants import read_participants
from claimflow.replay import Change, ReplayResult
from claimflow.report.replay import render_replay
from claimflow.shown import Desk
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


#: The trial's Turkish hotel desk (clients/tr-otel.yaml), cut to what a
#: tier and its bonus need.
TR_OTEL = """
schema_version: 1
client: tr-otel
name: Boğaz Otelleri Sadakat Programı
kind: stay
locale: tr_TR
date_order: DMY
currency: TRY
timezone: Europe/Istanbul
participant_columns:
  participant_id: ["Üye No"]
  first_name: ["Ad"]
  last_name: ["Soyad"]
  tier: ["Seviye"]
accounts:
  point_value: "0.05"
  tiers: [gümüş, altın, platin]
award:
  activity_date: check_out
  currency: TRY
  rounding_mode: half_up
  rounding_scope: claim
  rule_sets:
    - version: "2026"
      effective_from: 2026-01-01
      rules:
        - {id: taban, kind: per_currency, points: 1, per: 10, basis: pro_rata}
        - {id: seviye, kind: tier_bonus, percent: {altın: 25, platin: 50}}
"""


def test_a_turkish_tier_in_capitals_is_taken_and_earns_its_bonus(
    tmp_path: Path,
) -> None:
    """``10000005;Ilgın;Öztürk;ALTIN`` was refused: "expected one of the
    program's tiers (altın, gümüş, platin), found 'ALTIN'" (ALTIN is the
    Turkish capitals of altın; casefold made it altin). Taken at import, the
    same fold must find its bonus: by hand, ₺3.210,00 at 1 point per ₺10 is
    321 base points, altın's 25% of them 80.25, and 401.25 rounds half up
    to 401 (the trial's T-05 for a member written ``Altın``)."""
    from claimflow import load_client
    from claimflow.api.imports import program_tiers
    from claimflow.award import CapState, compute_award
    from claimflow.models import Provenance, StayClaim

    (tmp_path / "tr-otel.yaml").write_text(TR_OTEL, encoding="utf-8")
    client = load_client(tmp_path / "tr-otel.yaml")
    members = tmp_path / "seviye.csv"
    members.write_text("Üye No;Ad;Soyad;Seviye\n10000005;Ilgın;Öztürk;ALTIN\n", "utf-8")
    (member,) = read_participants(
        members, client.key, "DMY", client.people_index(),
        tiers=program_tiers(client), months=client.config.locale,
    )  # fmt: skip
    assert member.tier == "ALTIN"  # kept as written
    assert client.config.award is not None
    stay = StayClaim(
        id="tr-otel-T-05", client="tr-otel", participant_id="10000005",
        received_at=datetime(2026, 10, 28, 9, tzinfo=UTC),
        provenance=Provenance(file="talepler.csv", row=2), hotel_code="BGZ-ANT",
        check_in=date(2026, 10, 9), check_out=date(2026, 10, 11),
        qualifying_revenue=Decimal("3210.00"), currency="TRY",
    )  # fmt: skip
    award, problem = compute_award(stay, client.config.award, member, CapState())
    assert problem is None and award is not None
    bonus = {ln.rule_id: ln for ln in award.lines}["seviye"]
    assert bonus.multiplier == Decimal("0.25")
    assert award.points == 401


@pytest.mark.parametrize(
    ("written", "tiers", "expected"),
    [("ALTIN", ["gümüş", "altın", "platin"], "altın"),
     ("Altın", ["gümüş", "altın", "platin"], "altın"),
     ("GÜMÜŞ", ["gümüş", "altın", "platin"], "gümüş"),
     ("PLATİN", ["gümüş", "altın", "platin"], "platin"),
     ("PLATIN", ["gümüş", "altın", "platin"], "platin"),  # upper-cased in ASCII
     ("ALTIN", ["ALTIN", "platin"], "ALTIN"),  # the program's file in capitals
     ("altin", ["gümüş", "altın", "platin"], None),  # another spelling
     ("bronz", ["gümüş", "altın", "platin"], None)],
)  # fmt: skip
def test_member_list_tiers_in_any_turkish_case(
    tmp_path: Path, written: str, tiers: list[str], expected: str | None
) -> None:
    members = tmp_path / "seviye.csv"
    members.write_text(f"participant_id;tier\n10000005;{written}\n", "utf-8")
    read = read_participants(members, "tr-otel", "DMY", tiers=tiers, months="tr_TR")
    if expected is None:
        with pytest.raises(UnreadableInput, match="expected one of the program's"):
            list(read)
    else:
        assert [p.tier for p in read] == [written]


def _trial_replay() -> ReplayResult:
    """The trial's Turkish replay at 1.5 points per ₺10 (by hand: T-01
    1 543 -> 2 315, T-04 800 -> 1 200, T-05 401 -> 602: +1 373)."""
    return ReplayResult(
        client="tr-otel",
        claims=12,
        changes=[
            Change("c1", "accepted", "accepted", points_from=1543, points_to=2315,
                   lines=["seviye: 308 -> 462", "taban: 1234 -> 1851"]),
            Change("c4", "accepted", "accepted", points_from=800, points_to=1200,
                   lines=["taban: 800 -> 1200"]),
            Change("c5", "accepted", "accepted", points_from=401, points_to=602,
                   lines=["rounding: 0 -> 1", "seviye: 80 -> 120", "taban: 321 -> 481"]),
        ],
        points_by_rule=Counter({"seviye": 194, "taban": 1177, "rounding": 2}),
        names={"c1": "T-01", "c4": "T-04", "c5": "T-05"},
    )  # fmt: skip


@pytest.mark.parametrize("locale", ["tr_TR", "hu_HU", "de_DE", "en_US"])
def test_replay_writes_points_in_the_clients_locale(locale: str) -> None:
    """``T-01 ...: 1,543 -> 2,315 points`` and ``+1,373 points`` at a tr_TR
    desk, where 1,543 is one and a half and ``ledger balance`` writes
    ``1.543``. Every figure is now the desk's (Babel the oracle)."""
    from babel.numbers import format_decimal

    def n(value: int) -> str:
        return str(format_decimal(value, locale=locale))

    text = render_replay(_trial_replay(), desk=Desk(locale))
    lines = text.splitlines()
    assert lines[0] == f"tr-otel: 12 claims replayed, 3 changed, +{n(1373)} points"
    assert lines[1] == f"  points by rule: seviye +194, taban +{n(1177)}, rounding +2"
    assert lines[2] == (
        f"  T-01: {n(1543)} -> {n(2315)} points (seviye: 308 -> 462; "
        f"taban: {n(1234)} -> {n(1851)})"
    )
    assert lines[3] == f"  T-04: 800 -> {n(1200)} points (taban: 800 -> {n(1200)})"
    if locale == "tr_TR":
        assert "1.543 -> 2.315 points" in text and "+1.373 points" in text
    # the change file and --json keep plain numbers
    assert _trial_replay().to_dict()["points_delta"] == 1373


def test_replay_cli_writes_the_clients_locale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command renders with the desk of the client it was given."""
    import claimflow
    from tests.test_cli import run

    (tmp_path / "tr-otel.yaml").write_text(TR_OTEL, encoding="utf-8")
    monkeypatch.setattr(claimflow, "replay_claims", lambda *a, **k: _trial_replay())
    db = tmp_path / "tr.db"
    claimflow.Store.open(db).close()
    code, out, _ = run("replay", "--client", str(tmp_path / "tr-otel.yaml"), "--db", str(db))
    assert code == 1
    assert out.splitlines()[0] == "tr-otel: 12 claims replayed, 3 changed, +1.373 points"
    assert "  T-01: 1.543 -> 2.315 points (seviye: 308 -> 462; taban: 1.234 -> 1.851)" in out
