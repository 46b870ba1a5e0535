"""The PostgreSQL backend: the dialect layer against SQLite itself, the
database's own guards, copying stores both ways, and clerks at once.

Every test here needs a PostgreSQL server: the session's throwaway cluster
(tests/pg.py), skipped with the reason when none can be started, failed
under ``CLAIMFLOW_REQUIRE_POSTGRES=1`` (CI).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimflow import ResolvedClient, ingest
from claimflow.cli import main
from claimflow.store import Store
from claimflow.store.claims_schema import APPEND_ONLY_TABLES
from claimflow.store.copy import compare_stores
from claimflow.store.postgres import translate
from claimflow.verify.source import import_source
from tests.conftest import NOW, SAMPLES, new_pg_store_url
from tests.pg import Cluster
from tests.test_cli import run

psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL tests need psycopg")

ACME = str(SAMPLES / "clients/acme-tools.yaml")
COSTA = str(SAMPLES / "clients/costa-azul.yaml")
_DEALER_SALES = "acme-tools/verification/dealer_sales_november.csv"
_DATABASES = itertools.count(1)


def test_statements_are_translated_where_the_spellings_differ() -> None:
    assert translate("SELECT a FROM t WHERE b = ? AND c = :name") == (
        "SELECT a FROM t WHERE b = %s AND c = %(name)s"
    )
    # string literals are left as written (a '?' or ':x' in them is text)
    assert translate("SELECT '?:x%' FROM t WHERE a LIKE 'x%' AND b = ?") == (
        "SELECT '?:x%%' FROM t WHERE a LIKE 'x%%' AND b = %s"
    )
    assert translate("INSERT OR IGNORE INTO k SELECT * FROM temp.s") == (
        "INSERT INTO k SELECT * FROM pg_temp.s ON CONFLICT DO NOTHING"
    )
    assert translate("SELECT x FROM t WHERE d GLOB '[0-9]*' AND e NOT GLOB '*.x'") == (
        "SELECT x FROM t WHERE d ~ '^[0-9].*$' AND e !~ '^.*\\.x$'"
    )
    assert translate("SELECT group_concat(DISTINCT p.code) FROM p") == (
        "SELECT string_agg(DISTINCT (p.code)::text, ',') FROM p"
    )
    assert translate("SELECT CAST(x AS INTEGER), CAST(y AS REAL) FROM [t]") == (
        'SELECT CAST(x AS bigint), CAST(y AS float8) FROM "t"'
    )


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=8),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["a", "b", "sku", "lines"]), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.lists(_JSON, min_size=1, max_size=4), key=st.sampled_from(["a", "sku", "lines"]))
def test_sqlites_json_functions_mean_the_same_on_postgresql(
    pg_url: str, doc: list[object], key: str
) -> None:
    """json_each, json_extract and ->> on JSON kept as text: PostgreSQL's
    emulation gives what SQLite itself gives, value for value (as text)."""
    text = json.dumps(doc, ensure_ascii=False)
    queries = [
        ("SELECT key, value FROM json_each(?) ORDER BY key", [text]),
        ("SELECT json_extract(?, '$[0]')", [text]),
        (f"SELECT json_extract(?, '$[0].{key}')", [text]),
        ("SELECT j.value ->> ? FROM json_each(?) j ORDER BY j.key", [key, text]),
        ("SELECT j.value ->> 0 FROM json_each(?) j ORDER BY j.key", [text]),
        ("SELECT count(*) FROM json_each(?, '$[0]')", [text]),
    ]
    lite = sqlite3.connect(":memory:")
    with Store.open(pg_url) as store:
        for sql, params in queries:
            expected = [tuple(_text(v) for v in r) for r in lite.execute(sql, params)]
            got = [tuple(_text(v) for v in r) for r in store.db.execute(sql, params)]
            assert got == expected, sql


def _text(value: object) -> object:
    """SQLite hands JSON numbers over typed, the emulation as text; nested
    values are JSON text in both (compared parsed: spacing may differ)."""
    if value is None:
        return None
    text = str(value)
    try:
        return json.dumps(json.loads(text), sort_keys=True)
    except ValueError:
        return text


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_database_refuses_changes_to_append_only_tables(pg_url: str, table: str) -> None:
    """Not claimflow's code but the database: a plain psycopg session
    cannot update, delete or truncate a posting, an audit row or an outcome."""
    Store.open(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        columns = conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s "
            "AND is_generated = 'NEVER' AND column_name NOT IN ('id', 'rowid') "
            "ORDER BY ordinal_position",
            [table],
        ).fetchall()
        fill = {"bigint": 7, "double precision": 1.5}
        conn.execute("SET session_replication_role = replica")  # no foreign keys
        conn.execute(
            f"INSERT INTO {table} ({', '.join(c for c, _ in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            [fill.get(t, f"{c}-1") for c, t in columns],
        )
        conn.execute("SET session_replication_role = origin")
        for statement in (
            f"UPDATE {table} SET {columns[0][0]} = {columns[0][0]}",
            f"DELETE FROM {table}",
            f"TRUNCATE {table} CASCADE",
        ):
            with pytest.raises(psycopg.Error, match=f"{table} is append-only"):
                conn.execute(statement)
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (1,)


def _demo(db: str) -> None:
    """The README's demo flow on both sample clients, into `db`."""
    for client, name in ((ACME, "acme-tools"), (COSTA, "costa-azul")):
        files = sorted(str(p) for p in (SAMPLES / name / "claims").iterdir())
        code, _, err = run("ingest", *files, "--client", client, "--db", db, "--operator", "t")
        assert code in (0, 1), err
        code, _, err = run("dedupe", "claims", "--client", client, "--db", db)
        assert code in (0, 1), err
        run("participants", "import", str(SAMPLES / name / "participants.csv"),
            "--client", client, "--db", db)  # fmt: skip
        sources = sorted(str(p) for p in (SAMPLES / name / "source").iterdir())
        assert run("source", "import", *sources, "--client", client, "--db", db)[0] == 0
        code, _, err = run("award", "--client", client, "--db", db)
        assert code == 0, err


