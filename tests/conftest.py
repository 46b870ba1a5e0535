"""Shared fixtures: the sample clients, a temporary store, small file builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings

from claimflow import ResolvedClient, Store, load_client

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


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def acme() -> ResolvedClient:
    return load_client(SAMPLES / "clients" / "acme-tools.yaml")


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
