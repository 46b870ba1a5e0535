"""Migration 002: participants, awards and the points ledger."""

from __future__ import annotations

from sqlite_utils import Database

from claimflow.store.schema import APPEND_ONLY, migrations, run_script


@migrations()
def m002_awards_ledger(db: Database) -> None:
    """Participants, computed awards, the append-only ledger and its allocations."""
    run_script(
        db,
        """
        CREATE TABLE participants (
            client TEXT NOT NULL,
            id TEXT NOT NULL,
            first_name TEXT,
            last_name TEXT,
            email TEXT,
            company TEXT,
            tier TEXT,
            enrolled_on TEXT,
            status TEXT NOT NULL DEFAULT 'active',
            PRIMARY KEY (client, id)
        );
        CREATE TABLE awards (
            idempotency_key TEXT PRIMARY KEY,
            client TEXT NOT NULL,
            claim_id TEXT NOT NULL,
            participant_id TEXT NOT NULL,
            version TEXT NOT NULL,
            points INTEGER NOT NULL,
            desired_points INTEGER NOT NULL,
            data TEXT NOT NULL,
            computed_at TEXT NOT NULL
        );
        CREATE INDEX awards_claim ON awards(claim_id);
        CREATE TABLE ledger (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            participant_id TEXT NOT NULL,
            claim_id TEXT,
            entry_type TEXT NOT NULL,
            points INTEGER NOT NULL,
            version TEXT,
            idempotency_key TEXT NOT NULL UNIQUE,
            posted_at TEXT NOT NULL,
            available_at TEXT NOT NULL,
            expires_at TEXT,
            reverses INTEGER REFERENCES ledger(id),
            reason TEXT,
            actor TEXT NOT NULL
        );
        CREATE INDEX ledger_participant ON ledger(client, participant_id);
        CREATE INDEX ledger_claim ON ledger(claim_id);
        CREATE TABLE ledger_allocations (
            debit_id INTEGER NOT NULL REFERENCES ledger(id),
            lot_id INTEGER NOT NULL REFERENCES ledger(id),
            points INTEGER NOT NULL
        );
        CREATE INDEX allocations_lot ON ledger_allocations(lot_id);
        """,
    )
    for table in ("awards", "ledger", "ledger_allocations"):
        for verb in ("update", "delete"):
            db.execute(APPEND_ONLY.format(table=table, verb=verb))


@migrations()
def m003_ledger_reverses_index(db: Database) -> None:
    """Index reversals by the posting they undo: "is this posting live?" is asked per claim."""
    db.execute("CREATE INDEX ledger_reverses ON ledger(reverses)")


@migrations()
def m004_sla_events(db: Database) -> None:
    """Claim events (what SLA figures derive from) and entry-check results (QA)."""
    run_script(
        db,
        """
        CREATE TABLE claim_events (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            claim_id TEXT NOT NULL,
            batch_id INTEGER,
            event TEXT NOT NULL,
            at TEXT NOT NULL,
            operator TEXT NOT NULL
        );
        CREATE INDEX claim_events_claim ON claim_events(claim_id);
        CREATE INDEX claim_events_client ON claim_events(client, event, at);
        CREATE TABLE entry_checks (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            batch_id INTEGER,
            operator TEXT NOT NULL,
            field TEXT NOT NULL,
            day TEXT NOT NULL,
            checked INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            source TEXT NOT NULL
        );
        CREATE INDEX entry_checks_client ON entry_checks(client, day);
        """,
    )
    for table in ("claim_events", "entry_checks"):
        for verb in ("update", "delete"):
            db.execute(APPEND_ONLY.format(table=table, verb=verb))


@migrations()
def m005_claims_raw(db: Database) -> None:
    """Keep each claim's values as read, so a replay re-validates what was received."""
    db.execute("ALTER TABLE claims ADD COLUMN raw TEXT")


@migrations()
def m006_verification(db: Database) -> None:
    """Source records (sales, stays), claimed serials, verification results."""
    run_script(
        db,
        """
        CREATE TABLE source_documents (
            hash TEXT PRIMARY KEY,
            client TEXT NOT NULL,
            file_name TEXT NOT NULL,
            records INTEGER NOT NULL,
            imported_at TEXT NOT NULL
        );
        CREATE TABLE source_records (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            day TEXT,
            document_hash TEXT NOT NULL,
            row INTEGER NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX source_key ON source_records(client, key);
        CREATE INDEX source_day ON source_records(client, day);
        CREATE TABLE claim_serials (
            client TEXT NOT NULL,
            serial TEXT NOT NULL,
            claim_id TEXT NOT NULL
        );
        CREATE INDEX claim_serials_serial ON claim_serials(client, serial);
        CREATE TABLE verifications (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            claim_id TEXT NOT NULL,
            result TEXT NOT NULL,
            source_ids TEXT NOT NULL,
            details TEXT NOT NULL,
            verified_at TEXT NOT NULL
        );
        CREATE INDEX verifications_claim ON verifications(claim_id);
        CREATE TABLE verification_matches (
            client TEXT NOT NULL,
            source_id INTEGER NOT NULL,
            claim_id TEXT NOT NULL,
            participant_id TEXT,
            result TEXT NOT NULL
        );
        CREATE INDEX verification_matches_source ON verification_matches(source_id);
        """,
    )
    for table in ("verifications",):
        for verb in ("update", "delete"):
            db.execute(APPEND_ONLY.format(table=table, verb=verb))