def _balances(db: str) -> list[tuple[object, ...]]:
    with Store.open(db) as store:
        return [
            tuple(r)
            for r in store.db.execute(
                "SELECT client, participant_id, entry_type, sum(points), count(*) FROM ledger "
                "GROUP BY client, participant_id, entry_type ORDER BY 1, 2, 3"
            )
        ]


@pytest.mark.own_backends
@pytest.mark.slow
def test_the_demo_on_postgresql_equals_the_demo_on_sqlite_and_copies_both_ways(
    tmp_path: Path, pg_cluster: Cluster
) -> None:
    lite = str(tmp_path / "demo.db")
    server = new_pg_store_url(pg_cluster)
    _demo(lite)
    _demo(server)
    # the same postings, points and balances, computed on each backend
    assert _balances(server) == _balances(lite) != []
    with Store.open(lite) as a, Store.open(server) as b:
        for table in ("claims", "awards", "outcomes", "problems", "claim_matches"):
            assert a.count(table) == b.count(table), table
        assert (
            a.db.execute("SELECT id, outcome FROM claims ORDER BY id").fetchall()
            == [tuple(r) for r in b.db.execute("SELECT id, outcome FROM claims ORDER BY id")]
        )
    # SQLite -> PostgreSQL -> SQLite, checked by the command itself
    copy = new_pg_store_url(pg_cluster)
    code, out, err = run("store", "copy", lite, copy)
    assert code == 0, err
    assert "the same in both" in out
    back = str(tmp_path / "back.db")
    code, out, err = run("store", "copy", copy, back, "--json")
    assert code == 0, err
    report = json.loads(out)
    with Store.open(lite) as a, Store.open(back) as b:
        assert compare_stores(a, b) == report["checks"]
        assert report["checks"]["claims"] == a.count("claims")
    assert _balances(back) == _balances(lite)
    # a copy into a store that holds claims is refused, and changes nothing
    code, _, err = run("store", "copy", lite, copy)
    assert code == 2
    assert err.startswith("claimflow: error: the target store already holds batches")
    # ids continue after the copied ones: new audit rows and facts land after them
    with Store.open(copy) as store:
        before = store.db.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    code, _, err = run("participants", "import", str(SAMPLES / "acme-tools/participants.csv"),
                       "--client", ACME, "--db", copy)  # fmt: skip
    assert code == 0, err
    with Store.open(copy) as store:
        assert store.db.execute("SELECT min(id) FROM audit_log WHERE id > ?",
                                [before]).fetchone()[0] == before + 1  # fmt: skip


