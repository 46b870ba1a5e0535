"""Shared fixtures: the sample clients, a temporary store, small file builders."""

from __future__ import annotations

import inspect
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings

from claimflow import ResolvedClient, Store, load_client
from claimflow.cli_options import StorePath
from tests.pg import Cluster, start_cluster

# The same examples on every run and machine: a property test that fails,
# fails again (the suite is deterministic); raise max_examples to explore.
# no deadline: on a shared, loaded machine an example can take over 200 ms
# (the default), which failed a property test now and then, not the code
settings.register_profile("claimflow", derandomize=True, database=None, deadline=None)
settings.load_profile("claimflow")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FIXTURES = Path(__file__).parent / "fixtures"
#: A fixed "now" so that claim windows and notice dates never drift.
NOW = datetime(2026, 10, 28, 12, 0, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/cases/*/expected.* from the current output.",
    )
    parser.addoption(
        "--backend",
        choices=("sqlite", "postgresql"),
        default=os.environ.get("CLAIMFLOW_TEST_BACKEND", "sqlite"),
        help="Run the tests' stores on this backend: every store a test opens "
        "by file name is made in a throwaway PostgreSQL cluster instead.",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason=...): reads the SQLite file itself; skipped with "
        "--backend postgresql (saying why, when a reason is given)",
    )
    config.addinivalue_line(
        "markers",
        "fresh_store: new SQLite stores are made and migrated for real, not "
        "copied from the session's migrated one (see _copied_new_stores)",
    )
    config.addinivalue_line(
        "markers",
        "own_backends: opens SQLite and PostgreSQL stores by design; runs in the "
        "default pass only",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--backend") != "postgresql":
        return
    skip = pytest.mark.skip(reason="reads the SQLite file itself (sqlite_only)")
    own = pytest.mark.skip(reason="chooses its backends itself: runs in the default pass")
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None and "reason" in marker.kwargs:
            item.add_marker(pytest.mark.skip(reason=f"sqlite_only: {marker.kwargs['reason']}"))
        elif marker is not None or _reads_sqlite(item):
            item.add_marker(skip)
        elif "own_backends" in item.keywords:
            item.add_marker(own)


#: What a test that opens or inspects the SQLite file itself (an old
#: store's schema built by hand, PRAGMAs, sqlite-utils' table API) says.
_SQLITE_ITSELF = (
    "sqlite3.connect(", "PRAGMA ", ".view_names(", "Database(", "store.db[",
    "db.read_bytes()", "_copy(flow",
)  # fmt: skip


def _reads_sqlite(item: pytest.Item) -> bool:
    function = getattr(item, "function", None)
    if function is None:
        return False
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    return any(mark in source for mark in _SQLITE_ITSELF)


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster for the session (see tests/pg.py).

    Skipped with the reason when none can be started, failed instead under
    ``CLAIMFLOW_REQUIRE_POSTGRES=1`` (CI).
    """
    try:
        cluster = start_cluster(Path(tempfile.mkdtemp(prefix="claimflow-pg-")))
    except (RuntimeError, ImportError) as exc:
        if os.environ.get("CLAIMFLOW_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required (CLAIMFLOW_REQUIRE_POSTGRES=1): {exc}")
        pytest.skip(f"no PostgreSQL for this test: {exc}")
    yield cluster
    cluster.stop()
    shutil.rmtree(cluster.folder, ignore_errors=True)


_SCHEMAS = itertools.count(1)
#: The schema standing for each store file name a test opened (for the
#: session: a module's fixture may make the store another test reads).
_OPENED: dict[str, str] = {}


def new_pg_store_url(cluster: Cluster) -> str:
    """A URL naming an empty schema of its own in the session's cluster."""
    import psycopg

    schema = f"t{os.getpid()}_{next(_SCHEMAS)}"
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return cluster.url(schema)


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """A new, empty PostgreSQL store's URL."""
    return new_pg_store_url(pg_cluster)


@pytest.fixture(autouse=True, scope="session")
def _backend(request: pytest.FixtureRequest) -> Iterator[None]:
    """With ``--backend postgresql``, a store opened by file name is a schema
    of its own in the session's cluster (the same name, the same schema)."""
    if request.config.getoption("--backend") != "postgresql":
        yield from _copied_new_stores(request)
        return
    # for the session: module and session fixtures open stores too
    monkeypatch = pytest.MonkeyPatch()
    cluster = request.getfixturevalue("pg_cluster")
    opened = _OPENED
    real_open = Store.open.__func__  # type: ignore[attr-defined]

    def open_on_postgres(cls: type[Store], path: str | Path) -> Store:
        text = str(path)
        if text == ":memory:":  # SQLite's new, private store each time
            text = new_pg_store_url(cluster)
        elif not text.startswith("postgres"):
            key = str(Path(text).resolve())
            if key not in opened:
                opened[key] = new_pg_store_url(cluster)
            text = opened[key]
        return real_open(cls, text)  # type: ignore[no-any-return]

    monkeypatch.setattr(Store, "open", classmethod(open_on_postgres))
    real_convert = StorePath.convert

    def convert_on_postgres(
        self: StorePath, value: object, param: object, ctx: object
    ) -> object:
        # --db FILE: the schema standing for that file, once a store was made
        # by that name (else what the file check says: "does not exist")
        key = str(Path(str(value)).resolve())
        if "://" not in str(value) and key in opened:
            return opened[key]
        return real_convert(self, value, param, ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(StorePath, "convert", convert_on_postgres)
    yield
    monkeypatch.undo()


def _copied_new_stores(request: pytest.FixtureRequest) -> Iterator[None]:
    """A new SQLite store is a copy of one migrated once for the session.

    Migrating a new file (31 migrations) took 0.1-0.14 s, and about a
    thousand tests open new stores; copying the file the real `Store.open`
    made for the session (the same schema, pragmas and page size) and then
    opening it (nothing left to migrate) takes a few milliseconds. Tests of
    the migrations themselves build their old stores by hand (the file
    exists: opened for real), and those marked ``fresh_store`` open a new
    file for real.
    """
    monkeypatch = pytest.MonkeyPatch()
    real_open = Store.open.__func__  # type: ignore[attr-defined]
    folder = Path(tempfile.mkdtemp(prefix="claimflow-template-"))
    template = folder / "template.db"
    real_open(Store, template).close()
    assert not Path(f"{template}-wal").exists()  # all in the one file

    def open_copied(cls: type[Store], path: str | Path) -> Store:
        text = str(path)
        if (
            _FRESH.get("fresh") is not True
            and text != ":memory:"
            and "://" not in text
            and not text.startswith("postgres")
        ):
            target = Path(text)
            if not target.exists() and target.parent.is_dir():
                try:
                    shutil.copyfile(template, target)
                except OSError:
                    pass  # the real open says what is wrong
        return real_open(cls, path)  # type: ignore[no-any-return]

    monkeypatch.setattr(Store, "open", classmethod(open_copied))
    yield
    monkeypatch.undo()
    shutil.rmtree(folder, ignore_errors=True)


#: ``{"fresh": True}`` while a test marked ``fresh_store`` runs.
_FRESH: dict[str, bool] = {}


@pytest.fixture(autouse=True)
def _fresh_store(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("fresh_store") is None:
        yield
        return
    _FRESH["fresh"] = True
    yield
    _FRESH.pop("fresh", None)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def acme() -> ResolvedClient:
    return load_client(SAMPLES / "clients" / "acme-tools.yaml")


@pytest.fixture(scope="session")
def acme_any_columns(acme: ResolvedClient) -> ResolvedClient:
    """acme-tools requiring no field: a reader's test heads its file with
    the few columns it reads (a file without a required column is refused)."""
    from claimflow.config import resolve

    return resolve(acme.config.model_copy(update={"required": []}), acme.source_path)


@pytest.fixture(scope="session")
def costa() -> ResolvedClient:
    return load_client(SAMPLES / "clients" / "costa-azul.yaml")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "claims.db")
    yield opened
    opened.close()


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode(encoding))
        return path

    return _write
