"""Double entry of French forms (trial 23): every decided record in the final
file, a missed record and a missed line counted and never crashing, stored
checks agreeing with the hand count, slips named, samples naming the form."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimflow import ResolvedClient, Store, UnreadableInput, ingest
from claimflow.config import load_client
from claimflow.verify.double_entry import adjudicate, classify, compare, sample

N = "\u202f"  # the narrow no-break space that groups French digits
CLIENT = """\
schema_version: 1
client: electro-provence
name: Électro Provence
kind: sales
locale: fr_FR
language: fr
date_order: DMY
currency: EUR
timezone: Europe/Paris
serials_per_unit: true
columns:
  claim_ref: ["N° de demande"]
  participant_id: ["N° adhérent"]
  participant_name: ["Nom du vendeur"]
  dealer_id: ["Code magasin"]
  invoice_number: ["N° de facture"]
  invoice_date: ["Date de facture"]
  received_at: ["Reçu le"]
  sku: ["Référence produit"]
  quantity: ["Quantité"]
  unit_price: ["Prix unitaire"]
  line_total: ["Montant TTC"]
  serial_numbers: ["Numéros de série"]
eligible_skus: [LV-500, FR-300, MO-120]
award:
  activity_date: invoice_date
  currency: EUR
  products:
    LV-500: {group: gros}
    FR-300: {group: gros}
    MO-120: {group: petit}
  rule_sets:
    - version: "2026"
      effective_from: 2026-01-01
      rules:
        - {id: gros, kind: per_unit, points: 50, scope: {groups: [gros]}}
        - {id: petit, kind: per_unit, points: 10, scope: {groups: [petit]}}