@pytest.mark.own_backends
def test_verification_reads_stored_values_with_sqlites_types_on_both(
    tmp_path: Path, pg_url: str, acme: ResolvedClient
) -> None:
    """PostgreSQL's ``->>`` gives text: the fields verification compares are
    typed as SQLite types them (a quantity an int, a missing field None), so
    an exact match takes the same set-based path on both backends."""
    read = []
    for target in (str(tmp_path / "lite.db"), pg_url):
        with Store.open(target) as store:
            ingest([SAMPLES / "acme-tools/verification/claims_november.csv"], acme, store)
            with store.transaction():
                import_source(store, acme, SAMPLES / _DEALER_SALES, NOW)
            keys = store.db.execute("SELECT id, key FROM source_records ORDER BY id")
            by_key = store.sources_by_key(acme.key, "sales", [tuple(k) for k in keys])
            rowids = [r[0] for r in store.db.execute("SELECT rowid FROM claims")]
            people = {r[0] for r in store.db.execute("SELECT participant_id FROM claims")}
            stays = store.stays_of(acme.key, people - {None})
            read.append((by_key, store.claim_fields(rowids), stays))
    assert read[1] == read[0]
    by_key, fields, _ = read[0]
    assert {row[6].__class__ for rows in by_key.values() for row in rows} == {int}
    assert all(f[8] is None for f in fields.values())  # hotel_code: a sale has none


@pytest.mark.own_backends
def test_text_sorts_byte_by_byte_as_on_sqlite_in_a_database_of_another_collation(
    tmp_path: Path, pg_cluster: Cluster
) -> None:
    """In a database whose collation is a language's (en-US ignores
    punctuation at first), the store's text still sorts as SQLite sorts it:
    '+05:00' before '-04:00', 'a-b2' before 'ab-1', also read out of JSON."""
    database = f"icu_{next(_DATABASES)}"
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        try:
            conn.execute(
                f"CREATE DATABASE {database} TEMPLATE template0 ENCODING 'UTF8' "
                "LOCALE 'C' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
            )
        except psycopg.Error as exc:
            pytest.skip(f"no ICU collation in this PostgreSQL: {exc}")
    events = [
        ("acme-tools", "ab-1", None, "escalated", "2026-10-20T09:14:00-04:00", "ana"),
        ("acme-tools", "a-b2", None, "escalated", "2026-10-20T09:14:00+05:00", "ben"),
    ]
    queries = (
        "SELECT claim_id FROM claim_events ORDER BY at",
        "SELECT claim_id FROM claim_events ORDER BY claim_id",
        "SELECT min(at), max(claim_id) FROM claim_events",
        "SELECT claim_id FROM claim_events ORDER BY json_extract('[\"' || at || '\"]', '$[0]')",
    )
    found = []
    for target in (str(tmp_path / "lite.db"), pg_cluster.url(database=database)):
        with Store.open(target) as store:
            with store.transaction():
                store.add_events(events)
            found.append([[tuple(r) for r in store.db.execute(q)] for q in queries])
    assert found[1] == found[0]
    assert found[0][0] == [("a-b2",), ("ab-1",)]


