"""Run the stages for a batch: `check` (nothing written) and `ingest` (stored).

Records stream through in chunks (`CHUNK`) so memory stays flat in the
number of claims. Per chunk the stages are: parse (the reader's iterator),
validate (record rules, batch rules, decision: `validate_chunk`), store
(ingest only); notices are rendered once per batch. Each stage is timed and
``--verbose`` shows the timings.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any, TypeVar

from claimflow.api.common import ClientLike, default_operator, resolve_client
from claimflow.codes import Outcome, ReasonCode
from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.memory import gc_paused
from claimflow.models import Claim, Decision, Problem, RawRecord
from claimflow.parallel import ChunkRunner, default_workers
from claimflow.parse import ParsedFile, open_file
from claimflow.parse.csvfile import Block, Cells
from claimflow.results import SHOWN_PROBLEMS, BatchResult, FileResult
from claimflow.store import ClaimRows, CopyRows, PackedRows, Store, claim_rows
from claimflow.store.batch_reading import set_batch_number_locale
from claimflow.validate import (
    NoticeItem,
    SeenKeys,
    context_for,
    render_notices,
    validate_chunk,
)
from claimflow.values import ValueContext
from claimflow.window import desk_day, refuse_future

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
        """
        try:
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


def _preflight(
    paths: Iterable[str | Path],
    client: ResolvedClient,
    keep_going: bool,
    sheet: str | None = None,
    encoding: str | None = None,
) -> tuple[list[ParsedFile], list[FileResult]]:
    """Open every file before anything is written: most bad input stops here."""
    opened: list[ParsedFile] = []
    failed: list[FileResult] = []
    hashes: set[str] = set()
    for path in paths:
        try:
            parsed = open_file(path, client, sheet, encoding)
        except UnreadableInput as exc:
            if not keep_going:
                raise
            failed.append(FileResult(str(path), status="unreadable", error=str(exc)))
            continue
        if parsed.content_hash in hashes:
            failed.append(
                FileResult(
                    parsed.name,
                    parsed.content_hash,
                    status="same content as another file given",
                )
            )
            continue
        hashes.add(parsed.content_hash)
        opened.append(parsed)
    return opened, failed


def _batch_time(
    client: ResolvedClient,
    received_at: datetime | None,
    processed_at: datetime | None = None,
) -> tuple[datetime, datetime]:
    """(the batch's time, the desk's clock): a time given later than now is
    a keying error, refused before anything is read (`FutureTime`); a
    record's own received time later than the clock is pended instead."""
    clock = datetime.now(UTC)
    for what, given in (("received_at", received_at), ("processed_at", processed_at)):
        if given is not None:
            refuse_future(given, what, client.zone, clock)
    return received_at or clock, clock


def check(
    paths: Iterable[str | Path],
    client: ClientLike,
    *,
    keep_going: bool = False,
    received_at: datetime | None = None,
    progress: Progress | None = None,
    sheet: str | None = None,
    workers: int | None = None,
    encoding: str | None = None,
    number_locale: str | None = None,
) -> BatchResult:
    """Parse and validate files without writing anything.

    Args:
        paths: the input files.
        client: the client (resolved, a file or a key).
        keep_going: list unreadable files instead of stopping at the first.
        received_at: received time for records without one (default: now).
        progress: called with (file name, records done) after each chunk.
        sheet: read only this sheet of each workbook.
        encoding: the text encoding of these CSV files (overrides the
            client's ``encoding``).
        number_locale: the locale these files write numbers in (overrides
            the client's ``number_locale`` and ``file_number_locales``).
        workers: processes validating a large file's chunks (None: every
            core; 1: this process only).

    Returns:
        The batch result (no batch id).

    Raises:
        UnreadableInput: a file cannot be read and `keep_going` is False.
        FutureTime: `received_at` is later than now.

    Example: ``claimflow.check(["claims.csv"], load_client("acme.yaml")).outcomes``
    """
    resolved = resolve_client(client)
    now, clock = _batch_time(resolved, received_at)
    run = _Run(resolved, context_for(resolved, now, number_locale, clock), workers=workers)
    opened, failed = _preflight(paths, resolved, keep_going, sheet, encoding)
    for parsed in opened:
        file_result = FileResult(parsed.name, parsed.content_hash, notes=parsed.notes)
        try:
            for out in run.outs(parsed, None):
                run.absorb(out)
                file_result.records += out.records
                if progress:
                    progress(parsed.name, file_result.records)
            _refuse_empty(parsed, file_result.records)
        except UnreadableInput as exc:
            if not keep_going:
                raise
            file_result.status, file_result.error = "unreadable", str(exc)
        run.result.files.append(file_result)
    run.result.files.extend(failed)
    run.finish(now)
    return run.result


