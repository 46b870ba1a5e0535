"""Verification over sets of claims: what `claimflow.verify.sets` reads and writes.

`VerificationSets` holds the queries `claimflow.store.Store` inherits for
verifying many claims at once, a chunk of claims per statement:

- `claims_to_verify`: the claims to verify, in store order, in chunks;
- `plain_sales`: the one-line sales claims whose one source line agrees
  with them as written, verified in one statement, results staged;
- `claim_fields`, `sources_by_key`, `serials_claimed_before`, `stays_of`,
  `matches_of`, `claims_at`: what the other claims are compared on;
- `record_verifications`: the chunk's results, problems, outcomes and
  events, written in claim order, so the rows and their ids are those one
  claim at a time writes.

The claim keys and serials, normalised in Python (`normalize_key`), go in
temporary tables that the statements join. Joins, ``->>``, ``UNION ALL``,
``ORDER BY`` inserts and ``MATERIALIZED`` common table expressions are
written as PostgreSQL writes them too; SQLite's own are JSON paths read
several at a time (`json_extract` with several paths), `json_each` and
``GLOB``, which a server backend writes with its JSON operators,
``jsonb_array_elements_text`` and ``~``. No migration: the tables and
indexes of migration 6 serve every query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlite_utils import Database

from claimflow.models import Claim, SalesClaim, StayClaim
from claimflow.store.postgres import sqlite_value
from claimflow.store.rows import CLAIM_JSON
from claimflow.store.verify_claim import LAST_BATCH, LAST_SOURCE

#: A claim to verify: rowid, id, kind, batch id, outcome, participant, and
#: the fields its key is made of (invoice, hotel, confirmation).
ToVerify = tuple[object, ...]
#: A claim's fields as stored: rowid, provenance (JSON), then `CLAIM_FIELDS`.
ClaimFields = tuple[object, ...]
#: The claim fields compared, in `ClaimFields`' order; ``lines`` is JSON text.
CLAIM_FIELDS = (
    "invoice_number",
    "invoice_date",
    "dealer_id",
    "lines",
    "hotel_code",
    "confirmation_number",
    "check_in",
    "check_out",
    "qualifying_revenue",
    "member_name",
    "currency",
)
#: The source record fields read per kind, after (position, id, kind).
SOURCE_COLUMNS = {
    "sales": (
        "invoice_number",
        "invoice_date",
        "dealer_id",
        "sku",
        "quantity",
        "amount",
        "serial_numbers",
    ),
    "stay": (
        "hotel_code",
        "confirmation_number",
        "guest_name",
        "arrival",
        "departure",
        "room_revenue",
        "booking_channel",
        "currency",
    ),
}
_JSON_COLUMNS = {"lines", "serial_numbers"}
_CLAIM_MODELS: dict[str, type[SalesClaim] | type[StayClaim]] = {
    "sales": SalesClaim,
    "stay": StayClaim,
}

# The claims `verify` checks: accepted and not verified yet, still waiting
# for source data (their last result not_found), or named to be checked
# again (a JSON list of ids: `claimflow.verify.again`).
_TO_VERIFY = """
SELECT c.rowid, c.id, c.kind, c.batch_id, c.outcome, c.participant_id,
       CASE c.kind WHEN 'sales' THEN c.data ->> 'invoice_number' END,
       CASE c.kind WHEN 'stay' THEN c.data ->> 'hotel_code' END,
       CASE c.kind WHEN 'stay' THEN c.data ->> 'confirmation_number' END
FROM claims c
WHERE c.client = ? {batch} AND (
    (c.outcome = 'accepted' AND NOT EXISTS
        (SELECT 1 FROM verifications v WHERE v.claim_id = c.id))
    OR (SELECT v.result FROM verifications v WHERE v.claim_id = c.id
        ORDER BY v.id DESC LIMIT 1) = 'not_found'
    OR c.id IN (SELECT value FROM json_each(CAST(? AS TEXT))))
