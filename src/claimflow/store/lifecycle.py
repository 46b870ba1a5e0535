"""Where a claim stands after people act on it: references, voids,
resubmissions, closed claims, and reference files taken in once.

`ClaimLifecycle` holds these queries for `claimflow.store.Store`, which
inherits them: SQL stays in the store package, and the store's own module
stays a size a person reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimflow.codes import Category, ReasonCode
from claimflow.errors import ClaimNotFound, StoreError
from claimflow.money import ZERO
from claimflow.store.dedupe_decisions import PROBLEM_STANDS
from claimflow.store.ledger import STANDS
from claimflow.validate.notices import Notice

if TYPE_CHECKING:
    from sqlite_utils import Database


def pends(code: str) -> bool:
    """Whether a stored problem's code pends its claim (a data problem the
    participant is asked to fix): what a claim was pended for, whatever its
    outcome now (dedupe may have moved it to review since; its validation
    problems stay in ``problems``, next to the match rows, which name no
    field).

    Example: ``pends("invalid_number") and not pends("possible_duplicate")``
    """
    try:
        return ReasonCode(code).category is Category.DATA
    except ValueError:  # a code this release does not know pends nothing
        return False


class ClaimLifecycle:
    """Claim-state queries `Store` inherits (see the module docstring)."""

    if TYPE_CHECKING:
        db: Database
        path: Path
        name: str

        def add_events(
            self, rows: Sequence[tuple[str, str, int | None, str, str, str]]
        ) -> None:
            """`Store.add_events`."""

    def resolve_claim(self, key: str, client: str | None = None) -> str:
        """The claim id for `key`: a claim id, or the reference the
        participant quotes (``NW-5002``, the claim's ``claim_ref``).

        Of several claims with one reference, all but one superseded (a
        participant's resubmissions), the live one is meant.

        Raises:
            ClaimNotFound: no claim has that id or reference, or several
                live ones do (their ids are listed: name one).

        Example: ``store.resolve_claim("AC-1001", "acme-tools") == "7b0be037608e-r2"``
        """
        scope, params = ("AND client = ?", [client]) if client else ("", [])
        found = self.db.execute(
            f"SELECT id FROM claims WHERE id = ? {scope}", [key, *params]
        ).fetchone()
        if found is not None:
            return str(found[0])
        rows = [
            (str(cid), outcome)
            for cid, outcome in self.db.execute(
                "SELECT id, outcome FROM claims WHERE "
                f"json_extract(data, '$.claim_ref') = ? {scope} ORDER BY rowid LIMIT 11",
                [key, *params],
            )
        ]
        ids = [cid for cid, _ in rows]
        if len(ids) == 1:
            return ids[0]
        # A resubmission keeps the reference of the claim it replaced: the
        # one not superseded is the claim the participant means.
        live = [cid for cid, outcome in rows if outcome != "superseded"]
        if len(rows) <= 10 and len(live) == 1:
            return live[0]
        if not ids:
            raise ClaimNotFound(f"no claim with the id or reference {key!r}")
        shown = ", ".join(ids[:10]) + (", ..." if len(ids) > 10 else "")
        raise ClaimNotFound(
            f"{len(ids) if len(ids) <= 10 else 'more than 10'} claims have the "
            f"reference {key!r}: {shown}; name one by its id"
        )

    def claim_names(self, ids: Sequence[str]) -> dict[str, str]:
        """Each claim as people know it: its reference and where it came
        from (`claimflow.shown.claim_name`), by claim id; ids not in the
        store are left out.

        Example: ``store.claim_names(["7b0be037608e-r2"]) ==
        {"7b0be037608e-r2": "AC-1001 (october.csv:row 2)"}``
        """
        from claimflow.shown import claim_name

        wanted = sorted(set(ids))
        names: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for cid, reference, source in self.db.execute(
                "SELECT id, json_extract(data, '$.claim_ref'), source FROM claims "
                f"WHERE id IN ({marks})",
                chunk,
            ):
                names[str(cid)] = claim_name(reference, source, str(cid))
        return names

    def resubmissions(self, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        """The (later, earlier) claim pairs where the later one resubmits the
        earlier: the same participant (or the earlier one had none, and was
        pended for it), the earlier pended (or pended, then moved to review
        by ``dedupe claims`` as a look-alike of another claim: still the
        claim its participant was asked to fix), or superseded by that very
        claim (``claim_links``: a re-run), and a field it was pended for
        (`pended_for`) now without a problem. A later claim whose every such
        field is still deficient repeats the claim, it does not correct it;
        so does one repeating a claim another resubmission superseded
        (trial 35), and of several resubmitting one pended claim, all but
        the first stored.

        Example: ``store.resubmissions({("c2", "c1")}) == {("c2", "c1")}``
        """
        if not pairs:
            return set()
        ids = sorted({i for pair in pairs for i in pair})
        marks = ",".join("?" * len(ids))
        info = {
            cid: (who, outcome, n, stage)
            for cid, who, outcome, n, stage in self.db.execute(
                "SELECT id, participant_id, outcome, rowid, (SELECT o.stage FROM "
                "outcomes o WHERE o.claim_id = claims.id ORDER BY o.id DESC LIMIT 1) "
                f"FROM claims WHERE id IN ({marks})",
                ids,
            )
        }
        fields: dict[str, set[str]] = {}
        pended: dict[str, set[str]] = {}
        for cid, code, field in self.db.execute(
            f"SELECT claim_id, code, field FROM problems WHERE claim_id IN ({marks}) "
            "AND field IS NOT NULL",
            ids,
        ):
            fields.setdefault(cid, set()).add(field)
            if pends(code):
                pended.setdefault(cid, set()).add(field)
        linked = {
            (str(new), str(old))
            for new, old in self.db.execute(
                "SELECT claim_id, supersedes FROM claim_links "
                f"WHERE supersedes IN ({marks})",
                ids,
            )
        }

        def open_to_fix(old: str) -> bool:
            _, outcome, _, stage = info[old]
            return (
                outcome == "pended"
                or (outcome == "review" and stage == "dedupe" and old in pended)
            ) and not any(o == old for _, o in linked)

        found = {
            (new, old)
            for new, old in pairs
            if (open_to_fix(old) or (new, old) in linked)
            and (
                (info[old][0] and info[old][0] == info[new][0])
                # pended for its missing member number, which the later
                # claim gives: the member's own resubmission (trial 18)
                or (
                    not info[old][0]
                    and info[new][0]
                    and "participant_id" in pended.get(old, set())
                )
            )
            and pended.get(old, set()) - fields.get(new, set())
        }
        # One claim resubmits a pended one: the one linked to it before, or
        # the first stored; a later one repeats the sale or stay.
        first: dict[str, str] = {}
        for new, old in sorted(found, key=lambda p: ((p not in linked), info[p[0]][2])):
            first.setdefault(old, new)
        return {(new, old) for old, new in first.items()}

    def supersede(
        self, client: str, pairs: set[tuple[str, str]], actor: str
    ) -> list[tuple[str, str]]:
        """Close each still-pended earlier claim (or one in review that
        `resubmissions` found still open to its fix) as superseded by the
        later one.

        The earlier claim's clock stops when the resubmission arrived (a
        ``resubmitted`` and a ``decided`` event at its received time); the
        link is kept both ways (``claim_links``). Returns the pairs linked now.
        """
        linked = []
        for new, old in sorted(pairs):
            row = self.db.execute(
                "SELECT n.received_at FROM claims o JOIN claims n ON n.id = ? "
                "WHERE o.id = ? AND o.outcome IN ('pended', 'review')",
                [new, old],
            ).fetchone()
            if row is None:
                continue  # superseded before: nothing changes on a re-run
            self.db.execute(
                "UPDATE claims SET outcome = 'superseded' WHERE id = ?", [old]
            )
            if self.db.execute(
                "SELECT 1 FROM claim_links WHERE claim_id = ? AND supersedes = ?",
                [new, old],
            ).fetchone():
                # Linked before, and pended again since (verify re-decides a
                # claim it found no source for, superseded or not): it is
                # still replaced; the link and its events stand (append-only).
                continue
            self.db.execute(
                "INSERT INTO claim_links (client, claim_id, supersedes, at, actor) "
                "VALUES (?,?,?,?,?)",
                [client, new, old, row[0], actor],
            )
            self.add_events(
                [
                    (client, old, None, "resubmitted", row[0], actor),
                    (client, old, None, "decided", row[0], actor),
                ]
            )
            linked.append((new, old))
        return linked

    def closed_claims(self, client: str, as_of: datetime | None = None) -> set[str]:
        """Claims no one has to work: duplicates, rejections, voids, superseded.

        With `as_of`, a duplicate or rejection counts from the outcome that
        made it one (`outcomes`): a claim `dedupe claims` closed after
        `as_of` was still work then (a void or superseded claim's clock
        has its own closing event).
        """
        if as_of is None:
            return {
                str(cid)
                for (cid,) in self.db.execute(
                    "SELECT id FROM claims WHERE client = ? AND outcome IN "
                    "('duplicate', 'rejected', 'void', 'superseded')",
                    [client],
                )
            }
        return {
            str(cid)
            for (cid,) in self.db.execute(
                "SELECT c.id FROM claims c WHERE c.client = ? AND c.outcome IN "
                "('duplicate', 'rejected', 'void', 'superseded') AND ("
                "c.outcome IN ('void', 'superseded') OR (SELECT o.outcome FROM "
                "outcomes o WHERE o.claim_id = c.id AND o.decided_at <= ? "
                "ORDER BY o.id DESC LIMIT 1) IN ('duplicate', 'rejected'))",
                [client, as_of.astimezone(UTC).isoformat()],
            )
        }

    def known_participant(self, client: str, participant_id: str) -> bool:
        """Whether the participant is on the client's member list or ledger."""
        return (
            self.db.execute(
                "SELECT 1 FROM participants WHERE client = ? AND id = ? UNION ALL "
                "SELECT 1 FROM ledger WHERE client = ? AND participant_id = ? LIMIT 1",
                [client, participant_id, client, participant_id],
            ).fetchone()
            is not None
        )

    def require_batch(self, batch_id: int, client: str | None = None) -> None:
        """Raise `StoreError` when the store has no such batch (of `client`,
        when given)."""
        row = self.db.execute(
            "SELECT client FROM batches WHERE id = ?", [batch_id]
        ).fetchone()
        if row is None:
            raise StoreError(f"{self.name}: no batch {batch_id}")
        if client is not None and row[0] != client:
            raise StoreError(
                f"{self.name}: batch {batch_id} is {row[0]}'s, not {client}'s"
            )

    def void_claim(self, client: str, claim_id: str, at: datetime, actor: str) -> None:
        """Mark a claim void (refunded or cancelled): no award run pays it
        again; the ``voided`` event records who and when."""
        self.db.execute(
            "UPDATE claims SET outcome = 'void' WHERE client = ? AND id = ?",
            [client, claim_id],
        )
        self.add_events([(client, claim_id, None, "voided", at.isoformat(), actor)])

    def award_history(self, client: str) -> Iterator[tuple[str, str, str | None, str]]:
        """The client's award postings, their reversals and the awards runs
        held, in the order they were made.

        Yields ``(entry type or 'hold', claim id, the award as recorded,
        time)``; the award (its JSON) is there for postings and holds. This
        is the order live award runs met the caps in, which replay follows.
        """
        yield from (
            row[:4]
            for row in self.db.execute(
                "SELECT l.entry_type, l.claim_id, a.data, l.posted_at, l.id, -1 "
                "FROM ledger l LEFT JOIN awards a ON l.entry_type = 'award' "
                "AND a.idempotency_key = l.idempotency_key "
                "WHERE l.client = ? AND l.claim_id IS NOT NULL "
                "AND l.entry_type IN ('award', 'reversal') UNION ALL "
                "SELECT 'hold', claim_id, data, held_at, after_posting, id "
                "FROM award_holds WHERE client = ? ORDER BY 5, 6",
                [client, client],
            )
        )

    def live_award_totals(
        self, client: str, *, lines: bool
    ) -> Iterator[tuple[str, str, str, int, list[tuple[str, str, int, Decimal | None]]]]:
        """Live awards (posted, not reversed) summed per participant,
        activity date and version: ``(participant, day, version, points,
        [(rule id, kind, points, basis)])``; the line sums only when asked."""
        live = (
            "FROM awards a JOIN ledger l ON l.idempotency_key = a.idempotency_key "
            f"WHERE a.client = ? AND {STANDS}"
        )
        by_line: dict[tuple[str, str, str], list[tuple[str, str, int, Decimal | None]]] = {}
        if lines:
            # The bases summed here as decimals, not by SQL's sum(): SQLite
            # adds "199.99" texts as floats, and PostgreSQL has no sum() of
            # text (its json_extract gives text). A line's points are a JSON
            # integer: cast, they sum alike on both.
            for who, day, version, rule, kind, points, bases in self.db.execute(
                "SELECT a.participant_id, json_extract(a.data, '$.activity_date'), "
                "a.version, json_extract(j.value, '$.rule_id'), "
                "json_extract(j.value, '$.kind'), "
                "sum(CAST(json_extract(j.value, '$.points') AS INTEGER)), "
                "group_concat(json_extract(j.value, '$.basis'), ' ') "
                "FROM awards a JOIN ledger l ON l.idempotency_key = a.idempotency_key "
                "CROSS JOIN json_each(a.data, '$.lines') j "
                f"WHERE a.client = ? AND {STANDS} GROUP BY 1, 2, 3, 4, 5",
                [client],
            ):
                basis = None if bases is None else sum(map(Decimal, bases.split()), ZERO)
                by_line.setdefault((who, day, version), []).append(
                    (rule, kind, int(points), basis)
                )
        for who, day, version, points in self.db.execute(
            "SELECT a.participant_id, json_extract(a.data, '$.activity_date'), a.version, "
            f"sum(a.points) {live} GROUP BY 1, 2, 3",
            [client],
        ):
            yield who, day, version, int(points), by_line.get((who, day, version), [])

    def batch_notices(
        self, batch_id: int
    ) -> tuple[str, list[tuple[str | None, Notice]]]:
        """A stored batch's client key and the notices stored with it, each
        with its file stem (None: ingest's own; see `add_notices`).

        Raises:
            StoreError: no such batch.
        """
        self.require_batch(batch_id)
        row = self.db.execute(
            "SELECT client FROM batches WHERE id = ?", [batch_id]
        ).fetchone()
        notices = [
            (stem, Notice(participant, language, tuple(json.loads(ids)), text))
            for participant, language, ids, text, stem in self.db.execute(
                "SELECT participant_id, language, claim_ids, text, stem FROM notices "
                "WHERE batch_id = ? ORDER BY id",
                [batch_id],
            )
        ]
        return str(row[0]), notices

    def imported(self, kind: str, client: str, digest: str) -> tuple[str, str] | None:
        """(file, when) a reference file with these bytes was imported, if it was."""
        row = self.db.execute(
            "SELECT file, at FROM imports WHERE kind = ? AND client = ? AND hash = ?",
            [kind, client, digest],
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def add_import(
        self, kind: str, client: str, digest: str, file: str, rows: int
    ) -> None:
        """Record a reference file as imported (see `imported`)."""
        self.db.execute(
            "INSERT INTO imports (kind, client, hash, file, rows, at) VALUES (?,?,?,?,?,?)",
            [kind, client, digest, file, rows, datetime.now(UTC).isoformat()],
        )

    def claim_story(self, claim_id: str) -> dict[str, Any]:
        """Everything the store knows about one claim, as plain rows.

        Keys: ``claim`` (its row, the file it came from, the batch's
        operator and time), ``raw`` (the record as received, JSON text),
        ``problems``, ``outcomes``, ``events``, ``matches`` (either way),
        ``links`` (superseding, either way), ``verification`` (the latest),
        ``holds`` (award runs that held its award, and why),
        ``postings`` and ``notices`` (those naming it), ``audit`` (entries
        naming it). The caller renders them (`claimflow.report.story`).

        Example: ``store.claim_story("7b0be037608e-r2")["claim"]["outcome"]``
        """

        def rows(sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
            cursor = self.db.execute(sql, list(params))
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

        [claim] = rows(
            "SELECT c.id, c.client, c.batch_id, c.participant_id, c.received_at, "
            "c.activity_date, c.outcome, c.source, "
            "json_extract(c.data, '$.claim_ref') AS reference, d.file_name AS file, "
            "b.operator, b.processed_at FROM claims c "
            "LEFT JOIN documents d ON d.hash = c.document_hash "
            "LEFT JOIN batches b ON b.id = c.batch_id WHERE c.id = ?",
            [claim_id],
        )
        pattern = f"%{json.dumps(claim_id)}%"
        return {
            "claim": claim,
            "raw": self.db.execute(
                "SELECT raw FROM claims WHERE id = ?", [claim_id]
            ).fetchone()[0],
            "problems": rows(
                "SELECT code, field, source, message FROM problems p "
                f"WHERE claim_id = ? AND {PROBLEM_STANDS} ORDER BY id",
                [claim_id],
            ),
            "outcomes": rows(
                "SELECT stage, outcome, decided_at FROM outcomes WHERE claim_id = ? "
                "ORDER BY id",
                [claim_id],
            ),
            # the received and first-response events an ingest derives from
            # the claim and its batch (`claim_events`), then those stored
            "events": rows(
                "SELECT 'received' AS event, c.received_at AS at, b.operator AS operator "
                "FROM claims c JOIN batches b ON b.id = c.batch_id "
                "WHERE c.id = ? AND b.processed_at IS NOT NULL UNION ALL "
                "SELECT 'first_response', b.processed_at, b.operator "
                "FROM claims c JOIN batches b ON b.id = c.batch_id "
                "WHERE c.id = ? AND b.processed_at IS NOT NULL UNION ALL "
                "SELECT event, at, operator FROM claim_events WHERE claim_id = ?",
                [claim_id, claim_id, claim_id],
            ),
            "matches": rows(
                "SELECT claim_id, original, rule, code, decision, compared, found_at "
                "FROM claim_matches WHERE claim_id = ? OR original = ? ORDER BY id",
                [claim_id, claim_id],
            ),
            "links": rows(
                "SELECT claim_id, supersedes, at, actor FROM claim_links "
                "WHERE claim_id = ? OR supersedes = ? ORDER BY id",
                [claim_id, claim_id],
            ),
            # every run's result, the latest last: a reason an earlier run
            # gave (source_not_found) stays in the story once overtaken
            "verification": rows(
                "SELECT result, details, verified_at FROM verifications "
                "WHERE claim_id = ? ORDER BY id",
                [claim_id],
            ),
            "holds": rows(
                "SELECT held_at, code, message, points, actor FROM award_holds "
                "WHERE claim_id = ? ORDER BY id",
                [claim_id],
            ),
            "postings": rows(
                "SELECT id, entry_type, points, version, posted_at, available_at, "
                "reverses, reason, actor FROM ledger WHERE claim_id = ? ORDER BY id",
                [claim_id],
            ),
            "notices": rows(
                "SELECT batch_id, participant_id, text FROM notices "
                "WHERE claim_ids LIKE ? ORDER BY id",
                [pattern],
            ),
            "audit": rows(
                "SELECT at, actor, action FROM audit_log WHERE detail LIKE ? ORDER BY id",
                [f"%{claim_id}%"],
            ),
        }
