"""The sample client programs shipped with claimflow, copied out to try it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from claimflow.errors import ClaimflowError

#: The sample programs: a client file each, with claims, participants, source
#: exports and verification stories in a folder of the same name.
SAMPLE_CLIENTS = ("acme-tools", "costa-azul")


@dataclass(frozen=True)
class SamplesCopied:
    """Where the samples went: the folder and each client file in it."""

    folder: str
    clients: list[str]
    files: int

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return {"folder": self.folder, "clients": self.clients, "files": self.files}


def copy_samples(folder: Path) -> SamplesCopied:
    """Copy the sample clients and their claims into `folder` (new or empty).

    The layout is the repository's ``samples/``: ``clients/<key>.yaml`` and
    ``<key>/claims``, ``participants.csv``, ``source``, ``verification``.

    Raises:
        ClaimflowError: `folder` exists and is not empty (nothing is overwritten).

    Example: ``copy_samples(Path("try")).clients[0] == "try/clients/acme-tools.yaml"``
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ClaimflowError(f"{folder}: exists and is not empty; name a new folder")
    with as_file(files("claimflow") / "samples") as shipped:
        if not (shipped / "clients").is_dir():
            raise ClaimflowError("this installation has no sample files")
        folder.mkdir(parents=True, exist_ok=True)
        parts = ("clients", *SAMPLE_CLIENTS)
        for part in parts:
            shutil.copytree(shipped / part, folder / part)
    copied = sum(1 for p in folder.rglob("*") if p.is_file())
    clients = [str(folder / "clients" / f"{key}.yaml") for key in SAMPLE_CLIENTS]
    return SamplesCopied(str(folder), clients, copied)
