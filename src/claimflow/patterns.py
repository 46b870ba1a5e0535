"""Client regexes that cannot hang a batch.

A client file's ``formats`` and ``serial_formats`` are regexes run on every
keyed value. Python's ``re`` backtracks: a pattern such as ``(\\w+\\s?)+$``
takes exponential time on a value that almost matches (three such patterns
hung ``check`` for over a minute). Most formats (``^[A-Z]{2,4}-\\d{4,8}$``)
cannot backtrack like that, and ``re`` runs them in half a microsecond. A
pattern that can (a repeat of something variable-length, or of
alternatives, inside another repeat) runs on the ``regex`` package instead,
with a time limit per value, and one that overruns it stops the command
with a `ConfigError` naming the key: the desk fixes its pattern; no
participant is told their value is wrong because the pattern was.

RE2 (google-re2) was measured and not taken: it is linear-time by
construction but took 12 µs a match against ``re``'s 0.5, on every value
of every claim, and logs to stderr; ``regex`` with a timeout takes 3.5 µs,
paid only by the risky patterns.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from claimflow.errors import ConfigError

#: Seconds a risky pattern may take on one value.
PATTERN_SECONDS = 0.25
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)


class BoundedPattern:
    """A client regex, run so that no value can make it take long.

    Attributes:
        pattern: the regex as written.
        key: where it was configured (``formats.sku``), for messages.
        risky: whether it can backtrack exponentially (then run with a limit).
    """

    def __init__(self, pattern: str, key: str) -> None:
        self.pattern = pattern
        self.key = key
        self._re = re.compile(pattern)
        self.risky = _nested_repeat(sre_parse.parse(pattern), inside=False)
        self._bounded: Any = None
        if self.risky:
            import regex

            self._bounded = regex.compile(pattern)

    def fullmatch(self, value: str) -> bool:
        """Whether the whole value matches.

        Raises:
            ConfigError: a risky pattern took longer than `PATTERN_SECONDS`.
        """
        if self._bounded is None:
            return self._re.fullmatch(value) is not None
        try:
            found = self._bounded.fullmatch(value, timeout=PATTERN_SECONDS)
        except TimeoutError:
            raise ConfigError(
                f"{self.key}: the pattern {self.pattern!r} took over "
                f"{PATTERN_SECONDS} s on {value[:40]!r} (it backtracks: a repeat "
                "inside a repeat); rewrite it without the nesting"
            ) from None
        return found is not None

    def __repr__(self) -> str:
        return f"BoundedPattern({self.pattern!r})"


def _nested_repeat(items: Any, inside: bool) -> bool:
    """A variable-length repeat or an alternation under a repeat of more than one."""
    for op, av in items:
        if op in _REPEATS:
            low, high, sub = av
            if inside and low != high:
                return True
            if _nested_repeat(sub, inside or high > 1):
                return True
        elif op is sre.BRANCH:
            if inside or any(_nested_repeat(alt, inside) for alt in av[1]):
                return True
        elif op is sre.SUBPATTERN:
            if _nested_repeat(av[-1], inside):
                return True
        elif op in (sre.ASSERT, sre.ASSERT_NOT) and _nested_repeat(av[1], inside):
            return True
    return False