@migrations()
def m007_dedupe_decisions(db: Database) -> None:
    """Reviewers' same/different decisions on candidate duplicate pairs."""
    run_script(
        db,
        """
        CREATE TABLE dedupe_decisions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            a TEXT NOT NULL,
            b TEXT NOT NULL,
            decision TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL
        );
        CREATE INDEX dedupe_decisions_pair ON dedupe_decisions(kind, a, b);
        """,
    )


@migrations()
def m008_entry_errors(db: Database) -> None:
    """Each adjudicated keying error, with the points it would have mis-awarded."""
    run_script(
        db,
        """
        CREATE TABLE entry_errors (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            operator TEXT NOT NULL,
            field TEXT NOT NULL,
            claim_key TEXT NOT NULL,
            keyed TEXT NOT NULL,
            corrected TEXT NOT NULL,
            points_at_stake INTEGER,
            day TEXT NOT NULL
        );
        CREATE INDEX entry_errors_client ON entry_errors(client, day);
        """,
    )
    for verb in ("update", "delete"):
        db.execute(APPEND_ONLY.format(table="entry_errors", verb=verb))


@migrations()
def m009_claim_keys(db: Database) -> None:
    """Blocking keys of every claim, so new claims meet their look-alikes in history."""
    run_script(
        db,
        """
        CREATE TABLE claim_keys (
            client TEXT NOT NULL,
            claim_id TEXT NOT NULL,
            block TEXT NOT NULL,
            day TEXT,
            value TEXT
        );
        CREATE INDEX claim_keys_block ON claim_keys(client, block, day);
        CREATE INDEX claim_keys_claim ON claim_keys(claim_id);
        """,
    )
    from claimflow.dedupe.claims import claim_keys
    from claimflow.models import SalesClaim, StayClaim

    rows = db.execute("SELECT kind, data FROM claims")
    while batch := rows.fetchmany(10_000):
        keys = []
        for kind, data in batch:
            model = SalesClaim if kind == "sales" else StayClaim
            keys.extend(claim_keys(model.model_validate_json(data)))
        db.conn.executemany("INSERT INTO claim_keys VALUES (?,?,?,?,?)", keys)


@migrations()
def m010_claim_serials_by_claim(db: Database) -> None:
    """Serials by claim, so a batch's serials meet history's in one indexed join."""
    db.execute("CREATE INDEX claim_serials_claim ON claim_serials(claim_id)")


@migrations()
def m011_claim_matches(db: Database) -> None:
    """Each claim match history dedupe found, so a person can review the doubtful ones."""
    run_script(
        db,
        """
        CREATE TABLE claim_matches (
            id INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            claim_id TEXT NOT NULL,
            original TEXT NOT NULL,
            duplicate_of TEXT,
            rule TEXT NOT NULL,
            code TEXT NOT NULL,
            score REAL NOT NULL,
            decision TEXT NOT NULL,
            compared TEXT NOT NULL,
            source TEXT NOT NULL,
            found_at TEXT NOT NULL
        );
        CREATE INDEX claim_matches_claim ON claim_matches(client, decision, claim_id);
        """,
    )
    for verb in ("update", "delete"):
        db.execute(APPEND_ONLY.format(table="claim_matches", verb=verb))


@migrations()
def m012_claim_keys_covering(db: Database) -> None:
    """Claim keys indexed with their claim and value, so matching never reads the table."""
    run_script(
        db,
        """
        DROP INDEX claim_keys_block;
        DROP INDEX claim_keys_claim;
        CREATE INDEX claim_keys_block ON claim_keys(client, block, day, claim_id, value);
        CREATE INDEX claim_keys_claim ON claim_keys(claim_id, client, block, day, value);
        """,
    )


