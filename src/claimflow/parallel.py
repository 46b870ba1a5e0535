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

import os
import pickle
import sys
import tempfile
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Generic, TypeVar

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
    """One forked worker: its pid, the pipe that gives it its turn, its result."""

    def __init__(self, pid: int, turn: int, result: int) -> None:
        self.pid, self.turn, self.result_fd = pid, turn, result

    def give_turn(self) -> None:
        try:
            os.write(self.turn, b"1")
        except OSError:
            pass  # it finished without needing the key index

    def result(self) -> R:
        with os.fdopen(self.result_fd, "rb") as fh:
            data = fh.read()
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


def _collect(inflight: deque[_Child[R]]) -> R:
    """The oldest child's result; the next child's turn with the key index."""
    child = inflight.popleft()
    try:
        return child.result()
    finally:
        if inflight:
            inflight[0].give_turn()


def _drain(inflight: deque[_Child[R]]) -> None:
    """Stopped early (unreadable input further on): let the children finish
    in turn, so that the key index is whole for the batch's next file."""
    while inflight:
        try:
            _collect(inflight)
        except RuntimeError:
            pass


def _fork(work: Callable[[int], R]) -> _Child[R]:
    turn_r, turn_w = os.pipe()
    result_r, result_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(turn_w)
            os.close(result_r)
            try:
                payload: tuple[bool, object] = (True, work(turn_r))
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
    ) -> Iterator[R]:
        """Run `work` on each chunk, results in chunk order.

        Args:
            chunks: the chunks, read lazily (the parent reads the next while
                children work).
            work: chunk and key index -> result (plain, picklable data).
            parallel: False runs here even with several workers (a small
                input, where a fork costs more than it saves).

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
        else:
            yield from self._forked(chunks, work)

    def _path(self) -> str:
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="claimflow-")
        return str(Path(self._scratch.name) / "seen.db")

    def _forked(
        self, chunks: Iterable[C], work: Callable[[C, SeenKeys], R]
    ) -> Iterator[R]:
        path = self._path()
        inflight: deque[_Child[R]] = deque()

        def in_child(chunk: C) -> Callable[[int], R]:
            def run(turn: int) -> R:
                seen = SeenKeys(path, turn)
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