"""
HEAD = (
    "N° de demande;N° adhérent;Nom du vendeur;Code magasin;N° de facture;"
    "Date de facture;Référence produit;Quantité;Prix unitaire;Montant TTC;"
    "Numéros de série;Reçu le\n"
)
# 12 columns a row. EP-1: one line; EP-2: two lines; EP-3: one line.
EP1 = f"EP-1;204601;Vendeur 1;MAG-13;F-50011;02/10/2026;LV-500;1;1{N}234,56;1{N}234,56;LV011001;25/10/2026\n"  # noqa: E501
EP2_1 = "EP-2;204602;Vendeur 2;MAG-13;F-50021;03/10/2026;MO-120;1;10,00;10,00;MO021001;25/10/2026\n"  # noqa: E501
EP2_2 = "EP-2;204602;Vendeur 2;MAG-13;F-50021;03/10/2026;FR-300;2;300,00;600,00;FR022001 FR022002;25/10/2026\n"  # noqa: E501
EP3 = f"EP-3;204603;Vendeur 3;MAG-13;F-50031;04/10/2026;LV-500;1;1{N}234,56;1{N}234,56;LV031001;25/10/2026\n"  # noqa: E501
AT = datetime(2026, 10, 25, 12, tzinfo=UTC)


@pytest.fixture
def client(write: Callable[..., Path]) -> ResolvedClient:
    return load_client(write("electro-provence.yaml", CLIENT))


def _decide(
    first: Path, second: Path, client: ResolvedClient, out: Path, choice: str
) -> Path:
    """Every difference decided `choice`."""
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["document", "key", "line", "field", "decision", "value"])
        for d in compare(first, second, client):
            writer.writerow([d.document, d.key, d.line or "", d.field, choice, ""])
    return out


def _adjudicate(
    tmp_path: Path, client: ResolvedClient, store: Store, alice: str, bruno: str
) -> tuple[Path, dict[str, int], dict[str, int]]:
    first = tmp_path / "keying_alice.csv"
    second = tmp_path / "keying_bruno.csv"
    first.write_text(HEAD + alice, encoding="utf-8")
    second.write_text(HEAD + bruno, encoding="utf-8")
    decisions = _decide(first, second, client, tmp_path / "d.csv", "second")
    final = tmp_path / "final.csv"
    with store.transaction():
        done = adjudicate(
            decisions, first, second, client, store, operators=("alice", "bruno"),
            actor="lead", final=final, now=AT,
        )  # fmt: skip
    return final, done.errors, done.checked


def _refs(final: Path) -> list[tuple[str, str]]:
    with final.open(encoding="utf-8", newline="") as fh:
        return [(r["N° de demande"], r["Référence produit"]) for r in csv.DictReader(fh)]


def _stored(store: Store) -> dict[str, tuple[int, int]]:
    """Per operator: fields checked and errors, as `report qa` sums them."""
    rows = store.db.execute(
        "SELECT operator, sum(checked), sum(errors) FROM entry_checks GROUP BY operator"
    ).fetchall()
    return {op: (int(checked), int(errors)) for op, checked, errors in rows}


def test_a_record_only_the_second_keyed_is_in_the_final_file(
    tmp_path: Path, client: ResolvedClient, store: Store
) -> None:
    # Alice skipped EP-2, Bruno keyed it: decided for Bruno, it is in the
    # final file where he keyed it, and ingested.
    final, _, _ = _adjudicate(tmp_path, client, store, EP1 + EP3, EP1 + EP2_1 + EP2_2 + EP3)
    assert _refs(final) == [
        ("EP-1", "LV-500"), ("EP-2", "MO-120"), ("EP-2", "FR-300"), ("EP-3", "LV-500"),
    ]  # fmt: skip
    assert ingest([final], client, store).records == 3


def test_stored_checks_agree_with_the_hand_count(
    tmp_path: Path, client: ResolvedClient, store: Store
) -> None:
    # Alice skipped EP-3 and keyed EP-1's amount with a point; Bruno keyed
    # all three forms right. Both decided for Bruno.
    alice = EP1.replace(f"1{N}234,56;LV", "1 234.56;LV") + EP2_1 + EP2_2
    _, errors, checked = _adjudicate(
        tmp_path, client, store, alice, EP1 + EP2_1 + EP2_2 + EP3
    )
    # By hand: Alice 2 errors (EP-1's amount, the form she missed), Bruno
    # none. Both checked the 4 rows of 12 fields of the forms as decided;
    # Alice's missed form is her '(record)' row: 12 fields, 1 error.
    assert errors == {"alice": 2}
    assert checked == {"alice": 48, "bruno": 48}
    assert _stored(store) == {"alice": (48, 2), "bruno": (48, 0)}
    (record,) = store.db.execute(
        "SELECT checked, errors FROM entry_checks WHERE field = '(record)'"
    ).fetchall()
    assert record == (12, 1)
    stakes = dict(
        store.db.execute(
            "SELECT claim_key || ':' || field, points_at_stake FROM entry_errors"
        ).fetchall()
    )
    # EP-1's amount keyed with a point cannot be read in fr_FR: the claim
    # would be pended, its 50 points waiting (trial 33 found 0 there)
    assert stakes == {"EP-1:line_total": 50, "EP-3:(record)": 50}


def test_a_line_one_operator_missed_is_decided_without_a_crash(
    tmp_path: Path, client: ResolvedClient, store: Store
) -> None:
    # Alice missed EP-2's second line; Bruno keyed it, decided for him.
    final, errors, checked = _adjudicate(
        tmp_path, client, store, EP1 + EP2_1 + EP3, EP1 + EP2_1 + EP2_2 + EP3
    )
    assert ("EP-2", "FR-300") in _refs(final)
    assert ingest([final], client, store).records == 3
    # By hand: the line's 5 fields, each left blank, are Alice's 5 errors.
    assert errors == {"alice": 5}
    assert checked == {"alice": 48, "bruno": 48}
    assert _stored(store) == {"alice": (48, 5), "bruno": (48, 0)}


def test_a_failed_adjudication_leaves_no_final_file(
    tmp_path: Path,
    client: ResolvedClient,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(*args: object) -> None:
        raise RuntimeError("the store failed")

    monkeypatch.setattr("claimflow.verify.double_entry.add_entry_errors", fail)
    with pytest.raises(RuntimeError):
        _adjudicate(tmp_path, client, store, EP1 + EP3, EP1 + EP2_1 + EP2_2 + EP3)
    left = sorted(p.name for p in tmp_path.iterdir() if "claims.db" not in p.name)
    assert left == ["d.csv", "electro-provence.yaml", "keying_alice.csv",
                    "keying_bruno.csv"]  # fmt: skip


@pytest.mark.parametrize(
    ("first", "second", "field", "slip"),
    [
        ("", "2", "quantity", "missing value"),
        ("FR-300", "", "sku", "missing value"),
        ("FR062001 FR062002", "FR062001", "serial_numbers", "missing serial"),
        ("1 234.56", f"1{N}234,56", "line_total", "decimal mark"),
        ("10,00", "10.00", "unit_price", "decimal mark"),
        (f"1{N}234,56", "1234.56", "line_total", "decimal mark"),
        ("104233", "10433", "participant_id", "dropped character"),
        ("298.00", "149.00", "line_total", "value of unit_price in the wrong field"),
    ],
)
def test_slips_are_named(first: str, second: str, field: str, slip: str) -> None:
    # Bruno's unit price is his line total (one unit): a decimal mark is
    # still a decimal mark, not "value of unit_price in the wrong field".
    others = {"unit_price": "149.00" if second == "149.00" else f"1{N}234,56"}
    assert classify(first, second, others, "DMY", field) == slip


def test_compare_shows_french_amounts_as_keyed(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    from click.testing import CliRunner

    from claimflow.cli import main

    client = write("electro-provence.yaml", CLIENT)
    alice = write("keying_alice.csv", HEAD + EP1.replace(f"1{N}234,56;LV", "1 234.56;LV"))
    bruno = write("keying_bruno.csv", HEAD + EP1)
    result = CliRunner().invoke(
        main, ["entry", "compare", str(alice), str(bruno), "--client", str(client)]
    )
    assert result.exit_code == 1
    assert result.output == (
        "1 difference between keying_alice.csv and keying_bruno.csv\n"
        f"  EP-1 line 1: line_total: '1 234.56' vs '1{N}234,56' (decimal mark)\n"
    )


def test_sample_names_each_form_by_reference_and_place(
    tmp_path: Path, client: ResolvedClient, store: Store
) -> None:
    keyed = tmp_path / "keying_alice.csv"
    keyed.write_text(HEAD + EP1 + EP2_1 + EP2_2, encoding="utf-8")
    ingest([keyed], client, store)
    needed, picked = sample(store, 1, 0.05, 0.95)
    # every field keyed: 7 of each claim, 5 of each of its 3 lines
    assert needed == 59 and len(picked) == 2 * 7 + 3 * 5
    where = {(f.field, f.claim) for f in picked}
    file = store.db.execute("SELECT json_extract(data, '$.provenance.file') FROM claims")
    name = file.fetchone()[0]
    assert ("invoice_number", f"EP-1 ({name}:row 2)") in where
    assert ("line 1:sku", f"EP-2 ({name}:row 3)") in where
    assert ("line 2:serial_numbers", f"EP-2 ({name}:row 4)") in where
    assert picked[0].claim.startswith("EP-1 (")  # in the order keyed


def test_a_difference_without_a_decision_row_is_refused(
    tmp_path: Path, client: ResolvedClient, store: Store
) -> None:
    """A difference left without a row kept the first keying's value, and a
    record only the second operator keyed was dropped from the final file
    with no word (its row deleted from the decisions file)."""
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(HEAD + EP1, encoding="utf-8")
    second.write_text(HEAD + EP1 + EP3, encoding="utf-8")  # EP-3 keyed by bruno alone
    decisions = _decide(first, second, client, tmp_path / "d.csv", "second")
    lines = decisions.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == 2  # the header and EP-3's record row
    decisions.write_text(lines[0], encoding="utf-8")  # its row deleted
    final = tmp_path / "final.csv"
    audit_before = store.count("audit_log")
    with pytest.raises(UnreadableInput) as caught, store.transaction():
        adjudicate(
            decisions, first, second, client, store, operators=("alice", "bruno"),
            actor="lead", final=final, now=AT,
        )  # fmt: skip
    assert str(caught.value) == (
        f"{decisions}: 1 of 1 difference has no decision row, the first "
        "EP-3:(record): expected a row for every difference `entry compare` listed"
    )
    assert not final.exists() and store.count("audit_log") == audit_before
