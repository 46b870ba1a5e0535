"""The ``accounts`` section: validated with the key path named; limits by role."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from claimflow import ConfigError, load_client
from claimflow.accounts.settings import AccountSettings
from tests.test_config import BASE


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "accounts: {point_value: 0}\n",
            "accounts.point_value: Input should be greater than 0",
        ),
        (
            "accounts:\n  point_value: '0.01'\n  cases: {complaint: {first_response_hours: 4}}\n",
            "accounts.cases.complaint.resolution_days: Field required",
        ),
        (
            "accounts:\n  point_value: '0.01'\n  cases: {grumble: {first_response_hours: 4, resolution_days: 1}}\n",
            "accounts.cases.grumble",
        ),
    ],
)
def test_bad_accounts_sections_name_the_key_path(
    write: Callable[..., Path], extra: str, message: str
) -> None:
    path = write("demo.yaml", BASE + extra)
    with pytest.raises(ConfigError) as caught:
        load_client(path)
    assert f"{path}: {message}" in str(caught.value)


def test_limits_come_from_the_operators_role() -> None:
    settings = AccountSettings(
        point_value=Decimal("0.01"),
        approval_limits={"clerk": 2500, "supervisor": None},
        operators={"ann": "clerk", "sam": "supervisor", "kim": "intern"},
    )
    limits = {who: settings.limit_of(who) for who in ("ann", "sam", "kim", "nobody")}
    assert limits == {"ann": 2500, "sam": None, "kim": 0, "nobody": 0}