def ingest(
    paths: Iterable[str | Path],
    client: ClientLike,
    store: Store,
    *,
    operator: str | None = None,
    keep_going: bool = False,
    received_at: datetime | None = None,
    progress: Progress | None = None,
    sheet: str | None = None,
    processed_at: datetime | None = None,
    workers: int | None = None,
    encoding: str | None = None,
    number_locale: str | None = None,
) -> BatchResult:
    """Parse, validate and store files as one batch, in one transaction.

    A file already in the store (same bytes) is skipped and said so. An
    unreadable file stops everything before the commit (the store is as it
    was) unless `keep_going`, which stores the readable files and lists the
    others.

    Args:
        paths: the input files.
        client: the client (resolved, a file or a key).
        store: an open store.
        operator: who runs the batch (for the audit log; default:
            `claimflow.default_operator`).
        keep_going: store readable files, list unreadable ones.
        received_at: received time for records without one (default: now).
        progress: called with (file name, records done) after each chunk.
        sheet: read only this sheet of each workbook.
        encoding: the text encoding of these CSV files (overrides the
            client's ``encoding``).
        number_locale: the locale these files write numbers in (overrides
            the client's ``number_locale`` and ``file_number_locales``): a
            bilingual client's French forms beside its German ones. The
            batch keeps it, and replay reads the batch with it again.
        processed_at: when this run happens (default: now): the first
            response and decision events carry it.
        workers: processes validating a large file's chunks (None: every
            core; 1: this process only).

    Returns:
        The batch result, with the batch id (None when nothing was new).

    Raises:
        UnreadableInput: a file cannot be read and `keep_going` is False.
        FutureTime: `received_at` or `processed_at` is later than now (the
            store is untouched).

    Example: ``claimflow.ingest(["claims.csv"], client, Store.open("c.db"))``
    """
    resolved = resolve_client(client)
    operator = operator or default_operator()
    now, clock = _batch_time(resolved, received_at, processed_at)
    run = _Run(
        resolved,
        context_for(resolved, now, number_locale, clock),
        operator,
        processed_at,
        workers,
    )
    run.pack = store.chunk_packer()
    opened, failed = _preflight(paths, resolved, keep_going, sheet, encoding)
    with store.transaction():
        fresh = []
        for parsed in opened:
            stored = store.stored_document(parsed.content_hash)
            if stored is None:
                fresh.append(parsed)
                continue
            earlier, owner = stored
            if owner != resolved.key:
                # the same bytes under another client: not a no-op (the file
                # was taken in under the wrong client, or sent to two)
                refused = UnreadableInput(
                    parsed.name,
                    f"already ingested as batch {earlier} of client {owner}, not "
                    f"{resolved.key}: was that batch ingested under the wrong client?",
                )
                if not keep_going:
                    raise refused
                failed.append(
                    FileResult(
                        parsed.name, parsed.content_hash,
                        status="unreadable", error=str(refused),
                    )
                )  # fmt: skip
            else:
                failed.append(
                    FileResult(
                        parsed.name,
                        parsed.content_hash,
                        status=f"already ingested (batch {earlier})",
                    )
                )
        batch_id = (
            store.begin_batch(
                resolved.key, operator, resolved.source_path, run.processed_at, clock
            )
            if fresh
            else None
        )
        if batch_id is not None and number_locale is not None:
            set_batch_number_locale(store, batch_id, number_locale)
        for parsed in fresh:
            assert batch_id is not None
            run.result.files.append(
                _ingest_file(run, store, parsed, batch_id, keep_going, progress)
            )

        # The batch's dedupe keys, staged file by file (a file rolled back
        # takes its own with it), go into their indexes in one sorted pass:
        # per file, a batch of many files inserted into ever larger indexes
        # (200 files of 5,000 claims: 19.5 s against 7 s for one file).
        def index() -> None:
            started = time.perf_counter()
            store.index_claims()
            run._time("store", started)

        run.result.files.extend(failed)
        run.finish(now, meanwhile=index)
        if batch_id is not None and not run.result.records:
            # every new file refused (--keep-going): no batch of nothing
            store.drop_empty_batch(batch_id)
            batch_id = None
        run.result.batch_id = batch_id
        if batch_id is not None:
            store.add_notices(batch_id, run.result.notices)
            summary = {
                k: v
                for k, v in run.result.to_dict().items()
                if k in ("records", "outcomes", "reasons")
            }
            store.finish_batch(batch_id, run.result.records, summary)
        _audit(store, operator, resolved, number_locale, run.result)
    return run.result


