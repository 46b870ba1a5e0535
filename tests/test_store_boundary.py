"""SQL belongs in `claimflow.store`: stages call the store's functions.

Every module under ``src/claimflow`` outside ``store/`` (and the CLI
modules, ``cli*.py``) must run no SQL: no ``.execute(``, ``.executemany(``
or ``.executescript(`` call, and no ``pandas.read_sql*``. The second store
backend (PostgreSQL) needs every statement in one place.

`PENDING` lists the modules still being moved: each may run SQL until its
move lands. Take a module off the list in the change that moves its SQL.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "claimflow"

#: Calls that run SQL: a connection's or cursor's methods, pandas' readers.
SQL_CALLS = {"execute", "executemany", "executescript"}
SQL_READERS = {"read_sql", "read_sql_query", "read_sql_table"}

#: Modules (globs, relative to src/claimflow) allowed to run SQL for now:
#: none since session 13 (a module that must, for a while, goes here with why).
PENDING: dict[str, str] = {}


def _exempt(path: Path) -> bool:
    relative = path.relative_to(SRC)
    if relative.parts[0] == "store" or (
        len(relative.parts) == 1 and relative.name.startswith("cli")
    ):
        return True
    return any(relative.match(pattern) for pattern in PENDING)


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if not _exempt(p))


def sql_calls(source: str) -> list[tuple[int, str]]:
    """(line, name) of each call in `source` that runs SQL.

    Example: ``sql_calls("db.execute('SELECT 1')") == [(1, "execute")]``
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = (
            func.attr
            if isinstance(func, ast.Attribute)
            else func.id
            if isinstance(func, ast.Name)
            else None
        )
        if (isinstance(func, ast.Attribute) and name in SQL_CALLS) or (
            name in SQL_READERS
        ):
            found.append((node.lineno, str(name)))
    return sorted(found)


@pytest.mark.parametrize("module", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_stage_module_runs_no_sql(module: Path) -> None:
    calls = sql_calls(module.read_text(encoding="utf-8"))
    where = ", ".join(f"line {line}: .{name}(" for line, name in calls)
    assert not calls, (
        f"{module.relative_to(SRC)} runs SQL ({where}): move it to a function of "
        "claimflow.store and call that"
    )


@pytest.mark.parametrize("pattern", sorted(PENDING))
def test_pending_entries_name_modules(pattern: str) -> None:
    assert list(SRC.glob(pattern)), f"{pattern}: no module by that name"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("store.db.execute('SELECT 1')", [(1, "execute")]),
        ("conn.executemany(sql, rows)", [(1, "executemany")]),
        ("(conn\n    .executescript(sql))", [(1, "executescript")]),
        ("pd.read_sql_query(sql, conn)", [(1, "read_sql_query")]),
        ("read_sql(sql, conn)", [(1, "read_sql")]),
        ("execute(plan)", []),
        ('"""db.execute(sql) in a docstring"""', []),
        ("store.add_events(rows)", []),
    ],
)
def test_sql_calls_are_found(source: str, expected: list[tuple[int, str]]) -> None:
    assert sql_calls(source) == expected