def test_a_failed_command_leaves_a_postgresql_store_as_it_was(pg_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    good = (SAMPLES / "acme-tools/claims/october.csv").read_text(encoding="utf-8")
    bad.write_bytes(good.encode() + b"\x00\x01binary")
    before_code, _, _ = run("ingest", str(SAMPLES / "acme-tools/claims/october.csv"),
                            "--client", ACME, "--db", pg_url)  # fmt: skip
    assert before_code in (0, 1)
    with Store.open(pg_url) as store:
        counts = {t: store.count(t) for t in ("claims", "batches", "documents", "audit_log")}
    code, _, err = run("ingest", str(bad), "--client", ACME, "--db", pg_url)
    assert code == 2 and err.count("\n") == 1 and "bad.csv" in err
    with Store.open(pg_url) as store:
        assert {t: store.count(t) for t in counts} == counts
    # the same file again is a no-op (content hash), not a second batch
    run("ingest", str(SAMPLES / "acme-tools/claims/october.csv"), "--client", ACME,
        "--db", pg_url)  # fmt: skip
    with Store.open(pg_url) as store:
        assert store.count("claims") == counts["claims"]


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://nobody@/claimflow?host={tmp_path}&port=1"
    code, _, err = run("ingest", str(SAMPLES / "acme-tools/claims/october.csv"),
                       "--client", ACME, "--db", url)  # fmt: skip
    assert code == 2
    assert err.startswith(f"claimflow: error: {url}: cannot connect (")
    assert err.count("\n") == 1


def test_a_nul_in_a_json_claim_is_refused_as_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "claims.json"
    path.write_text(json.dumps([{"Claim ID": "A\x00B"}]), encoding="utf-8")
    code, _, err = run("check", str(path), "--client", ACME)
    assert code == 2
    assert "a NUL character (\\u0000) in a value" in err


def test_a_nul_in_a_library_callers_text_is_one_claimflow_error(
    pg_url: str, acme: ResolvedClient
) -> None:
    """A library trial: an operator or participant id holding a NUL, passed by a
    service importing the library, surfaced on PostgreSQL as
    ``sqlite3.OperationalError`` (PostgreSQL keeps no NUL in text). It is a
    ClaimflowError quoting the value, the transaction is rolled back and the
    store answers the next call."""
    from claimflow import ClaimflowError, award_claims, balance, claim_story

    with Store.open(pg_url) as store:
        ingest([SAMPLES / "acme-tools/claims/october.csv"], acme, store, received_at=NOW)
        awards = store.count("awards")
        with pytest.raises(ClaimflowError, match=r"^'a\\x00b': a NUL character \(U\+0000\)"):
            award_claims(acme, store, operator="a\x00b")
        with pytest.raises(ClaimflowError, match="NUL character"):
            balance("10\x004233", acme, store)
        with pytest.raises(ClaimflowError, match="NUL character"):
            claim_story("C\x00X", store=store)
        assert store.count("awards") == awards
        assert award_claims(acme, store, operator="ann").posted > 0


def test_main_is_the_cli() -> None:
    assert "store" in main.commands


@pytest.mark.own_backends
@pytest.mark.slow
def test_eight_writers_of_every_kind_for_20_rounds_lose_nothing_and_overdraw_nothing(
    tmp_path: Path, pg_url: str
) -> None:
    """Clerks on one PostgreSQL store at once, each command a process of its
    own: ingest, two award runs, source import, two redemptions racing for
    scarce points, a member list, dedupe and an event, 20 rounds."""
    from tests.store.test_concurrency import ROUNDS, _config, _round

    config = _config(tmp_path)
    run("ingest", str(SAMPLES / "acme-tools/claims/october.csv"), "--client", config,
        "--db", pg_url)  # fmt: skip
    run("participants", "import", str(SAMPLES / "acme-tools/participants.csv"),
        "--client", config, "--db", pg_url)  # fmt: skip
    run("source", "import", str(SAMPLES / "acme-tools/source/dealer_sales.csv"),
        "--client", config, "--db", pg_url)  # fmt: skip
    assert run("award", "--client", config, "--db", pg_url)[0] == 0
    with Store.open(pg_url) as store:
        claim = store.db.execute("SELECT id FROM claims ORDER BY rowid LIMIT 1").fetchone()[0]
        (start,) = store.db.execute(
            "SELECT sum(points) FROM ledger WHERE participant_id = '104233'"
        ).fetchone()
    # each round's three drills earn the member at most 3 x 30 points; two
    # clerks each redeem 100 in the same round (besides its 1-point
    # redemption): once the start balance is spent, most must be refused
    assert int(start) < 1_000
    ask = 100
    refused = 0
    for n in range(ROUNDS):
        extra = [
            ["ledger", "redeem", "104233", str(ask), "--reference", f"BIG-{n}-{k}",
             "--client", config, "--db", pg_url]
            for k in range(2)
        ]  # fmt: skip
        for args, code, log in _round(tmp_path, pg_url, n, claim, config, extra):
            assert "Traceback" not in log, (args, log)
            assert code in (0, 1, 2), (args, code, log)
            if args[0] == "ledger" and code:
                assert "point" in log, (args, code, log)  # a refusal says why
                refused += 1
    with Store.open(pg_url) as store:
        db = store.db
        # every round's claims were stored: no writer lost its batch
        assert db.execute("SELECT count(*) FROM claims").fetchone()[0] == 9 + 3 * ROUNDS
        # each award posted once, however many award runs met it
        doubled = db.execute(
            "SELECT claim_id FROM ledger l WHERE entry_type = 'award' AND NOT EXISTS "
            "(SELECT 1 FROM ledger r WHERE r.reverses = l.id) "
            "GROUP BY claim_id HAVING count(*) > 1"
        ).fetchall()
        assert doubled == []
        # no lot gave more than it held, no member holds less than nothing
        over = db.execute(
            "SELECT a.lot_id FROM ledger_allocations a JOIN ledger l ON l.id = a.lot_id "
            "GROUP BY a.lot_id, l.points HAVING sum(a.points) > l.points"
        ).fetchall()
        assert over == []
        negative = db.execute(
            "SELECT participant_id FROM ledger GROUP BY participant_id HAVING sum(points) < 0"
        ).fetchall()
        assert negative == []
        # every redemption that said it posted is there, once
        posted = db.execute(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM ledger "
            "WHERE entry_type = 'redemption'"
        ).fetchone()
        assert posted[0] == posted[1] == ROUNDS + 2 * ROUNDS - refused
    assert refused > 0  # the race was real: the scarce points ran out


def _refused(store: Store, sql: str, params: tuple[object, ...] = ()) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="(?i)foreign key"):
        with store.transaction():
            store.db.execute(sql, params)


