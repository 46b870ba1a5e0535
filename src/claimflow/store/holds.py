"""Awards held back: computed, owed, and not posted until a condition is met.

Migration 25 adds ``award_holds``, an append-only table: each award run
records the awards it held (today: a reporting threshold reached with no
tax form on file), with the award as computed and why. A hold is not a
posting, so it moves no balance; it is what `award explain` and `show`
read to tell a clerk why an accepted claim is not paid yet, and the next
award run pays the claim once the condition is met.

Registered after `claimflow.store.participants` (migration 24).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from claimflow.models import Award, Problem
from claimflow.store import participants as _earlier  # noqa: F401 (registers 2-24)
from claimflow.store.claims_schema import refuse_replace
from claimflow.store.instants import instant
from claimflow.store.schema import APPEND_ONLY, migrations


@migrations()
def m025_award_holds(db: Database) -> None:
    """``award_holds``: awards an award run computed and held, and why."""
    db.execute(
        "CREATE TABLE award_holds (id INTEGER PRIMARY KEY, client TEXT NOT NULL, "
        "claim_id TEXT NOT NULL, participant_id TEXT NOT NULL, code TEXT NOT NULL, "
        "message TEXT NOT NULL, points INTEGER NOT NULL, data TEXT NOT NULL, "
        "held_at TEXT NOT NULL, actor TEXT NOT NULL, after_posting INTEGER)"
    )
    db.execute("CREATE INDEX award_holds_claim ON award_holds(claim_id, id)")
    for verb in ("update", "delete"):
        db.execute(APPEND_ONLY.format(table="award_holds", verb=verb))
    refuse_replace(db, "award_holds")


class AwardHolds:
    """Hold queries `Store` inherits (see the module docstring)."""

    if TYPE_CHECKING:
        db: Database
        path: Path

    def add_holds(
        self, held: Sequence[tuple[Award, Problem]], at: datetime, actor: str
    ) -> None:
        """Record the awards one award run held, with the problem that held each.

        Each hold notes the last ledger posting before it, so replay meets
        holds and postings in the order the run did.
        """
        (last,) = self.db.execute("SELECT max(id) FROM ledger").fetchone()
        self.db.conn.executemany(
            "INSERT INTO award_holds (client, claim_id, participant_id, code, "
            "message, points, data, held_at, actor, after_posting) "
            "VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    award.client,
                    award.claim_id,
                    award.participant_id,
                    problem.code.value,
                    problem.message,
                    award.points,
                    award.model_dump_json(),
                    at.isoformat(),
                    actor,
                    last or 0,
                )
                for award, problem in held
            ],
        )

    def latest_hold(self, claim_id: str) -> tuple[Award, str, str, str] | None:
        """The last hold of a claim not paid since: (award, code, message, held at).

        None when the claim was never held, or has a posting made after it.
        """
        # Compared as instants: postings are written in UTC, holds (and the
        # postings of earlier releases) with the desk's offset.
        paid = [
            instant(posted)
            for (posted,) in self.db.execute(
                "SELECT posted_at FROM ledger WHERE claim_id = ? AND entry_type = 'award'",
                [claim_id],
            )
        ]
        for data, code, message, held_at in self.db.execute(
            "SELECT data, code, message, held_at FROM award_holds WHERE claim_id = ? "
            "ORDER BY id DESC",
            [claim_id],
        ).fetchall():
            if not any(posted >= instant(held_at) for posted in paid):
                return Award.model_validate_json(data), code, message, held_at
        return None
