"""When points expire, as the ledger reads it: the months a policy counts,
whether ``inactivity`` expiry takes a participant's points at an instant,
and the lots expiry may take.

`expire` (in `claimflow.award.ledger`) posts what these find due; `balance`
and `redeem` count the same points as not available before it has, so a
member cannot spend points that the next expiry run takes.
"""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta

from claimflow.award.rules import Expiry
from claimflow.store import Store
from claimflow.store.ledger import award_lots, last_activity


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` moved by calendar months (negative: back), on its own clock.

    Example: ``add_months(datetime(2026, 12, 4, tzinfo=UTC), 12).year == 2027``
    """
    return moment + relativedelta(months=months)


def inactive(
    store: Store, client: str, participant_id: str, at: datetime, expiry: Expiry | None
) -> bool:
    """Whether ``inactivity`` expiry at `at` takes every available point of the
    participant: no award or redemption for the policy's months (what
    `expire` posts, and what `balance` and `redeem` count before it has).

    Example: ``inactive(store, "nordkok", "SE10001", at, settings.expiry)``
    """
    if expiry is None or expiry.policy != "inactivity" or expiry.months is None:
        return False
    last = last_activity(store, client, participant_id)
    return last is not None and last <= add_months(at, -expiry.months)


def expirable_lots(
    store: Store, client: str, participant_id: str, at: datetime
) -> list[tuple[int, int, datetime | None]]:
    """Available lots with points left, expired ones included (what expiry
    takes: every debit posted counts, see `award_lots`).

    Example: ``expirable_lots(store, "acme-tools", "104233", now)``
    """
    return [
        (i, r, e)
        for i, r, available_at, e in award_lots(
            store, client, participant_id, at, every_debit=True
        )
        if r > 0 and available_at <= at
    ]