ORDER BY c.rowid
"""
# A serial's first claim (in store order) of an earlier batch, neither
# superseded nor a duplicate, as `StoreLookup.serial_claimed_before` finds
# it for one serial.
_CLAIMED_BEFORE = """
SELECT claim_id, serial, earlier FROM (
    SELECT t.claim_id, t.serial,
           (SELECT s.claim_id FROM claim_serials s
            JOIN claims c ON c.id = s.claim_id
            WHERE s.client = ? AND s.serial = t.serial AND s.claim_id != t.claim_id
              AND c.batch_id < t.batch_id AND c.outcome NOT IN ('superseded', 'duplicate')
            ORDER BY c.rowid LIMIT 1) AS earlier
    FROM temp.verify_serials t) found
WHERE earlier IS NOT NULL
"""
# The one line of a sales claim and the one source line under its key, where
# every check passes as written (`plain_sales`): the same date, dealer (an
# ASCII case aside) and SKU, no more units, the same amount, every claimed
# serial on the invoice as written, none claimed by an earlier batch (the
# claim's serials as its row keeps them normalised, `claims.serials`), and
# no other claim holding units matched to the line (accepted or in review,
# `claimflow.store.verify_claim.HOLDS_UNITS`: their units count;
# `claimflow.verify.sets` takes the result back when an earlier claim of the
# run took some, `unplain`). Each
# condition implies the reference's (SQL's upper() folds ASCII only, so an
# equality here is one in Python); a claim that fails one is compared in
# Python instead. The checks are written as `claimflow.verify.match`
# records them (``json.dumps``), for values that need no escaping there:
# ISO dates, numbers, printable ASCII without quotes or backslashes.
# (SQLite's JSON: each path read parses the whole document again, so the
# values are read out of each claim and source line at once, as one small
# array; a server backend's binary JSON reads them its own way.)
# Printable ASCII but `"` and `\\` (`]` first in the set, then ranges).
_PLAIN_TEXT = "{} NOT GLOB '*[^]#-[ !^-~]*'"
_PLAIN_SALES = f"""
WITH pair AS MATERIALIZED (
  SELECT k.pos, s.id AS source_id, c.id AS claim_id, c.client, c.batch_id,
         c.serials, c.participant_id,
         json_extract(c.data, '$.invoice_date', '$.dealer_id', '$.lines[0].sku',
                      '$.lines[0].quantity', '$.lines[0].line_total',
                      '$.lines[0].serial_numbers', '$.lines[0]', '$.lines[1]')
           AS claimed,
         json_extract(s.data, '$.invoice_date', '$.dealer_id', '$.sku',
                      '$.quantity', '$.amount', '$.serial_numbers') AS source
  FROM temp.verify_keys k
  JOIN claims c ON c.rowid = k.claim
  JOIN source_records s ON s.client = c.client AND s.key = k.key
  WHERE c.kind = 'sales' AND s.kind = 'sales' AND c.outcome = 'accepted'
    AND NOT EXISTS (SELECT 1 FROM source_records o
                    WHERE o.client = s.client AND o.key = s.key AND o.id != s.id)
    AND NOT EXISTS (SELECT 1 FROM verification_matches m
                    JOIN claims o ON o.id = m.claim_id
                    WHERE m.source_id = s.id AND m.claim_id != c.id
                      AND o.outcome IN ('accepted', 'review'))
), line AS MATERIALIZED (
  SELECT pos, source_id, claim_id, client, batch_id, serials, participant_id,
         claimed, source,
         claimed ->> '$[0]' AS day, source ->> '$[0]' AS sold,
         claimed ->> '$[1]' AS dealer, source ->> '$[1]' AS seller,
         claimed ->> '$[2]' AS sku, source ->> '$[2]' AS item,
         coalesce(CAST(claimed ->> '$[3]' AS INTEGER), 0) AS quantity,
         source ->> '$[3]' AS invoiced,
         claimed ->> '$[4]' AS total, source ->> '$[4]' AS amount
  FROM pair
  WHERE json_type(claimed, '$[6]') = 'object' AND json_type(claimed, '$[7]') = 'null'
    AND json_type(claimed, '$[3]') IN ('integer', 'null')
    AND json_type(source, '$[3]') = 'integer'
)
SELECT pos, claim_id, participant_id, source_id,
  '{{"checks": [' ||
  CASE WHEN day IS NULL THEN '' ELSE
    '{{"field": "invoice_date", "claimed": "' || day || '", "source": "' || sold ||
    '", "ok": true, "affects_award": false, "note": ""}}, ' END ||
  CASE WHEN dealer IS NULL THEN '' ELSE
    '{{"field": "dealer_id", "claimed": "' || dealer || '", "source": "' || seller ||
    '", "ok": true, "affects_award": false, "note": ""}}, ' END ||
  '{{"field": "quantity", "claimed": "' || quantity || '", "source": "' || invoiced ||
  '", "ok": true, "affects_award": true, "note": ""}}' ||
  CASE WHEN total IS NULL OR quantity != CAST(invoiced AS INTEGER) THEN '' ELSE
    ', {{"field": "line_total", "claimed": "' || total || '", "source": "' || amount ||
    '", "ok": true, "affects_award": true, "note": ""}}' END ||
  '], "problems": []}}', quantity
