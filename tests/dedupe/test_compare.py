"""Comparison methods: each scores as documented, and a client can choose them."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from claimflow.dedupe.compare import SCORERS, Method
from tests.test_cli import ROOT, run

from .test_people import PEOPLE


def _score(method: Method, a: str, b: str) -> float:
    values = SCORERS[method.method](
        np.array([a], dtype=object), np.array([b], dtype=object), method
    )
    return float(values[0])


@pytest.mark.parametrize(
    ("method", "a", "b", "expected"),
    [
        (Method(method="exact"), "60601", "60601", 1.0),
        (Method(method="exact"), "60601", "60610", 0.0),
        (Method(method="normalised_exact"), "SW1A-1AA", "sw1a 1aa".upper(), 1.0),
        (Method(method="edit_distance", max_edits=1), "turner", "turner", 1.0),
        (Method(method="edit_distance", max_edits=1), "turner", "tumer", 0.0),
        (Method(method="edit_distance", max_edits=2), "turner", "tumer", 1 / 3),
        (Method(method="edit_distance", max_edits=1), "turner", "turnor", 0.5),
        (Method(method="token_set"), "12 oak st", "oak st 12", 1.0),
        (Method(method="date"), "1985-06-02", "1985-02-06", 0.9),
        (Method(method="date", swap_day_month=False), "1985-06-02", "1985-02-06", 0),
        (Method(method="date"), "1985-06-02", "1985-06-03", 0.6),
        (Method(method="date", days=4), "1985-06-02", "1985-06-04", 0.7),
        (Method(method="date", days=4), "1985-06-02", "1985-07-20", 0.0),
        (Method(method="numeric", tolerance=1), "10", "10.5", 1.0),
        (Method(method="numeric", tolerance=1), "10", "11.5", 0.5),
        (Method(method="numeric", tolerance=1), "10", "13", 0.0),
        (Method(method="numeric"), "10", "10.0", 1.0),
    ],
)
def test_each_method_scores_as_documented(
    method: Method, a: str, b: str, expected: float
) -> None:
    assert _score(method, a, b) == pytest.approx(expected)


def test_jaro_winkler_rewards_a_shared_prefix() -> None:
    method = Method(method="jaro_winkler")
    assert _score(method, "catherine", "cathrine") > 0.9
    assert _score(method, "catherine", "michelle") < 0.7


@pytest.mark.parametrize("name", sorted(SCORERS))
def test_a_missing_value_scores_nothing(name: str) -> None:
    method = Method(method=name)  # type: ignore[arg-type]
    assert math.isnan(_score(method, "", "x"))
    assert math.isnan(_score(method, "x", ""))


def _client(tmp_path: Path, section: str) -> Path:
    sample = (ROOT / "samples" / "clients" / "acme-tools.yaml").read_text(
        encoding="utf-8"
    )
    path = tmp_path / "client.yaml"
    path.write_text(sample + section, encoding="utf-8")
    return path


def test_a_client_chooses_a_fields_method(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    # An e-mail keyed with one slip: exact says different, edit distance close.
    people.write_text(
        PEOPLE + "D1,Will,Turner,,will.tarner@example.com,,,,60601\n", encoding="utf-8"
    )
    default = _client(tmp_path, "")
    code, out, _ = run(
        "dedupe",
        "participants",
        str(people),
        "--client",
        str(default),
        "--json",
        "--pairs",
    )
    pairs = json.loads(out)["pairs"]
    assert [p["email_level"] for p in pairs] == ["different"]
    before = pairs[0]["probability"]
    assert json.loads(out)["methods"]["email"]["method"] == "exact"
    chosen = _client(
        tmp_path,
        "dedupe:\n  comparisons:\n    email: {method: edit_distance, max_edits: 1}\n"
        "  levels:\n    email:\n"
        "      - {label: exact, at: 1.0, m: 0.75, u: 0.0001}\n"
        "      - {label: one slip, at: 0.5, m: 0.2, u: 0.0005}\n"
        "      - {label: different, at: -1, m: 0.05, u: 0.9994}\n",
    )
    code, out, _ = run(
        "dedupe",
        "participants",
        str(people),
        "--client",
        str(chosen),
        "--json",
        "--pairs",
    )
    result = json.loads(out)
    assert result["methods"]["email"] == {
        "method": "edit_distance",
        "max_edits": 1,
        "days": 0,
        "swap_day_month": True,
        "tolerance": 0.0,
    }
    assert [
        (p["email_level"], p["email_score"], p["decision"]) for p in result["pairs"]
    ] == [("one slip", 0.5, "duplicate")]
    assert result["pairs"][0]["probability"] > before


def test_a_method_that_does_not_fit_is_refused_with_its_key_path(
    tmp_path: Path,
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    for section, message in [
        ("dedupe:\n  comparisons:\n    email: {method: person_name}\n", "names only"),
        ("dedupe:\n  comparisons:\n    email: {method: soundex}\n", "comparisons"),
        ("dedupe:\n  comparisons:\n    dob: {method: date, days: -1}\n", "days"),
    ]:
        bad = _client(tmp_path, section)
        code, _, err = run("dedupe", "participants", str(people), "--client", str(bad))
        assert code == 2, err
        assert "client.yaml: dedupe" in err and message in err
