"""The ``partners:`` section: exact ratios, bonus blocks, rounding, clear refusals."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from claimflow import load_client
from claimflow.accounts.partner_settings import PartnerSettings
from claimflow.errors import ConfigError
from tests.conftest import SAMPLES

BASE = {"name": "VuelaClub", "member_number": r"^VC\d{8}$"}


@pytest.mark.parametrize(
    ("ratio", "bonus", "rounding", "points", "base", "extra"),
    [
        # 60,000 / 2.5 = 24,000, plus one complete 60,000 block: 5,000
        ("5/2", (5000, 60000), "floor", 60_000, 24_000, 5_000),
        # 119,999 / 2.5 = 47,999.6 -> 47,999; one complete block only
        ("5/2", (5000, 60000), "floor", 119_999, 47_999, 5_000),
        ("5/2", (5000, 60000), "floor", 120_000, 48_000, 10_000),
        # 13,333 / 2.5 = 5,333.2
        ("5/2", None, "floor", 13_333, 5_333, 0),
        # 13,334 / 2.5 = 5,333.6: floor keeps 5,333, half_up makes 5,334
        ("5/2", None, "floor", 13_334, 5_333, 0),
        ("5/2", None, "half_up", 13_334, 5_334, 0),
        # 5 / 2 = 2.5: half_up 3, half_even 2; 7 / 2 = 3.5: half_even 4
        ("2", None, "half_up", 5, 3, 0),
        ("2", None, "half_even", 5, 2, 0),
        ("2", None, "half_even", 7, 4, 0),
        # 1/3 point per mile: three miles a point, exactly (no 0.333... drift)
        ("1/3", None, "floor", 1_000, 3_000, 0),
        # 3/7: 1,000 * 7 / 3 = 2,333.33...
        ("3/7", None, "floor", 1_000, 2_333, 0),
    ],
)
def test_miles_against_hand_arithmetic(
    ratio: str,
    bonus: tuple[int, int] | None,
    rounding: str,
    points: int,
    base: int,
    extra: int,
) -> None:
    settings = PartnerSettings.model_validate(
        {
            **BASE,
            "points_per_mile": ratio,
            "rounding": rounding,
            "bonus": None
            if bonus is None
            else dict(zip(("miles", "per_points"), bonus, strict=True)),
        }
    )
    miles = settings.miles(points)
    assert (miles.base, miles.bonus, miles.total) == (base, extra, base + extra)


def test_a_yaml_float_ratio_is_read_by_its_digits() -> None:
    settings = PartnerSettings.model_validate({**BASE, "points_per_mile": 0.1})
    assert settings.points_per_mile == Fraction(1, 10)
    assert settings.miles(7).base == 70


def test_the_sample_client_defines_its_partner() -> None:
    client = load_client(SAMPLES / "clients" / "costa-azul.yaml")
    partner = client.config.partners["vuelaclub"]
    assert partner.points_per_mile == Fraction(5, 2)
    assert partner.miles(60_000).total == 29_000


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            "    points_per_mile: 0",
            "partners.vuelaclub.points_per_mile: expected more than 0 points per mile, found 0",
        ),
        (
            "    points_per_mile: five",
            "partners.vuelaclub.points_per_mile: expected points per mile such as 5/2 "
            "or 2.5, found 'five'",
        ),
        (
            "    member_number: '^VC(\\d{8}$'",
            "partners.vuelaclub.member_number: not a valid regex: "
            "missing ), unterminated subpattern at position 3",
        ),
        (
            "    bonus: {miles: 5000, per_points: 0}",
            "partners.vuelaclub.bonus.per_points: Input should be greater than 0",
        ),
        (
            "    minimum_points: 0",
            "partners.vuelaclub.minimum_points: Input should be greater than or equal to 1",
        ),
        ("    ratio: 2", "partners.vuelaclub.ratio: unknown key (check the spelling)"),
    ],
)
def test_bad_partner_settings_are_refused_naming_the_key(
    write: Callable[..., Path], change: str, message: str
) -> None:
    text = (SAMPLES / "clients" / "costa-azul.yaml").read_text(encoding="utf-8")
    key = change.split(":", maxsplit=1)[0]
    lines = [line for line in text.splitlines() if not line.startswith(key + ":")]
    path = write("client.yaml", "\n".join([*lines, change]) + "\n")
    with pytest.raises(ConfigError) as caught:
        load_client(path)
    assert str(caught.value) == f"{path}: {message}"