@migrations()
def m013_claim_keys_clustered(db: Database) -> None:
    """Claim keys stored in their block index itself (WITHOUT ROWID).

    The table and its block index held the same five columns: one B-tree
    less per key row makes ingest cheaper, and matching reads the same
    order. A key without a date or value never matched anything (every rule
    needs both) and is no longer kept.
    """
    run_script(
        db,
        """
        CREATE TABLE claim_keys_clustered (
            client TEXT NOT NULL,
            claim_id TEXT NOT NULL,
            block TEXT NOT NULL,
            day TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (client, block, day, claim_id, value)
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO claim_keys_clustered
            SELECT client, claim_id, block, day, value FROM claim_keys
            WHERE day IS NOT NULL AND value IS NOT NULL;
        DROP TABLE claim_keys;
        ALTER TABLE claim_keys_clustered RENAME TO claim_keys;
        CREATE INDEX claim_keys_claim ON claim_keys(claim_id, client, block, day, value);
        """,
    )


@migrations()
def m014_cheaper_ingest(db: Database) -> None:
    """Fewer index entries and bytes per stored claim.

    - Claim events are read one client at a time in id order (SLA facts);
      the index by claim and the one by (client, event, at) served no query
      and put two random-order entries per event in every ingest. One index
      by client, in id order, is appended to instead.
    - Claimed serials live in their (client, serial) index itself (WITHOUT
      ROWID): one B-tree less per serial.
    - A raw record's header names (the same on every row of a file) are kept
      once in ``raw_headers``, keyed by their digest, instead of in every row.
    """
    run_script(
        db,
        """
        DROP INDEX claim_events_claim;
        DROP INDEX claim_events_client;
        CREATE INDEX claim_events_client ON claim_events(client);
        CREATE TABLE claim_serials_clustered (
            client TEXT NOT NULL,
            serial TEXT NOT NULL,
            claim_id TEXT NOT NULL,
            PRIMARY KEY (client, serial, claim_id)
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO claim_serials_clustered
            SELECT client, serial, claim_id FROM claim_serials ORDER BY rowid;
        DROP TABLE claim_serials;
        ALTER TABLE claim_serials_clustered RENAME TO claim_serials;
        CREATE INDEX claim_serials_claim ON claim_serials(claim_id);
        CREATE TABLE raw_headers (
            digest TEXT PRIMARY KEY,
            field_sources TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
    )


@migrations()
def m015_one_invoice_key(db: Database) -> None:
    """One claim key per invoice line (and per confirmation) instead of two.

    The exact rule (the same invoice or confirmation) now reads the same
    dealer + SKU + quantity (or hotel) block as the look-alike rule, with
    equal values; the ``|=``-suffixed copies of those keys go.
    """
    db.execute("DELETE FROM claim_keys WHERE block LIKE '%|=%'")


@migrations()
def m016_batch_processed_at(db: Database) -> None:
    """When an ingest ran: its claims' first response, derived, not stored per claim.

    Batches stored before keep their claims' received and first-response
    events as rows (their processed_at stays empty).
    """
    db.execute("ALTER TABLE batches ADD COLUMN processed_at TEXT")


@migrations()
def m017_claim_keys_in_claims(db: Database) -> None:
    """A claim's own keys in its row (``claims.keys``), not in an index by claim.

    Dedupe reads the keys of the claims it checks from their rows and meets
    history's through the block index; the by-claim index, a second copy of
    every key written on every ingest, goes.
    """
    db.execute("ALTER TABLE claims ADD COLUMN keys TEXT NOT NULL DEFAULT '[]'")
    db.execute(
        "UPDATE claims SET keys = (SELECT json_group_array(json_array(block, day, value)) "
        "FROM claim_keys k WHERE k.claim_id = claims.id) "
        "WHERE id IN (SELECT claim_id FROM claim_keys)"
    )
    db.execute("DROP INDEX claim_keys_claim")


@migrations()
def m018_claim_serials_in_claims(db: Database) -> None:
    """A claim's normalised serial numbers in its row (``claims.serials``).

    An ingest makes the ``claim_serials`` index from them once a file's
    claims are in, in one pass in the index's order, instead of sending
    every serial as a row and inserting it chunk by chunk at a random place.
    """
    db.execute("ALTER TABLE claims ADD COLUMN serials TEXT NOT NULL DEFAULT '[]'")
    db.execute(
        "UPDATE claims SET serials = (SELECT json_group_array(serial) "
        "FROM claim_serials s WHERE s.claim_id = claims.id) "
        "WHERE id IN (SELECT claim_id FROM claim_serials)"
    )


@migrations()
def m019_no_serials_by_claim_index(db: Database) -> None:
    """Drop ``claim_serials``' by-claim index: a claim's serials are in its row.

    Dedupe reads the serials of the claims it checks from ``claims.serials``
    (since migration 18) and meets history's through the (client, serial)
    index; the by-claim index, a second copy of every serial written on
    every ingest, goes (as the by-claim key index did in migration 17).
    """
    db.execute("DROP INDEX IF EXISTS claim_serials_claim")
