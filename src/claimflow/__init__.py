"""claimflow: parse, validate, deduplicate, verify and award loyalty claims.

The public API is what ``__all__`` lists; everything else may move.

Example:
    >>> import claimflow
    >>> client = claimflow.load_client("samples/clients/acme-tools.yaml")
    >>> result = claimflow.check(["samples/acme-tools/claims/october.csv"], client)
    >>> result.records == sum(result.outcomes.values())
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the real imports, for type checkers and readers
    from claimflow.codes import Category, Outcome, ReasonCode
    from claimflow.config import ClientConfig, ResolvedClient, load_client, resolve
    from claimflow.errors import (
        ClaimflowError,
        ConfigError,
        StoreError,
        UnreadableInput,
    )
    from claimflow.models import (
        ClaimLine,
        Decision,
        Deficiency,
        Participant,
        ParticipantFacts,
        Problem,
        Provenance,
        RawRecord,
        SaleRecord,
        SalesClaim,
        StayClaim,
        StayRecord,
    )
    from claimflow.parse import open_file, read_file
    from claimflow.pipeline import check, ingest
    from claimflow.results import BatchResult, FileResult
    from claimflow.store import Store
    from claimflow.validate import Notice, render_notices, validate_chunk

    #: The installed distribution's version (``importlib.metadata``).
    __version__: str

__all__ = [
    "BatchResult",
    "Category",
    "ClaimLine",
    "ClaimflowError",
    "ClientConfig",
    "ConfigError",
    "Decision",
    "Deficiency",
    "FileResult",
    "Notice",
    "Outcome",
    "Participant",
    "ParticipantFacts",
    "Problem",
    "Provenance",
    "RawRecord",
    "ReasonCode",
    "ResolvedClient",
    "SaleRecord",
    "SalesClaim",
    "StayClaim",
    "StayRecord",
    "Store",
    "StoreError",
    "UnreadableInput",
    "check",
    "ingest",
    "load_client",
    "open_file",
    "read_file",
    "render_notices",
    "resolve",
    "validate_chunk",
]

#: Where each public name lives. They are imported on first use (PEP 562), so
#: that ``import claimflow.cli`` (which imports this package first) does not
#: load pandas, pandera, scipy and jinja2 before ``claimflow --help``.
_MODULES = {
    "codes": ("Category", "Outcome", "ReasonCode"),
    "config": ("ClientConfig", "ResolvedClient", "load_client", "resolve"),
    "errors": ("ClaimflowError", "ConfigError", "StoreError", "UnreadableInput"),
    "models": (
        "ClaimLine",
        "Decision",
        "Deficiency",
        "Participant",
        "ParticipantFacts",
        "Problem",
        "Provenance",
        "RawRecord",
        "SaleRecord",
        "SalesClaim",
        "StayClaim",
        "StayRecord",
    ),
    "parse": ("open_file", "read_file"),
    "pipeline": ("check", "ingest"),
    "results": ("BatchResult", "FileResult"),
    "store": ("Store",),
    "validate": ("Notice", "render_notices", "validate_chunk"),
}
_HOMES = {name: module for module, names in _MODULES.items() for name in names}


def _public(name: str) -> object:
    """A public name (or ``__version__``), imported from its module on first use.

    Example: ``claimflow.load_client`` imports `claimflow.config`, once.
    """
    if name == "__version__":
        from importlib.metadata import version

        value: object = version("claimflow")
    elif name in _HOMES:
        from importlib import import_module

        value = getattr(import_module(f"claimflow.{_HOMES[name]}"), name)
    else:
        raise AttributeError(f"module 'claimflow' has no attribute {name!r}")
    globals()[name] = value  # later look-ups find it without calling this
    return value


def __dir__() -> list[str]:
    """The public names too, before their first use (for completion)."""
    return sorted({*globals(), *__all__, "__version__"})


# Hidden from type checkers, which see the imports above: a module
# ``__getattr__`` would make them accept any misspelt name as well.
if not TYPE_CHECKING:
    __getattr__ = _public
