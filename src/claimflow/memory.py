"""Memory habits shared by the long-running stages (ingest, replay).

`gc_paused()` pauses Python's cyclic garbage collector for a block: a stage
that allocates hundreds of thousands of small acyclic objects while it
holds many others alive would otherwise trigger full collections that
rescan everything live (a third of validation's time; 26 of 95 s of a
100,000-claim replay, measured). Reference counting still frees everything;
the caller collects the young generations between chunks (``gc.collect(1)``)
so that cycles do not pile up.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (and restore it).

    Example: ``with gc_paused(): validate(chunk)``
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
