"""Notices a later stage (dedupe, verification) owes participants: rendered
and stored with the batches of their claims, inside the stage's transaction.

Contract: `store_stage_notices(items, client, store, stage, now)` renders
one notice per participant and batch (`render_notices`) and stores each
batch's with the file stem it is written under
(``<client>-<batch>-<stage>-<when>``; `claimflow.store.stage_notices`), so
that ``notices write --batch`` writes them whenever asked, even when the
stage ran without ``--notices``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from claimflow.config import ResolvedClient
from claimflow.validate.notices import Notice, NoticeItem, render_notices

if TYPE_CHECKING:
    from claimflow.store import Store


def store_stage_notices(
    items: list[NoticeItem],
    client: ResolvedClient,
    store: Store,
    stage: str,
    now: datetime,
) -> list[tuple[str, list[Notice]]]:
    """Render the notices a later stage owes participants and store them
    with the batches of their claims (inside the caller's transaction).

    One notice per participant and batch, dated with the desk's day of
    `now`, stored with the file stem it is written under
    (``<client>-<batch>-<stage>-<when>``; `claimflow.store.stage_notices`),
    so that ``notices write --batch`` writes it again whenever asked, even
    when the stage ran without ``--notices``.

    Returns:
        (stem, notices) per batch, in batch order.

    Example: ``store_stage_notices(result.notice_items, client, store, "dedupe", now)``
    """
    from claimflow.store.stage_notices import claim_batches
    from claimflow.window import desk_day

    if not items:
        return []
    batches = claim_batches(store, [item.claim_id for item in items])
    by_batch: dict[int, list[NoticeItem]] = {}
    for item in items:
        by_batch.setdefault(batches[item.claim_id], []).append(item)
    today = desk_day(now, client.zone)
    when = now.astimezone(client.zone).strftime("%Y%m%dT%H%M%S")
    stored = []
    for batch, mine in sorted(by_batch.items()):
        notices = render_notices(mine, client, today)
        stem = f"{client.key}-{batch}-{stage}-{when}"
        store.add_notices(batch, notices, stem)
        stored.append((stem, notices))
    return stored
