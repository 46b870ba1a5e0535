"""Shared set-up for partner tests: a store with points to spend, and transfers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from claimflow import ResolvedClient, Store
from claimflow.accounts.partners import Transfer, transfer_points
from claimflow.award.ledger import post_awards
from claimflow.models import Award, AwardLine

#: When the points were posted (before every transfer).
POSTED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)

#: The sample story's transfers: (participant, points, member, reference, day).
SAMPLE_TRANSFERS = [
    ("300112457", 60_000, "VC10000001", "CAZ-VC-0001", date(2026, 11, 3)),
    ("300118820", 25_000, "VC10000002", "CAZ-VC-0002", date(2026, 11, 5)),
    ("300140977", 40_000, "VC10000003", "CAZ-VC-0003", date(2026, 11, 9)),
    ("300162210", 13_333, "VC10000004", "CAZ-VC-0004", date(2026, 11, 12)),
    ("300131118", 120_000, "VC10000005", "CAZ-VC-0005", date(2026, 11, 16)),
    ("300170045", 15_000, "VC10000006", "CAZ-VC-0006", date(2026, 11, 28)),
]


def fund(store: Store, client: ResolvedClient, who: str, points: int) -> None:
    """Give a participant `points` available points (one award posting)."""
    award = Award(
        claim_id=f"seed-{who}-{points}",
        client=client.key,
        participant_id=who,
        version="2026",
        activity_date=date(2026, 9, 30),
        currency="EUR",
        desired_points=points,
        points=points,
        lines=(
            AwardLine(
                rule_id="seed",
                kind="fixed",
                version="2026",
                desired=points,
                points=points,
                note="seed",
            ),
        ),
    )
    assert client.config.award is not None
    with store.transaction():
        post_awards(store, [award], client.config.award, POSTED, "seed")


def sample_transfers(store: Store, client: ResolvedClient) -> list[Transfer]:
    """Fund and make the sample story's six transfers (noon at the desk)."""
    done = []
    for who, points, member, ref, day in SAMPLE_TRANSFERS:
        fund(store, client, who, points)
        at = datetime(day.year, day.month, day.day, 12, 0, tzinfo=client.zone)
        done.append(
            transfer_points(
                store, client, "vuelaclub", who, points, member, ref, "ana", at
            )
        )
    return done