@pytest.mark.own_backends
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_bulk_tables_references_hold_as_a_foreign_key_holds_them(
    backend: str, tmp_path: Path, pg_cluster: Cluster
) -> None:
    """On PostgreSQL the claims', outcomes' and problems' references are
    checked once per statement (not by a foreign key's query per row):
    a row that refers to nothing, a delete of what a row refers to and a
    change of either key are refused as on SQLite, whose foreign keys these
    are; what refers to nothing is left alone."""
    url = str(tmp_path / "s.db") if backend == "sqlite" else new_pg_store_url(pg_cluster)
    with Store.open(url) as store:
        with store.transaction():
            for batch in (1, 2):
                store.db.execute(
                    "INSERT INTO batches (id, client, operator, started_at, config_path) "
                    "VALUES (?, 'acme', 'op', '2026-12-01T00:00:00+00:00', 'c.yaml')",
                    (batch,),
                )
            store.db.execute(
                "INSERT INTO claims (id, client, batch_id, document_hash, kind, received_at, "
                "outcome, source, data) VALUES ('c1', 'acme', 1, 'h', 'sales', "
                "'2026-12-01', 'accepted', '{}', '{}')"
            )
            store.db.execute(
                "INSERT INTO outcomes (claim_id, batch_id, stage, outcome, decided_at) "
                "VALUES ('c1', 1, 'validate', 'accepted', '2026-12-01T00:00:00+00:00')"
            )
        # rows that refer to nothing
        _refused(store, "INSERT INTO claims (id, client, batch_id, document_hash, kind, "
                 "received_at, outcome, source, data) VALUES ('c2', 'acme', 9, 'h', "
                 "'sales', '2026-12-01', 'accepted', '{}', '{}')")  # fmt: skip
        _refused(store, "INSERT INTO outcomes (claim_id, batch_id, stage, outcome, "
                 "decided_at) VALUES ('c9', 1, 'validate', 'accepted', 'x')")  # fmt: skip
        _refused(store, "INSERT INTO problems (claim_id, batch_id, code, source, message) "
                 "VALUES ('c9', 1, 'x', '{}', 'm')")  # fmt: skip
        _refused(store, "UPDATE claims SET batch_id = 9 WHERE id = 'c1'")
        # what rows refer to
        _refused(store, "DELETE FROM claims WHERE id = 'c1'")
        _refused(store, "UPDATE claims SET id = 'c7' WHERE id = 'c1'")
        _refused(store, "DELETE FROM batches WHERE id = 1")
        _refused(store, "UPDATE batches SET id = 8 WHERE id = 1")
        # allowed: another batch that exists, other columns, an unreferred batch
        with store.transaction():
            store.db.execute("UPDATE claims SET batch_id = 2, outcome = 'held' WHERE id = 'c1'")
            store.db.execute("UPDATE claims SET batch_id = 1 WHERE id = 'c1'")
            store.db.execute("UPDATE batches SET records = 1 WHERE id = 1")
            store.db.execute("DELETE FROM batches WHERE id = 2")
        counts = [
            store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("batches", "claims", "outcomes", "problems")
        ]
        assert counts == [1, 1, 1, 0]
        if backend == "postgresql":
            # the bulk path: a COPY of rows that refer to nothing is refused
            with pytest.raises(sqlite3.IntegrityError, match="(?i)foreign key"):
                with store.transaction():
                    store.db.copy_rows(
                        "outcomes",
                        ("claim_id", "batch_id", "stage", "outcome", "decided_at"),
                        [("c1", 1, "award", "awarded", "x"), ("c8", 1, "award", "x", "x")],
                    )
            assert store.db.execute("SELECT count(*) FROM outcomes").fetchone()[0] == 1


