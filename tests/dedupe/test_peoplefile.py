"""People files for dedupe as a German desk writes them: semicolons, cp1252,
a title line, German headers; and the review file a person marks.

Files are written by Python's csv module (``delimiter=';'``) and openpyxl,
or are the trial's own (tests/fixtures/trial14/teilnehmer.csv: 10001 and
10005 share an email and a tax id).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

from claimflow import dedupe_participants
from claimflow.errors import UnreadableInput
from tests.test_cli import run

TRIAL = Path(__file__).parents[1] / "fixtures" / "trial14"
GERMAN = [
    ["Teilnehmerliste Kraftwerk – Stand 01.12.2026"],
    [],
    ["Verkäufer-Nr.", "Vorname", "Nachname", "E-Mail", "Steuernummer"],
    ["10001", "Jürgen", "Müller", "j.mueller@baumarkt-sued.example", "DE111111111"],
    ["10004", "Klaus", "Weiß", "k.weiss@baumarkt-sued.example", ""],
    ["10005", "Juergen", "Mueller", "j.mueller@baumarkt-sued.example", "DE111111111"],
]


def _pairs(path: Path, client: Path | None = None) -> list[tuple[str, str, str]]:
    result = dedupe_participants(path, client)
    return list(
        zip(result.pairs["a"], result.pairs["b"], result.pairs["decision"], strict=True)
    )


def test_the_trials_semicolon_file_finds_its_pair() -> None:
    assert _pairs(TRIAL / "teilnehmer.csv") == [("10001", "10005", "duplicate")]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_german_headers_below_a_title_read_through_the_clients_aliases(
    tmp_path: Path, encoding: str
) -> None:
    config = yaml.safe_load((TRIAL / "kraftwerk.yaml").read_text(encoding="utf-8"))
    # Verkäufer-Nr. is the client's claim alias of participant_id already
    config["participant_columns"] = {
        "first_name": ["Vorname"],
        "last_name": ["Nachname"],
        "tax_id": ["Steuernummer"],
    }
    client = tmp_path / "kraftwerk.yaml"
    client.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    path = tmp_path / "teilnehmer.csv"
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(GERMAN)
    assert _pairs(path, client) == [("10001", "10005", "duplicate")]
    # without the client, no row names two columns: no header is found, and
    # the first row has no participant_id: refused, never guessed
    with pytest.raises(
        UnreadableInput,
        match=r"row 1: expected a participant_id column .*found 'Teilnehmerliste",
    ):
        _pairs(path)


def test_a_workbook_with_a_title_row_reads_as_the_csv_does(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [["Teilnehmer"], ["participant_id", "first_name", "last_name",
                                 "email", "tax_id"], *(r for r in GERMAN[3:])]:  # fmt: skip
        sheet.append(row)
    path = tmp_path / "people.xlsx"
    book.save(path)
    assert _pairs(path) == [("10001", "10005", "duplicate")]


def test_the_review_file_holds_the_pair_found_with_its_explanation(
    tmp_path: Path,
) -> None:
    review, db = tmp_path / "review.csv", tmp_path / "k.db"
    code, out, err = run(
        "dedupe", "participants", str(TRIAL / "teilnehmer.csv"),
        "--review-out", str(review),
    )  # fmt: skip
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == (
        f"1 pair written to {review} (mark each pair to review same or different)"
    )
    with review.open(encoding="utf-8-sig", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["a"], row["b"], row["found"], row["decision"]) == (
        "10001", "10005", "duplicate", "",
    )  # fmt: skip
    # same tax id and email, names alike (Jürgen Müller / Juergen Mueller)
    assert row["explanation"].startswith("tax_id exact (+")
    assert "email exact (+" in row["explanation"]
    assert "name similar (+" in row["explanation"]
    assert row["explanation"].endswith(
        "not compared (missing): dob, phone, address, postcode, city"
    )
    assert (row["tax_id_level"], row["email_level"]) == ("exact", "exact")
    # left blank, the finding stands: nothing is stored
    assert run("dedupe", "apply", str(review), "--db", str(db))[1] == (
        "0 decisions stored\n"
    )
    row["decision"] = "different"  # a person overturns it
    with review.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    assert run("dedupe", "apply", str(review), "--db", str(db))[1] == (
        "1 decision stored\n"
    )
    code, out, _ = run(
        "dedupe", "participants", str(TRIAL / "teilnehmer.csv"), "--db", str(db)
    )
    assert code == 0 and "0 duplicate pairs" in out
