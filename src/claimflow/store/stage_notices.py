"""Notices a later stage owes participants, kept with their claims' batches (migration 30).

Ingest stores a batch's notices with it, so that ``notices write --batch``
writes them again whenever asked. A later stage (``dedupe claims``,
``verify``, ``source import``) finds more: a claim repeats an earlier one,
a claim did not verify. Those notices are stored too, with the batch of
their claims, in the same transaction as the outcomes they announce (trial
20: a duplicate found without ``--notices`` was never told, and a second
run found nothing more to say). Each keeps the file stem it is written
under (``<client>-<batch>-<stage>-<when>``), so that it never takes the
place of the batch's ingest notice to the same participant; ``stem`` is
NULL for ingest's own (written as ``<client>-<batch>``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlite_utils import Database

from claimflow.store import batch_reading as _earlier  # noqa: F401 (registers 2-29)
from claimflow.store.schema import migrations

if TYPE_CHECKING:
    from claimflow.store import Store


@migrations()
def m030_notice_stems(db: Database) -> None:
    """The file stem a later stage's notice is written under (NULL: ingest's)."""
    db.execute("ALTER TABLE notices ADD COLUMN stem TEXT")


def claim_batches(store: Store, claim_ids: Sequence[str]) -> dict[str, int]:
    """Each claim's batch: claim id -> batch id.

    Example: ``claim_batches(store, ["c2"]) == {"c2": 3}``
    """
    found: dict[str, int] = {}
    ids = list(dict.fromkeys(claim_ids))
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        found.update(
            (str(cid), int(batch))
            for cid, batch in store.db.execute(
                f"SELECT id, batch_id FROM claims WHERE id IN ({', '.join('?' * len(part))})",
                part,
            )
        )
    return found
