"""The QA report renders when an operator has no errors, names every
operator to watch, and its intervals and verdicts agree with arithmetic
done here.

Found by issue 26: ``report qa`` crashed in every format (``ValueError:
'yerr' must not contain negative values``) when an operator had 0 errors,
because statsmodels gives a Wilson lower bound of about 1e-19 below the
rate; the README's own example, 0 errors in 598 fields, could not be
reported. And the summary compared the two busiest operators, saying "no
significant difference", while a third was in breach.
"""

from __future__ import annotations

import csv
import math
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from scipy.stats import binom

from claimflow import Store, load_client
from claimflow.parse.checks import EntryCheck
from claimflow.report.sla import build_report, write_report
from tests.conftest import SAMPLES

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
CHECKS = {  # operator: (errors, fields checked)
    "ana": (0, 598),  # the README's example: compliant at 95%
    "ben": (0, 40),  # too few fields to tell
    "cy": (9, 600),  # 1.5% against a 0.5% limit: in breach
    "dee": (2, 900),  # 0.22%, but the upper bound is above 0.5%
}


@pytest.fixture
def qa_store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "qa.db")
    with store.transaction():
        store.add_entry_checks(
            "acme-tools",
            [
                EntryCheck(who, "all", date(2026, 11, 10), checked, errors, None, n)
                for n, (who, (errors, checked)) in enumerate(CHECKS.items(), start=2)
            ],
            "test",
        )
    return store


@pytest.mark.parametrize("suffix", [".html", ".xlsx", ".csv"])
def test_an_operator_without_errors_is_reported_in_every_format(
    qa_store: Store, tmp_path: Path, suffix: str
) -> None:
    client = load_client(SAMPLES / "clients/acme-tools.yaml")
    report = build_report("qa", qa_store, client, "2026-11", NOW)
    out = tmp_path / f"qa{suffix}"
    written = write_report(report, out)
    if suffix == ".html":
        page = out.read_text(encoding="utf-8")
        assert "ana" in page and "data:image/png;base64," in page
    elif suffix == ".xlsx":
        sheet = openpyxl.load_workbook(out)["By operator"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("Operator", "Fields checked", "Errors")
        assert ("ana", 598, 0) == rows[1][:3]
    else:
        # several tables: a folder of CSV files, one per table
        assert written == tmp_path / "qa" and written.is_dir()
        with (written / "01-by-operator.csv").open(
            encoding="utf-8-sig", newline=""
        ) as f:
            rows = list(csv.DictReader(f))
        ana = next(r for r in rows if r["Operator"] == "ana")
        assert (ana["Fields checked"], ana["Errors"], ana["Verdict"]) == (
            "598",
            "0",
            "compliant",
        )


def test_the_summary_names_every_operator_to_watch(qa_store: Store) -> None:
    client = load_client(SAMPLES / "clients/acme-tools.yaml")
    notes = build_report("qa", qa_store, client, "2026-11", NOW).notes
    watch = [n for n in notes if n.startswith("Operator ")]
    assert [n.split(":")[0] for n in watch] == [
        "Operator cy in breach",
        "Operator ben not yet judged",
        "Operator dee not yet judged",  # 2 in 900: upper bound 0.70%
    ]
    assert "558 more error-free fields" in watch[1]  # 598 needed, 40 checked


def _wilson(errors: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval, from its formula."""
    centre = (errors + z * z / 2) / (n + z * z)
    half = z * math.sqrt(errors * (n - errors) / n + z * z / 4) / (n + z * z)
    return centre - half, centre + half


def test_intervals_and_verdicts_agree_with_the_formulas(qa_store: Store) -> None:
    client = load_client(SAMPLES / "clients/acme-tools.yaml")
    table = build_report("qa", qa_store, client, "2026-11", NOW).tables["By operator"]
    limit = client.config.sla.max_error_rate
    for row in table.itertuples(index=False):
        if row.operator == "total":
            continue
        errors, checked = CHECKS[row.operator]
        low, high = _wilson(errors, checked)
        assert row.wilson_low_per_10k == pytest.approx(1e4 * low, abs=1e-9)
        assert row.wilson_high_per_10k == pytest.approx(1e4 * high, abs=1e-9)
        # the exact one-sided bounds: P(X <= errors | upper) = 5%,
        # P(X >= errors | lower) = 5%, by the binomial distribution itself
        upper = _root(lambda p, e=errors, n=checked: binom.cdf(e, n, p) - 0.05)
        lower = (
            0.0
            if errors == 0
            else _root(lambda p, e=errors, n=checked: 0.05 - binom.sf(e - 1, n, p))
        )
        expected = (
            "compliant"
            if upper < limit
            else "breached"
            if lower > limit
            else "inconclusive"
        )
        assert row.verdict == expected, row.operator
    verdicts = dict(zip(table["operator"], table["verdict"], strict=True))
    assert verdicts["ana"] == "compliant" and verdicts["cy"] == "breached"
    assert 1 - 0.05 ** (1 / 598) < limit < 1 - 0.05 ** (1 / 597)  # 598 is the least


def _root(f: object) -> float:
    """Bisection on (0, 1) of a decreasing function, to 1e-12."""
    assert callable(f)
    low, high = 0.0, 1.0
    while high - low > 1e-12:
        mid = (low + high) / 2
        if f(mid) > 0:
            low = mid
        else:
            high = mid
    return (low + high) / 2
