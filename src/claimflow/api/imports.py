"""Public stages that take reference data in: source records, QA entry checks, member lists.

`import_source` stores a distributor's or hotel's export and re-checks the
claims waiting for it; `import_entry_checks` appends QA's entry checks;
`import_participants` takes a member list in as dated facts (tiers, status,
dates; `program_tiers` are the tiers the program knows). Each follows the
calling convention of `claimflow.api`, returns a typed result with
``to_dict()``, and is re-exported by `claimflow.api.claims` and `claimflow`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimflow.api.common import (
    ClientLike,
    default_operator,
    instant,
    resolve_client,
    written_at,
)

if TYPE_CHECKING:
    from claimflow.config import ResolvedClient
    from claimflow.store import Store
    from claimflow.values import DateOrder
    from claimflow.verify.run import VerifyResult


def program_tiers(client: ResolvedClient) -> frozenset[str]:
    """The tiers a client's program knows, as its file writes them: its
    ``accounts.tiers`` and the tiers its tier bonuses name; empty when it
    names none (then any tier a member list gives is taken). A member
    list's tier is one of them in any case (`claimflow.words.match_word`).

    Example: ``"gold" in program_tiers(load_client("samples/clients/acme-tools.yaml"))``
    """
    from claimflow.award.rules import TierBonus

    accounts, award = client.config.accounts, client.config.award
    named = set(accounts.tiers if accounts is not None else ())
    for rule_set in award.rule_sets if award is not None else ():
        for rule in rule_set.rules:
            if isinstance(rule, TierBonus):
                named.update(rule.percent)
    return frozenset(named)


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
    # late: `claimflow.api.claims` re-exports this module's stages
    from claimflow.api.claims import verify_claims
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
    at: datetime | date | None = None,
) -> ParticipantsImport:
    """Take a participant list in as dated facts (tiers, status, dates).

    Rows without an effective_from take effect on `as_of`'s day in the desk's
    zone (default: `at`'s day, else today there); importing the same list
    again records nothing. `at` is when the store learns the list (default:
    now; a later time is refused): an award run (``award --at``) reads the
    members recorded by its instant, so a desk keying a past month imports
    its list ``--at`` that month's start, before the runs that read it.
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
            resolved.formats.get("participant_id"), resolved.solar_hijri,
        )  # fmt: skip
    )
    recorded = written_at(at, resolved)
    taken = instant(as_of, resolved) if as_of is not None else recorded
    day = taken.astimezone(resolved.zone).date()
    with store.transaction():
        done = store.record_participants(people, day, actor, at=recorded)
        store.audit(
            actor,
            "participants import",
            {"file": str(file), "count": done.participants, "facts": done.facts},
        )
    return ParticipantsImport(
        resolved.key, str(file), done.participants, done.facts, notes
    )
