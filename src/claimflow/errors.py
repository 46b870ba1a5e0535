"""Exceptions: only for unusable input or programmer error.

Bad *values* in a readable record are never exceptions; they are
`claimflow.models.Problem` values. The CLI turns these exceptions into a
one-line message and exit code 2 in one place.
"""

from __future__ import annotations


class ClaimflowError(Exception):
    """Base class for every error claimflow raises on purpose."""


class UnreadableInput(ClaimflowError):
    """An input file cannot be read at all (corrupt, truncated, encrypted, binary).

    Attributes:
        file: the file as given (its name in provenance).
        where: the place in it (``row 2:room_revenue``, ``page 1``,
            ``line 3 column 5``), or None for the whole file.
        detail: what was expected and found, without the place.
    """

    def __init__(self, file: str, message: str, where: str | None = None) -> None:
        self.file = file
        self.where = where
        self.detail = message
        place = f"{file}: {where}" if where else file
        super().__init__(f"{place}: {message}")

    def __reduce__(self) -> tuple[type[UnreadableInput], tuple[str, str, str | None]]:
        # a worker that meets bad input sends it to its parent pickled
        return (type(self), (self.file, self.detail, self.where))


class ConfigError(ClaimflowError):
    """A client configuration file is missing or invalid; names the key path."""


class StoreError(ClaimflowError):
    """The store cannot be opened or is at a schema this release does not know."""


class ClaimNotFound(ClaimflowError):
    """No claim has the id or reference given, or several share the reference."""


class StoreBusy(StoreError):
    """Another command held the store's write lock longer than the wait allows."""


class MissingExtra(ClaimflowError):
    """A command needs libraries of an optional extra that is not installed."""


class FutureTime(ClaimflowError):
    """A received time given to a command is later than now (a keying error)."""


class AmbiguousTime(ClaimflowError):
    """A wall time without an offset happens twice at the desk, or never (DST)."""
