"""Limits on what a PDF may make the reader do, and quiet while it reads.

pdfminer inflates every compressed stream whole (``zlib.decompress``): a
950 KB file used 2 GiB and 120 s. While claimflow reads a PDF, pdfminer's
``zlib`` is one that stops at `MAX_STREAM` bytes a stream and raises
`PdfTooLarge`; a document declaring more than `MAX_PAGES` pages is refused
before any page is read. pdfminer's warnings (``MediaBox missing``) stay
off the user's terminal: what matters reaches them as the records or the
one-line error. A PDF that takes longer than `pdf_seconds()` to read is
refused as a runaway parse.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

#: Bytes one PDF stream may inflate to (a claim form's page is kilobytes).
MAX_STREAM = 64 << 20
#: Pages a claims PDF may have.
MAX_PAGES = 2_000


def pdf_seconds() -> float:
    """The time budget of one PDF, from ``CLAIMFLOW_PDF_SECONDS`` (60 by
    default; a page of a claim form takes milliseconds)."""
    try:
        return max(0.001, float(os.environ.get("CLAIMFLOW_PDF_SECONDS", "60")))
    except ValueError:
        return 60.0


class PdfRefused(Exception):
    """A PDF made the reader do more than a claims PDF ever needs."""


class PdfTooLarge(PdfRefused):
    """A stream inflates past `MAX_STREAM`: a decompression bomb."""


class PdfTooSlow(PdfRefused):
    """Reading took longer than `pdf_seconds()`: a runaway parse."""


def _bounded_decompress(data: bytes, *args: Any) -> bytes:
    inflater = zlib.decompressobj(*args)
    out = inflater.decompress(data, MAX_STREAM)
    if inflater.unconsumed_tail:
        raise PdfTooLarge(f"a stream inflates to more than {MAX_STREAM:,} bytes")
    return out + inflater.flush()


@contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    """Raise `PdfTooSlow` inside the block after `seconds` (main thread only:
    the only place signals are delivered; workers read PDFs in theirs)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise PdfTooSlow(f"reading took over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def guarded() -> Iterator[None]:
    """Read a PDF with bounded streams, in bounded time, without pdfminer's chatter."""
    from pdfminer import pdftypes

    logger = logging.getLogger("pdfminer")
    level, real = logger.level, vars(pdftypes)["zlib"]
    logger.setLevel(logging.ERROR)
    bounded = SimpleNamespace(
        decompress=_bounded_decompress,
        decompressobj=zlib.decompressobj,
        error=zlib.error,
    )
    setattr(pdftypes, "zlib", bounded)  # noqa: B010 (pdfminer does not export it)
    try:
        with warnings.catch_warnings(), _time_budget(pdf_seconds()):
            warnings.simplefilter("ignore")
            yield
    finally:
        setattr(pdftypes, "zlib", real)  # noqa: B010
        logger.setLevel(level)


def declared_pages(pdf: Any) -> int:
    """The page count the document's page tree declares (0 if it says none)."""
    from pdfplumber.utils.pdfinternals import resolve

    pages = resolve(resolve(pdf.doc.catalog).get("Pages"))
    count = resolve(pages.get("Count")) if isinstance(pages, dict) else 0
    return count if isinstance(count, int) else 0


def too_large(exc: BaseException) -> PdfRefused | None:
    """The `PdfRefused` behind an exception pdfplumber wrapped, if any."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, PdfRefused):
            return seen
        nested = [a for a in getattr(seen, "args", ()) if isinstance(a, BaseException)]
        seen = seen.__cause__ or seen.__context__ or (nested[0] if nested else None)
    return None
