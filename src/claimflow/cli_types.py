"""Click parameter types shared by the CLI modules (no claimflow imports:
the CLI starts without loading the library)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

#: A ``--db`` value naming a PostgreSQL store (`claimflow.store.postgres.is_url`).
_URL = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)


class StoreTarget(click.ParamType):  # type: ignore[type-arg]
    """``--db``: a SQLite file, or a PostgreSQL URL (``postgresql://...``).

    With ``exists=True`` a file must exist already (a URL is checked when
    the store is opened: the server says).
    """

    name = "store"

    def __init__(self, exists: bool = False) -> None:
        self.exists = exists

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Path):
            text = str(value)
        else:
            text = str(value)
        if _URL.match(text):
            return text
        path = Path(text)
        if self.exists and not path.exists():
            self.fail(f"store {text!r} does not exist", param, ctx)
        if path.is_dir():
            self.fail(f"store {text!r} is a folder, not a file", param, ctx)
        return path
