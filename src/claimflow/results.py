"""What `check` and `ingest` return: one result per batch, one per file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from claimflow.codes import Outcome, ReasonCode
from claimflow.models import Problem
from claimflow.validate import Notice

#: Problems kept in the result for display; every one is stored regardless.
SHOWN_PROBLEMS = 500


@dataclass
class FileResult:
    """What happened to one input file.

    Attributes:
        name: the file as given.
        content_hash: sha256 of its bytes ("" if it could not be read).
        records: records read from it.
        status: ``read``, ``stored``, ``already ingested (batch N)`` or
            ``unreadable``.
        error: the one-line reason when unreadable.
        notes: what the reader left out and why (a sheet without claims, a
            title or total row), each naming its place.
    """

    name: str
    content_hash: str = ""
    records: int = 0
    status: str = "read"
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """As plain data."""
        return {**self.__dict__, "notes": list(self.notes)}


@dataclass
class BatchResult:
    """The result of `check` or `ingest` over a set of files.

    Attributes:
        client: the client key.
        batch_id: the stored batch (None for `check` or when nothing new).
        files: one result per input file.
        outcomes: claims per outcome; sums to the records read.
        reasons: problems per reason code.
        problems: the first `SHOWN_PROBLEMS` problems, in order.
        notices: one notice per participant with a non-accepted claim.
        timings: seconds spent per stage.
    """

    client: str
    batch_id: int | None = None
    files: list[FileResult] = field(default_factory=list)
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    reasons: Counter[ReasonCode] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def records(self) -> int:
        """Records read (= claims decided)."""
        return sum(self.outcomes.values())

    @property
    def already_ingested(self) -> bool:
        """Every file was ingested before (the same bytes): nothing new was
        read, stored or refused, so the run is a no-op (exit 0, no audit row)."""
        return bool(self.files) and all(
            f.status.startswith("already ingested") for f in self.files
        )

    @property
    def exit_code(self) -> int:
        """0 all accepted, 1 some not accepted, 2 some file unreadable."""
        if any(f.status == "unreadable" for f in self.files):
            return 2
        return 0 if self.outcomes[Outcome.ACCEPTED] == self.records else 1

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return {
            "client": self.client,
            "batch_id": self.batch_id,
            "records": self.records,
            "outcomes": {o.value: self.outcomes[o] for o in Outcome},
            "reasons": {c.value: n for c, n in self.reasons.most_common()},
            "files": [f.to_dict() for f in self.files],
            "problems": [p.model_dump(mode="json") for p in self.problems],
            "notices": [n.to_dict() for n in self.notices],
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }
