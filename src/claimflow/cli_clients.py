"""CLI commands for client files: check one, print their schema, copy the samples."""

from __future__ import annotations

import json
from pathlib import Path

import click

from claimflow.cli import JSON_OPTION, echo_json, fail_cleanly, main
from claimflow.cli_options import ClientFile, out_option, writing


@main.group("client")
def client_cmd() -> None:
    """Client configuration files: check one, or write their JSON Schema.

    \b
    Example:
        claimflow client check samples/clients/acme-tools.yaml
        claimflow client schema --out client.schema.json
    """


@client_cmd.command("check")
@click.argument("client_path", metavar="CLIENT", type=ClientFile())
@JSON_OPTION
@fail_cleanly
def check_cmd(client_path: Path, as_json: bool) -> None:
    """Load CLIENT (a file, or a key in CLAIMFLOW_CLIENTS) and report every problem.

    Every failing key is listed with its path, cross-references included (a
    SKU in award.products that eligible_skus does not list); exit 2 then.

    \b
    Example:
        claimflow client check samples/clients/acme-tools.yaml
    """
    from claimflow import load_client

    client = load_client(client_path)
    summary = {
        "client": client.key,
        "file": str(client_path),
        "kind": client.config.kind,
        "timezone": client.config.timezone,
        "rule_sets": [r.version for r in client.config.award.rule_sets]
        if client.config.award
        else [],
    }
    if as_json:
        echo_json(summary)
    else:
        versions = ", ".join(summary["rule_sets"]) or "none"
        click.echo(
            f"{client_path}: ok ({client.key}, {client.config.kind} claims, desk in "
            f"{client.config.timezone}, award rule sets: {versions})"
        )


@client_cmd.command("schema")
@out_option("Write the schema to this .json file (default and -: stdout).")
@fail_cleanly
def schema_cmd(out: Path | None) -> None:
    """The JSON Schema of a client file, every key described (for editors).

    \b
    Example:
        claimflow client schema --out client.schema.json
        # VS Code, in a client file: # yaml-language-server: $schema=client.schema.json
    """
    from claimflow import client_schema

    text = json.dumps(client_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None or str(out) == "-":
        click.echo(text, nl=False)
        return
    with writing(out) as path:
        path.write_text(text, encoding="utf-8")
    click.echo(f"client schema written to {out}")


@main.command("samples")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@JSON_OPTION
@fail_cleanly
def samples_cmd(folder: Path, as_json: bool) -> None:
    """Copy the two sample programs (client files and their claims) into FOLDER.

    \b
    Example:
        claimflow samples try && cd try
        claimflow ingest acme-tools/claims/* --client clients/acme-tools.yaml
    """
    from claimflow import copy_samples

    done = copy_samples(folder)
    if as_json:
        echo_json(done.to_dict())
        return
    click.echo(f"{done.files:,} sample files copied to {folder}:")
    for client in done.clients:
        click.echo(f"  {client}")
