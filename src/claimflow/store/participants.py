"""The member list and its history: participants as dated facts.

Migration 24 adds ``participant_facts``, an append-only table of what each
participant's record said from a day on (tier, status, enrolment, tax
form), and ``participants.tax_form_on``. `ParticipantRecords` holds the
queries `claimflow.store.Store` inherits: `record_participants` takes a
member list in (the ``participants`` row is its latest copy; a fact is
appended only where the list says something new), `participants` reads
the list back with each participant's history, which awards read the tier
held on a claim's activity date from (`Participant.on`).

Registered after `claimflow.store.claims_schema` (migrations 20-23), which
this module imports first.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlite_utils import Database

from claimflow.models import Participant, ParticipantFacts, Provenance
from claimflow.store import claims_schema as _earlier  # noqa: F401 (registers 2-23)
from claimflow.store.claims_schema import refuse_replace
from claimflow.store.schema import APPEND_ONLY, migrations

#: ``effective_from`` of facts known since the start (``date.min``).
SINCE_ALWAYS = date.min.isoformat()
#: ``recorded_at`` of the facts migration 24 made of a store's member list:
#: awards read them before the store kept history, so they count as known.
KNOWN_ALL_ALONG = "0001-01-01T00:00:00+00:00"


@migrations()
def m024_participant_facts(db: Database) -> None:
    """``participant_facts``: tiers, status and enrolment as dated facts.

    Append-only: a change is a new fact from its day, a correction a later
    fact of the same day. Each participant already stored gets its current
    record as a fact since the start, so a store's awards read the tiers
    they read before until a member list says otherwise.
    """
    db.execute("ALTER TABLE participants ADD COLUMN tax_form_on TEXT")
    db.execute(
        "CREATE TABLE participant_facts (id INTEGER PRIMARY KEY, "
        "client TEXT NOT NULL, participant_id TEXT NOT NULL, "
        "effective_from TEXT NOT NULL, tier TEXT, status TEXT NOT NULL, "
        "enrolled_on TEXT, tax_form_on TEXT, source TEXT NOT NULL, "
        "recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL)"
    )
    db.execute(
        "CREATE INDEX participant_facts_by_day ON participant_facts"
        "(client, participant_id, effective_from, id)"
    )
    db.execute(
        "INSERT INTO participant_facts (client, participant_id, effective_from, "
        "tier, status, enrolled_on, tax_form_on, source, recorded_at, recorded_by) "
        "SELECT client, id, ?, tier, status, enrolled_on, NULL, "
        "'participants (before schema 24)', ?, 'migration 24' "
        "FROM participants ORDER BY client, id",
        [SINCE_ALWAYS, KNOWN_ALL_ALONG],
    )
    for verb in ("update", "delete"):
        db.execute(APPEND_ONLY.format(table="participant_facts", verb=verb))
    refuse_replace(db, "participant_facts")


@dataclass(frozen=True)
class ParticipantImport:
    """What one member list changed.

    Attributes:
        participants: rows taken in (the ``participants`` copies written).
        facts: dated facts appended: a new participant, or a tier, status
            or date that differs from the fact in force on its day.
        day: the day undated rows take effect from (the import's day in
            the desk's zone).
    """

    participants: int
    facts: int
    day: date


#: A participant's dated facts, and every field of its latest copy: what a
#: member list row leaves as it was when it does not give it.
_FACTS = ("tier", "status", "enrolled_on", "tax_form_on")
_COPY = ("first_name", "last_name", "email", "company", "tax_id", *_FACTS)


R = TypeVar("R", Participant, ParticipantFacts)


def _kept(
    record: R,
    earlier: Participant | ParticipantFacts | None,
    fields: tuple[str, ...],
    given: AbstractSet[str] | None = None,
) -> R:
    """`record` with the `fields` it was not given (`given`, else its own
    fields set) as `earlier` had them."""
    if earlier is None:
        return record
    given = record.model_fields_set if given is None else given
    kept = {f: getattr(earlier, f) for f in fields if f not in given}
    return record.model_copy(update=kept) if kept else record


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class ParticipantRecords:
    """Member-list queries `Store` inherits (see the module docstring)."""

    if TYPE_CHECKING:
        db: Database
        path: Path
        name: str

        def upsert_participants(self, participants: Sequence[Participant]) -> None:
            """`Store.upsert_participants`."""

    def participant_history(self, client: str) -> dict[str, list[ParticipantFacts]]:
        """Each participant's dated facts, by ``effective_from`` then as recorded.

        Example: ``store.participant_history("acme-tools")["104233"][-1].tier``
        """
        history: dict[str, list[ParticipantFacts]] = {}
        rows = self.db.execute(
            "SELECT participant_id, effective_from, tier, status, enrolled_on, "
            "tax_form_on, source, recorded_at FROM participant_facts WHERE client = ? "
            "ORDER BY participant_id, effective_from, id",
            [client],
        )
        for pid, since, tier, status, enrolled, tax_form, source, recorded in rows:
            history.setdefault(pid, []).append(
                ParticipantFacts(
                    effective_from=date.fromisoformat(since),
                    tier=tier,
                    status=status,
                    enrolled_on=_day(enrolled),
                    tax_form_on=_day(tax_form),
                    source=source,
                    recorded_at=None
                    if recorded == KNOWN_ALL_ALONG
                    else datetime.fromisoformat(recorded),
                )
            )
        return history

    def record_participants(
        self,
        people: Sequence[Participant],
        day: date,
        actor: str,
        at: datetime | None = None,
    ) -> ParticipantImport:
        """Take a member list in: its latest copy, and the facts it changes.

        A row's facts take effect from its ``effective_from`` or else from
        `day`; a field the row does not give (no such column in its file,
        or a blank cell) stays as the store knew it (the fact in force on
        that day; the latest copy's); an undated row of a participant the store has no fact of yet
        holds from the start (nothing earlier is known of them). A fact is
        appended only when it
        differs from the one in force on its day, so importing the same
        list again adds nothing. Rows are taken in by day (a file's own
        history in date order), the later of one participant's rows of a
        day last.

        Args:
            people: the rows of one client's member list.
            day: the import's day in the desk's zone.
            actor: who imports it.
            at: when (default: now); what award runs before it read stays
                as it was for replay (`Participant.known_at`).

        Returns:
            The counts.

        Example: ``store.record_participants(people, date(2026, 3, 4), "ann").facts``
        """
        if not people:
            return ParticipantImport(0, 0, day)
        client = people[0].client
        history = self.participant_history(client)
        now = (at or datetime.now(UTC)).isoformat()  # when the store learnt it
        added: list[tuple[object, ...]] = []
        latest: dict[str, Participant] = {}
        known = {pid for pid, facts in history.items() if facts}

        def since_of(person: Participant) -> date:
            # An undated row of someone the store knew nothing of holds from
            # the start, even when the same file also dates a later change.
            if person.effective_from is not None:
                return person.effective_from
            return day if person.id in known else date.min

        copies = self.participants(client) if known else {}
        for row in sorted(people, key=since_of):
            # What a row does not give (its file has no such column, or the
            # cell is blank) stays as the store knew it: a list of ids and
            # tiers alone wiped enrolment dates and reopened closed accounts
            # (trial 24: members then earned 0 points, not enrolled).
            given = row.model_fields_set
            person = _kept(row, latest.get(row.id) or copies.get(row.id), _COPY)
            latest[person.id] = person  # by day, so the latest row stays
            facts = history.setdefault(person.id, [])
            since = since_of(person)
            fact = person.facts(since)
            place = bisect_right([f.effective_from for f in facts], since)
            if place:
                fact = _kept(fact, facts[place - 1], _FACTS, given)
            if place and facts[place - 1].same_facts(fact):
                continue
            facts.insert(place, fact)
            added.append(
                (
                    client,
                    person.id,
                    since.isoformat(),
                    fact.tier,
                    fact.status,
                    _iso(fact.enrolled_on),
                    _iso(fact.tax_form_on),
                    fact.source or "",
                    now,
                    actor,
                )
            )
        self.db.conn.executemany(
            "INSERT INTO participant_facts (client, participant_id, effective_from, "
            "tier, status, enrolled_on, tax_form_on, source, recorded_at, "
            "recorded_by) VALUES (?,?,?,?,?,?,?,?,?,?)",
            added,
        )
        self.upsert_participants(list(latest.values()))
        return ParticipantImport(len(latest), len(added), day)

    def participants(self, client: str) -> dict[str, Participant]:
        """A client's member list by id, each with its dated facts.

        Example: ``store.participants("acme-tools")["104233"].on(date(2026, 10, 2))``
        """
        history = self.participant_history(client)
        rows = self.db.execute(
            "SELECT id, first_name, last_name, email, company, tier, enrolled_on, "
            "status, tax_form_on, tax_id FROM participants WHERE client = ?",
            [client],
        )
        source = Provenance(file=self.name)
        return {
            row[0]: Participant(
                id=row[0],
                client=client,
                first_name=row[1],
                last_name=row[2],
                email=row[3],
                company=row[4],
                tier=row[5],
                enrolled_on=_day(row[6]),
                status=row[7],
                tax_form_on=_day(row[8]),
                tax_id=row[9],
                history=tuple(history.get(row[0], ())),
                provenance=source,
            )
            for row in rows
        }
