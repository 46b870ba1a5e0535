"""Public stages over stored claims: dedupe, source data, verification, QA.

Each follows the calling convention of `claimflow.api` and returns a typed
result with ``to_dict()``. Taking reference data in lives in
`claimflow.api.imports`, QA of keyed forms in `claimflow.api.keyings`; their
stages are importable from here too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimflow.api.common import (
    ClientLike,
    client_then_store,
    default_operator,
    instant,
    require_batch,
    resolve_client,
    written_at,
)
from claimflow.api.imports import (
    EntryCheckImport,
    ParticipantsImport,
    SourceImport,
    import_entry_checks,
    import_participants,
    import_source,
    program_tiers,
)
from claimflow.api.keyings import (
    FieldSample,
    adjudicate_keyings,
    compare_keyings,
    read_share,
    sample_fields,
    write_field_sample,
)
from claimflow.errors import ClaimflowError

if TYPE_CHECKING:
    import pandas as pd

    from claimflow.dedupe.claims import ClaimDedupeResult
    from claimflow.dedupe.result import DedupeResult
    from claimflow.dedupe.review import ReviewApplied
    from claimflow.store import Store
    from claimflow.values import DateOrder
    from claimflow.verify.run import VerifyResult


def dedupe_claims(
    client: ClientLike,
    store: Store,
    *,
    batch: int | None = None,
    at: datetime | None = None,
    operator: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ClaimDedupeResult:
    """Check open claims against every earlier claim; mark duplicates and reviews.

    Args:
        client: the client (resolved, a file or a key).
        store: the store; one transaction.
        batch: only claims of this batch.
        at: when the duplicates are decided (default: now).
        operator: who decides (default: `default_operator`).
        progress: called with the number of open claims checked: 0 before
            the matching (in sets, by SQL joins), all of them once done.

    Returns:
        The claims checked and their matches (``to_dict()``).

    Example: ``dedupe_claims("acme-tools", store).to_dict()["duplicates"]``
    """
    from claimflow.dedupe.claims import dedupe_claims as run

    resolved = resolve_client(client)
    require_batch(store, batch, resolved)
    return run(
        store,
        resolved,
        batch_id=batch,
        now=written_at(at, resolved),
        actor=operator or default_operator(),
        progress=progress,
    )


def dedupe_participants(
    people: pd.DataFrame | Path,
    client: ClientLike | None = None,
    store: Store | None = None,
    *,
    duplicate: float | None = None,
    review: float | None = None,
    date_order: DateOrder | None = None,
    encoding: str | None = None,
) -> DedupeResult:
    """Cluster the people enrolled more than once, each pair explained.

    Args:
        people: a CSV file (read in chunks) or a frame with participant_id.
        client: whose dedupe settings and date order apply (default: the
            built-in settings).
        store: a store whose review marks count: pairs marked "different"
            are never flagged again nor clustered through another record,
            pairs marked "same" are duplicates (possible twins too), and the
            marks refit the weights (if a held-out check agrees).
        duplicate: probability for "same" (default: the client's, else 0.9).
        review: probability for "review" (default: the client's, else 0.5).
        date_order: how birth dates are written (default: the client's).
        encoding: a CSV file's text encoding (default: the client's
            ``encoding``, else detected), as ``participants import`` reads it.

    Example: ``dedupe_participants(Path("people.csv")).clusters``
    """
    from claimflow.dedupe.decisions import latest_decisions
    from claimflow.dedupe.people import dedupe_people
    from claimflow.dedupe.settings import DedupeSettings

    resolved = resolve_client(client) if client is not None else None
    settings = resolved.config.dedupe if resolved else DedupeSettings()
    given = {"duplicate": duplicate, "review": review}
    settings = settings.model_copy(
        update={k: v for k, v in given.items() if v is not None}
    )
    if date_order is None and resolved is not None:
        date_order = resolved.config.date_order
    marks = latest_decisions(store.db.conn, "participant") if store is not None else {}
    columns = resolved.people_index() if resolved is not None else None
    if isinstance(people, Path) and people.suffix.lower() == ".xlsx":
        from claimflow.dedupe.peoplefile import read_people_xlsx

        people = read_people_xlsx(people, columns)
    from claimflow.sniff import encoding_origin

    return dedupe_people(
        people, settings=settings, date_order=date_order, marks=marks, columns=columns,
        language=resolved.config.language_code if resolved is not None else None,
        encoding=encoding or (resolved.config.encoding if resolved else None),
        encoding_by=encoding_origin(encoding, resolved.source_path if resolved else None),
    )  # fmt: skip


def verify_claims(
    client: ClientLike,
    store: Store,
    *,
    batch: int | None = None,
    at: datetime | None = None,
    operator: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Verify accepted claims (and those awaiting source data) against source records.

    One transaction; the outcomes move with the result. `progress` is called
    with the number of claims verified so far, chunk by chunk.

    Example: ``verify_claims("acme-tools", store).results["verified"]``
    """
    from claimflow.verify.run import verify_claims as run

    resolved = resolve_client(client)
    require_batch(store, batch, resolved)
    return run(
        store,
        resolved,
        batch_id=batch,
        now=written_at(at, resolved),
        actor=operator or default_operator(),
        progress=progress,
    )


@dataclass(frozen=True)
class EventRecorded:
    """An event recorded on a claim's clock (`name`: the claim as people
    know it, its reference and where it came from)."""

    claim_id: str
    event: str
    at: datetime
    name: str = ""

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return {"claim_id": self.claim_id, "event": self.event, "at": self.at.isoformat()}


def record_event(
    claim: str,
    event: str,
    client: ClientLike | None = None,
    store: Store | None = None,
    /,
    *,
    at: datetime | None = None,
    operator: str | None = None,
    **old: ClientLike | None,
) -> EventRecorded:
    """Record what happened to a claim (its id or reference) at `at` (default: now).

    A naive `at` is in `client`'s desk zone, as on every command; without
    a client it is refused (no zone to read it in), never taken as UTC.
    The old order, ``(claim, event, store, client=...)``, still works with
    a DeprecationWarning (`client` and `store` are positional for it).

    Raises:
        ClaimflowError: a naive `at` and no client, or the claim is another
            client's.
        TypeError: the arguments are not (claim, event, client, store).

    Example: ``record_event("AC-1001", "resubmitted", "acme-tools", store, operator="ann")``
    """
    from claimflow.sla.events import record_event as record

    client, store = client_then_store(
        "record_event", "claim, event", client, store, old
    )

    resolved = resolve_client(client) if client is not None else None
    if at is not None and at.tzinfo is None and resolved is None:
        raise ClaimflowError(
            f"claim {claim}: expected a time with an offset or --client (whose "
            f"desk zone reads it), found {at.isoformat()}"
        )
    when = written_at(at, resolved)
    with store.transaction():
        claim_id = record(
            store,
            claim,
            event,
            when,
            operator or default_operator(),
            instant(None),
            client=resolved.key if resolved else None,
            desk=resolved.desk if resolved else None,
        )
    name = store.claim_names([claim_id]).get(claim_id, claim_id)
    return EventRecorded(claim_id, event, when, name)


@dataclass
class ReviewFile:
    """The claim pairs a person must mark, written to a file."""

    client: str
    file: str
    pairs: int = 0
    rows: list[tuple[object, ...]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return {"client": self.client, "file": self.file, "pairs": self.pairs}


def write_claim_review(
    client: ClientLike, store: Store, out: Path, closed: Sequence[str] = ()
) -> ReviewFile:
    """Write the doubtful claim pairs to a .csv or .xlsx file to mark.

    Args:
        client: the client.
        store: the store.
        out: the file to write (.csv or .xlsx).
        closed: claims (ids or references) closed as duplicates by ``dedupe
            claims``, a review, or ingest (a repeat within its batch), whose
            pairs to write too: marked *different*, such a claim gets back
            its outcome before dedupe (or the one its other problems give).

    A repeat within its batch that ingest closed or left to review has its
    pair (with the claim of the batch holding its key) recorded as a match
    first, so that its marks settle it as a history match's do.

    Raises:
        ClaimNotFound: a claim in `closed` is unknown, or no dedupe run,
            review or batch rule closed it (nothing is written).

    Example: ``write_claim_review("acme-tools", store, Path("review.xlsx")).pairs``
    """
    from claimflow.dedupe.review import CLAIM_REVIEW_HEADER, review_rows
    from claimflow.errors import ClaimNotFound
    from claimflow.report import write_table
    from claimflow.store.dedupe_decisions import (
        claim_outcome,
        outcome_stages,
        record_batch_repeats,
    )

    resolved = resolve_client(client)
    ids = {store.resolve_claim(key, resolved.key): key for key in closed}
    with store.transaction():
        # A repeat within its batch, closed or held at ingest, is put to a
        # person as history's matches are: its pair is recorded first.
        at = written_at(None, resolved).isoformat()
        record_batch_repeats(store, resolved.key, at)
        if ids:
            record_batch_repeats(store, resolved.key, at, list(ids))
        rows = review_rows(store, resolved.key, list(ids))
        listed = {row[1] for row in rows}
        for cid, key in ids.items():
            if cid not in listed:
                outcome = claim_outcome(store, cid)
                stage = outcome_stages(store, cid)[0][0]
                why = (
                    f"not a duplicate (its outcome is {outcome})"
                    if outcome != "duplicate"
                    else "closed as a repeat within its own batch at ingest, and no "
                    "claim of that batch holds its key"
                    if stage == "validate"
                    else f"closed as a duplicate by {stage}, not by `dedupe claims`"
                )
                raise ClaimNotFound(f"claim {key}: {why}: no duplicate pair to review")
    count = write_table(rows, CLAIM_REVIEW_HEADER, out)
    return ReviewFile(resolved.key, str(out), count)


def apply_review(
    file: Path,
    store: Store,
    *,
    at: datetime | None = None,
    operator: str | None = None,
) -> tuple[ReviewApplied, bool]:
    """Store a reviewed file's same/different marks; one transaction.

    Returns:
        What changed, and whether the file marked claims (not participants).

    Example: ``apply_review(Path("review.xlsx"), store, operator="ann")[0].decisions``
    """
    from claimflow.dedupe.review import apply_review as apply
    from claimflow.dedupe.review import read_review

    marks = read_review(file)
    done = apply(store, marks, operator or default_operator(), instant(at), str(file))
    return done, any(m.kind == "claim" for m in marks)


__all__ = [
    "EntryCheckImport",
    "EventRecorded",
    "FieldSample",
    "ParticipantsImport",
    "ReviewFile",
    "SourceImport",
    "adjudicate_keyings",
    "apply_review",
    "compare_keyings",
    "dedupe_claims",
    "dedupe_participants",
    "import_entry_checks",
    "import_participants",
    "import_source",
    "program_tiers",
    "read_share",
    "record_event",
    "sample_fields",
    "verify_claims",
    "write_claim_review",
    "write_field_sample",
]
