"""Validate a batch's chunks on every core, in order, with one key index.

`ChunkRunner.map` hands each chunk to ``work(chunk, seen)`` and yields the
results in chunk order. With more than one worker (and ``os.fork``), each
chunk runs in a child forked as soon as the chunk is read, so the child
shares the parsed chunk without copying or pickling it; the parent reads
the next chunk meanwhile. The children take turns with the batch's
cross-chunk key index (`SeenKeys` in a scratch file): a child reads or adds
keys only after every earlier chunk's child is done, so a serial number
reused across chunks is caught exactly as in one process. Results come back
pickled, so `work` returns plain data (rows, counts), not models.

A child exits with ``os._exit``: it never runs the parent's clean-ups and
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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

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


class _Child(Generic[R]):
    """One forked worker: its pid, the pipe that gives it its turn, its result.

    The result pipe carries one byte when the child is done with the key
    index (``K``), then its pickled result.
    """

    def __init__(self, pid: int, turn: int, result: int) -> None:
        self.pid, self.turn, self.result_fd = pid, turn, result
        self.turned = False

    def give_turn(self) -> None:
        if self.turned:
            return
        self.turned = True
        try:
            os.write(self.turn, b"1")
        except OSError:
            pass  # it finished without needing the key index

    def result(self, keys_done: Callable[[], None]) -> R:
        with os.fdopen(self.result_fd, "rb") as fh:
            first = fh.read(1)
            if first == b"K":
                keys_done()
                first = b""
            data = first + fh.read()
        os.close(self.turn)
        _, status = os.waitpid(self.pid, 0)
        if not data:
            raise RuntimeError(
                f"a validation worker died (exit status {status}); "
                "run with --workers 1 to see why"
            )
        ok, payload = pickle.loads(data)
        if not ok:
            raise RuntimeError(f"a validation worker failed:\n{payload}")
        return payload  # type: ignore[no-any-return]


def _collect(inflight: deque[_Child[R]] | deque[_Job[R]]) -> R:
    """The oldest child's result; the next child's turn with the key index."""
    child = inflight.popleft()

    def next_turn() -> None:
        if inflight:
            inflight[0].give_turn()

    try:
        return child.result(next_turn)
    finally:
        next_turn()


def _drain(inflight: deque[_Child[R]] | deque[_Job[R]]) -> None:
    """Stopped early (unreadable input further on): let the children finish
    in turn, so that the key index is whole for the batch's next file."""
    while inflight:
        try:
            _collect(inflight)
        except RuntimeError:
            pass


class _Worker(Generic[C, R]):
    """A worker forked once that runs chunks sent to it, one at a time.

    For chunks that are cheap to send (a CSV file's cells): the worker is
    forked before the chunks exist, so nothing is copied on write, and it
    builds and validates what it is sent. Per chunk it reads the pickled
    chunk, takes its turn with the key index, writes ``K`` and then its
    pickled result to the result pipe.
    """

    def __init__(
        self,
        work: Callable[[C, SeenKeys], R],
        path: str,
        siblings: list[_Worker[C, R]],
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
                for sibling in siblings:  # else they would never see EOF
                    sibling.forget()
                _serve(work, path, task_r, turn_r, result_w)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        for fd in (task_r, turn_r, result_w):
            os.close(fd)
        self.pid, self.turn = pid, turn_w
        self.tasks = os.fdopen(task_w, "wb")
        self.results = os.fdopen(result_r, "rb")

    def send(self, chunk: C) -> _Job[R]:
        pickle.dump(chunk, self.tasks, protocol=pickle.HIGHEST_PROTOCOL)
        self.tasks.flush()
        return _Job(self)

    def forget(self) -> None:
        """In another worker: drop the copies of this worker's pipe ends."""
        for fd in (self.tasks.fileno(), self.results.fileno(), self.turn):
            os.close(fd)

    def stop(self) -> None:
        """No more chunks: let it finish and exit."""
        for fh in (self.tasks, self.results):
            try:
                fh.close()
            except OSError:
                pass
        os.close(self.turn)
        os.waitpid(self.pid, 0)


def _serve(
    work: Callable[[C, SeenKeys], R], path: str, tasks: int, turn: int, results: int
) -> None:
    # A chunk is hundreds of thousands of acyclic objects: collecting while
    # they arrive would rescan them all; the young generations go per chunk.
    gc.disable()
    with os.fdopen(tasks, "rb") as inbox, os.fdopen(results, "wb") as out:
        while True:
            gc.collect(1)
            try:
                chunk = pickle.load(inbox)
            except EOFError:
                return
            seen = SeenKeys(path, turn, results)
            try:
                payload: tuple[bool, object] = (True, work(chunk, seen))
            except BaseException:
                payload = (False, traceback.format_exc())
            finally:
                seen.close()  # writes K (after its turn came)
            pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()


class _Job(Generic[R]):
    """One chunk sent to a `_Worker`: its turn with the key index, its result."""

    def __init__(self, worker: _Worker[Any, R]) -> None:
        self.worker = worker
        self.turned = False

    def give_turn(self) -> None:
        if not self.turned:
            self.turned = True
            os.write(self.worker.turn, b"1")

    def result(self, keys_done: Callable[[], None]) -> R:
        results = self.worker.results
        if results.read(1) != b"K":
            raise RuntimeError(
                "a validation worker died; run with --workers 1 to see why"
            )
        keys_done()
        try:
            ok, payload = pickle.load(results)
        except EOFError:
            raise RuntimeError(
                "a validation worker died; run with --workers 1 to see why"
            ) from None
        if not ok:
            raise RuntimeError(f"a validation worker failed:\n{payload}")
        return payload  # type: ignore[no-any-return]


def _fork(work: Callable[[int, int], R]) -> _Child[R]:
    turn_r, turn_w = os.pipe()
    result_r, result_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(turn_w)
            os.close(result_r)
            try:
                payload: tuple[bool, object] = (True, work(turn_r, result_w))
            except BaseException:
                payload = (False, traceback.format_exc())
            with os.fdopen(result_w, "wb") as fh:
                pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(turn_r)
    os.close(result_w)
    return _Child(pid, turn_w, result_r)


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
        inflight: deque[_Job[R]] = deque()
        try:
            for number, chunk in enumerate(chunks):
                # round robin: this worker's previous chunk is collected
                job = pool[number % len(pool)].send(chunk)
                if not inflight:
                    job.give_turn()
                inflight.append(job)
                while len(inflight) >= len(pool):
                    yield _collect(inflight)
            while inflight:
                yield _collect(inflight)
        finally:
            _drain(inflight)
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
        inflight: deque[_Child[R]] = deque()

        def in_child(chunk: C) -> Callable[[int, int], R]:
            def run(turn: int, done: int) -> R:
                seen = SeenKeys(path, turn, done)
                try:
                    return work(chunk, seen)
                finally:
                    seen.close()

            return run

        try:
            for chunk in chunks:
                child = _fork(in_child(chunk))
                if not inflight:
                    child.give_turn()
                inflight.append(child)
                while len(inflight) >= self.workers:
                    yield _collect(inflight)
            while inflight:
                yield _collect(inflight)
        finally:
            _drain(inflight)

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
