"""Ledger instants: written in UTC, read as instants whatever their offset.

Every ledger writer (awards, reversals, redemptions, expiry, adjustments,
transfers) stores its instants through `utc_text`, so new rows read
``2026-11-20T03:00:00+00:00``. Rows written by earlier releases carry the
posting desk's offset (``2026-11-20T10:00:00+07:00``) and cannot be
rewritten (the ledger is append-only), so their text does not sort in time
order: readers compare `instant` values, never the text.
"""

from __future__ import annotations

from datetime import UTC, datetime


def instant(value: datetime | str) -> datetime:
    """A stored instant (ISO text with an offset or ``Z``) as an aware datetime.

    Raises:
        ValueError: the text is not ISO, or names no offset (a local time is
            no instant).

    Example: ``instant("2026-11-20T10:00:00+07:00").hour == 10``
    """
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected an instant with an offset, found {value!s}")
    return moment


def utc_text(value: datetime | str) -> str:
    """An instant as the ledger writes it: UTC ISO text.

    Example: ``utc_text("2026-11-20T10:00:00+07:00") == "2026-11-20T03:00:00+00:00"``
    """
    return instant(value).astimezone(UTC).isoformat()
