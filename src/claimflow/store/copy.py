"""Copying a whole store between backends (SQLite <-> PostgreSQL), checked.

Contract: `copy_store(source, target)` copies every table of `source` into
`target`, which must hold no claims, batches or postings yet, in one
transaction of the target's: row for row, in the source's own order, keys
and ids kept (so idempotency keys, reversal links and claim references
stay valid). Then `compare_stores` reads both back and the copy is kept
only if they hold the same claims, awards, ledger postings and balances;
otherwise the target's transaction is rolled back and `StoreError` says
what differs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from claimflow.errors import StoreError
from claimflow.store.postgres import reference_ddl

if TYPE_CHECKING:
    from claimflow.store import Store

#: Tables whose rows have no order of their own (SQLite ``WITHOUT ROWID``):
#: copied in their key's order.
_BY_KEY = {
    "claim_keys": "client, block, day, claim_id, value",
    "claim_serials": "client, serial, claim_id",
    "raw_headers": "digest",
}
_CHUNK = 10_000


@dataclass
class CopyReport:
    """What `copy_store` copied and checked.

    Attributes:
        rows: rows copied, by table.
        checks: each check's figure, equal on both stores (claims, awards,
            postings, participants with a balance, the sum of balances).
    """

    rows: dict[str, int] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"rows": dict(self.rows), "checks": dict(self.checks)}


def tables_and_columns() -> list[tuple[str, list[str]]]:
    """The store's tables in creation order (parents before children), with
    their columns (what every store of this release has)."""
    out: list[tuple[str, list[str]]] = []
    columns: dict[str, list[str]] = {}
    for key in reference_ddl():
        kind, _, name = key.partition(":")
        if kind == "column":
            table, _, column = name.partition(".")
            columns.setdefault(table, []).append(column)
    for key in reference_ddl():
        kind, _, name = key.partition(":")
        if kind == "table":
            out.append((name, columns[name]))
    return out


def _rows(store: Store, table: str, columns: list[str]) -> Iterator[list[tuple[Any, ...]]]:
    names = ", ".join(f'"{c}"' for c in columns)
    order = _BY_KEY.get(table, "rowid")
    cursor = store.db.execute(f'SELECT {names} FROM "{table}" ORDER BY {order}')
    while rows := cursor.fetchmany(_CHUNK):
        yield [tuple(r) for r in rows]


def _insert(store: Store, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if store.dialect == "postgresql":
        store.db.copy_rows(f'"{table}"', [f'"{c}"' for c in columns], rows)
        return
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    store.db.conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


def _ids_continue(store: Store, table: str, columns: list[str]) -> None:
    """Ids the target hands out next follow the copied ones (PostgreSQL)."""
    if store.dialect != "postgresql" or table in _BY_KEY:
        return  # a ``WITHOUT ROWID`` table has no id (a store made before has
        # a rowid, numbered as its rows go in)
    for column in ("id", "rowid"):
        if column not in (*columns, "rowid"):
            continue
        (sequence,) = store.db.execute(
            f"SELECT pg_get_serial_sequence('\"{table}\"', '{column}')"
        ).fetchone()
        if sequence is None:  # a text id, or rowid standing for the id
            continue
        store.db.execute(
            f"SELECT setval('{sequence}', coalesce((SELECT max({column}) "
            f'FROM "{table}"), 0) + 1, false)'
        )


#: Each check: what it counts, read the same way on both backends.
_CHECKS = {
    "claims": "SELECT id, outcome, data FROM claims ORDER BY id",
    "awards": "SELECT idempotency_key, points, data FROM awards ORDER BY idempotency_key",
    "postings": (
        "SELECT idempotency_key, participant_id, entry_type, points, posted_at "
        "FROM ledger ORDER BY idempotency_key"
    ),
    "balances": (
        "SELECT client, participant_id, sum(points) FROM ledger "
        "GROUP BY client, participant_id ORDER BY client, participant_id"
    ),
}


def _digest(store: Store, sql: str) -> tuple[int, int, int]:
    """Rows, the sum of their SHA-256s (whatever order a collation gives
    them in), and the sum of the last column (the balances' points)."""
    digest = count = total = 0
    for row in store.db.execute(sql):
        digest += int.from_bytes(hashlib.sha256(repr(tuple(row)).encode()).digest())
        count += 1
        last = row[-1]
        if isinstance(last, int):
            total += last
    return count, digest % (1 << 256), total


def compare_stores(source: Store, target: Store) -> dict[str, int]:
    """The checks' figures if both stores hold the same; else `StoreError`.

    Example: ``compare_stores(Store.open("a.db"), Store.open(url))["claims"]``
    """
    figures: dict[str, int] = {}
    for name, sql in _CHECKS.items():
        left, right = _digest(source, sql), _digest(target, sql)
        if left != right:
            raise StoreError(
                f"the copy does not hold the same {name}: {left[0]} rows in the "
                f"source, {right[0]} in the copy (contents differ); nothing was kept"
            )
        figures[name] = left[0]
        if name == "balances":
            figures["points"] = left[2]
    return figures


def copy_store(source: Store, target: Store) -> CopyReport:
    """Copy every table of `source` into the empty store `target`, checked.

    Raises:
        StoreError: the target already holds claims, batches or postings, or
            the copy read back differs (the target is then left as it was).

    Example: ``copy_store(Store.open("claims.db"), Store.open("postgresql:///desk")).checks``
    """
    report = CopyReport()
    with target.transaction():
        for table in ("batches", "claims", "ledger", "participants", "audit_log"):
            if target.db.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
                raise StoreError(
                    f"the target store already holds {table}: copy into a new, empty store"
                )
        for table, columns in tables_and_columns():
            count = 0
            for rows in _rows(source, table, columns):
                _insert(target, table, columns, rows)
                count += len(rows)
            _ids_continue(target, table, columns)
            report.rows[table] = count
        report.checks = compare_stores(source, target)
    return report
