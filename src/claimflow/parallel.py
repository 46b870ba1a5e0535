"""Validate a batch's chunks on every core, in order, with one key index.

`ChunkRunner.map` hands each chunk to ``work(chunk, seen)`` and yields the
results in chunk order. With more than one worker (and ``os.fork``), the
chunks run in forked workers, in one of two ways: a worker forked per chunk
as soon as the chunk is read, which shares the parsed chunk without copying
or pickling it (records of any format); or workers forked once, before any
chunk exists, and sent each chunk pickled (a CSV file's cells, cheap to
send): nothing is copied on write and the workers build the records too.
Either way the parent reads the next chunk meanwhile, and the workers take
turns with the batch's cross-chunk key index (`SeenKeys` in a scratch
file): a chunk reads or adds keys only after every earlier chunk has added
its own, so a serial number reused across chunks is caught exactly as in
one process. Results come back pickled, so `work` returns plain data (rows,
counts), not models.

A worker exits with ``os._exit``: it never runs the parent's clean-ups and
never touches the parent's open store connection.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import tempfile
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar

from claimflow.errors import ClaimflowError
from claimflow.validate.batch import SeenKeys

C = TypeVar("C")
R = TypeVar("R")


def default_workers() -> int:
    """Workers to use: every core on Linux; one elsewhere (macOS system
    libraries are not fork-safe, Windows has no fork) and when other threads
    run (a fork must not copy a thread that might hold a lock). An explicit
    ``workers=`` or ``--workers`` overrides this wherever ``os.fork`` exists.
    """
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return 1
    return max(1, os.cpu_count() or 1)


class _Worker(Generic[C, R]):
    """A forked worker that runs chunks one at a time, in the order given.

    Its chunks are the ones it `inherited` at the fork (shared, not copied),
    then those sent to it pickled, until the task pipe closes. Per chunk it
    takes its turn with the key index, then writes ``K`` (done with the
    index) and its pickled result to the result pipe.

    Args:
        work: chunk and key index -> result.
        path: the key index's scratch file.
        siblings: workers already forked, whose pipe ends this one drops
            (else they would never see their task pipe close).
        inherited: chunks to run before any sent; a worker forked for one
            chunk gets no more (its task pipe closes at once).
    """

    def __init__(
        self,
        work: Callable[[C, SeenKeys], R],
        path: str,
        siblings: Sequence[_Worker[C, R]] = (),
        inherited: tuple[C, ...] = (),
    ) -> None:
        task_r, task_w = os.pipe()
        turn_r, turn_w = os.pipe()
        result_r, result_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                for fd in (task_w, turn_w, result_r):
                    os.close(fd)
                for sibling in siblings:
                    sibling.forget()
                _serve(work, path, inherited, task_r, turn_r, result_w)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        for fd in (task_r, turn_r, result_w):
            os.close(fd)
        self.pid, self.turn, self.reaped = pid, turn_w, False
        self.tasks = os.fdopen(task_w, "wb")
        self.results = os.fdopen(result_r, "rb")
        if inherited:
            self.tasks.close()

    def send(self, chunk: C) -> None:
        pickle.dump(chunk, self.tasks, protocol=pickle.HIGHEST_PROTOCOL)
        self.tasks.flush()

    def result(self, keys_done: Callable[[], None]) -> R:
        """The next chunk's result; `keys_done` runs once its keys are in."""
        if self.results.read(1) != b"K":
            raise self._died()
        keys_done()
        try:
            ok, payload = pickle.load(self.results)
        except EOFError:
            raise self._died() from None
        if not ok:
            if isinstance(payload, ClaimflowError):
                raise payload
            raise RuntimeError(f"a validation worker failed:\n{payload}")
        return payload  # type: ignore[no-any-return]

    def _died(self) -> RuntimeError:
        _, status = os.waitpid(self.pid, 0)
        self.reaped = True
        return RuntimeError(
            f"a validation worker died (exit status {status}); "
            "run with --workers 1 to see why"
        )

    def forget(self) -> None:
        """In another worker: drop the copies of this worker's pipe ends."""
        if not self.tasks.closed:
            os.close(self.tasks.fileno())
        os.close(self.results.fileno())
        os.close(self.turn)

    def stop(self) -> None:
        """No more chunks: let it finish and exit."""
        for fh in (self.tasks, self.results):
            try:
                fh.close()
            except OSError:
                pass
        os.close(self.turn)
        if not self.reaped:
            os.waitpid(self.pid, 0)
            self.reaped = True


def _serve(
    work: Callable[[C, SeenKeys], R],
    path: str,
    inherited: tuple[C, ...],
    tasks: int,
    turn: int,
    results: int,
) -> None:
    # A chunk is hundreds of thousands of acyclic objects: collecting while
    # they arrive would rescan them all; the young generations go per chunk.
    gc.disable()
    with os.fdopen(tasks, "rb") as inbox, os.fdopen(results, "wb") as out:
        for chunk in chain(inherited, _received(inbox)):
            seen = SeenKeys(path, turn, results)
            try:
                payload: tuple[bool, object] = (True, work(chunk, seen))
            except ClaimflowError as exc:  # bad input: raised again in the parent
                payload = (False, exc)
            except BaseException:
                payload = (False, traceback.format_exc())
            finally:
                seen.close()  # writes K (after its turn came)
            pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
            # Let go of the chunk and its result first: else the pass walks
            # every one of their objects, about to be freed anyway (a tenth
            # of a worker's time, measured).
            del chunk, payload
            gc.collect(1)


