"""How a batch's values were read, when not as its client file says (migration 29),
and the desk's clock when it was read (its ``started_at``).

An ingest may read one batch's numbers in another locale than the client's
(``ingest --number-locale fr_CH``: a Swiss client's French forms beside its
German ones). The batch row keeps that locale, and replay reads the batch's
stored records with it again, so "the same rules" replay to no change.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlite_utils import Database

from claimflow.store import partners as _earlier  # noqa: F401 (registers 2-28)
from claimflow.store.schema import migrations

if TYPE_CHECKING:
    from claimflow.store import Store


@migrations()
def m029_batch_number_locale(db: Database) -> None:
    """The number locale a batch was read in, when the ingest named one."""
    db.execute("ALTER TABLE batches ADD COLUMN number_locale TEXT")


def set_batch_number_locale(store: Store, batch_id: int, locale: str) -> None:
    """Record the number locale `batch_id` was read in.

    Example: ``set_batch_number_locale(store, 3, "fr_CH")``
    """
    store.db.execute(
        "UPDATE batches SET number_locale = ? WHERE id = ?", [locale, batch_id]
    )


def batch_number_locales(store: Store, client: str) -> dict[int, str]:
    """The batches of `client` read in a number locale of their own: id -> locale.

    Example: ``batch_number_locales(store, "alpenkraft") == {2: "fr_CH"}``
    """
    return {
        int(batch): str(locale)
        for batch, locale in store.db.execute(
            "SELECT id, number_locale FROM batches WHERE client = ? "
            "AND number_locale IS NOT NULL",
            [client],
        )
    }


def batch_clocks(store: Store, client: str) -> dict[int, datetime]:
    """The desk's clock when each batch of `client` was ingested: id -> time.

    Replay judges a received time "in the future" against it, as ingest did,
    never against the day of the replay.

    Example: ``batch_clocks(store, "acme")[1].tzinfo is not None``
    """
    return {
        int(batch): datetime.fromisoformat(str(started))
        for batch, started in store.db.execute(
            "SELECT id, started_at FROM batches WHERE client = ?", [client]
        )
    }
