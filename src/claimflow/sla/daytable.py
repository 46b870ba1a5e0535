"""Business-day arithmetic over an explicit table of business days.

numpy's ``busdaycalendar`` is a weekmask less holidays: it cannot say that one
Saturday is a working day (Taiwan's and China's make-up days, a desk's own
working Saturday). `DayTable` holds the sorted business days themselves, so
counting is the difference of two `searchsorted` positions and an offset is an
index step, with numpy's conventions: ``count`` over ``[start, end)``
(negative when end is before start, then over ``(end, start]``), ``offset``
rolls a closed day forward or backward and then moves by whole business days.
A missing day (NaT) stays missing through an offset, as numpy's does; dates
outside the table's span are refused rather than guessed.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np

FIRST = np.datetime64("1900-01-01", "D")
LAST = np.datetime64("2199-12-31", "D")


class DayTable:
    """Business days from 1900 to 2199: a weekmask less holidays plus extra days.

    Example: ``DayTable([True] * 5 + [False] * 2, [], [date(2025, 2, 8)])``
    """

    def __init__(
        self, weekmask: list[bool], holidays: list[date], extra: list[date]
    ) -> None:
        days = np.arange(FIRST, LAST + 1, dtype="datetime64[D]")
        base = np.busdaycalendar(weekmask=weekmask, holidays=sorted(holidays))
        open_ = np.is_busday(days, busdaycal=base)
        if extra:
            open_ |= np.isin(days, np.array(sorted(extra), dtype="datetime64[D]"))
        self.days = days[open_]

    def _checked(self, values: np.ndarray | date, nat: bool = False) -> np.ndarray:
        """`values` as days; NaT refused unless `nat` (numpy's offsets carry
        it through, its counts refuse it)."""
        days = np.asarray(values, dtype="datetime64[D]")
        missing = np.isnat(days)
        if missing.any() and not nat:
            raise ValueError("NaT input in a business-day count")
        known = days[~missing]
        if ((known < FIRST) | (known > LAST)).any():
            raise ValueError("a date outside 1900-2199 in a business-day calculation")
        return days

    def is_open(self, day: date) -> bool:
        """`day` is a business day."""
        at = int(np.searchsorted(self.days, self._checked(day)))
        return at < len(self.days) and self.days[at] == np.datetime64(day, "D")

    def count(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Business days in ``[start, end)``, as ``np.busday_count``: when end
        is before start, minus those in ``(end, start]``."""
        starts, ends = self._checked(starts), self._checked(ends)
        back = ends < starts
        one = np.timedelta64(1, "D")
        lo = np.searchsorted(self.days, np.where(back, starts + one, starts))
        hi = np.searchsorted(self.days, np.where(back, ends + one, ends))
        counted: np.ndarray = hi - lo
        return counted

    def offset(
        self,
        days: np.ndarray,
        offsets: np.ndarray | int,
        roll: Literal["forward", "backward"] = "forward",
    ) -> np.ndarray:
        """`offsets` business days from `days` after rolling a closed day `roll`,
        as ``np.busday_offset`` (a NaT day stays NaT)."""
        checked = self._checked(days, nat=True)
        missing = np.isnat(checked)
        known = np.where(missing, FIRST, checked)
        if roll == "forward":
            at = np.searchsorted(self.days, known, side="left")
        else:
            at = np.searchsorted(self.days, known, side="right") - 1
        target = at + np.asarray(offsets)
        outside = (target < 0) | (target >= len(self.days))
        if (outside & ~missing).any():
            raise ValueError("a business day outside 1900-2199")
        result: np.ndarray = np.where(
            missing, np.datetime64("NaT", "D"), self.days[np.where(outside, 0, target)]
        )
        return result
