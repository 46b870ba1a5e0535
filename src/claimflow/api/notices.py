"""Writing the notices a stage owes participants (.txt, and .eml to send)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimflow.api.common import instant
from claimflow.window import desk_day

if TYPE_CHECKING:
    from claimflow.config import ResolvedClient
    from claimflow.results import BatchResult
    from claimflow.store import Store
    from claimflow.validate.notices import Notice, NoticeItem


def notify(
    items: list[NoticeItem],
    client: ResolvedClient,
    folder: Path,
    stage: str,
    *,
    at: datetime | None = None,
) -> list[Path]:
    """Render the notices a stage owes participants; write .txt and .eml files.

    Example: ``notify(result.notice_items, client, Path("out"), "verify")``
    """
    from claimflow.report import write_notice_files
    from claimflow.validate import render_notices

    if not items:
        return []
    now = instant(at, client)
    # dated with the desk's day: the letter of 00:43 in Zurich is of 4 December
    notices = render_notices(items, client, desk_day(now, client.zone))
    stem = f"{client.key}-{stage}-{now.strftime('%Y%m%dT%H%M%S')}"
    written = write_notice_files(notices, folder, stem)
    write_notice_emails(notices, written)
    return written


def write_notice_emails(notices: list[Any], written: list[Path]) -> list[Path]:
    """Write each notice as an e-mail (``.eml``) beside its ``.txt`` file.

    A file already there with the same bytes is left as it is (the bytes are
    the same on every run), so writing notices again adds only the missing ones.

    Example: ``write_notice_emails(result.notices, write_notices(result, folder))``
    """
    from claimflow.validate.notice_mail import notice_email

    emails = []
    for notice, path in zip(notices, written, strict=True):
        eml = path.with_suffix(".eml")
        data = bytes(notice_email(notice))
        if not eml.is_file() or eml.read_bytes() != data:
            eml.write_bytes(data)
        emails.append(eml)
    return emails


def write_stage_notices(
    stored: Sequence[tuple[str, Sequence[Notice]]], folder: Path
) -> list[Path]:
    """Write the notices a later stage stored with its batches ((file stem,
    notices) per batch: `ClaimDedupeResult.notices`, `VerifyResult.notices`)
    as .txt and .eml files; those already there with the same text stay.

    Example: ``write_stage_notices(dedupe_claims("acme-tools", store).notices, out)``
    """
    from claimflow.report import write_notice_files

    written = []
    for stem, notices in stored:
        paths = write_notice_files(notices, folder, stem)
        write_notice_emails(list(notices), paths)
        written += paths
    return written


def write_batch_notices(batch: int, store: Store, folder: Path) -> list[Path]:
    """Write a stored batch's notices to `folder` (those missing or changed).

    Example: ``write_batch_notices(3, store, Path("notices"))``
    """
    from claimflow.report import write_batch_notices as write

    return write(store, batch, folder)


def write_ingest_notices(result: BatchResult, store: Store, folder: Path) -> list[Path]:
    """Write an ingest's notices, and those its already-ingested files lack.

    The notices are stored with their batch: a file ingested before (by a
    run stopped before writing them, or run without a folder) gets its
    batch's missing notice files now.

    Example: ``write_ingest_notices(ingest(files, client, store), store, out)``
    """
    from claimflow.report import write_notices

    earlier = {
        stored[0]
        for f in result.files
        if f.status.startswith("already ingested")
        and (stored := store.stored_document(f.content_hash)) is not None
    }
    written = []
    for batch in sorted(earlier):
        written += write_batch_notices(batch, store, folder)
    if result.notices:
        written += write_notice_emails(result.notices, write_notices(result, folder))
    return written
