"""Participant deduplication: each kind of re-enrolment found, explained, reviewable."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimflow.dedupe.people import dedupe_people
from claimflow.dedupe.result import clusters as _clusters
from claimflow.dedupe.result import records
from tests.test_cli import ROOT, run

PEOPLE = """\
participant_id,first_name,last_name,date_of_birth,email,phone,address_line1,city,postcode
P1,William,Turner,1980-04-07,will.turner@example.com,+1 312 555 0101,12 Oak Street,Chicago,60601
P2,Catherine,Dupont,1975-11-23,c.dupont@example.fr,+33 1 44 55 66 77,3 rue des Lilas,Paris,75011
P3,José,Núñez Peña,1969-02-14,jose.nunez@correo.example,+34 600 111 222,Calle Mayor 5,Madrid,28013
P4,Siti,Rahayu,1990-09-30,siti.r@mail.example,+62 812 3456 7890,Jalan Merdeka 8,Bandung,40111
P5,Michael,Brown,1985-06-02,mbrown@example.com,+1 212 555 0199,400 Park Avenue,New York,10022
P6,Michelle,Browning,1986-03-15,michelle.b@example.com,+1 646 555 0142,77 Bleecker Street,New York,10012
"""

VARIANTS = [
    ("typo", "D1", "Wiliam,Turner,1980-04-07,,,12 Oak Street,Chicago,60601", "P1"),
    ("swapped names", "D2", "Dupont,Catherine,1975-11-23,,,,Paris,75011", "P2"),
    ("nickname", "D3", "Bill,Turner,1980-04-07,,+1 (312) 555-0101,,,", "P1"),
    ("accents and case", "D4", "JOSE,NUNEZ PENA,1969-02-14,,,,Madrid,28013", "P3"),
    ("email tag and case", "D5", "S.,Rahayu,,SITI.R+promo@MAIL.EXAMPLE,,,,", "P4"),
    (
        "day/month swapped",
        "D6",
        "Michael,Brown,1985-02-06,,,400 Park Ave.,New York,10022",
        "P5",
    ),
    ("initial", "D7", "C,Dupont,1975-11-23,c.dupont@example.fr,,,,", "P2"),
    # birth date keyed as compact ISO, nothing else shared but the name
    ("compact birth date", "D8", "William,Turner,19800407,,,,,", "P1"),
    # no first name on the form: a missing part is no disagreement
    ("first name missing", "D9", ",Rahayu,1990-09-30,,+62 812 3456 7890,,,", "P4"),
    # trial 25: a birth date in Arabic-Indic digits is the same day
    ("arabic-indic birth date", "D12", "William,Turner,١٩٨٠-٠٤-٠٧,,,,,", "P1"),
    ("arabic-indic phone", "D13", "Bill,Turner,,,+١ (٣١٢) ٥٥٥-٠١٠١,,,", "P1"),
    # trial 26: Turkish capitals (İ casefolds to i and a combining dot)
    ("turkish capital i in e-mail", "D14", "W.,TURNER,,WİLL.TURNER@EXAMPLE.COM,,,,", "P1"),
]


def _frame(*extra: str) -> pd.DataFrame:
    return pd.read_csv(
        io.StringIO(PEOPLE + "".join(f"{e}\n" for e in extra)),
        dtype=str,
        keep_default_na=False,
    )


@pytest.mark.parametrize(
    ("kind", "dup_id", "row", "original"), VARIANTS, ids=[v[0] for v in VARIANTS]
)
def test_each_kind_of_re_enrolment_is_found(
    kind: str, dup_id: str, row: str, original: str
) -> None:
    result = dedupe_people(_frame(f"{dup_id},{row}"))
    # Members are listed in file order; the original is the earliest.
    assert result.clusters == [
        {"participant_ids": [original, dup_id], "original": original}
    ]


def test_a_wrong_birth_date_and_a_misspelt_surname_are_found_at_the_same_door() -> None:
    pair = dedupe_people(
        _frame("D10,Jose,Nunes Pena,1996-02-14,,,Calle Mayor 5,Madrid,28013")
    ).pairs.iloc[0]
    # same door, same city, a close name: the wrong birth date does not hide it
    assert (pair["a"], pair["b"], pair["decision"]) == ("P3", "D10", "duplicate")
    assert "postcode + house number" in pair["found_by"]
    assert pair["dob_level"] == "different" and pair["address_level"] == "same"
    assert pair["city_level"] == "same"


def test_similar_but_different_people_stay_apart() -> None:
    result = dedupe_people(_frame())
    assert result.clusters == []
    assert "P5" not in set(result.pairs.get("a", [])) | set(result.pairs.get("b", []))


def test_clusters_are_transitive_with_the_earliest_record_as_original() -> None:
    result = dedupe_people(
        _frame(
            "D1,Wiliam,Turner,1980-04-07,,,12 Oak Street,Chicago,60601",
            "D3,Bill,Turner,1980-04-07,,+1 (312) 555-0101,,,",
        )
    )
    assert result.clusters == [
        {"participant_ids": ["P1", "D1", "D3"], "original": "P1"}
    ]


def test_every_pair_explains_itself() -> None:
    pair = dedupe_people(
        _frame("D5,S.,Rahayu,,SITI.R+promo@MAIL.EXAMPLE,,,,")
    ).pairs.iloc[0]
    assert (pair["a"], pair["b"], pair["decision"]) == ("P4", "D5", "duplicate")
    assert pair["email_level"] == "exact" and pair["email_weight"] > 10
    assert pair["dob_level"] == "missing" and pair["dob_weight"] == 0
    assert pair["found_by"] == ["email"]
    assert pair["probability"] >= 0.9


def test_review_round_trip_never_flags_a_pair_marked_different(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        PEOPLE + "D9,Michael,Brown,1985-06-02,,,1 Main Street,,02108\n",
        encoding="utf-8",
    )
    review, db = tmp_path / "review.csv", tmp_path / "c.db"
    code, out, _ = run(
        "dedupe", "participants", str(people), "--review-out", str(review)
    )
    assert code == 1 and "1 to review" in out
    marked = pd.read_csv(review, dtype=str)
    assert list(marked[["a", "b"]].iloc[0]) == ["P5", "D9"]
    marked["decision"] = "different"
    marked.to_csv(review, index=False)
    assert (
        run("dedupe", "apply", str(review), "--db", str(db))[1]
        == "1 decision stored\n"
    )
    code, out, _ = run("dedupe", "participants", str(people), "--db", str(db), "--json")
    assert code == 0
    assert '"pairs": []' in out


def test_a_clients_dedupe_section_sets_thresholds_and_levels(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        PEOPLE + "D9,Michael,Brown,1985-06-02,,,1 Main Street,,02108\n",
        encoding="utf-8",
    )
    sample = (ROOT / "samples" / "clients" / "acme-tools.yaml").read_text(
        encoding="utf-8"
    )
    strict = tmp_path / "strict.yaml"
    strict.write_text(
        sample + "dedupe:\n  duplicate: 0.99\n  review: 0.98\n", encoding="utf-8"
    )
    code, out, _ = run("dedupe", "participants", str(people), "--client", str(strict))
    # P5/D9 (same name and birth date, nothing else) is below a 0.98 review bar.
    assert code == 0 and "0 to review" in out
    # Levels: a birth-date match worth little leaves the pair below review too.
    weak = tmp_path / "weak.yaml"
    weak.write_text(
        sample
        + "dedupe:\n  levels:\n    dob:\n"
        + "      - {label: exact, at: 1.0, m: 0.5, u: 0.4}\n"
        + "      - {label: different, at: -1, m: 0.5, u: 0.6}\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        "dedupe", "participants", str(people), "--client", str(weak), "--json"
    )
    assert code == 0 and '"exact": 0.32' in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        sample + "dedupe:\n  duplicate: 0.5\n  review: 0.9\n", encoding="utf-8"
    )
    code, _, err = run("dedupe", "participants", str(people), "--client", str(bad))
    assert code == 2 and "bad.yaml: dedupe" in err and "review must not be above" in err


def test_day_first_birth_dates_are_read_only_in_the_order_given(
    tmp_path: Path,
) -> None:
    row = "D11,Catherine,Dupont,23/11/1975,,,,Lyon,69001"
    # Unread, the birth date cannot bring the pair together: no pair at all.
    unread = dedupe_people(_frame(row), review=0.01).pairs
    assert "D11" not in set(unread.get("b", []))
    read = dedupe_people(_frame(row), date_order="DMY").pairs
    assert list(read[read["b"] == "D11"]["dob_level"]) == ["exact"]
    # The CLI takes the order from --date-order, or from the client's config.
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE + row + "\n", encoding="utf-8")
    costa = str(ROOT / "samples" / "clients" / "costa-azul.yaml")  # DMY
    for options in (["--date-order", "DMY"], ["--client", costa]):
        code, out, _ = run("dedupe", "participants", str(people), "--json", *options)
        pairs = json.loads(out)["pairs"]
        assert [p["dob_level"] for p in pairs if p["b"] == "D11"] == ["exact"]


def _two_kinds(tmp_path: Path) -> Path:
    """PEOPLE with a duplicate (P1/D1) and a pair to review (P5/D9)."""
    people = tmp_path / "people.csv"
    people.write_text(
        PEOPLE
        + "D1,Wiliam,Turner,1980-04-07,,,12 Oak Street,Chicago,60601\n"
        + "D9,Michael,Brown,1985-06-02,,,1 Main Street,,02108\n",
        encoding="utf-8",
    )
    return people


def test_by_default_the_clusters_and_the_pairs_to_review_are_listed(
    tmp_path: Path,
) -> None:
    people = _two_kinds(tmp_path)
    code, out, _ = run("dedupe", "participants", str(people), "--json")
    every_code, every_out, _ = run(
        "dedupe", "participants", str(people), "--json", "--pairs"
    )
    default, every = json.loads(out), json.loads(every_out)
    library = dedupe_people(people)
    assert code == every_code == 1
    # The same clusters, whether every pair is listed or not.
    assert (
        default["clusters"]
        == every["clusters"]
        == library.clusters
        == [{"participant_ids": ["P1", "D1"], "original": "P1"}]
    )
    assert [(p["a"], p["b"], p["decision"]) for p in default["pairs"]] == [
        ("P5", "D9", "review")
    ]
    # --pairs: every pair scored at or above review, each explained, in order.
    assert every["pairs"] == records(library.pairs) == library.to_dict(True)["pairs"]
    assert [(p["a"], p["b"], p["decision"]) for p in every["pairs"]] == [
        ("P1", "D1", "duplicate"),
        ("P5", "D9", "review"),
    ]
    assert every["pairs"][1] == default["pairs"][0]
    assert every["pairs"][0]["email_score"] is None  # missing: null, not NaN
    assert {k: v for k, v in default.items() if k != "pairs"} == {
        k: v for k, v in every.items() if k != "pairs"
    }


def test_pairs_lists_every_pair_in_the_text_output_too(tmp_path: Path) -> None:
    people = _two_kinds(tmp_path)
    code, out, _ = run("dedupe", "participants", str(people))
    assert (code, out.splitlines()[1:]) == (1, ["  P1 <- D1"])
    code, out, _ = run("dedupe", "participants", str(people), "--pairs")
    lines = out.splitlines()
    assert lines[2] == "  P1 ~ D1: 1.0000 duplicate"
    assert lines[3].startswith("  P5 ~ D9: 0.") and lines[3].endswith(" review")
    # 8 people are too few to estimate the weights: the hand-set ones are
    # not the model's own estimate, so no matches are expected of the band.
    assert lines[0] == (
        "8 people, 2 candidate pairs: 1 duplicate pairs in 1 clusters, 1 to review"
        "; hand-set weights: too few people to estimate them"
    )


def _components(edges: list[tuple[int, int]]) -> list[list[int]]:
    """Connected components, each sorted, in the order of their smallest node."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for node in sorted({n for edge in edges for n in edge}):
        groups.setdefault(find(node), []).append(node)
    return sorted(groups.values(), key=min)


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=80))
def test_clusters_are_the_connected_components_of_the_duplicates(
    edges: list[tuple[int, int]],
) -> None:
    ids = [f"R{n}" for n in range(41)]
    pairs = pd.DataFrame(
        {"a": [ids[a] for a, _ in edges], "b": [ids[b] for _, b in edges]},
        dtype=object,
    )
    expected = [
        {"participant_ids": [ids[n] for n in group], "original": ids[group[0]]}
        for group in _components(edges)
    ]
    assert _clusters(pd.DataFrame({"id": ids}, dtype=object), pairs) == expected


def test_the_command_imports_only_what_it_runs(tmp_path: Path) -> None:
    # Without --client, --db or --review-out: no configuration (pandera, the
    # award rules), no store, no report writer; no scipy at all.
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    probe = (
        "import json, sys\n"
        "from claimflow.cli import main\n"
        "try:\n"
        f"    main(['dedupe', 'participants', {str(people)!r}, '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(json.loads(out.splitlines()[-1]))
    assert "claimflow.dedupe.people" in loaded  # the probe ran the command
    unwanted = {
        "scipy",
        "pandera",
        "jinja2",
        "openpyxl",
        "sqlite_utils",
        "claimflow.config",
        "claimflow.report",
        "claimflow.store",
    }
    assert sorted(loaded & unwanted) == []
