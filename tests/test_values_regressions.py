"""Each value misread reported in issue 19, with the outcome it must have now."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from claimflow import ResolvedClient, load_client, read_file, resolve
from claimflow.award import CapState, compute_award
from claimflow.award.run import settings_of
from claimflow.codes import Outcome, ReasonCode
from claimflow.config import ClientConfig
from claimflow.dedupe.people import dedupe_people
from claimflow.errors import ConfigError, UnreadableInput
from claimflow.fields import ascii_fold
from claimflow.parse.participants import read_participants
from tests.conftest import SAMPLES
from tests.formats import NOW, client_for, decided
from tests.test_cli import run

COSTA = SAMPLES / "clients/costa-azul.yaml"
STAY = {
    "Referencia": "CA-501",
    "Nº socio": "300112457",
    "Nombre": "José Núñez Peña",
    "Hotel": "CAZ-MAD",
    "Confirmación": "MD4471902",
    "Llegada": "02/10/2026",
    "Salida": "05/10/2026",
    "Moneda": "EUR",
    "Tarifa": "BAR",
    "Canal": "Directo",
    "Folio": "F-88120",
    "Recibido": "20/10/2026",
    "Folio adjunto": "sí",
}


def _stay_points(client: ResolvedClient, path: Path) -> tuple[Decimal | None, object]:
    """The stay's revenue and points (José is oro: 41 x 25 + 50% = 1,537.5)."""
    [(claim, decision)] = decided([path], client)
    if decision.outcome is not Outcome.ACCEPTED:
        return None, decision
    members = {
        p.id: p
        for p in read_participants(
            SAMPLES / "costa-azul/participants.csv", "costa-azul"
        )
    }
    award, problem = compute_award(
        claim, settings_of(client), members[claim.participant_id], CapState()
    )
    assert problem is None and award is not None
    return claim.qualifying_revenue, award.points  # type: ignore[union-attr]


def _costa_with(tmp_path: Path, **extra: object) -> ResolvedClient:
    data = load_client(COSTA).config.model_dump(exclude_unset=True)
    return resolve(ClientConfig.model_validate({**data, **extra}), "costa.yaml")


def test_csv_stay_under_a_decimal_comma_earns_1538(tmp_path: Path) -> None:
    costa = load_client(COSTA)
    path = tmp_path / "one.csv"
    path.write_text(
        ";".join(STAY)
        + ";Importe habitación\n"
        + ";".join(STAY.values())
        + ";412,50\n",
        encoding="utf-8",
    )
    assert _stay_points(costa, path) == (Decimal("412.50"), 1538)


def test_json_string_in_point_notation_is_refused_not_read_as_41250(
    tmp_path: Path,
) -> None:
    """It earned 154,688 points: '412.50' read as 41,250 under es_ES."""
    costa = load_client(COSTA)
    path = tmp_path / "portal.jsonl"
    path.write_text(json.dumps({**STAY, "Importe habitación": "412.50"}) + "\n")
    revenue, decision = _stay_points(costa, path)
    assert revenue is None
    [problem] = decision.problems  # type: ignore[attr-defined]
    assert problem.code is ReasonCode.INVALID_NUMBER
    assert problem.field == "qualifying_revenue"
    assert "found '412.50'" in problem.message
    assert "1.234,56" in problem.message


def test_a_portals_json_declared_as_machine_numbers_earns_what_the_csv_earns(
    tmp_path: Path,
) -> None:
    costa = _costa_with(tmp_path, file_number_locales={"json": "C"})
    path = tmp_path / "portal.jsonl"
    path.write_text(json.dumps({**STAY, "Importe habitación": "412.50"}) + "\n")
    assert _stay_points(costa, path) == (Decimal("412.50"), 1538)
    # A CSV of the same client is still read as the clerks write it.
    csv_path = tmp_path / "desk.csv"
    csv_path.write_text(
        ";".join(STAY) + ";Importe habitación\n" + ";".join(STAY.values()) + ";412,50\n"
    )
    assert _stay_points(costa, csv_path) == (Decimal("412.50"), 1538)


def test_a_json_number_is_a_number_whatever_the_locale(tmp_path: Path) -> None:
    path = tmp_path / "portal.jsonl"
    path.write_text(
        json.dumps({**STAY}).rstrip("}") + ', "Importe habitación": 412.50}\n'
    )
    assert _stay_points(load_client(COSTA), path) == (Decimal("412.50"), 1538)


