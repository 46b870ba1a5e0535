"""The command line is a thin layer with one option vocabulary.

Must-show 1: each CLI module imports only `claimflow`'s public names, its own
CLI modules, click, rich and the standard library (an AST walk): every
command is a call of the public API. Must-show 2: every command's options
(click introspection) use one vocabulary; a synonym of a known option fails.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import click
import pytest

import claimflow
from claimflow.cli import main

SRC = Path(claimflow.__file__).parent
CLI_MODULES = sorted(SRC.glob("cli*.py"))


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """Every import in `path` (top level and inside functions): module, names."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


@pytest.mark.parametrize("path", CLI_MODULES, ids=lambda p: p.name)
def test_cli_modules_import_only_public_names(path: Path) -> None:
    wrong = []
    for module, names in _imports(path):
        top = module.partition(".")[0]
        if module == "claimflow":
            # its own command modules, imported to register them
            wrong += [
                n
                for n in names
                if n not in claimflow.__all__ and not n.startswith("cli")
            ]
        elif module.startswith("claimflow.cli"):
            continue  # the CLI's own modules
        elif module.startswith("claimflow"):
            wrong.append(module)
        elif top not in {"click", "rich"} and top not in sys.stdlib_module_names:
            wrong.append(module)
    assert wrong == [], f"{path.name} imports non-public names: {wrong}"


def test_the_walk_sees_the_imports() -> None:
    imports = _imports(SRC / "cli_awards.py")
    assert ("claimflow", ["Store", "award_claims"]) in imports  # the probe works


def _commands(
    group: click.Group = main, prefix: str = ""
) -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix}{name} ")
    return found


#: Names that once meant the same as a vocabulary option, and that option.
SYNONYMS = {
    "--now": "--as-of",
    "--received-at": "--at",
    "--when": "--at",
    "--time": "--at",
    "--date": "--as-of",
    "--database": "--db",
    "--store": "--db",
    "--config": "--client",
    "--client-file": "--client",
    "--actor": "--operator",
    "--user": "--operator",
    "--by": "--operator",
    "--output": "--out",
    "--output-file": "--out",
    "--format": "--out",
    "--batch-id": "--batch",
    "--as-json": "--json",
}
#: Commands that write to the store: each takes --operator.
WRITES = {
    "ingest", "participants import", "participants merge",
    "participants unmerge", "award", "ledger reverse", "ledger redeem",
    "ledger expire", "ledger adjust", "ledger approve", "dedupe claims",
    "dedupe apply", "source", "verify", "entry adjudicate", "qa", "event",
    "cases open", "cases respond", "cases escalate", "cases assign",
    "cases link", "cases close", "partners transfer", "partners reconcile",
    "partners close",
}  # fmt: skip


#: Commands that print rows (a list of claims, awards, pairs...): each takes
#: --json (the whole result), --csv and --nl (its rows), one at a time.
ROWS = {
    "queue", "replay", "verify", "award", "dedupe claims", "dedupe participants",
    "entry compare", "entry sample", "ledger adjustments", "cases list",
}  # fmt: skip
ROW_FORMATS = {"--json", "--csv", "--nl"}


def _choices(option: click.Option) -> set[str]:
    """The values a fixed-choice option takes (none for free text)."""
    return set(option.type.choices) if isinstance(option.type, click.Choice) else set()


def _visible(command: click.Command) -> dict[str, click.Option]:
    return {
        opt: param
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden
        for opt in param.opts
    }


