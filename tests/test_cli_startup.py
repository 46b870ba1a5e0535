"""The CLI starts without the heavy libraries; the public API loads on first use.

``claimflow --help`` once took 2 s of CPU because every command module imported
pandas, pandera, scipy and jinja2 up front. These tests are not timed (the
machine is shared; `benchmarks/bench_startup.py` measures): each runs in a fresh
interpreter and asserts which modules got imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

import pytest
from click.testing import CliRunner

import claimflow
import claimflow.sla
from claimflow.cli import main

#: Imported by no command module at start-up, nor by any ``--help``.
HEAVY = (
    "pandas",
    "pandera",
    "numpy",
    "scipy",
    "statsmodels",
    "jinja2",
    "openpyxl",
    "pdfplumber",
    "rapidfuzz",
    "holidays",
    "matplotlib",
    "sqlite_utils",
    "pydantic",
    "rich",
)

#: Every command and group, each asked for ``--help``, then ``--version``.
_HELP_EVERYWHERE = """
import json, sys
import click
from claimflow.cli import main

def paths(group, prefix):
    for name, command in group.commands.items():
        yield [*prefix, name]
        if isinstance(command, click.Group):
            yield from paths(command, [*prefix, name])

for args in [[], *paths(main, [])]:
    try:
        main([*args, "--help"], prog_name="claimflow")
    except SystemExit as exit:
        assert exit.code == 0, (args, exit.code)
try:
    main(["--version"], prog_name="claimflow")
except SystemExit as exit:
    assert exit.code == 0, exit.code
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has imported after `code`."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return {name.partition(".")[0] for name in json.loads(out.splitlines()[-1])}


def test_importing_the_cli_imports_no_heavy_library() -> None:
    loaded = _loaded(
        "import json, sys, claimflow.cli; print(json.dumps(sorted(sys.modules)))"
    )
    assert "click" in loaded  # the probe itself works
    assert sorted(loaded & set(HEAVY)) == []


def test_help_of_every_command_and_version_import_no_heavy_library() -> None:
    loaded = _loaded(_HELP_EVERYWHERE)
    assert sorted(loaded & set(HEAVY)) == []


def test_import_claimflow_alone_imports_no_heavy_library() -> None:
    loaded = _loaded(
        "import json, sys, claimflow; print(json.dumps(sorted(sys.modules)))"
    )
    assert sorted(loaded & set(HEAVY)) == []


def test_every_public_name_resolves_from_its_module() -> None:
    homes = claimflow._HOMES
    assert sorted(homes) == sorted(claimflow.__all__)
    for name in claimflow.__all__:
        value = getattr(claimflow, name)
        module = sys.modules[f"claimflow.{homes[name]}"]
        assert value is getattr(module, name), name
    assert set(claimflow.__all__) <= set(dir(claimflow))


def test_star_import_gives_the_public_names() -> None:
    names: dict[str, object] = {}
    exec("from claimflow import *", names)
    assert sorted(set(names) - {"__builtins__"}) == sorted(claimflow.__all__)


def test_version_is_the_installed_distributions() -> None:
    assert claimflow.__version__ == version("claimflow")
    result = CliRunner().invoke(main, ["--version"], prog_name="claimflow")
    assert (result.exit_code, result.output) == (
        0,
        f"claimflow, version {claimflow.__version__}\n",
    )


@pytest.mark.parametrize("package", [claimflow, claimflow.sla])
def test_an_unknown_name_is_an_attribute_error(package: object) -> None:
    name = "nothing_here"
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        getattr(package, name)


def test_sla_names_resolve() -> None:
    from claimflow.sla.calendar import BusinessCalendar, CalendarSettings
    from claimflow.sla.terms import SlaTerms

    assert claimflow.sla.BusinessCalendar is BusinessCalendar
    assert claimflow.sla.CalendarSettings is CalendarSettings
    assert claimflow.sla.SlaTerms is SlaTerms


def test_python_dash_m_claimflow_runs_the_command_line() -> None:
    """`python -m claimflow` is the same command line as the script."""
    done = subprocess.run(
        [sys.executable, "-m", "claimflow", "--version"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(version("claimflow"))