@pytest.mark.own_backends
def test_a_schema_the_url_names_is_made_on_first_use(pg_cluster: Cluster) -> None:
    """Trial 17: a URL naming a schema that did not exist yet stopped with
    'create it first'; like the database, it is made on first use."""
    import os

    import psycopg

    schema = f"desk_{os.getpid()}"
    with Store.open(pg_cluster.url(schema)) as store:
        assert store.schema_version == 35
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
            [schema],
        ).fetchone()
        conn.execute(f"DROP SCHEMA {schema} CASCADE")
    assert tables is not None and tables[0] > 20


@pytest.mark.own_backends
def test_a_schema_holding_another_programs_tables_is_refused(pg_cluster: Cluster) -> None:
    """As a SQLite file of another program is refused (trial 31), a schema
    holding other tables and no claimflow store is refused in one line,
    nothing made beside them; an empty schema is a new store."""
    import os

    from claimflow.errors import StoreError

    schema = f"crm_{os.getpid()}"
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"CREATE TABLE {schema}.contacts (id int, name text)")
    try:
        with pytest.raises(StoreError, match=rf"schema {schema} holds another program's "
                           r"tables \(contacts\), not a claimflow store"):  # fmt: skip
            Store.open(pg_cluster.url(schema))
        code, _, err = run("ingest", str(SAMPLES / "acme-tools/claims/october.csv"),
                           "--client", ACME, "--db", pg_cluster.url(schema))  # fmt: skip
        assert code == 2 and err.count("\n") == 1
        with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
            found = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                [schema],
            ).fetchall()
        assert found == [("contacts",)]
    finally:
        with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