def _received(inbox: BinaryIO) -> Iterator[Any]:
    while True:
        try:
            yield pickle.load(inbox)
        except EOFError:
            return


class _Job(Generic[R]):
    """One chunk given to a `_Worker`: its turn with the key index, its result.

    Args:
        worker: the worker running it.
        last: the worker's last chunk (stop the worker once it is collected).
    """

    def __init__(self, worker: _Worker[Any, R], last: bool = False) -> None:
        self.worker, self.last = worker, last
        self.turned = False

    def give_turn(self) -> None:
        if not self.turned:
            self.turned = True
            try:
                os.write(self.worker.turn, b"1")
            except OSError:
                pass  # the worker died: its result says so

    def result(self, keys_done: Callable[[], None]) -> R:
        try:
            return self.worker.result(keys_done)
        finally:
            if self.last:
                self.worker.stop()


def _collect(inflight: deque[_Job[R]]) -> R:
    """The oldest chunk's result; the next chunk's turn with the key index."""
    job = inflight.popleft()

    def next_turn() -> None:
        if inflight:
            inflight[0].give_turn()

    try:
        return job.result(next_turn)
    finally:
        next_turn()


def _in_order(jobs: Iterator[_Job[R]], at_most: int) -> Iterator[R]:
    """Results of `jobs` in order, at most `at_most` in flight.

    Stopped early (unreadable input further on), the chunks in flight still
    finish in turn, so that the key index is whole for the batch's next file.
    """
    inflight: deque[_Job[R]] = deque()
    try:
        for job in jobs:
            if not inflight:
                job.give_turn()
            inflight.append(job)
            while len(inflight) >= at_most:
                yield _collect(inflight)
        while inflight:
            yield _collect(inflight)
    finally:
        while inflight:
            try:
                _collect(inflight)
            except (RuntimeError, ClaimflowError):
                pass


class ChunkRunner:
    """Runs a batch's chunks, in one process or on every core, with one key index.

    Use one runner per batch (across all its files), so that a key seen in
    any earlier chunk of the batch, in whichever file, is caught.

    Args:
        workers: children at most in flight; 1 runs everything here.

    Example: ``with ChunkRunner(2) as runner: list(runner.map(chunks, work))``
    """

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers if hasattr(os, "fork") else 1
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._local: SeenKeys | None = None

    def __enter__(self) -> ChunkRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Drop the key index."""
        if self._local is not None:
            self._local.close()
            self._local = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def map(
        self,
        chunks: Iterable[C],
        work: Callable[[C, SeenKeys], R],
        parallel: bool = True,
        pooled: bool = False,
    ) -> Iterator[R]:
        """Run `work` on each chunk, results in chunk order.

        Args:
            chunks: the chunks, read lazily (the parent reads the next while
                children work).
            work: chunk and key index -> result (plain, picklable data).
            parallel: False runs here even with several workers (a small
                input, where a fork costs more than it saves).
            pooled: fork the workers once, before the chunks are read, and
                send them each chunk pickled (chunks that are cheap to
                pickle); else fork a child per chunk, which shares the chunk
                already read.

        Yields:
            ``work(chunk, seen)`` per chunk, in chunk order.
        """
        if self.workers <= 1:
            if self._local is None:
                self._local = SeenKeys()
            yield from (work(chunk, self._local) for chunk in chunks)
        elif not parallel:
            # Here, but on the batch's shared index: later files may fork.
            seen = SeenKeys(self._path())
            try:
                yield from (work(chunk, seen) for chunk in chunks)
            finally:
                seen.close()
        elif pooled:
            yield from self._pooled(chunks, work)
        else:
            yield from self._forked(chunks, work)

    def _pooled(
        self, chunks: Iterable[C], work: Callable[[C, SeenKeys], R]
    ) -> Iterator[R]:
        path = self._path()
        pool: list[_Worker[C, R]] = []
        for _ in range(self.workers):
            pool.append(_Worker(work, path, pool))

        def jobs() -> Iterator[_Job[R]]:
            for number, chunk in enumerate(chunks):
                # round robin: this worker's previous chunk is collected
                worker = pool[number % len(pool)]
                worker.send(chunk)
                yield _Job(worker)

        try:
            yield from _in_order(jobs(), len(pool))
        finally:
            for worker in pool:
                worker.stop()

    def _path(self) -> str:
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="claimflow-")
        return str(Path(self._scratch.name) / "seen.db")

    def _forked(
        self, chunks: Iterable[C], work: Callable[[C, SeenKeys], R]
    ) -> Iterator[R]:
        path = self._path()
        jobs = (
            _Job(_Worker(work, path, inherited=(chunk,)), last=True) for chunk in chunks
        )
        yield from _in_order(jobs, self.workers)

    def held(self, kind: str) -> dict[str, str]:
        """Every key of `kind` the batch's key index holds, with its place
        (nothing before a chunk ran)."""
        if self._local is not None:
            return self._local.held(kind)
        if self._scratch is None:
            return {}
        seen = SeenKeys(self._path())
        try:
            return seen.held(kind)
        finally:
            seen.close()

    def forget(self, file: str) -> None:
        """Drop the keys one file's chunks added (its rows were rolled back)."""
        if self._local is not None:
            self._local.forget(f"{file}:")
        elif self._scratch is not None:
            seen = SeenKeys(self._path())
            try:
                seen.forget(f"{file}:")
            finally:
                seen.close()
