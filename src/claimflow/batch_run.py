"""One batch's run through the chunks: `_Run` validates each chunk (on every
core for a large file), folds the results and times each stage; `pipeline`
drives it for `check` and `ingest`.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, islice
from typing import Any, TypeVar

from claimflow.codes import Outcome, ReasonCode
from claimflow.config import ResolvedClient
from claimflow.memory import gc_paused
from claimflow.models import Claim, Decision, Problem, RawRecord
from claimflow.parallel import ChunkRunner, default_workers
from claimflow.parse import ParsedFile
from claimflow.parse.csvfile import Block, Cells
from claimflow.results import SHOWN_PROBLEMS, BatchResult
from claimflow.store import ClaimRows, CopyRows, PackedRows, claim_rows
from claimflow.validate import (
    NoticeItem,
    SeenKeys,
    render_notices,
    validate_chunk,
)
from claimflow.validate.pended_rows import RESUBMITTED
from claimflow.values import ValueContext
from claimflow.window import desk_day

CHUNK = 10_000
T = TypeVar("T")
Progress = Callable[[str, int], None]
Decided = list[tuple[Claim, Decision]]
#: An SLA event row: (client, claim id, batch id, event, ISO instant, operator).
Event = tuple[str, str, int | None, str, str, str]


@dataclass
class _ChunkOut:
    """What one validated chunk sends back: counts, rows, never models.

    Plain data, so that a chunk validated in a worker process costs little to
    send; `_Run.absorb` folds it into the batch result.
    """

    records: int
    outcomes: Counter[Outcome]
    reasons: Counter[ReasonCode]
    problems: list[Problem]
    notice_items: list[NoticeItem]
    seconds: float
    rows: PackedRows | CopyRows | None = None
    events: list[Event] = field(default_factory=list)
    #: Seconds a worker spent building the chunk's records from cells.
    built: float = 0.0


#: Where a chunk's rows go: (batch id, file hash), or None for `check`.
Target = tuple[int, str] | None


class _Run:
    """Per-batch state: timings, counters, the chunk runner and its key index."""

    def __init__(
        self,
        client: ResolvedClient,
        context: ValueContext,
        operator: str = "unknown",
        processed_at: datetime | None = None,
        workers: int | None = None,
    ) -> None:
        self.client = client
        self.context = context
        self.operator = operator
        self.processed_at = processed_at or datetime.now(UTC)
        self.runner = ChunkRunner(default_workers() if workers is None else workers)
        self.result = BatchResult(client=client.key)
        self.notice_items: list[NoticeItem] = []
        #: How a chunk's store rows travel back (`Store.chunk_packer`).
        self.pack: Callable[[ClaimRows], PackedRows | CopyRows] = ClaimRows.pack

    def process(
        self, raws: Sequence[RawRecord], seen: SeenKeys, target: Target
    ) -> _ChunkOut:
        """Validate one chunk (and make its store rows): runs in a worker."""
        started = time.perf_counter()
        decided = validate_chunk(raws, self.client, self.context, seen)
        out = _ChunkOut(len(raws), Counter(), Counter(), [], [], 0.0)
        for claim, decision in decided:
            out.outcomes[decision.outcome] += 1
            for problem in decision.problems:
                out.reasons[problem.code] += 1
                if len(out.problems) < SHOWN_PROBLEMS:
                    out.problems.append(problem)
            if decision.outcome is not Outcome.ACCEPTED:
                out.notice_items.append(NoticeItem.of(claim, decision))
        if target is not None:
            batch_id, digest = target
            rows = claim_rows(batch_id, digest, decided, "validate", raws=raws)
            out.rows = self.pack(rows)
            out.events = _events(decided, batch_id, self.operator, self.processed_at)
        out.seconds = time.perf_counter() - started
        return out

    def absorb(self, out: _ChunkOut) -> None:
        """Fold one chunk's counts, problems and notice items into the result."""
        result = self.result
        result.outcomes.update(out.outcomes)
        result.reasons.update(out.reasons)
        room = SHOWN_PROBLEMS - len(result.problems)
        if room > 0:
            result.problems.extend(out.problems[:room])
        self.notice_items.extend(out.notice_items)
        self._add_time("validate", out.seconds)
        if out.built:
            self._add_time("parse", out.built)

    def outs(self, parsed: ParsedFile, target: Target) -> Iterator[_ChunkOut]:
        """Each chunk of a file validated (on every core for a large file).

        A CSV file is read here as cells only (a C loop) or, without quote
        characters, only cut into blocks of whole rows; its workers, forked
        once and sent each chunk, parse the blocks and build the records,
        most of the parsing cost. Other files are read here as records and
        each chunk is validated in a worker forked when it is read, which
        shares it.
        """
        cells = parsed.cells
        work: Callable[[Any, SeenKeys], _ChunkOut]
        if cells is None:
            chunks: Iterator[Any] = self.chunks(parsed.records)

            def work(raws: list[RawRecord], seen: SeenKeys) -> _ChunkOut:
                return self.process(raws, seen, target)

        else:
            # A file without quotes goes to the workers as blocks of bytes,
            # which they parse themselves: this process only cuts them. A
            # small file is cut finer, so that every worker gets some: a
            # batch of many small files would otherwise run on one core.
            workers = self.runner.workers
            size = cells.chunk_rows(CHUNK, 2 * workers) if workers > 1 else CHUNK
            blocks = cells.blocks(size) if workers > 1 else None
            if blocks is None:
                chunks = self.chunks(cells.rows, cells.joins, size)
            else:
                chunks = self.timed(blocks)

            def work(chunk: list[Cells] | Block, seen: SeenKeys) -> _ChunkOut:
                assert cells.builder is not None  # set once the header is read
                started = time.perf_counter()
                rows = cells.parse(chunk) if isinstance(chunk, Block) else chunk
                raws = list(cells.builder.records(rows))
                built = time.perf_counter() - started
                out = self.process(raws, seen, target)
                out.built = built
                return out

        first = next(chunks, None)
        if first is None:
            return
        # A file of one chunk: forking would cost more than it saves.
        second = next(chunks, None)
        read = [first] if second is None else [first, second]
        yield from self.runner.map(
            chain(read, chunks), work, second is not None, pooled=cells is not None
        )

    def chunks(
        self,
        items: Iterator[T],
        joins: Callable[[T, T], bool] | None = None,
        size: int = CHUNK,
    ) -> Iterator[list[T]]:
        """`items` in chunks of `size`, each run on while `joins` (last, next)."""
        pending: list[T] = []
        while True:
            # The previous chunk's cycles, once, instead of per burst; only the
            # young generations: a full pass would rescan every module object.
            gc.collect(1)
            started = time.perf_counter()
            with gc_paused():
                chunk = pending + list(islice(items, size - len(pending)))
                pending = []
                if joins is not None and chunk:
                    for item in items:
                        if not joins(chunk[-1], item):
                            pending = [item]
                            break
                        chunk.append(item)
            self._time("parse", started)
            if not chunk:
                return
            with gc_paused():
                yield chunk
            # Dropped before the next pass, which would otherwise walk every
            # object of a chunk that is about to be freed anyway.
            del chunk

    def timed(self, items: Iterator[T]) -> Iterator[T]:
        """`items` as they are, each one's reading timed as parsing."""
        while True:
            started = time.perf_counter()
            item = next(items, None)
            self._time("parse", started)
            if item is None:
                return
            yield item

    def _time(self, stage: str, started: float) -> None:
        self._add_time(stage, time.perf_counter() - started)

    def _add_time(self, stage: str, seconds: float) -> None:
        timings = self.result.timings
        timings[stage] = timings.get(stage, 0.0) + seconds

    def finish(
        self, today: datetime, meanwhile: Callable[[], None] | None = None
    ) -> None:
        """Render the batch's notices and close the runner.

        `meanwhile` (ingest's index step) runs here while the notices render
        in a thread: SQLite lets go of the GIL for its statements, so the two
        overlap (1,000,000 claims: 0.9 s of notices inside the 5.3 s step).

        A pended claim its participant's correction resubmits in this batch
        (`claimflow.validate.pended_rows`; ``dedupe claims`` supersedes it)
        is in no notice: what it would ask for has arrived.
        """
        try:
            resubmitted = self.runner.held(RESUBMITTED)
            if resubmitted:
                self.notice_items = [
                    i for i in self.notice_items if i.claim_id not in resubmitted
                ]
            if meanwhile is None:
                self._render(today)
            else:
                with ThreadPoolExecutor(1) as pool:
                    rendering = pool.submit(self._render, today)
                    meanwhile()
                    rendering.result()
        finally:
            self.runner.close()

    def _render(self, today: datetime) -> None:
        # Touches no store and no runner: it may run in a thread.
        started = time.perf_counter()
        self.result.notices = render_notices(
            self.notice_items, self.client, desk_day(today, self.client.zone)
        )
        self._time("notices", started)


_EVENT_OF = {
    Outcome.PENDED: "pended",
    Outcome.REJECTED: "decided",
    Outcome.DUPLICATE: "decided",
}


def _events(
    decided: Decided, batch_id: int, operator: str, at: datetime
) -> list[Event]:
    """The SLA events a processed chunk stores.

    Pended or decided for the claims this run settles (accepted claims are
    decided when their award posts). Received and first response (this run:
    the desk has looked at it and notices go out) are derived from the claim
    and its batch (`Store.claim_events`), not stored per claim.
    """
    when = at.isoformat()
    rows: list[Event] = []
    for claim, decision in decided:
        event = _EVENT_OF.get(decision.outcome)
        if event is not None:
            rows.append((claim.client, claim.id, batch_id, event, when, operator))
    return rows

