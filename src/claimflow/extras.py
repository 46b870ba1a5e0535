"""Optional extras: the libraries only some commands need, checked where used.

A plain ``pip install claimflow`` takes in claims, dedupes, verifies and
awards. The statistics of QA and SLA verdicts (scipy's exact binomial
bounds, statsmodels' Wilson intervals and z-tests) and the charts of HTML
and PDF reports (matplotlib) come with the ``reports`` extra:
``pip install 'claimflow[reports]'``. A command that reaches them without it
stops with `MissingExtra`, one line naming the extra, before it writes.
"""

from __future__ import annotations

import importlib.util
from functools import cache

from claimflow.errors import MissingExtra

#: The extra each optional library comes with.
EXTRA_OF = {"scipy": "reports", "statsmodels": "reports", "matplotlib": "reports"}


@cache
def installed(module: str) -> bool:
    """Whether `module` can be imported (looked up once per process).

    Example: ``installed("json") is True``
    """
    return importlib.util.find_spec(module) is not None


def need(module: str, what: str) -> None:
    """Raise `MissingExtra` naming the extra to install when `module` is missing.

    Example: ``need("scipy", "QA verdicts")``
    """
    if not installed(module):
        extra = EXTRA_OF[module]
        raise MissingExtra(
            f"{what} need {module}, which claimflow's {extra} extra installs: "
            f"pip install 'claimflow[{extra}]'"
        )