def _audit(
    store: Store,
    operator: str,
    client: ResolvedClient,
    number_locale: str | None,
    result: BatchResult,
) -> None:
    """Audit an ingest, unless every file was ingested before: a no-op
    leaves no trace, as a source export imported again does not."""
    if result.already_ingested:
        return
    detail = {"client": client.key, "config": client.source_path}
    if number_locale:
        detail["number_locale"] = number_locale
    files = [f.to_dict() for f in result.files]
    store.audit(operator, "ingest", {**detail, "files": files}, result.batch_id)


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


def _refuse_empty(parsed: ParsedFile, records: int) -> None:
    """A file that yielded no claim (a header and nothing under it) is
    refused: stored, it was an empty batch and a zero exit, as if a clerk's
    file had been taken in (trials 30 and 31)."""
    if not records:
        raise UnreadableInput(
            parsed.name, "no claims in the file: nothing under its header"
        )


def _ingest_file(
    run: _Run,
    store: Store,
    parsed: ParsedFile,
    batch_id: int,
    keep_going: bool,
    progress: Progress | None,
) -> FileResult:
    file_result = FileResult(
        parsed.name, parsed.content_hash, status="stored", notes=parsed.notes
    )
    before = (
        run.result.outcomes.copy(),
        run.result.reasons.copy(),
        len(run.notice_items),
    )
    try:
        # A savepoint per file: with keep_going, a file that turns out
        # unreadable halfway leaves none of its rows behind. The rows that
        # come back are acyclic: collecting while they arrive would only
        # rescan them (`chunks` runs a young pass per chunk).
        with store.transaction(), gc_paused():
            for out in run.outs(parsed, (batch_id, parsed.content_hash)):
                run.absorb(out)
                started = time.perf_counter()
                assert out.rows is not None
                store.insert_claim_rows(out.rows)
                store.add_events(out.events)
                run._time("store", started)
                file_result.records += out.records
                if progress:
                    progress(parsed.name, file_result.records)
            _refuse_empty(parsed, file_result.records)
            store.add_document(
                run.client.key,
                parsed.content_hash,
                parsed.name,
                parsed.path.stat().st_size,
                batch_id,
                file_result.records,
            )
    except UnreadableInput as exc:
        if not keep_going:
            raise
        run.result.outcomes, run.result.reasons = before[0], before[1]
        del run.notice_items[before[2] :]
        run.runner.forget(parsed.name)  # its rows are gone: so are its keys
        return FileResult(
            parsed.name, parsed.content_hash, status="unreadable", error=str(exc)
        )
    return file_result