@pytest.mark.parametrize("name", [n for n, _ in _commands()])
def test_options_use_one_vocabulary(name: str) -> None:
    command = dict(_commands())[name]
    options = _visible(command)
    synonyms = {o: SYNONYMS[o] for o in options if o in SYNONYMS}
    if "--by" in synonyms and _choices(options["--by"]) == {"keyed", "adjudicated"}:
        del synonyms["--by"]  # report qa --by keyed|adjudicated: a day, not a person
    assert synonyms == {}, f"{name}: use the vocabulary's names: {synonyms}"
    if "--db" in options:
        assert options["--db"].envvar == "CLAIMFLOW_DB", name
    if "--operator" in options:
        default = options["--operator"].default
        assert callable(default) and default() == claimflow.default_operator()
    for time in ("--at", "--as-of"):
        if time in options:  # one parser, one documented zone
            assert "desk zone" in (options[time].help or ""), (name, time)
    if name in WRITES:
        assert "--operator" in options, f"{name} writes: it needs --operator"
    if name in ROWS:
        assert ROW_FORMATS <= set(options), f"{name} prints rows: --csv and --nl"
    if options.keys() & {"--csv", "--nl"}:  # the three formats go together
        assert ROW_FORMATS <= set(options) and name in ROWS, name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--json", "--csv"], "--json and --csv cannot be used together"),
        (["--nl", "--csv"], "--nl and --csv cannot be used together"),
        (["--csv", "--nl", "--json"], "--csv and --nl cannot be used together"),
    ],
)
def test_row_formats_are_exclusive(
    args: list[str], message: str, tmp_path: Path
) -> None:
    """Two formats at once are refused in one line, before any work (exit 2)."""
    from click.testing import CliRunner

    from tests.conftest import SAMPLES

    client = str(SAMPLES / "clients/acme-tools.yaml")
    db = tmp_path / "none.db"
    result = CliRunner().invoke(
        main, ["award", "--client", client, "--db", str(db), "--preview", *args]
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}: pick one format"
    assert result.stdout == "" and not db.exists()


def test_old_names_still_work_and_warn() -> None:
    from click.testing import CliRunner

    from tests.conftest import SAMPLES

    claims = str(SAMPLES / "acme-tools/claims/october.csv")
    client = ("--client", str(SAMPLES / "clients/acme-tools.yaml"), "--json")
    new = CliRunner().invoke(main, ["check", claims, *client, "--at", "2026-10-28"])
    old = CliRunner().invoke(
        main, ["check", claims, *client, "--received-at", "2026-10-28"]
    )
    same, then = json.loads(new.stdout), json.loads(old.stdout)
    for data in (same, then):
        data.pop("timings")  # the time each stage took
    assert (old.exit_code, then) == (new.exit_code, same)
    assert same["records"] > 0
    assert old.stderr == ("claimflow: warning: --received-at is deprecated; use --at\n")
    assert new.stderr == ""
    for name, command in _commands():  # the old names stay out of the help
        hidden = [o for p in command.params if isinstance(p, click.Option)
                  and p.hidden for o in p.opts]  # fmt: skip
        assert set(hidden) <= {"--now", "--received-at", "--format", "--operators"}, (
            name
        )


def test_help_short_option() -> None:
    from click.testing import CliRunner

    for args in (["-h"], ["ledger", "balance", "-h"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0 and "Usage:" in result.output, args


def test_client_key_db_and_operator_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """--client KEY is looked up in CLAIMFLOW_CLIENTS, --db defaults to
    CLAIMFLOW_DB, and - reads a claims CSV from stdin."""
    from click.testing import CliRunner

    from tests.conftest import SAMPLES

    monkeypatch.setenv("CLAIMFLOW_CLIENTS", str(SAMPLES / "clients"))
    monkeypatch.setenv("CLAIMFLOW_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("CLAIMFLOW_OPERATOR", "ann")
    claims = (SAMPLES / "acme-tools/claims/october.csv").read_bytes()
    runner = CliRunner()
    by_file = runner.invoke(
        main,
        ["check", str(SAMPLES / "acme-tools/claims/october.csv"), "--client",
         "acme-tools", "--json", "--at", "2026-10-28"],
    )  # fmt: skip
    piped = runner.invoke(
        main,
        ["ingest", "-", "--client", "acme-tools", "--json", "--at", "2026-10-28"],
        input=claims,
    )
    assert by_file.exit_code == piped.exit_code == 1  # some claims need attention
    first, second = json.loads(by_file.stdout), json.loads(piped.stdout)
    assert first["outcomes"] == second["outcomes"]
    assert sum(first["outcomes"].values()) == first["records"] > 0
    with claimflow.Store.open(tmp_path / "env.db") as store:
        actors = {r[0] for r in store.db.execute("SELECT actor FROM audit_log")}
    assert actors == {"ann"}