def _sales(tmp_path: Path, client: ResolvedClient, qty: str, price: str = "") -> object:
    path = tmp_path / "q.csv"
    path.write_text(
        "Claim ID\tRep ID\tInvoice No\tInvoice Date\tProduct Code\tQty\tUnit Price\n"
        f"Q-1\t104233\tINV-9\t2026-10-02\tDRL-200\t{qty}\t{price}\n"
    )
    [(claim, decision)] = decided([path], client)
    return claim.lines[0].quantity, decision  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("locale", "qty", "expected"),
    [
        ("de_DE", "2,0", 2),
        ("de_DE", "1.000.000", 1000000),
        ("en_US", "1,000,000", 1000000),
    ],
)
def test_quantities_read_exactly(
    tmp_path: Path, locale: str, qty: str, expected: int
) -> None:
    """``2,0`` was 20 units under a German client."""
    quantity, decision = _sales(tmp_path, client_for(locale), qty)
    assert quantity == expected
    assert decision.outcome is Outcome.ACCEPTED  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("locale", "qty"),
    [
        ("en_US", "1,5"),
        ("en_US", "1.000"),
        ("de_DE", "1,5"),
        ("de_DE", "1.000"),
        ("hi_IN", "1,000"),
    ],
)
def test_ambiguous_or_fractional_quantities_are_invalid_number(
    tmp_path: Path, locale: str, qty: str
) -> None:
    """``1,5`` was 15 units under the US client, accepted and awarded."""
    quantity, decision = _sales(tmp_path, client_for(locale), qty)
    assert quantity is None
    assert decision.outcome is Outcome.PENDED  # type: ignore[attr-defined]
    [problem] = decision.problems  # type: ignore[attr-defined]
    assert (problem.code, problem.field) == (ReasonCode.INVALID_NUMBER, "quantity")
    assert f"found {qty!r}" in problem.message


def test_a_point_keyed_under_a_decimal_comma_is_refused(tmp_path: Path) -> None:
    """``240.5`` became 2,405 of revenue and 9,000 points, accepted."""
    path = tmp_path / "keyed.csv"
    path.write_text(
        ";".join(STAY) + ";Importe habitación\n" + ";".join(STAY.values()) + ";240.5\n"
    )
    revenue, decision = _stay_points(load_client(COSTA), path)
    assert revenue is None
    assert decision.outcome is Outcome.PENDED  # type: ignore[attr-defined]
    [problem] = decision.problems  # type: ignore[attr-defined]
    assert problem.code is ReasonCode.INVALID_NUMBER
    assert problem.message == (
        "expected an amount like 1.234,56, found '240.5' "
        "('.' groups digits in es_ES; decimals follow ',')"
    )


@pytest.mark.parametrize(
    ("locale", "word", "expected"),
    [
        ("de_DE", "ja", True),
        ("de_DE", "nein", False),
        ("de_DE", "Nein", False),
        ("fr_FR", "non", False),
        ("fr_FR", "oui", True),
        ("id_ID", "tidak", False),
        ("pt_BR", "não", False),
        ("pt_BR", "sim", True),
        ("es_ES", "sí", True),
        ("en_US", "✓", True),
        ("en_US", "x", True),
        ("de_DE", "yes", True),
        # trial 25: a UAE client (locale ar_AE, notices in English) pended
        # نعم as invalid_format; the words follow the locale's language
        ("ar_AE", "نعم", True),
        ("ar_AE", "لا", False),
        ("ar_AE", "\u200fنعم\u200f", True),
        ("ar_AE", "yes", True),
        ("he_IL", "כן", True),
        ("uk_UA", "ні", False),
    ],
)
def test_yes_and_no_in_the_clients_language(
    tmp_path: Path, locale: str, word: str, expected: bool
) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "Claim ID,Rep ID,Invoice No,Invoice Date,Product Code,Qty,Proof\n"
        f"P-1,104233,INV-9,2026-10-02,DRL-200,1,{word}\n",
        encoding="utf-8",
    )
    [(claim, decision)] = decided([path], client_for(locale))
    assert claim.proof_attached is expected
    assert decision.outcome is Outcome.ACCEPTED


def test_an_unknown_word_names_the_accepted_ones(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "Claim ID,Rep ID,Invoice No,Invoice Date,Product Code,Qty,Proof\n"
        "P-1,104233,INV-9,2026-10-02,DRL-200,1,vielleicht\n"
    )
    [(_, decision)] = decided([path], client_for("de_DE", yes_words=["jawohl"]))
    [problem] = decision.problems
    assert problem.code is ReasonCode.INVALID_FORMAT
    assert "nein" in problem.message and "jawohl" in problem.message
    assert "found 'vielleicht'" in problem.message


def test_yes_and_no_words_may_not_overlap() -> None:
    with pytest.raises(
        ValueError, match="no_words\n  Value error, also in yes_words: si"
    ):
        client_for("es_ES", yes_words=["si"], no_words=["Si"])