FROM line
WHERE upper(sku) = upper(item)
  AND (day IS NULL OR day = sold
       AND day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
  AND (dealer IS NULL OR upper(dealer) = upper(seller) AND trim(dealer) = dealer
       AND dealer != '' AND {_PLAIN_TEXT.format("dealer")}
       AND {_PLAIN_TEXT.format("seller")})
  AND quantity <= CAST(invoiced AS INTEGER)
  AND (total IS NULL OR quantity != CAST(invoiced AS INTEGER)
       OR total = amount AND total != '' AND total NOT GLOB '*[^0-9.-]*')
  AND (json_array_length(source, '$[5]') = 0
       OR claimed -> '$[5]' = source -> '$[5]' OR NOT EXISTS (
       SELECT 1 FROM json_each(claimed, '$[5]') x
       WHERE NOT EXISTS (SELECT 1 FROM json_each(source, '$[5]') y
                         WHERE y.value = x.value)))
  AND NOT EXISTS (
       SELECT 1 FROM json_each(line.serials) j WHERE EXISTS (
           SELECT 1 FROM claim_serials e JOIN claims o ON o.id = e.claim_id
           WHERE e.client = line.client AND e.serial = j.value
             AND e.claim_id != line.claim_id AND o.batch_id < line.batch_id
             AND o.outcome NOT IN ('superseded', 'duplicate')))
"""
_TEMP = {
    "verify_keys": "pos INTEGER NOT NULL, claim INTEGER, key TEXT NOT NULL",
    "verify_serials": (
        "claim_id TEXT NOT NULL, batch_id INTEGER NOT NULL, serial TEXT NOT NULL"
    ),
    "verify_rowids": "id INTEGER PRIMARY KEY",
    "verify_people": "participant TEXT PRIMARY KEY",
    "verify_sources": "id INTEGER PRIMARY KEY",
    "verify_plain": (
        "pos INTEGER PRIMARY KEY, claim_id TEXT NOT NULL, participant TEXT, "
        "source_id INTEGER NOT NULL, details TEXT NOT NULL, units INTEGER NOT NULL"
    ),
    "verify_stage": (
        "pos INTEGER PRIMARY KEY, claim_id TEXT NOT NULL, result TEXT NOT NULL, "
        "source_ids TEXT NOT NULL, details TEXT NOT NULL, knew TEXT"
    ),
    "verify_stage_matches": (
        "pos INTEGER NOT NULL, seq INTEGER NOT NULL, source_id INTEGER NOT NULL, "
        "claim_id TEXT NOT NULL, participant TEXT, result TEXT NOT NULL"
    ),
}
# A chunk's results in claim order, the ones verified in SQL (`verify_plain`)
# with the others (`verify_stage`): ids and rowids come out as claim by claim.
# The ordered union is merged from the two tables' own order (no sort of the
# whole chunk), and the insert takes its rows in that order.
_WRITE_VERIFICATIONS = f"""
INSERT INTO verifications (client, claim_id, result, source_ids, details, verified_at,
                           knew, last_batch, last_source)
SELECT ?, claim_id, result, source_ids, details, ?, knew, {LAST_BATCH},
       {LAST_SOURCE} FROM (
    SELECT pos, claim_id, 'verified' AS result, '[' || source_id || ']' AS source_ids,
           details, '{{"units": {{"' || source_id || '": []}}}}' AS knew
    FROM temp.verify_plain
    UNION ALL
    SELECT pos, claim_id, result, source_ids, details, knew FROM temp.verify_stage
    ORDER BY pos) AS written
"""
_WRITE_MATCHES = """
INSERT INTO verification_matches (client, source_id, claim_id, participant_id, result)
SELECT ?, source_id, claim_id, participant, result FROM (
    SELECT pos, 0 AS seq, source_id, claim_id, participant, 'verified' AS result
    FROM temp.verify_plain
    UNION ALL
    SELECT pos, seq, source_id, claim_id, participant, result
    FROM temp.verify_stage_matches
    ORDER BY pos, seq) AS written
"""


def _json(name: str, table: str, dialect: str) -> str:
    # PostgreSQL's ``->>`` gives text whatever the JSON type (a quantity of 2
    # would read "2" and send every sale down the per-claim path): there the
    # JSON is read (``->``) and typed in Python as SQLite's ``->>`` types it
    arrow = "->" if name in _JSON_COLUMNS or dialect == "postgresql" else "->>"
    return f"{table}.data {arrow} '{name}'"


def _typed(
    names: Sequence[str], values: Sequence[object], dialect: str
) -> tuple[object, ...]:
    """The fields `_json` read, as SQLite's ``->>`` gives them on both backends."""
    if dialect != "postgresql":
        return tuple(values)
    return tuple(
        v if n in _JSON_COLUMNS else sqlite_value(v)
        for n, v in zip(names, values, strict=True)
    )


@dataclass
class VerificationRows:
    """What one chunk's claims verified outside SQL write, each list in claim order.

    Attributes:
        verifications: (position, claim, result, source ids JSON, details JSON,
            what the check was told of other claims JSON, `claimflow.verify.knew`).
        matches: (position, sequence, source id, claim, participant, result).
        problems: (claim, batch, code, field, where, message).
        outcomes: (claim, batch, outcome, at) of claims whose outcome changed.
        events: (client, claim, batch, event, at, actor) of decided claims.
    """

    verifications: list[tuple[object, ...]] = field(default_factory=list)
    matches: list[tuple[object, ...]] = field(default_factory=list)
    problems: list[tuple[object, ...]] = field(default_factory=list)
    outcomes: list[tuple[str, int, str, str]] = field(default_factory=list)
    events: list[tuple[str, str, int | None, str, str, str]] = field(
        default_factory=list
    )


class VerificationSets:
    """Set-based verification queries `Store` inherits (see the module docstring)."""

    if TYPE_CHECKING:
        db: Database

        @property
        def dialect(self) -> str: ...

        def add_events(
            self, rows: Sequence[tuple[str, str, int | None, str, str, str]]
        ) -> None: ...

    def _temps(self) -> None:
        # Made for each run (a rolled-back transaction takes them with it),
        # before the claims are read: creating a table aborts the statements
        # still reading ("abort due to ROLLBACK").
        for name, columns in _TEMP.items():
            self.db.conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")

    def _temp(self, name: str, rows: Iterable[tuple[object, ...]]) -> None:
        conn = self.db.conn
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({_TEMP[name]})")
        conn.execute(f"DELETE FROM temp.{name}")
        # one column per comma-separated definition (no table constraints)
        marks = ",".join("?" * (_TEMP[name].count(",") + 1))
        conn.executemany(f"INSERT INTO temp.{name} VALUES ({marks})", rows)

    def claims_to_verify(
        self, client: str, batch_id: int | None, chunk: int, again: Sequence[str] = ()
    ) -> Iterator[list[ToVerify]]:
        """The claims verification checks, in store order, in chunks.

        Args:
            client: the client key.
            batch_id: only this batch's claims, if given.
            chunk: claims per list.
            again: claims to check again whatever their last result.

        Returns:
            Lists of `ToVerify` rows.

        Example: ``next(store.claims_to_verify("acme-tools", None, 5_000))[0][1]``
        """
        sql = _TO_VERIFY.format(
            batch="AND c.batch_id = ?" if batch_id is not None else ""
        )
        params: list[object] = [client] + ([batch_id] if batch_id is not None else [])
        params.append(json.dumps(list(again)))
        self._temps()
        # As one claim at a time reads them: a chunk's results are written
        # before the next chunk is read, and touch only claims read already.
        cursor = self.db.conn.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield rows

    def claim_fields(self, rowids: Iterable[int]) -> dict[int, ClaimFields]:
        """The compared fields of these claims, as stored, by rowid.

        Example: ``store.claim_fields([1])[1]``
        """
        self._temp("verify_rowids", ((r,) for r in rowids))
        dialect = self.dialect
        fields = ", ".join(_json(name, "c", dialect) for name in CLAIM_FIELDS)
        return {
            row[0]: (row[0], row[1], *_typed(CLAIM_FIELDS, row[2:], dialect))
            for row in self.db.conn.execute(
                f"SELECT c.rowid, c.data -> 'provenance', {fields} "
                "FROM temp.verify_rowids t JOIN claims c ON c.rowid = t.id"
            )
        }

    def plain_sales(
        self, keys: Sequence[tuple[int, int, str]]
    ) -> dict[int, tuple[int, int]]:
        """Verify in SQL the one-line sales claims where every check passes as
        written, and whose invoice line no other accepted claim was matched to.

        Their results wait in a temporary table for `record_verifications`
        (`unplain` takes one back).

        Args:
            keys: (position, claim rowid, key) of the claims to look at.

        Returns:
            The positions of the claims verified: (source id, units claimed).

        Example: ``store.plain_sales([(0, 1, "INV20417")]) == {0: (17, 2)}``
        """
        self._temp("verify_keys", keys)
        conn = self.db.conn
        conn.execute("DELETE FROM temp.verify_plain")
        conn.execute(f"INSERT INTO temp.verify_plain {_PLAIN_SALES}")
        return {
            int(pos): (int(source), int(units))
            for pos, source, units in conn.execute(
                "SELECT pos, source_id, units FROM temp.verify_plain"
            )
        }

    def unplain(self, pos: int) -> None:
        """Take back the result `plain_sales` staged for a position: an
        earlier claim of the run took units of its invoice line.

        Example: ``store.unplain(3)``
        """
        self.db.conn.execute("DELETE FROM temp.verify_plain WHERE pos = ?", [pos])

    def sources_by_key(
        self, client: str, kind: str, keys: Sequence[tuple[int, str]]
    ) -> dict[int, list[tuple[object, ...]]]:
        """Each position's source records with exactly its key, in id order.

        Args:
            client: the client key.
            kind: ``sales`` or ``stay``: which fields to read (`SOURCE_COLUMNS`).
            keys: (position, key) pairs.

        Returns:
            position -> rows (id, kind, fields...).

        Example: ``store.sources_by_key("acme-tools", "sales", [(0, "INV20417")])``
        """
        self._temp("verify_keys", ((pos, None, key) for pos, key in keys))
        names, dialect = SOURCE_COLUMNS[kind], self.dialect
        fields = ", ".join(_json(name, "s", dialect) for name in names)
        found: dict[int, list[tuple[object, ...]]] = {}
        for pos, *row in self.db.conn.execute(
            f"SELECT k.pos, s.id, s.kind, {fields} FROM temp.verify_keys k "
            "JOIN source_records s ON s.client = ? AND s.key = k.key "
            "ORDER BY k.pos, s.id",
            [client],
        ):
            found.setdefault(pos, []).append(
                (row[0], row[1], *_typed(names, row[2:], dialect))
            )
        return found

    def serials_claimed_before(
        self, client: str, serials: Iterable[tuple[str, int, str]]
    ) -> dict[tuple[str, str], str]:
        """The earlier-batch claim of each serial that has one.

        Args:
            client: the client key.
            serials: (claim id, its batch, normalised serial), each pair once.

        Returns:
            (claim id, serial) -> the first such claim in store order.

        Example: ``store.serials_claimed_before("acme-tools", [("c9", 2, "DR17")])``
        """
        self._temp("verify_serials", serials)
        return {
            (str(claim), str(serial)): str(earlier)
            for claim, serial, earlier in self.db.conn.execute(
                _CLAIMED_BEFORE, [client]
            )
        }

    def claims_at(self, rowids: Iterable[int]) -> dict[int, Claim]:
        """Stored claims, typed by their kind, by rowid.

        Example: ``store.claims_at([1, 2])[1].id``
        """
        self._temp("verify_rowids", ((r,) for r in rowids))
        return {
            rowid: _CLAIM_MODELS[kind].model_validate_json(text)
            for rowid, kind, text in self.db.conn.execute(
                f"SELECT c.rowid, c.kind, {CLAIM_JSON} FROM temp.verify_rowids t "
                "JOIN claims c ON c.rowid = t.id"
            )
        }

    def stays_of(
        self, client: str, participants: Iterable[str]
    ) -> dict[str, list[tuple[str, str, object, object]]]:
        """Every claim of these members, whatever its outcome, in store order.

        Returns:
            participant -> (claim id, outcome, check-in, check-out) as stored.

        Example: ``store.stays_of("costa-azul", ["300162210"])``
        """
        self._temp("verify_people", ((p,) for p in participants))
        found: dict[str, list[tuple[str, str, object, object]]] = {}
        dialect, names = self.dialect, ("check_in", "check_out")
        for participant, *row in self.db.conn.execute(
            f"SELECT c.participant_id, c.id, c.outcome, {_json(names[0], 'c', dialect)}, "
            f"{_json(names[1], 'c', dialect)} FROM temp.verify_people p "
            "JOIN claims c ON c.client = ? AND c.participant_id = p.participant "
            "ORDER BY c.participant_id, c.rowid",
            [client],
        ):
            claim_id, outcome = row[:2]
            start, end = _typed(names, row[2:], dialect)
            found.setdefault(participant, []).append(
                (str(claim_id), str(outcome), start, end)
            )
        return found

    def matches_of(
        self, sources: Iterable[int]
    ) -> dict[int, list[tuple[str, str | None, str]]]:
        """The claims matched to these source records, in the order matched.

        Returns:
            source id -> (claim id, participant, result).

        Example: ``store.matches_of([17])``
        """
        self._temp("verify_sources", ((s,) for s in sources))
        found: dict[int, list[tuple[str, str | None, str]]] = {}
        for source_id, claim_id, participant, result in self.db.conn.execute(
            "SELECT m.source_id, m.claim_id, m.participant_id, m.result "
            "FROM temp.verify_sources t JOIN verification_matches m "
            "ON m.source_id = t.id ORDER BY m.source_id, m.rowid"
        ):
            found.setdefault(source_id, []).append(
                (str(claim_id), participant, str(result))
            )
        return found

    def record_verifications(
        self, client: str, at: str, rows: VerificationRows
    ) -> None:
        """Append a chunk's verification results and move its claims' outcomes.

        The results of `plain_sales` and `rows` go in together, in claim
        order. Call inside a store transaction, once per `plain_sales`.

        Example: ``store.record_verifications("acme-tools", at, rows)``
        """
        conn = self.db.conn
        self._temp("verify_stage", rows.verifications)
        self._temp("verify_stage_matches", rows.matches)
        conn.execute(_WRITE_VERIFICATIONS, [client, at])
        conn.execute(_WRITE_MATCHES, [client])
        conn.execute("DELETE FROM temp.verify_plain")
        conn.executemany(
            "INSERT INTO problems (claim_id, batch_id, code, field, source, message) "
            "VALUES (?,?,?,?,?,?)",
            rows.problems,
        )
        conn.executemany(
            "UPDATE claims SET outcome = ? WHERE id = ?",
            [(outcome, claim) for claim, _, outcome, _ in rows.outcomes],
        )
        conn.executemany(
            "INSERT INTO outcomes (claim_id, batch_id, stage, outcome, decided_at) "
            "VALUES (?,?,'verify',?,?)",
            rows.outcomes,
        )
        self.add_events(rows.events)
