"""The batch rules' cross-chunk key index: a scratch SQLite file, not the store.

`claimflow.validate.batch.SeenKeys` keeps the keys (serials, invoice lines,
stays) of a batch's earlier chunks in one table, ``seen (kind, key,
claim)``, so that a key used again far apart in a million-claim batch is
caught without holding the keys in memory. This module holds that table's
SQL: `open_seen` opens (creating) the file, `seen_earlier` looks keys up
(`seen_all` lists a kind's, `seen_any` says whether it has any), `add_seen`
adds the first place of each key, `forget_seen` drops a file's keys. The
turn-taking between processes stays in `SeenKeys`.

The file is private to one ingest (a temporary file, or one shared by the
worker processes of `claimflow.parallel`) and stays SQLite whatever backend
the store uses. A chunk's keys go in as one JSON array unpacked by SQLite
(``json_each``), sorted so that they meet the index in its own order;
``INSERT OR IGNORE`` keeps the first place of a key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from pydantic_core import to_json


def open_seen(path: str) -> sqlite3.Connection:
    """Open (creating) a key index; ``""`` is a private temporary file on disk.

    Example: ``conn = open_seen("")``
    """
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    # A million claims' keys are ~100 MB and lookups land all over
    # the B-tree: 32 MiB of cache (default 2), a fixed ceiling, so
    # memory stays flat however large the batch.
    conn.execute("PRAGMA cache_size = -32768")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS seen (kind TEXT, key TEXT, claim TEXT, "
        "PRIMARY KEY (kind, key)) WITHOUT ROWID"
    )
    return conn


def seen_earlier(
    conn: sqlite3.Connection, kind: str, keys: Iterable[str]
) -> dict[str, str]:
    """Which of `keys` (of `kind`) the index holds: key -> where it was first seen.

    Example: ``seen_earlier(conn, "serial", ["DR17"]) == {"DR17": "a.csv:row 2"}``
    """
    ordered = to_json(sorted(set(keys))).decode()
    return dict(
        conn.execute(
            "SELECT s.key, s.claim FROM json_each(?) j CROSS JOIN seen s "
            "WHERE s.kind = ? AND s.key = j.value",
            [ordered, kind],
        )
    )


def seen_all(conn: sqlite3.Connection, kind: str) -> dict[str, str]:
    """Every key of `kind` the index holds: key -> where it was first seen.

    Example: ``seen_all(conn, "resubmitted") == {"5f04...-r2": "b.csv:row 2"}``
    """
    return dict(conn.execute("SELECT key, claim FROM seen WHERE kind = ?", [kind]))


def seen_any(conn: sqlite3.Connection, kind: str) -> bool:
    """Whether the index holds any key of `kind`.

    Example: ``seen_any(conn, "serial/unfixed") is False``
    """
    found = conn.execute("SELECT 1 FROM seen WHERE kind = ? LIMIT 1", [kind])
    return found.fetchone() is not None


def add_seen(
    conn: sqlite3.Connection, kind: str, pairs: Sequence[tuple[str, str]]
) -> int:
    """Add (key, where) pairs of distinct keys; a key already held keeps its place.

    Returns:
        The rows added: ``len(pairs)`` when every key was new.

    Example: ``add_seen(conn, "serial", [("DR17", "a.csv:row 2")]) == 1``
    """
    before = conn.total_changes
    conn.execute(
        "INSERT OR IGNORE INTO seen "
        "SELECT ?, j.value ->> 0, j.value ->> 1 FROM json_each(?) j",
        [kind, to_json(sorted(pairs)).decode()],
    )
    return conn.total_changes - before


def forget_seen(conn: sqlite3.Connection, prefix: str) -> None:
    """Drop the keys first seen at places starting with `prefix` (a file).

    Example: ``forget_seen(conn, "a.csv:")``
    """
    conn.execute(
        "DELETE FROM seen WHERE substr(claim, 1, ?) = ?", [len(prefix), prefix]
    )