def test_decimal_comma_must_agree_with_the_number_locale(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "client: de-desk\nname: D\nkind: sales\ndate_order: DMY\ndecimal_comma: true\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_client(path)
    assert str(caught.value) == (
        f"{path}: decimal_comma: true disagrees with the number "
        "locale en_US, which writes 1,234.56; set number_locale (for example "
        "de_DE) and remove decimal_comma"
    )


MEMBERS = """\
participant_id,first_name,last_name,tier,enrolled_on
900000001,Søren,Kierkegaard,oro,21.02.2025
900000002,Иван,Петров,plata,2024-12-31
"""


def test_participants_import_reads_the_clients_date_order(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text(MEMBERS, encoding="utf-8")
    people = list(read_participants(path, "de-desk", "DMY"))
    assert [p.enrolled_on for p in people] == [date(2025, 2, 21), date(2024, 12, 31)]
    assert people[0].first_name == "Søren"


def test_participants_import_names_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text(MEMBERS.replace("21.02.2025", "13.13.2025"), encoding="utf-8")
    with pytest.raises(UnreadableInput) as caught:
        list(read_participants(path, "de-desk", "DMY"))
    assert str(caught.value) == (
        f"{path}: row 2:enrolled_on: expected a date as "
        "DD.MM.YYYY, found '13.13.2025'"
    )


def test_participants_import_cli_takes_the_clients_order_or_its_own(
    tmp_path: Path,
) -> None:
    members = tmp_path / "members.csv"
    members.write_text(MEMBERS, encoding="utf-8")
    db = str(tmp_path / "c.db")
    code, out, err = run(
        "participants", "import", str(members), "--client", str(COSTA), "--db", db
    )
    assert (code, out.strip()) == (
        0,
        f"2 participants of costa-azul imported from {members}; "
        "2 new or changed facts recorded",
    )
    code, _, err = run(
        "participants", "import", str(members), "--client", str(COSTA),
        "--db", db, "--date-order", "MDY",
    )  # fmt: skip
    assert code == 2
    assert "row 2:enrolled_on: expected a date as MM.DD.YYYY" in err


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Søren", "soren"),
        ("Иван Петров", "ivan petrov"),
        ("王芳", "wangfang"),
        ("Ελένη", "eleni"),
        ("José Núñez", "jose nunez"),
        ("Łukasz", "lukasz"),
    ],
)
def test_names_of_every_script_fold_to_ascii_never_to_nothing(
    name: str, folded: str
) -> None:
    assert ascii_fold(name) == folded


def test_different_people_in_other_scripts_are_not_merged() -> None:
    """Cyrillic and Chinese names folded to nothing: two different people
    with one birth date and postcode were a 'duplicate' (0.905)."""
    people = pd.DataFrame(
        {
            "participant_id": ["A1", "A2", "B1", "B2", "C1", "C2"],
            "first_name": ["Иван", "Ольга", "芳", "伟", "Søren", "Søren"],
            "last_name": ["Петров", "Смирнова", "王", "李", "Ødegård", "Odegard"],
            "date_of_birth": ["1980-04-07"] * 2
            + ["1975-11-23"] * 2
            + ["1990-01-02"] * 2,
            "postcode": ["101000"] * 2 + ["100000"] * 2 + ["0150"] * 2,
        }
    )
    result = dedupe_people(people)
    pairs = {
        (a, b): level
        for a, b, level in result.pairs[["a", "b", "name_level"]].to_numpy()
    }
    assert ("A1", "A2") not in pairs
    assert ("B1", "B2") not in pairs
    assert pairs[("C1", "C2")] == "exact"
    assert result.clusters == [{"participant_ids": ["C1", "C2"], "original": "C1"}]


def test_excel_numeric_cells_are_numbers_as_excel_shows_them(tmp_path: Path) -> None:
    """274.66 in a cell was read as 274.65999999999997, and a numeric cell
    under a decimal-comma client was read again as text in its locale."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Claim ID", "Rep ID", "Invoice No", "Invoice Date", "Product Code", "Qty", "Unit Price"])  # fmt: skip
    sheet.append(
        ["X-1", "104233", "INV-1", "2026-10-02", "DRL-200", 2, 274.65999999999997]
    )
    path = tmp_path / "n.xlsx"
    book.save(path)
    for locale in ("de_DE", "en_US"):
        [(claim, decision)] = decided([path], client_for(locale))
        assert claim.lines[0].unit_price == Decimal("274.66")
        assert decision.outcome is Outcome.ACCEPTED
    [raw] = read_file(path, client_for("de_DE"))
    assert raw.lines[0][1]["unit_price"] == Decimal("274.66")
    assert NOW.tzinfo is not None


def test_notices_say_how_to_write_the_number(tmp_path: Path) -> None:
    """The notice said only "we could not read this number"."""
    from claimflow.validate import NoticeItem, render_notices

    path = tmp_path / "keyed.csv"
    path.write_text(
        ";".join(STAY) + ";Importe habitación\n" + ";".join(STAY.values()) + ";240.5\n"
    )
    costa = load_client(COSTA)
    [(claim, decision)] = decided([path], costa)
    [notice] = render_notices(
        [NoticeItem.of(claim, decision)], costa, date(2026, 11, 2)
    )
    # what was keyed is quoted back as keyed (no Python quotes: issue 26)
    assert (
        "no pudimos leer este número: envíelo de nuevo, escrito como 1.234,56 "
        "(leímos: 240.5)" in notice.text
    )
    client = client_for("en_US")
    _, decision = _sales(tmp_path, client, "1,5")
    [(claim, decision)] = decided([tmp_path / "q.csv"], client)
    [notice] = render_notices(
        [NoticeItem.of(claim, decision)], client, date(2026, 11, 2)
    )
    assert (
        "quantity: we could not read this number of units: please send it again as a whole number"
        in notice.text
    )
