"""Limits on what a PDF may make the reader do, and quiet while it reads.

pdfminer inflates every compressed stream whole (``zlib.decompress``): a
950 KB file used 2 GiB and 120 s. While claimflow reads a PDF, pdfminer's
``zlib`` is one that stops at `MAX_STREAM` bytes a stream and raises
`PdfTooLarge`; a document declaring more than `MAX_PAGES` pages is refused
before any page is read. pdfminer's warnings (``MediaBox missing``) stay
off the user's terminal: what matters reaches them as the records or the
one-line error.
"""

from __future__ import annotations

import logging
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


class PdfTooLarge(Exception):
    """A stream inflates past `MAX_STREAM`: a decompression bomb."""


def _bounded_decompress(data: bytes, *args: Any) -> bytes:
    inflater = zlib.decompressobj(*args)
    out = inflater.decompress(data, MAX_STREAM)
    if inflater.unconsumed_tail:
        raise PdfTooLarge(f"a stream inflates to more than {MAX_STREAM:,} bytes")
    return out + inflater.flush()


@contextmanager
def guarded() -> Iterator[None]:
    """Read a PDF with bounded streams and without pdfminer's chatter."""
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
        with warnings.catch_warnings():
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


def too_large(exc: BaseException) -> PdfTooLarge | None:
    """The `PdfTooLarge` behind an exception pdfplumber wrapped, if any."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, PdfTooLarge):
            return seen
        nested = [a for a in getattr(seen, "args", ()) if isinstance(a, BaseException)]
        seen = seen.__cause__ or seen.__context__ or (nested[0] if nested else None)
    return None
