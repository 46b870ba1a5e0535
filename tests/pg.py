"""A throwaway PostgreSQL cluster for the tests and benchmarks.

`start_cluster(folder)` runs Debian's (or any) ``initdb`` and ``pg_ctl`` on a
Unix socket in `folder` (no TCP port is opened, nothing outside the folder
is touched), as the ``postgres`` user when run as root (``initdb`` refuses
root), with fsync off: a cluster for tests, thrown away with its folder.
`Cluster.url(schema)` names a store in it.

Where no PostgreSQL can be started, `find_binaries` says why; the tests
that need one are skipped with that reason, unless
``CLAIMFLOW_REQUIRE_POSTGRES=1`` (set by ``.ci/run``), when they fail.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

DATABASE = "claimflow_test"


def find_binaries() -> tuple[Path | None, str]:
    """The folder holding ``initdb`` and ``pg_ctl``, or why there is none."""
    candidates = []
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found).resolve().parent)
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder, ""
    return None, (
        "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in "
        "/usr/lib/postgresql/*/bin: install Debian's postgresql package"
    )


@dataclass
class Cluster:
    folder: Path
    port: int
    binaries: Path
    runner: list[str]

    def url(self, schema: str | None = None, database: str = DATABASE) -> str:
        base = f"postgresql://postgres@/{database}?host={quote(str(self.folder))}&port={self.port}"
        if schema:
            base += "&options=" + quote(f"-csearch_path={schema}")
        return base

    def stop(self) -> None:
        subprocess.run(
            [*self.runner, str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"),
             "-m", "immediate", "stop"],
            capture_output=True, check=False,
        )


def start_cluster(folder: Path, port: int = 54330) -> Cluster:
    """Create and start a cluster in `folder` (raises RuntimeError with the reason)."""
    binaries, why = find_binaries()
    if binaries is None:
        raise RuntimeError(why)
    folder.mkdir(parents=True, exist_ok=True)
    runner: list[str] = []
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root and there is no postgres user to run initdb") from None
        os.chown(folder, user.pw_uid, user.pw_gid)
        runner = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    init = subprocess.run(
        [*runner, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
         "--no-sync", "-E", "UTF8", "--locale=C"],
        capture_output=True, text=True, check=False,
    )
    if init.returncode:
        raise RuntimeError(f"initdb failed: {init.stderr.strip()[-400:]}")
    options = (
        f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=400"
    )
    start = subprocess.run(
        [*runner, str(binaries / "pg_ctl"), "-D", str(data), "-o", options,
         "-l", str(folder / "log"), "-w", "-t", "60", "start"],
        capture_output=True, text=True, check=False,
    )
    if start.returncode:
        log = (folder / "log").read_text(errors="replace")[-400:] if (folder / "log").exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {start.stderr.strip()[-300:]} {log}")
    cluster = Cluster(folder, port, binaries, runner)
    import psycopg

    with psycopg.connect(cluster.url(database="postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return cluster
