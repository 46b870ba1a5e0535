"""Public stages over stored claims: dedupe, source data, verification, QA.

Each follows the calling convention of `claimflow.api` and returns a typed
result with ``to_dict()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimflow.api.common import (
    ClientLike,
    default_operator,
    instant,
    require_batch,
    resolve_client,
    written_at,
)
from claimflow.errors import ClaimflowError

if TYPE_CHECKING:
    import pandas as pd

    from claimflow.config import ResolvedClient
    from claimflow.dedupe.claims import ClaimDedupeResult
    from claimflow.dedupe.result import DedupeResult
    from claimflow.dedupe.review import ReviewApplied
    from claimflow.store import Store
    from claimflow.values import DateOrder
    from claimflow.verify.double_entry import Adjudication, Difference, SampledField
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


def program_tiers(client: ResolvedClient) -> frozenset[str]:
    """The tiers a client's program knows (case folded): its ``accounts.tiers``
    and the tiers its tier bonuses name; empty when it names none (then any
    tier a member list gives is taken).

    Example: ``"gold" in program_tiers(load_client("samples/clients/acme-tools.yaml"))``
    """
    from claimflow.award.rules import TierBonus

    accounts, award = client.config.accounts, client.config.award
    named = set(accounts.tiers if accounts is not None else ())
    for rule_set in award.rule_sets if award is not None else ():
        for rule in rule_set.rules:
            if isinstance(rule, TierBonus):
                named.update(rule.percent)
    return frozenset(t.casefold() for t in named)


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
            are never flagged again, and the marks refit the weights (if a
            held-out check agrees).
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


@dataclass
class SourceImport:
    """What a source import stored, and the verification it triggered.

    Attributes:
        files: per file, its path, records stored and, when it was imported
            before, that import's record count (else None).
        notes: per file, what reading it skipped (a title line, a total
            row equal to the records' sums), one line each.
        verification: the re-check of the claims waiting for source data.
    """

    files: list[tuple[str, int, int | None]]
    verification: VerifyResult
    notes: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return {
            "files": [
                {
                    "file": f,
                    "imported": n,
                    "already_imported": e,
                    "notes": self.notes.get(f, []),
                }
                for f, n, e in self.files
            ],
            **self.verification.to_dict(),
        }


def import_source(
    files: list[Path],
    client: ClientLike,
    store: Store,
    *,
    at: datetime | None = None,
    operator: str | None = None,
    encoding: str | None = None,
) -> SourceImport:
    """Store distributor sales or hotel stays once each, then re-verify claims.

    Re-importing a file stores nothing. The files are stored in one
    transaction; the claims waiting for source data are verified at once.
    CSV exports are read in `encoding`, else the client's, else as detected.

    Example: ``import_source([Path("dealer_sales.csv")], "acme-tools", store)``
    """
    from claimflow.verify.source import import_source as store_file

    resolved = resolve_client(client)
    now, actor = written_at(at, resolved), operator or default_operator()
    done, notes = [], {}
    with store.transaction():
        for path in files:
            noted: list[str] = []
            stored, earlier = store_file(
                store, resolved, path, now, actor=actor, notes=noted, encoding=encoding
            )
            done.append((str(path), stored, earlier))
            notes[str(path)] = noted
    checked = verify_claims(resolved, store, at=now, operator=actor)
    return SourceImport(done, checked, notes)


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
class EntryCheckImport:
    """An entry-check file taken in: rows stored, or the earlier import."""

    file: str
    imported: int
    already_imported: tuple[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return asdict(self)


def import_entry_checks(
    file: Path, client: ClientLike, store: Store, *, operator: str | None = None
) -> EntryCheckImport:
    """Store entry-check results (operator, field, day, checked, errors) once.

    Example: ``import_entry_checks(Path("checks.csv"), "acme-tools", store).imported``
    """
    from claimflow.parse.checks import read_entry_checks
    from claimflow.parse.common import content_hash

    resolved = resolve_client(client)
    checks = list(read_entry_checks(file, resolved))
    digest = content_hash(file)
    with store.transaction():
        earlier = store.imported("entry checks", resolved.key, digest)
        if earlier is not None:
            return EntryCheckImport(str(file), 0, earlier)
        store.add_entry_checks(resolved.key, checks, str(file))
        store.add_import("entry checks", resolved.key, digest, str(file), len(checks))
        store.audit(
            operator or default_operator(),
            "qa import",
            {"file": str(file), "rows": len(checks)},
        )
    return EntryCheckImport(str(file), len(checks))


@dataclass(frozen=True)
class ParticipantsImport:
    """A member list taken in: participants read, facts new or changed, and
    what reading the list skipped (a title line, a total row), one note each."""

    client: str
    file: str
    participants: int
    facts: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return asdict(self)


def import_participants(
    file: Path,
    client: ClientLike,
    store: Store,
    *,
    as_of: datetime | date | None = None,
    date_order: DateOrder | None = None,
    operator: str | None = None,
    encoding: str | None = None,
) -> ParticipantsImport:
    """Take a participant list in as dated facts (tiers, status, dates).

    Rows without an effective_from take effect on `as_of`'s day in the desk's
    zone (default: today there); importing the same list again records nothing.
    A CSV list is read in `encoding`, else the client's ``encoding``, else
    as detected (as claim files are).

    Example: ``import_participants(Path("participants.csv"), "acme-tools", store)``
    """
    from claimflow.parse.participants import read_participants
    from claimflow.sniff import encoding_origin

    resolved = resolve_client(client)
    actor = operator or default_operator()
    order = date_order or resolved.config.date_order
    notes: list[str] = []
    people = list(
        read_participants(
            file, resolved.key, order, resolved.people_index(), notes,
            encoding or resolved.config.encoding,
            encoding_origin(encoding, resolved.source_path),
            program_tiers(resolved), resolved.config.locale,
        )  # fmt: skip
    )
    day = instant(as_of, resolved).astimezone(resolved.zone).date()
    with store.transaction():
        done = store.record_participants(people, day, actor)
        store.audit(
            actor,
            "participants import",
            {"file": str(file), "count": done.participants, "facts": done.facts},
        )
    return ParticipantsImport(
        resolved.key, str(file), done.participants, done.facts, notes
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
    store: Store,
    *,
    at: datetime | None = None,
    operator: str | None = None,
    client: ClientLike | None = None,
) -> EventRecorded:
    """Record what happened to a claim (its id or reference) at `at` (default: now).

    A naive `at` is in `client`'s desk zone, as on every command; without
    a client it is refused (no zone to read it in), never taken as UTC.

    Raises:
        ClaimflowError: a naive `at` and no client, or the claim is another
            client's.

    Example: ``record_event("AC-1001", "resubmitted", store, operator="ann")``
    """
    from claimflow.errors import ClaimflowError
    from claimflow.sla.events import record_event as record

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


def compare_keyings(
    first: Path, second: Path, client: ClientLike, *, out: Path | None = None
) -> list[Difference]:
    """Where two keyings of the same forms differ, field by field.

    With `out`, also writes the decisions file (.csv or .xlsx) to adjudicate.

    Example: ``compare_keyings(Path("ana.csv"), Path("ben.csv"), "acme-tools")``
    """
    from claimflow.verify.double_entry import compare, write_decisions

    differences = compare(first, second, resolve_client(client))
    if out is not None:
        write_decisions(differences, out)
    return differences


def adjudicate_keyings(
    decisions: Path,
    keyings: tuple[Path, Path],
    client: ClientLike,
    store: Store,
    *,
    final: Path,
    keyed_by: tuple[str, str] = ("first", "second"),
    at: datetime | None = None,
    operator: str | None = None,
) -> Adjudication:
    """Apply a decisions file: write the reconciled keying, audit corrections.

    Example: ``adjudicate_keyings(Path("d.csv"), (a, b), "acme-tools", store, final=f)``
    """
    from claimflow.verify.double_entry import adjudicate

    resolved = resolve_client(client)
    actor = operator or default_operator()
    if keyed_by[0] == keyed_by[1]:
        raise ClaimflowError(
            f"keyed by {keyed_by[0]} and {keyed_by[1]}: double entry is two "
            "operators' keyings of the same forms; name both"
        )
    if actor in keyed_by:
        raise ClaimflowError(
            f"{actor} keyed one of these keyings: another operator adjudicates "
            "them (four eyes)"
        )
    with store.transaction():
        return adjudicate(
            decisions,
            *keyings,
            resolved,
            store,
            operators=keyed_by,
            actor=actor,
            final=final,
            now=written_at(at, resolved),
        )


@dataclass(frozen=True)
class FieldSample:
    """Keyed fields to audit to show an error rate is within a limit."""

    batch: int
    needed: int
    fields: list[SampledField]
    seed: int

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        picked = [f._asdict() for f in self.fields]
        return {"batch": self.batch, "needed": self.needed, "seed": self.seed,
                "fields": picked}  # fmt: skip


def sample_fields(
    batch: int,
    store: Store,
    *,
    max_error_rate: float,
    confidence: float = 0.95,
    seed: int = 0,
) -> FieldSample:
    """How many keyed fields of a batch to audit, and which (same seed, same fields).

    Raises:
        StoreError: the store has no such batch.

    Example: ``sample_fields(1, store, max_error_rate=0.005).needed == 598``
    """
    from claimflow.verify.double_entry import sample

    # a batch the store lacks was '0 picked', exit 0 (trial 33)
    store.require_batch(batch)
    needed, picked = sample(store, batch, max_error_rate, confidence, seed)
    return FieldSample(batch, needed, picked, seed)


def write_field_sample(sample: FieldSample, out: Path) -> int:
    """Write the sampled fields (claim_id, field, claim) to a .csv or .xlsx file.

    Example: ``write_field_sample(sample_fields(1, store, max_error_rate=0.005), out)``
    """
    from claimflow.report import write_table

    return write_table(
        sample.fields, ["claim_id", "field", "claim"], out, json_ok=True
    )


def read_share(text: str) -> float:
    """A share strictly between 0 and 1, written ``0.5%`` or ``0.005``.

    Raises:
        ValueError: not a number, or not between 0 and 1.

    Example: ``read_share("0.5%") == 0.005``
    """
    from claimflow.numbers import read_percent

    value = read_percent(text)  # its NumberError is a ValueError
    if not 0 < value < 1:
        raise ValueError(f"expected a share between 0 and 1, found {text}")
    return float(value)
