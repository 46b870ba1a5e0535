"""The store: migrations, one transaction per command, append-only tables, round trips."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimflow import (
    ClaimLine,
    Decision,
    Outcome,
    Provenance,
    ResolvedClient,
    SalesClaim,
    Store,
    StoreError,
    ingest,
)
from claimflow.config import load_client
from claimflow.keys import normalize_key
from claimflow.models import Claim
from claimflow.store import (
    CLAIM_JSON,
    ClaimRows,
    PackedRows,
    claim_rows,
    migrations,
)
from claimflow.store.rows import IN_COLUMNS

from ..conftest import SAMPLES


@pytest.mark.sqlite_only
@pytest.mark.fresh_store
def test_new_store_is_migrated_and_in_wal_mode(store: Store) -> None:
    assert store.schema_version == len(migrations._migrations) == 35
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA page_size").fetchone()[0] == 32768
    tables = set(store.db.table_names())
    assert {
        "batches",
        "documents",
        "claims",
        "problems",
        "outcomes",
        "notices",
        "audit_log",
    } <= tables
    assert "claim_lines" in store.db.view_names()


@pytest.mark.fresh_store
def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    Store.open(tmp_path / "c.db").close()
    with Store.open(tmp_path / "c.db") as again:
        assert again.schema_version == 35


@pytest.mark.sqlite_only
def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable claimflow database"):
        Store.open(path)


@pytest.mark.parametrize("table", ["audit_log", "outcomes", "ledger", "claim_links"])
def test_append_only_tables_refuse_update_and_delete(store: Store, table: str) -> None:
    with store.transaction():
        store.db.execute(
            "INSERT INTO claim_links (client, claim_id, supersedes, at, actor) "
            "VALUES ('x', 'C2', 'C1', '2026-01-01', 'ann')"
        )
        store.audit("ann", "ingest", {"files": []})
        batch = store.begin_batch("acme-tools", "ann", "c.yaml")
        store.add_claims(batch, "h" * 64, [_decided("C1")], "validate")
        store.db.execute(
            "INSERT INTO ledger (client, participant_id, entry_type, points, "
            "idempotency_key, posted_at, available_at, actor) "
            "VALUES ('x', 'p', 'award', 5, 'k', '2026-01-01', '2026-01-01', 'ann')"
        )
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute(statement)


def test_transaction_rolls_back_everything_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.begin_batch("acme-tools", "ann", "c.yaml")
        store.audit("ann", "ingest", {})
        raise RuntimeError("boom")
    assert store.count("batches") == store.count("audit_log") == 0


def _decided(cid: str, **fields: object) -> tuple[Claim, Decision]:
    source = Provenance(file="claims.csv", row=2)
    claim = SalesClaim(
        id=cid,
        client="acme-tools",
        received_at=datetime(2026, 10, 20, tzinfo=UTC),
        provenance=source,
        lines=(
            ClaimLine(
                sku="DRL-200",
                quantity=2,
                unit_price=Decimal("149.00"),
                line_total=Decimal("298.00"),
                serial_numbers=("DR1", "DR2"),
                provenance=source,
            ),
        ),
        **fields,
    )
    return claim, Decision(claim_id=cid, outcome=Outcome.ACCEPTED)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    # NUL is no part of a value any reader accepts (CSV: binary file; JSON:
    # refused), nor text PostgreSQL keeps
    name=st.text(st.characters(blacklist_characters="\x00"), max_size=30),
    invoice=st.text(st.characters(blacklist_characters="\x00"), min_size=1, max_size=20),
    total=st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False),
)
def test_claims_round_trip_through_the_store(
    tmp_path_factory: pytest.TempPathFactory, name: str, invoice: str, total: Decimal
) -> None:
    path = tmp_path_factory.mktemp("rt") / "c.db"
    claim, decision = _decided(
        "C1", participant_name=name, invoice_number=invoice, claim_total=total
    )
    with Store.open(path) as store, store.transaction():
        batch = store.begin_batch("acme-tools", "ann", "c.yaml")
        store.add_claims(batch, "h" * 64, [(claim, decision)], "validate")
    with Store.open(path) as store:
        data, typed = store.db.execute(
            f"SELECT data, {CLAIM_JSON} FROM claims c"
        ).fetchone()
        line = store.db.execute("SELECT line_total FROM claim_lines").fetchone()[0]
    assert SalesClaim.model_validate_json(typed) == claim
    # what the row's columns hold is not repeated in its typed JSON
    assert IN_COLUMNS.isdisjoint(json.loads(data))
    assert Decimal(line) == Decimal("298.00")


def test_claims_with_or_without_a_participant_read_back_whole(tmp_path: Path) -> None:
    decided = [_decided("C1", participant_id="0042"), _decided("C2")]
    claims = [claim for claim, _ in decided]
    with Store.open(tmp_path / "c.db") as store, store.transaction():
        batch = store.begin_batch("acme-tools", "ann", "c.yaml")
        store.add_claims(batch, "h" * 64, decided, "validate")
        query = f"SELECT {CLAIM_JSON} FROM claims c ORDER BY c.id"
        assert [
            SalesClaim.model_validate_json(t) for (t,) in store.db.execute(query)
        ] == claims
        typed = [c for chunk in store.claims("ORDER BY c.id", chunk=1) for c in chunk]
        assert typed == claims  # the readers' way: chunked, typed by kind
        # rows stored before the typed JSON left its columns' fields out hold them
        for claim in claims:
            store.db.execute(
                "UPDATE claims SET data = ? WHERE id = ?",
                [claim.model_dump_json(), claim.id],
            )
        assert [
            SalesClaim.model_validate_json(t) for (t,) in store.db.execute(query)
        ] == claims


@pytest.mark.sqlite_only
def test_claim_keys_move_into_their_block_index_and_keep_every_usable_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    Store.open(path).close()
    # The store as migration 12 left it: a rowid table with two covering indexes.
    db = sqlite3.connect(path)
    db.executescript(
        """
        DROP TABLE claim_keys;
        CREATE TABLE claim_keys (client TEXT NOT NULL, claim_id TEXT NOT NULL,
            block TEXT NOT NULL, day TEXT, value TEXT);
        CREATE INDEX claim_keys_block ON claim_keys(client, block, day, claim_id, value);
        INSERT INTO claim_keys VALUES
            ('acme', 'c1', 'ds|D1|DRL-200|1', '2026-10-02', 'INV1'),
            ('acme', 'c1', 'ds|D1|DRL-200|1', '2026-10-02', 'INV1'),
            ('acme', 'c2', 'ps|104233|DRL-200', NULL, '1'),
            ('costa', 's1', 'mh|300|CAZ-MAD', '2026-10-02', NULL);
        DELETE FROM _sqlite_migrations WHERE name = 'm013_claim_keys_clustered';
        """
    )
    db.commit()
    db.close()
    with Store.open(path) as store:
        assert store.schema_version == 35
        rows = store.db.execute("SELECT * FROM claim_keys").fetchall()
        assert rows == [("acme", "c1", "ds|D1|DRL-200|1", "2026-10-02", "INV1")]
        (sql,) = store.db.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'claim_keys'"
        ).fetchone()
        assert "WITHOUT ROWID" in sql


@pytest.mark.sqlite_only
def test_a_schema_14_store_keeps_its_claims_keys_in_their_rows(tmp_path: Path) -> None:
    # migrations 15-19: the |= copies of invoice keys go, each claim's keys
    # move into its row, and the by-claim index is dropped; its claimed
    # serials are copied into its row too, and their by-claim index goes
    from sqlite_utils import Database

    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m015_one_invoice_key")
    db.execute(
        "INSERT INTO batches (id, client, operator, started_at, config_path) "
        "VALUES (1, 'acme-tools', 'ann', '2026-10-20T00:00:00+00:00', 'c.yaml')"
    )
    for cid in ("C1", "C2"):
        db.execute(
            "INSERT INTO claims VALUES (?, 'acme-tools', 1, 'h', 'sales', '104233', "
            "'2026-10-20T00:00:00+00:00', '2026-10-02', 'accepted', 'a.csv:row 2', '{}', NULL)",
            [cid],
        )
    db.conn.executemany(
        "INSERT INTO claim_keys VALUES (?,?,?,?,?)",
        [
            ("acme-tools", "C1", "ds|D-CHI-01|DRL-200|2", "2026-10-02", "INV417"),
            (
                "acme-tools",
                "C1",
                "ds|D-CHI-01|DRL-200|2|=INV417",
                "2026-10-02",
                "INV417",
            ),
            ("acme-tools", "C1", "ps|104233|DRL-200", "2026-10-02", "2"),
        ],
    )
    db.conn.executemany(
        "INSERT INTO claim_serials VALUES ('acme-tools', ?, 'C1')",
        [("DR0002",), ("DR0001",)],
    )
    db.conn.commit()
    db.close()
    with Store.open(tmp_path / "old.db") as store:
        assert store.schema_version == len(migrations._migrations)
        keys = dict(store.db.execute("SELECT id, keys FROM claims"))
        serials = dict(store.db.execute("SELECT id, serials FROM claims"))
        indexes = {i.name for i in store.db["claim_keys"].indexes}
        indexes |= {i.name for i in store.db["claim_serials"].indexes}
        blocks = [b for (b,) in store.db.execute("SELECT block FROM claim_keys")]
    assert json.loads(keys["C1"]) == [
        ["ds|D-CHI-01|DRL-200|2", "2026-10-02", "INV417"],
        ["ps|104233|DRL-200", "2026-10-02", "2"],
    ]
    assert keys["C2"] == "[]"
    assert json.loads(serials["C1"]) == ["DR0001", "DR0002"]
    assert serials["C2"] == "[]"
    assert not indexes & {"claim_keys_claim", "claim_serials_claim"}
    assert sorted(blocks) == ["ds|D-CHI-01|DRL-200|2", "ps|104233|DRL-200"]


def test_an_ingest_indexes_every_claims_keys_and_serials_from_its_row(
    store: Store,
) -> None:
    # claim_keys and claim_serials are made from the claims' rows once the
    # file is in: each claim's indexed entries are exactly its row's
    client = load_client(SAMPLES / "clients" / "acme-tools.yaml")
    settings = ("PRAGMA cache_size", "PRAGMA threads")
    sqlite = store.dialect == "sqlite"
    before = [store.db.execute(p).fetchone()[0] for p in settings if sqlite]
    ingest([SAMPLES / "acme-tools" / "claims" / "october.csv"], client, store)
    # the index step sorts with a small cache on helper threads, then gives
    # the store its own settings back for the commands after it
    assert [store.db.execute(p).fetchone()[0] for p in settings if sqlite] == before
    rows = store.db.execute("SELECT id, keys, serials, data FROM claims").fetchall()
    assert rows and store.count("claim_keys") and store.count("claim_serials")
    for cid, keys, serials, data in rows:
        keyed = store.db.execute(
            "SELECT block, day, value FROM claim_keys WHERE claim_id = ?", [cid]
        ).fetchall()
        assert sorted(map(tuple, json.loads(keys))) == sorted(keyed)
        claimed = store.db.execute(
            "SELECT serial FROM claim_serials WHERE claim_id = ?", [cid]
        ).fetchall()
        written = {
            normalize_key(s)
            for line in json.loads(data)["lines"]
            for s in line.get("serial_numbers", [])
        }
        assert sorted(json.loads(serials)) == sorted(s for (s,) in claimed)
        assert set(json.loads(serials)) == written


def _chunk(ids: list[str], batch: int) -> ClaimRows:
    return claim_rows(batch, "h" * 64, [_decided(cid) for cid in ids], "validate")


def test_packed_chunks_of_any_size_land_whole_and_in_order(store: Store) -> None:
    # a worker sends a chunk's rows as one serialized database: each chunk
    # read in place of the last, whatever its size, in one transaction or many
    with store.transaction():
        batch = store.begin_batch("acme-tools", "ann", "c.yaml")
        store.insert_claim_rows(_chunk([f"A{n}" for n in range(300)], batch).pack())
        store.insert_claim_rows(_chunk(["B1"], batch).pack())
    with store.transaction():
        store.insert_claim_rows(_chunk([f"C{n}" for n in range(40)], batch).pack())
    ids = [i for (i,) in store.db.execute("SELECT id FROM claims ORDER BY rowid")]
    assert ids == [f"A{n}" for n in range(300)] + ["B1"] + [f"C{n}" for n in range(40)]
    assert store.count("claim_lines") == store.count("outcomes") == len(ids)


def test_a_packed_chunk_laid_out_otherwise_is_read_row_by_row(store: Store) -> None:
    # its tables elsewhere than the attached schema says: never read through it
    with store.transaction():
        batch = store.begin_batch("acme-tools", "ann", "c.yaml")
        store.insert_claim_rows(_chunk(["A1"], batch).pack())
        other = _chunk(["B1", "B2"], batch)
        conn = sqlite3.connect(":memory:")
        for table in ("headers", "problems", "claims"):  # reversed
            width = len(getattr(other, table)[0]) if getattr(other, table) else 6
            conn.execute(
                f"CREATE TABLE {table} ({', '.join(f'c{i}' for i in range(width))})"
            )
            conn.executemany(
                f"INSERT INTO {table} VALUES ({','.join('?' * width)})",
                getattr(other, table),
            )
        conn.commit()
        store.insert_claim_rows(PackedRows("validate", "now", conn.serialize()))
    ids = [i for (i,) in store.db.execute("SELECT id FROM claims ORDER BY rowid")]
    assert ids == ["A1", "B1", "B2"]
    assert store.count("claim_lines") == 3


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "table",
    [
        "audit_log", "outcomes", "awards", "ledger", "ledger_allocations",
        "claim_events", "entry_checks", "verifications", "entry_errors",
        "claim_matches", "claim_links", "participant_facts", "award_holds",
    ],
)  # fmt: skip
def test_append_only_tables_refuse_every_way_of_changing_a_row(
    tmp_path: Path, table: str
) -> None:
    """INSERT OR REPLACE from a plain sqlite3 shell turned 20 points into 999,999."""
    from claimflow.store.claims_schema import APPEND_ONLY_TABLES, _unique_keys

    assert table in APPEND_ONLY_TABLES
    db = tmp_path / "c.db"
    Store.open(db).close()
    conn = sqlite3.connect(db, isolation_level=None)  # a plain connection, defaults
    info = conn.execute(f"PRAGMA table_info('{table}')").fetchall()
    filler = {"INTEGER": 7, "REAL": 1.5}
    conn.execute(
        f"INSERT INTO {table} ({', '.join(c[1] for c in info)}) "
        f"VALUES ({', '.join('?' * len(info))})",
        [filler.get(c[2].upper(), f"{c[1]}-1") for c in info],
    )
    row = conn.execute(f"SELECT rowid, * FROM {table} LIMIT 1").fetchone()
    assert row is not None, f"the demo flow leaves no {table} row to tamper with"
    names = [d[0] for d in conn.execute(f"SELECT * FROM {table} LIMIT 1").description]
    rowid, values = row[0], row[1:]
    before = conn.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()
    marks = ",".join("?" * len(names))
    columns = ",".join(f'"{n}"' for n in names)
    first = names[0]
    attempts = [
        (f'UPDATE {table} SET "{first}" = "{first}" WHERE rowid = ?', [rowid]),
        (f"DELETE FROM {table} WHERE rowid = ?", [rowid]),
        (
            f"INSERT OR REPLACE INTO {table} (rowid, {columns}) VALUES (?, {marks})",
            [rowid, *values],
        ),
        (
            f"INSERT INTO {table} (rowid, {columns}) VALUES (?, {marks}) "
            f'ON CONFLICT DO UPDATE SET "{first}" = excluded."{first}"',
            [rowid, *values],
        ),
    ]
    if _unique_keys(Store.open(db).db, table):
        # the same unique key again, without the rowid: REPLACE would drop the row
        attempts.append(
            (f"REPLACE INTO {table} ({columns}) VALUES ({marks})", list(values))
        )
    for statement, params in attempts:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement, params)
    assert (
        conn.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()
        == before
    )


def test_live_award_totals_sum_each_rules_points_and_bases_exactly(
    store: Store, acme: ResolvedClient
) -> None:
    """What the caps count on (`live_award_totals` with lines): each live
    award's line points and bases summed per participant, day, version, rule
    and kind, the bases as exact decimals (not SQL's float sum of text), on
    either backend (PostgreSQL has no sum of text and needs CROSS JOIN)."""
    from claimflow.award.run import award_claims
    from claimflow.models import Award
    from claimflow.parse.participants import read_participants

    now = datetime(2026, 11, 20, tzinfo=UTC)
    ingest([SAMPLES / "acme-tools/claims/october.csv"], acme, store, processed_at=now)
    people = read_participants(SAMPLES / "acme-tools/participants.csv", acme.key)
    with store.transaction():
        store.upsert_participants(list(people))
    assert award_claims(store, acme, now=now).posted > 1
    expected: dict[tuple[str, ...], list[object]] = {}
    for (text,) in store.db.execute("SELECT data FROM awards"):  # none reversed
        award = Award.model_validate_json(text)
        for ln in award.lines:
            day = award.activity_date.isoformat()
            key = (award.participant_id, day, award.version, ln.rule_id, ln.kind)
            sums = expected.setdefault(key, [0, None])
            sums[0] += ln.points  # type: ignore[operator]
            if ln.basis is not None:
                sums[1] = (sums[1] or Decimal(0)) + ln.basis  # type: ignore[operator]
    found = {
        (who, day, version, rule, kind): [points, basis]
        for who, day, version, _, lines in store.live_award_totals(acme.key, lines=True)
        for rule, kind, points, basis in lines
    }
    assert found == expected
    assert any(isinstance(basis, Decimal) for _, basis in found.values())


def test_another_programs_sqlite_database_is_refused_byte_for_byte(tmp_path: Path) -> None:
    """Trial 31: ``--db`` on another program's SQLite file added claimflow's
    37 tables beside its own and switched its journal to WAL, exit 0. It is
    refused in one line naming its tables, the file as it was; an empty
    SQLite file and a claimflow store open as before."""
    from tests.test_cli import run

    foreign = tmp_path / "crm.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE contacts (id INTEGER, name TEXT)")
        conn.execute("INSERT INTO contacts VALUES (1, 'Ewa')")
    conn.close()
    before = foreign.read_bytes()
    code, _, err = run("ingest", str(SAMPLES / "acme-tools/claims/october.csv"),
                       "--client", str(SAMPLES / "clients/acme-tools.yaml"),
                       "--db", str(foreign))  # fmt: skip
    assert code == 2 and err.count("\n") == 1
    assert f"{foreign}: a SQLite database of another program (tables contacts)" in err
    assert foreign.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.db"]
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with Store.open(empty) as store:
        assert store.schema_version > 0
    with Store.open(empty) as store:  # a claimflow store now
        assert store.count("claims") == 0
